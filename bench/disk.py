#!/usr/bin/python3
"""doppel beside QEMU on disk I/O: boots the same Debian kernel and initramfs
under each, in turn, several times, each boot with fresh disk images (one per
format, made by qemu-img), runs /bench/disk (bench/guest-disk) on every
disk, and prints the medians of sequential and random 4 KiB throughput and
the doppel/QEMU ratios. `make bench-disk` runs it; see docs/performance.md.

Exits 1 if a run failed or if doppel and QEMU read back different data (a
checksum mismatch is a bug).
"""
import os
import subprocess
import sys
import time

from guest_console import GuestConsole, GuestError
import report
import run

TESTS = ["seq.write", "seq.read", "rand.write", "rand.read"]
FORMATS = ["raw", "qcow2"]
DISK_TIMEOUT = 900
IMAGE_SIZE = "1G"


def parse_disk(output):
    """(mode, {test: (value, unit, seconds, checksum)}) from /bench/disk's
    output; raises GuestError if it did not finish."""
    mode = None
    found = {}
    done = False
    for line in output.replace("\r", "").splitlines():
        fields = line.split()
        if line.startswith("disk-mode "):
            mode = line[len("disk-mode "):].strip()
        elif len(fields) == 6 and fields[0] == "disk":
            found[fields[1]] = (float(fields[2]), fields[3], float(fields[4]), fields[5])
        elif line.strip() == "disk-bench done":
            done = True
    if not done or mode is None or sorted(found) != sorted(TESTS):
        raise GuestError("/bench/disk did not finish; its output:\n" + output[-2000:])
    return mode, found


def disk_options(who, images):
    """The emulator's options attaching each (format, path) as a
    virtio-blk disk whose serial number is the image's file name."""
    argv = []
    for i, (fmt, path) in enumerate(images):
        if who == "doppel":
            argv += ["--disk", "%s,format=%s" % (path, fmt)]
        else:
            argv += ["-drive", "file=%s,format=%s,if=none,id=d%d" % (path, fmt, i),
                     "-device", "virtio-blk-device,drive=d%d,serial=%s"
                     % (i, os.path.basename(path))]
    return argv


def fresh_images(qemu_img, directory, formats):
    images = []
    for fmt in formats:
        path = os.path.join(directory, "%s.img" % fmt)
        if os.path.exists(path):
            os.unlink(path)
        subprocess.run([qemu_img, "create", "-q", "-f", fmt, path, IMAGE_SIZE], check=True)
        images.append((fmt, path))
    return images


def device_of(con, serial):
    """The guest's /dev/vdX whose virtio-blk serial number is serial: the
    order in which the emulators number their virtio-mmio slots differs."""
    output, _ = con.run("for d in /sys/block/vd*; do [ \"$(cat $d/serial)\" = %s ] && "
                        "echo dev=${d##*/}; done" % serial, run.COMMAND_TIMEOUT)
    names = [line.strip()[4:] for line in output.splitlines() if line.startswith("dev=")]
    if len(names) != 1:
        raise GuestError("no single disk with serial %s in the guest:\n%s" % (serial, output))
    return "/dev/" + names[0]


def run_guest(who, argv, log, images, results, notes):
    """One boot: /bench/disk on each image, then power-off."""
    con = GuestConsole(argv, log, run.BOOT_TIMEOUT)
    try:
        con.wait_for_prompt(run.BOOT_TIMEOUT)
        if "guest_kernel" not in notes:
            notes["guest_kernel"] = con.run("uname -r", run.COMMAND_TIMEOUT)[0].strip()
        line = who
        for fmt, path in images:
            device = device_of(con, os.path.basename(path))
            start = time.monotonic()
            output, status = con.run("/bench/disk " + device, DISK_TIMEOUT)
            host_seconds = time.monotonic() - start
            if status != 0:
                raise GuestError("/bench/disk %s exited %d:\n%s" % (device, status, output[-2000:]))
            mode, found = parse_disk(output)
            run.check_clock(sum(f[2] for f in found.values()), host_seconds, "disk I/O")
            results["modes"].add(mode)
            for test, (value, unit, _, checksum) in found.items():
                results["values"].setdefault((fmt, who, test), []).append(value)
                results["units"][test] = unit
                if checksum != "-":
                    results["checksums"].setdefault((fmt, test), []).append((who, checksum))
            line += ", %s %.0f s" % (fmt, host_seconds)
        con.poweroff(run.COMMAND_TIMEOUT)
        print(line, flush=True)
    finally:
        con.close()


def rows(results, formats):
    """One row per image format and test: the medians, the range over the
    runs, the ratio of the medians."""
    table = [["image", "test", "unit", "doppel", "QEMU", "doppel range", "QEMU range",
              "doppel/QEMU"]]
    for fmt in formats:
        for test in TESTS:
            d, q = (results["values"].get((fmt, who, test), []) for who in ("doppel", "qemu"))
            dm, qm = report.median(d), report.median(q)
            table.append([fmt, test, results["units"].get(test, "-"),
                          "-" if dm is None else "%.1f" % dm, "-" if qm is None else "%.1f" % qm,
                          report.spread(d), report.spread(q),
                          report.rate_ratio(report.ratio(dm, qm))])
    return table


def mismatches(results):
    out = []
    for (fmt, test), seen in sorted(results["checksums"].items()):
        if len({checksum for _, checksum in seen}) > 1:
            out.append("checksum mismatch in %s %s: %s" % (
                fmt, test, ", ".join("%s %s" % pair for pair in seen)))
    return out


def main():
    ap = run.harness_arguments(__doc__.split("\n\n")[0], "disk")
    ap.add_argument("--qemu-img", default="qemu-img", help="qemu-img (default: %(default)s)")
    ap.add_argument("--formats", default=",".join(FORMATS),
                    help="comma-separated image formats (default: %(default)s)")
    args = ap.parse_args()
    formats = [f for f in args.formats.split(",") if f]
    if args.runs < 1:
        ap.error("need --runs >= 1")
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        ap.error("formats are %s, not %s" % (", ".join(FORMATS), args.formats))

    guests = run.guest_commands(args.doppel, args.qemu, args.kernel, args.initrd)
    results = {"values": {}, "units": {}, "checksums": {}, "modes": set()}
    notes = {}
    errors = []
    logs = os.path.join(args.out, "logs")
    images_dir = os.path.join(args.out, "images")
    os.makedirs(logs, exist_ok=True)
    os.makedirs(images_dir, exist_ok=True)
    load_before = os.getloadavg()[0]

    for i, who, argv in run.turns(guests, args.runs):
        print("%s run %d/%d ..." % (who, i + 1, args.runs), flush=True)
        images = fresh_images(args.qemu_img, images_dir, formats)
        log = os.path.join(logs, "%s-%d.log" % (who, i + 1))
        try:
            run_guest(who, argv + disk_options(who, images), log, images, results, notes)
        except GuestError as e:
            errors.append("%s run %d: %s" % (who, i + 1, e))
            print("  failed: %s" % e, flush=True)
        finally:
            for _, path in images:
                os.unlink(path)

    errors.extend(mismatches(results))
    info = report.machine_info(args.qemu, notes.get("guest_kernel", "unknown"))
    info.append(("disks", "fresh %s %s images (qemu-img create) for every boot, in %s; "
                 "virtio-blk over virtio-mmio; QEMU's default cache (writeback); the host's "
                 "page cache serves the reads, fsync reaches the host's disk"
                 % (IMAGE_SIZE, " and ".join(formats), images_dir)))
    info.append(("guest I/O", "/dev/vdX opened %s; writes include the fsync"
                 % ("; ".join(sorted(results["modes"])) or "-")))
    info.append(("runs", "boots per emulator %d (figures are medians); host load average "
                 "%.1f before, %.1f after" % (args.runs, load_before, os.getloadavg()[0])))
    table = rows(results, formats)
    verdict = ["throughput: higher is better; doppel/QEMU above 1 means doppel is faster"]
    return report.publish(args.out, info, table, verdict, 3, errors)


if __name__ == "__main__":
    sys.exit(main())
