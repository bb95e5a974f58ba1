#!/usr/bin/python3
"""doppel beside QEMU: boots the same Debian kernel and initramfs under each,
in turn, several times; measures the time to the shell prompt; runs the
guest CPU suite (bench/guest, /bench/suite in the initramfs) in the first
runs; runs the same suite natively; and prints medians, ratios and each
emulator's peak memory. `make bench` runs it; see docs/performance.md.

Exits 1 if a run failed or if doppel, QEMU and the host disagree on a
checksum (a wrong answer is a bug); an unmet target is a finding, not a
failure.
"""
import argparse
import os
import socket
import subprocess
import sys
import time

from guest_console import GuestConsole, GuestError
import report

BOOT_TIMEOUT = 600
SUITE_TIMEOUT = 3600
COMMAND_TIMEOUT = 60
# Guest seconds may not exceed host seconds by more than this: a guest clock
# running fast would make an emulator look faster than it is.
CLOCK_SLACK = 1.02


def guest_commands(doppel, qemu, kernel, initrd, mem="512M"):
    """{emulator: argv} booting the same kernel and initramfs, 1 hart and
    mem of RAM each."""
    return {
        "doppel": [doppel, "run", "--kernel", kernel, "--initrd", initrd,
                   "--append", "console=ttyS0", "--mem", mem],
        "qemu": [qemu, "-M", "virt", "-m", mem, "-smp", "1", "-nographic",
                 "-bios", "default", "-kernel", kernel, "-initrd", initrd,
                 "-append", "console=ttyS0"],
    }


def harness_arguments(description, program):
    """An argument parser with what every harness takes: the emulators, the
    guest kernel, an initramfs holding /bench/PROGRAM (or, with program
    None, the guest image's own), where the results go, and how many runs."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--doppel", required=True, help="the doppel binary")
    ap.add_argument("--qemu", default="qemu-system-riscv64", help="QEMU (default: %(default)s)")
    ap.add_argument("--kernel", required=True, help="the guest kernel Image")
    ap.add_argument("--initrd", required=True,
                    help="initramfs holding /bench/" + program if program else "the initramfs")
    ap.add_argument("--out", required=True, help="directory for results.md and console logs")
    ap.add_argument("--runs", type=int, default=3, help="boots per emulator (default 3)")
    return ap


def turns(guests, runs):
    """(run index, emulator, argv) for each run of each emulator in
    guests: taking turns, and swapping who goes first every run, spreads
    any change in the host's load over both."""
    for i in range(runs):
        for who, argv in sorted(guests.items(), reverse=i % 2 == 1):
            yield i, who, argv


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on (for now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_clock(guest_seconds, host_seconds, what):
    """Raises GuestError if the guest timed more than the host saw pass."""
    if guest_seconds > host_seconds * CLOCK_SLACK:
        raise GuestError("the guest's clock ran fast: %.1f s of %s in %.1f s"
                         % (guest_seconds, what, host_seconds))


def parse_suite(output):
    """{kernel: (seconds, checksum)} from the suite's output; raises
    GuestError if it did not finish."""
    found = {}
    done = False
    for line in output.replace("\r", "").splitlines():
        fields = line.split()
        if len(fields) == 4 and fields[0] == "bench":
            found[fields[1]] = (float(fields[2]), fields[3])
        elif line.strip() == "bench-suite done":
            done = True
    if not done:
        raise GuestError("the suite did not finish; its output:\n" + output[-2000:])
    return found


def empty_result():
    return {"boot": [], "kernels": {}, "checksums": {}, "maxrss_kib": 0}


def record(result, who, found):
    for name, (seconds, checksum) in found.items():
        result["kernels"].setdefault(name, []).append(seconds)
        result["checksums"].setdefault(name, []).append((who, checksum))


def run_native(binary, kernels, result):
    proc = subprocess.run([binary] + kernels, capture_output=True, text=True,
                          timeout=SUITE_TIMEOUT, check=False)
    if proc.returncode != 0:
        raise GuestError("native suite exited %d: %s" % (proc.returncode, proc.stderr.strip()))
    record(result, "native", parse_suite(proc.stdout))


def run_guest(who, argv, log, kernels, with_suite, result, notes):
    """One boot: time to prompt, the suite if asked, power-off, peak RSS."""
    con = GuestConsole(argv, log, BOOT_TIMEOUT)
    try:
        prompt = con.wait_for_prompt(BOOT_TIMEOUT)
        line = "%s: prompt after %.2f s" % (who, prompt)
        if "guest_kernel" not in notes:
            notes["guest_kernel"] = con.run("uname -r", COMMAND_TIMEOUT)[0].strip()
        if with_suite:
            start = time.monotonic()
            output, status = con.run(" ".join(["/bench/suite"] + kernels), SUITE_TIMEOUT)
            host_seconds = time.monotonic() - start
            if status != 0:
                raise GuestError("/bench/suite exited %d:\n%s" % (status, output[-2000:]))
            found = parse_suite(output)
            guest_seconds = sum(seconds for seconds, _ in found.values())
            check_clock(guest_seconds, host_seconds, "kernels")
            record(result, who, found)
            line += ", suite %.1f s" % host_seconds
        con.poweroff(COMMAND_TIMEOUT)
        result["boot"].append(prompt)
        result["maxrss_kib"] = max(result["maxrss_kib"], con.rusage.ru_maxrss)
        print(line + ", peak RSS %d MiB" % round(con.rusage.ru_maxrss / 1024), flush=True)
    finally:
        con.close()


def mismatches(results, kernels):
    """Lines naming every kernel whose checksums differ between runs."""
    out = []
    for name in kernels:
        seen = [pair for who in ("native", "qemu", "doppel")
                for pair in results[who]["checksums"].get(name, [])]
        if len({checksum for _, checksum in seen}) > 1:
            out.append("checksum mismatch in %s: %s" % (
                name, ", ".join("%s %s" % pair for pair in seen)))
    return out


def main():
    ap = harness_arguments(__doc__.split("\n\n")[0], "suite")
    ap.add_argument("--native", required=True, help="the suite built for this host")
    ap.add_argument("--suite-runs", type=int,
                    help="boots that also run the suite, and native runs (default: --runs)")
    ap.add_argument("--kernels", default="",
                    help="comma-separated suite kernels (default: all)")
    args = ap.parse_args()
    if args.suite_runs is None:
        args.suite_runs = args.runs
    if args.runs < 1 or not 0 < args.suite_runs <= args.runs:
        ap.error("need 1 <= --suite-runs <= --runs")

    listing = subprocess.run([args.native, "--list"], capture_output=True, text=True, check=True)
    all_kernels = listing.stdout.split()
    kernels = [k for k in args.kernels.split(",") if k] or all_kernels
    unknown = [k for k in kernels if k not in all_kernels]
    if unknown:
        ap.error("no such kernel: %s (have: %s)" % (", ".join(unknown), ", ".join(all_kernels)))

    guests = guest_commands(args.doppel, args.qemu, args.kernel, args.initrd)
    results = {who: empty_result() for who in ("doppel", "qemu", "native")}
    notes = {}
    errors = []
    logs = os.path.join(args.out, "logs")
    os.makedirs(logs, exist_ok=True)
    load_before = os.getloadavg()[0]

    # Taking turns (native, doppel, QEMU; again) spreads any change in the
    # host's load over all three.
    for i in range(args.runs):
        if i < args.suite_runs:
            try:
                run_native(args.native, kernels, results["native"])
            except (GuestError, subprocess.TimeoutExpired) as e:
                errors.append("native run %d: %s" % (i + 1, e))
        for who, argv in guests.items():
            log = os.path.join(logs, "%s-%d.log" % (who, i + 1))
            print("%s run %d/%d%s ..." % (who, i + 1, args.runs,
                                          " with the suite" if i < args.suite_runs else ""),
                  flush=True)
            try:
                run_guest(who, argv, log, kernels, i < args.suite_runs, results[who], notes)
            except GuestError as e:
                errors.append("%s run %d: %s" % (who, i + 1, e))
                print("  failed: %s" % e, flush=True)

    errors.extend(mismatches(results, kernels))
    runs = ("boots per emulator %d, suite runs on each of doppel, QEMU and the host %d "
            "(figures are medians); host load average %.1f before, %.1f after"
            % (args.runs, args.suite_runs, load_before, os.getloadavg()[0]))
    info = report.machine_info(args.qemu, notes.get("guest_kernel", "unknown"))
    table = report.rows(results, kernels)
    print()
    print(report.text(info, table, results, kernels, runs), end="")
    path = os.path.join(args.out, "results.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write(report.markdown(info, table, results, kernels, runs))
    print("(markdown: %s; console logs: %s)" % (path, logs))
    for e in errors:
        print("ERROR " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
