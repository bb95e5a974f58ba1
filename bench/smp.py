#!/usr/bin/python3
"""Multi-hart guests, doppel beside QEMU's MTTCG (one host thread per vCPU):
boots the same Debian kernel and initramfs with N harts (doppel --cpus N,
QEMU -smp N) for each N asked; runs N copies of some of the suite's kernels
at once and the threaded kernel of bench/guest-smp/smp.c on N threads; and
prints the guest's wall times, each emulator's speedup over one hart, and
doppel/QEMU. Then an idle guest's host CPU use. `make bench-smp` runs it;
see docs/performance.md.

Exits 1 if a run failed or if a checksum differs between hart counts or
between the emulators (a wrong answer is a bug); a low speedup is a finding,
not a failure.
"""
import os
import sys
import time

from guest_console import GuestConsole, GuestError
import report
import run

COMMAND_TIMEOUT = 60
KERNEL_TIMEOUT = 1800
# The idle guest settles this long after the prompt, then is watched for
# IDLE_SECONDS.
IDLE_SETTLE = 3
IDLE_SECONDS = 10
THREADED = "threads.shared"
EMULATORS = ("doppel", "qemu")
# doppel's --cpus limit, and /bench/smp's.
MAX_HARTS = 64
# Issue 13's targets, on a 2-core host.
TARGET_SPEEDUP = 1.8
TARGET_RATIO = 0.7
TARGET_IDLE_PERCENT = 5


def smp_commands(doppel, qemu, kernel, initrd, harts):
    """run.guest_commands with harts harts, and QEMU's one thread per vCPU
    asked for rather than assumed."""
    guests = run.guest_commands(doppel, qemu, kernel, initrd)
    guests["doppel"] += ["--cpus", str(harts)]
    q = guests["qemu"]
    q[q.index("-smp") + 1] = str(harts)
    q += ["-accel", "tcg,thread=multi"]
    return guests


def parse_lines(output, what):
    """(name, seconds, checksum) from the "smp ..." line of output: "smp
    copies KERNEL N SECONDS SUM" or "smp threads shared N SECONDS SUM"."""
    for line in output.replace("\r", "").splitlines():
        fields = line.split()
        if len(fields) == 6 and fields[0] == "smp":
            name = fields[2] if fields[1] == "copies" else "threads." + fields[2]
            return name, float(fields[4]), fields[5]
    raise GuestError("%s printed no result; its output:\n%s" % (what, output[-2000:]))


def run_guest(who, argv, log, harts, kernels, result, notes):
    """One boot with harts harts: each benchmark once, then power-off."""
    con = GuestConsole(argv, log, run.BOOT_TIMEOUT)
    try:
        con.wait_for_prompt(run.BOOT_TIMEOUT)
        if "guest_kernel" not in notes:
            notes["guest_kernel"] = con.run("uname -r", COMMAND_TIMEOUT)[0].strip()
        commands = ["/bench/smp copies %d %s" % (harts, k) for k in kernels]
        commands.append("/bench/smp threads %d" % harts)
        line = []
        for command in commands:
            start = time.monotonic()
            output, status = con.run(command, KERNEL_TIMEOUT)
            host_seconds = time.monotonic() - start
            if status != 0:
                raise GuestError("%s exited %d:\n%s" % (command, status, output[-2000:]))
            name, seconds, checksum = parse_lines(output, command)
            run.check_clock(seconds, host_seconds, name)
            result["times"].setdefault((name, harts), []).append(seconds)
            result["checksums"].setdefault(name, []).append((who, harts, checksum))
            line.append("%s %.2f s" % (name, seconds))
        con.poweroff(COMMAND_TIMEOUT)
        print("  %s" % ", ".join(line), flush=True)
    finally:
        con.close()


def cpu_seconds(pid):
    """utime + stime of process pid (all its threads), in seconds."""
    with open("/proc/%d/stat" % pid, encoding="ascii") as f:
        # The command name (field 2) may hold spaces; what follows ")" does not.
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of proc(5); fields[0] is field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def idle_cpu(argv, log):
    """Percent of one host core that an idle guest at its shell prompt uses."""
    con = GuestConsole(argv, log, run.BOOT_TIMEOUT)
    try:
        con.wait_for_prompt(run.BOOT_TIMEOUT)
        time.sleep(IDLE_SETTLE)
        before, start = cpu_seconds(con.pid), time.monotonic()
        time.sleep(IDLE_SECONDS)
        used, elapsed = cpu_seconds(con.pid) - before, time.monotonic() - start
        con.poweroff(COMMAND_TIMEOUT)
        return 100.0 * used / elapsed
    finally:
        con.close()


def speedup(times, name, harts):
    """Work per second with harts harts over that with one: N copies do N
    times the work of one, the threaded kernel the same work however many
    threads share it."""
    one, many = report.median(times.get((name, 1), [])), report.median(times.get((name, harts), []))
    work = 1 if name == THREADED else harts
    return report.ratio(one * work, many) if one is not None else None


def rows(results, names, hart_counts, idle):
    d, q = results["doppel"]["times"], results["qemu"]["times"]
    table = [["benchmark", "harts", "doppel", "QEMU", "doppel speedup", "QEMU speedup",
              "doppel/QEMU"]]
    for harts in hart_counts:
        for name in names:
            td, tq = report.median(d.get((name, harts), [])), report.median(q.get((name, harts), []))
            table.append([name, str(harts), report.seconds(td), report.seconds(tq),
                          _times(speedup(d, name, harts)), _times(speedup(q, name, harts)),
                          report.time_ratio(report.ratio(td, tq))])
    for harts in hart_counts:
        med = {who: [report.median(results[who]["times"].get((n, harts), [])) for n in names]
               for who in EMULATORS}
        table.append(["geomean", str(harts), report.seconds(report.geomean(med["doppel"])),
                      report.seconds(report.geomean(med["qemu"])),
                      _times(report.geomean([speedup(d, n, harts) for n in names])),
                      _times(report.geomean([speedup(q, n, harts) for n in names])),
                      report.time_ratio(report.geomean(
                          [report.ratio(a, b) for a, b in zip(med["doppel"], med["qemu"])]))])
    if idle:
        harts, cpu = idle
        table.append(["idle, host CPU", str(harts), _percent(cpu.get("doppel")),
                      _percent(cpu.get("qemu")), "-", "-",
                      _plain(report.ratio(cpu.get("doppel"), cpu.get("qemu")))])
    return table


def _times(value):
    return "-" if value is None else "%.2fx" % value


def _plain(value):
    return "-" if value is None else "%.2f" % value


def _percent(value):
    return "-" if value is None else "%.1f%%" % value


def target_lines(results, names, hart_counts, idle):
    """Issue 13's targets on a 2-core host, each as met or NOT met."""
    out = []
    if 2 in hart_counts:
        means = {who: report.geomean([speedup(results[who]["times"], n, 2) for n in names])
                 for who in EMULATORS}
        if means["doppel"] is not None:
            out.append("speedup at N = 2 at least %.1f: doppel %.2f (geometric mean), %s; "
                       "QEMU %s" % (TARGET_SPEEDUP, means["doppel"],
                                    _met(means["doppel"] >= TARGET_SPEEDUP),
                                    _plain(means["qemu"])))
        med = {who: [report.median(results[who]["times"].get((n, 2), [])) for n in names]
               for who in EMULATORS}
        mean = report.geomean([report.ratio(a, b) for a, b in zip(med["doppel"], med["qemu"])])
        if mean is not None:
            out.append("doppel/QEMU at N = 2 at most %.1f on the geometric mean: %.2f, %s"
                       % (TARGET_RATIO, mean, _met(mean <= TARGET_RATIO)))
    if idle and idle[1].get("doppel") is not None:
        out.append("an idle %d-hart guest under %d%% of a core: doppel %.1f%%, %s"
                   % (idle[0], TARGET_IDLE_PERCENT, idle[1]["doppel"],
                      _met(idle[1]["doppel"] < TARGET_IDLE_PERCENT)))
    return out


def _met(ok):
    return "met" if ok else "NOT met"


def mismatches(results, names):
    """Lines naming every benchmark whose checksums differ between hart
    counts or emulators."""
    out = []
    for name in names:
        seen = [entry for who in EMULATORS for entry in results[who]["checksums"].get(name, [])]
        if len({checksum for _, _, checksum in seen}) > 1:
            out.append("checksum mismatch in %s: %s" % (
                name, ", ".join("%s with %d harts %s" % entry for entry in seen)))
    return out


def parse_harts(text, ap):
    if not text:
        return sorted({1, 2, min(os.cpu_count() or 1, MAX_HARTS)})
    try:
        harts = sorted({int(h) for h in text.split(",") if h})
    except ValueError:
        ap.error("--harts wants comma-separated numbers, not %r" % text)
    if not harts or harts[0] != 1 or harts[-1] > MAX_HARTS:
        ap.error("--harts must include 1 (the base of the speedups) and stay within 1-%d"
                 % MAX_HARTS)
    return harts


def main():
    ap = run.harness_arguments(__doc__.split("\n\n")[0], "suite and /bench/smp")
    ap.add_argument("--harts", default="",
                    help="comma-separated hart counts, 1 among them (default: 1, 2 and "
                         "the host's core count)")
    ap.add_argument("--kernels", default="int.sort,fp.matrix,mem.copy",
                    help="comma-separated suite kernels run as copies (default: %(default)s)")
    ap.add_argument("--idle-harts", type=int, default=8,
                    help="harts of the idle guest (0: no idle figure; default %(default)s)")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("need --runs >= 1")
    hart_counts = parse_harts(args.harts, ap)
    kernels = [k for k in args.kernels.split(",") if k]
    names = kernels + [THREADED]

    results = {who: {"times": {}, "checksums": {}} for who in EMULATORS}
    notes = {}
    errors = []
    logs = os.path.join(args.out, "logs")
    os.makedirs(logs, exist_ok=True)
    load_before = os.getloadavg()[0]

    for harts in hart_counts:
        guests = smp_commands(args.doppel, args.qemu, args.kernel, args.initrd, harts)
        for i, who, argv in run.turns(guests, args.runs):
            print("%s with %d harts, run %d/%d ..." % (who, harts, i + 1, args.runs), flush=True)
            log = os.path.join(logs, "%s-smp%d-%d.log" % (who, harts, i + 1))
            try:
                run_guest(who, argv, log, harts, kernels, results[who], notes)
            except GuestError as e:
                errors.append("%s with %d harts, run %d: %s" % (who, harts, i + 1, e))
                print("  failed: %s" % e, flush=True)

    idle = None
    if args.idle_harts > 0:
        cpu = {}
        guests = smp_commands(args.doppel, args.qemu, args.kernel, args.initrd, args.idle_harts)
        for who, argv in sorted(guests.items()):
            print("%s idle with %d harts for %d s ..." % (who, args.idle_harts, IDLE_SECONDS),
                  flush=True)
            try:
                cpu[who] = idle_cpu(argv, os.path.join(logs, "%s-idle.log" % who))
                print("  %.1f%% of a host core" % cpu[who], flush=True)
            except GuestError as e:
                errors.append("%s idle: %s" % (who, e))
                print("  failed: %s" % e, flush=True)
        idle = (args.idle_harts, cpu)

    errors.extend(mismatches(results, names))
    info = report.machine_info(args.qemu, notes.get("guest_kernel", "unknown"))
    info = [(k, "Linux %s riscv64, busybox initramfs, 512 MiB, harts %s (QEMU: -accel "
             "tcg,thread=multi)" % (notes.get("guest_kernel", "unknown"),
                                    ", ".join(map(str, hart_counts))))
            if k == "guest" else (k, v) for k, v in info]
    info.append(("runs", "boots per emulator and hart count %d (figures are medians); host "
                 "load average %.1f before, %.1f after"
                 % (args.runs, load_before, os.getloadavg()[0])))
    after = [
        "times: wall time inside the guest (CLOCK_MONOTONIC), from the first fork or thread "
        "start to the last exit",
        "copies: N copies of the suite kernel at once; %s: one fixed amount of work shared by "
        "N threads (an atomic work counter, an atomic sum and a mutex-guarded histogram)"
        % THREADED,
        "speedup: work per second with N harts over that with 1 (ideal: N)",
    ]
    if idle:
        after.append("idle: host CPU (utime+stime from /proc/PID/stat) of a guest at its "
                     "shell prompt over %d s, in percent of one core" % IDLE_SECONDS)
    after.extend(target_lines(results, names, hart_counts, idle))
    if not errors:
        after.append("every checksum agreed between hart counts and emulators")
    return report.publish(args.out, info, rows(results, names, hart_counts, idle),
                          after, 1, errors)


if __name__ == "__main__":
    sys.exit(main())
