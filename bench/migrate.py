#!/usr/bin/python3
"""doppel beside QEMU on live migration: boots the same Debian kernel and
initramfs under each (1 hart, 512 MiB, a raw disk), fills 64 MiB of the
guest's RAM with random data, starts a counter on its console (a line every
50 ms), migrates it to a second process of the same emulator on loopback,
and checks that the counter goes on at the target. Prints the medians of the
downtime each emulator reports (doppel's MIGRATION event, QEMU's
query-migrate), of the gap the counter shows on the consoles, and of the
total time, and the doppel/QEMU ratios. `make bench-migrate` runs it; see
docs/performance.md.

Both aim at the same downtime (50 ms) with no bandwidth cap: QEMU's
downtime-limit and max-bandwidth are set to match doppel's. Exits 1 if a
migration failed or the guest did not go on at the target.
"""
import os
import re
import subprocess
import sys
import threading
import time

from guest_console import GuestConsole, GuestError
from monitor import Monitor
import report
import run

FILL_MIB = 64
DOWNTIME_MS = 50
MIGRATE_TIMEOUT = 300
COUNTER_LINE = re.compile(r"C(\d+)\r*$")
COUNTER_PERIOD_S = 0.05
# Under QEMU 7.2 the guest mostly hangs at the target: it stays in its idle
# loop with no interrupt pending, as if the timer it was waiting for had not
# been re-armed (so also with -cpu rv64,sstc=off). Its figures are still
# taken; that the guest went on is counted, not required.
RESUME_TIMEOUT = 30


class CounterWatch(threading.Thread):
    """Reads a console on a thread of its own, noting when each counter line
    arrives (pexpect would see them only when asked); keeps the log."""

    def __init__(self, con):
        super().__init__(daemon=True)
        self.con, self.seen = con, []
        self.start()

    def run(self):
        partial = ""
        while True:
            try:
                data = os.read(self.con.master, 4096).decode("utf-8", "replace")
            except OSError:
                return
            if not data:
                return
            now = time.monotonic()
            try:
                self.con.log.write(data)
            except ValueError:   # the console was closed
                return
            lines = (partial + data).split("\n")
            partial = lines.pop()
            for line in lines:
                m = COUNTER_LINE.match(line)
                if m:
                    self.seen.append((now, int(m.group(1))))

    def wait(self, timeout):
        """Whether a counter line came within timeout seconds."""
        end = time.monotonic() + timeout
        while not self.seen and time.monotonic() < end:
            time.sleep(0.02)
        return bool(self.seen)


def wait_listening(port, timeout=30):
    """Waits for a socket listening on port (found in /proc/net/tcp, so that
    no connection is spent on finding out)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with open("/proc/net/tcp", encoding="ascii") as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].split(":")[1], 16) == port:
                    return
        time.sleep(0.05)
    raise GuestError("nothing listens on port %d after %d s" % (port, timeout))


def commands(who, argv, disk, sock, port, key):
    """(source argv, target argv) for one emulator."""
    if who == "doppel":
        uri = "tcp:127.0.0.1:%d,key-file=%s" % (port, key)
        return (argv + ["--disk", "%s,format=raw" % disk, "--control", "unix:" + sock],
                [argv[0], "run", "--incoming", uri, "--disk", "%s,format=raw" % disk])
    full = argv + ["-drive", "file=%s,format=raw,if=none,id=d0" % disk,
                              "-device", "virtio-blk-device,drive=d0"]
    return (full + ["-qmp", "unix:%s,server=on,wait=off" % sock],
            full + ["-incoming", "tcp:127.0.0.1:%d" % port])


def migrate_doppel(control, port, key):
    control.execute("migrate", uri="tcp:127.0.0.1:%d,key-file=%s" % (port, key))
    while True:
        data = control.event("MIGRATION", MIGRATE_TIMEOUT)
        if data["status"] == "failed":
            raise GuestError("doppel's migration failed: %s" % data.get("error"))
        if data["status"] == "completed":
            return data["downtime_ms"], data["total_ms"], data["bytes"]


def migrate_qemu(control, port):
    control.execute("migrate-set-parameters", **{"downtime-limit": DOWNTIME_MS,
                                                 "max-bandwidth": 1 << 40})
    control.execute("migrate", uri="tcp:127.0.0.1:%d" % port)
    end = time.monotonic() + MIGRATE_TIMEOUT
    while time.monotonic() < end:
        info = control.execute("query-migrate")
        if info.get("status") == "completed":
            return info["downtime"], info["total-time"], info["ram"]["transferred"]
        if info.get("status") in ("failed", "cancelled"):
            raise GuestError("QEMU's migration %s: %s" % (info["status"], info.get("error-desc")))
        time.sleep(0.02)
    raise GuestError("QEMU's migration did not complete within %d s" % MIGRATE_TIMEOUT)


def console_gap(src, dst):
    """Milliseconds between the source's last counter line and the target's
    first, beyond the counter's own period; checks that the count goes on
    with no gap and no repeat."""
    last_t, last_n = src.seen[-1]
    first_t, first_n = dst.seen[0]
    if first_n != last_n + 1:
        raise GuestError("the source's counter ended at %d, the target's began at %d"
                         % (last_n, first_n))
    return max(0.0, (first_t - last_t - COUNTER_PERIOD_S) * 1000)


def migrate_once(who, argv, out, i, results, notes):
    disk = os.path.join(out, "disk.img")
    sock = os.path.join(out, "%s.sock" % who)
    for path in (disk, sock):
        if os.path.exists(path):
            os.unlink(path)
    subprocess.run(["qemu-img", "create", "-q", "-f", "raw", disk, "64M"], check=True)
    port = run.free_port()
    # The secret both doppel ends prove they hold (docs/migration.md).
    key = os.path.join(out, "migrate.key")
    with open(key, "wb") as f:
        f.write(os.urandom(32))
    os.chmod(key, 0o600)
    src_argv, dst_argv = commands(who, argv, disk, sock, port, key)
    logs = os.path.join(out, "logs")
    src = GuestConsole(src_argv, os.path.join(logs, "%s-%d-source.log" % (who, i)), run.BOOT_TIMEOUT)
    dst = None
    try:
        src.wait_for_prompt(run.BOOT_TIMEOUT)
        if "guest_kernel" not in notes:
            notes["guest_kernel"] = src.run("uname -r", run.COMMAND_TIMEOUT)[0].strip()
        src.run("dd if=/dev/urandom of=/fill bs=1M count=%d 2>/dev/null" % FILL_MIB, 300)
        src.child.sendline("i=0; while :; do echo C$i; i=$((i+1)); sleep %g; done"
                           % COUNTER_PERIOD_S)
        src_watch = CounterWatch(src)
        if not src_watch.wait(30):
            raise GuestError("no counter on the console (log: %s)" % src.log.name)
        dst = GuestConsole(dst_argv, os.path.join(logs, "%s-%d-target.log" % (who, i)),
                           run.BOOT_TIMEOUT)
        dst_watch = CounterWatch(dst)
        wait_listening(port)
        control = Monitor(sock)
        if who == "doppel":
            downtime, total, transferred = migrate_doppel(control, port, key)
        else:
            downtime, total, transferred = migrate_qemu(control, port)
        control.close()
        resumed = dst_watch.wait(RESUME_TIMEOUT)
        if not resumed and who == "doppel":
            raise GuestError("the guest did not go on at the target (log: %s)" % dst.log.name)
        gap = console_gap(src_watch, dst_watch) if resumed else None
        results.setdefault(who, []).append((downtime, gap, total, transferred / (1 << 20)))
        print("%s run %d: downtime %.1f ms, console gap %s, total %.0f ms, %.1f MiB" % (
            who, i, downtime, "-" if gap is None else "%.0f ms" % gap, total,
            transferred / (1 << 20)), flush=True)
    finally:
        src.close()
        if dst:
            dst.close()


MEASURES = [("downtime, as reported (ms)", 0), ("console gap (ms)", 1), ("total time (ms)", 2),
            ("data sent (MiB)", 3)]


def rows(results):
    table = [["measure", "doppel", "QEMU", "doppel range", "QEMU range", "doppel/QEMU"]]
    for name, col in MEASURES:
        values = {who: [r[col] for r in results.get(who, []) if r[col] is not None]
                  for who in ("doppel", "qemu")}
        med = {who: report.median(v) for who, v in values.items()}
        ratio = report.ratio(med["doppel"], med["qemu"])
        table.append([name] +
                     ["-" if med[w] is None else "%.1f" % med[w] for w in ("doppel", "qemu")] +
                     ["-" if not values[w] else "%.1f-%.1f" % (min(values[w]), max(values[w]))
                      for w in ("doppel", "qemu")] +
                     ["-" if ratio is None else "%.2f" % ratio])
    went_on = {who: "%d/%d" % (sum(r[1] is not None for r in results.get(who, [])),
                               len(results.get(who, []))) for who in ("doppel", "qemu")}
    table.append(["guest went on at the target", went_on["doppel"], went_on["qemu"], "-", "-", "-"])
    return table


def main():
    ap = run.harness_arguments(__doc__.split("\n\n")[0], None)
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("need --runs >= 1")
    os.makedirs(os.path.join(args.out, "logs"), exist_ok=True)
    guests = run.guest_commands(args.doppel, args.qemu, args.kernel, args.initrd)
    results, errors, notes = {}, [], {}
    load_before = os.getloadavg()[0]
    for i, who, argv in run.turns(guests, args.runs):
        try:
            migrate_once(who, argv, args.out, i + 1, results, notes)
        except (GuestError, OSError) as e:
            errors.append("%s run %d: %s" % (who, i + 1, e))
            print("  failed: %s" % e, flush=True)
    info = report.machine_info(args.qemu, notes.get("guest_kernel", "unknown"))
    info.append(("load", "%d MiB of random data in the guest's RAM, a counter printed every "
                 "50 ms; source and target on loopback; QEMU's downtime-limit %d ms and "
                 "max-bandwidth unlimited, as doppel's" % (FILL_MIB, DOWNTIME_MS)))
    info.append(("runs", "migrations per emulator %d (figures are medians); host load average "
                 "%.1f before, %.1f after" % (args.runs, load_before, os.getloadavg()[0])))
    verdict = ["lower is better; doppel/QEMU below 1 means doppel's is shorter",
               "doppel's downtime runs from the stop to the target's acknowledgement (the "
               "target has loaded everything); QEMU's from the stop to its last byte sent",
               "console gap: the time between the source's last counter line and the target's "
               "first, less the counter's 50 ms period, as the harness saw them arrive "
               "(only where the guest went on)",
               "under QEMU 7.2 the guest mostly hangs at the target, idle with no interrupt "
               "pending (its timer seemingly not re-armed); the count of those that went on "
               "says how often"]
    return report.publish(args.out, info, rows(results), verdict, 1, errors)


if __name__ == "__main__":
    sys.exit(main())
