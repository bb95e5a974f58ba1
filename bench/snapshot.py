#!/usr/bin/python3
"""doppel beside QEMU on snapshots: boots the same Debian kernel and
initramfs under each, at the shell, idle and then with 128 MiB of random data
in a tmpfs; times a snapshot of a 512 MiB guest and weighs its file; times a
restore until the guest answers on its console, for 256 MiB and 2 GiB guests;
and sums the memory of 10 clones restored from one snapshot. QEMU's snapshot
is a migration to a file (and, separately, savevm into a qcow2 disk); its
restore is -incoming from that file. `make bench-snapshot` runs it; see
docs/performance.md.

Exits 1 if a run failed.
"""
import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time

import pexpect

from guest_console import GuestConsole, GuestError
from monitor import Monitor
import report
import run

SNAPSHOT_MEM = "512M"
RESTORE_MEMS = ["256M", "2G"]
STATES = ["idle", "used"]
CLONES = 10
# The guest's busybox initramfs has no /dev/shm: mount one, large enough for
# the 128 MiB even in a 256 MiB guest (tmpfs defaults to half of RAM).
FILL = ("mkdir -p /dev/shm && mount -t tmpfs -o size=160m shm /dev/shm && "
        "dd if=/dev/urandom of=/dev/shm/x bs=1M count=128 2>/dev/null && sync")
FILL_TIMEOUT = 300
SNAPSHOT_TIMEOUT = 300
ANSWER_TIMEOUT = 120
# A console line typed before the emulator is ready may be lost (doppel
# flushes the terminal's input as it sets it raw): the probe is sent again at
# this interval until one is answered.
PROBE_INTERVAL = 0.05
POLL_INTERVAL = 0.005
# QEMU 7.2's restored riscv64 guest seldom answers (docs/performance.md):
# waiting as long for it as for doppel's would only slow the bench down.
QEMU_ANSWER_TIMEOUT = 10
# QEMU's migration is throttled to 128 MiB/s by default; a save to a file
# should not be (libvirt's `virsh save` lifts the limit the same way).
UNLIMITED = 1 << 40

DOPPEL_KINDS = {"raw": False, "zstd": True}


def monitor_options(who, sock):
    if who == "doppel":
        return ["--control", "unix:" + sock]
    return ["-qmp", "unix:%s,server=on,wait=off" % sock]


def boot(argv, log, sock):
    """Boots to the shell prompt; returns the console and the monitor."""
    con = GuestConsole(argv, log, run.BOOT_TIMEOUT)
    try:
        con.wait_for_prompt(run.BOOT_TIMEOUT)
        return con, Monitor(sock)
    except GuestError:
        con.close()
        raise


def fill(con):
    output, status = con.run(FILL, FILL_TIMEOUT)
    if status != 0:
        raise GuestError("filling /dev/shm failed:\n" + output[-2000:])


def add(results, key, value):
    results.setdefault(key, []).append(value)


def snapshot_path(files, who, kind, mem, state):
    return os.path.join(files, "%s-%s-%s-%s.snap" % (who, kind, mem, state))


def doppel_snapshot(mon, path, compress):
    """Seconds of the snapshot command of the paused guest, as the client
    sees them."""
    mon.execute("pause")
    start = time.monotonic()
    mon.execute("snapshot", path=path, compress=compress)
    seconds = time.monotonic() - start
    mon.execute("resume")
    return seconds


def qemu_migrate(mon, path):
    """Seconds from the migrate command of the stopped VM until
    query-migrate says completed, and of an fsync of the file after it
    (doppel syncs its snapshot file; `cat` does not)."""
    # savevm stops the VM; a migration of a stopped VM to a file does the
    # same work.
    mon.execute("stop")
    start = time.monotonic()
    mon.execute("migrate", uri="exec:cat > " + shlex.quote(path))
    while True:
        status = mon.execute("query-migrate").get("status")
        if status == "completed":
            break
        if status in ("failed", "cancelled"):
            raise GuestError("QEMU's migration to %s %s" % (path, status))
        if time.monotonic() - start > SNAPSHOT_TIMEOUT:
            raise GuestError("QEMU's migration to %s did not complete" % path)
        time.sleep(POLL_INTERVAL)
    seconds = time.monotonic() - start
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    synced = time.monotonic() - start
    # A migrated VM stays stopped, and QEMU refuses to migrate it again
    # until it has run.
    mon.execute("cont")
    return seconds, synced


def qemu_savevm(mon, name):
    """Seconds of HMP savevm (an internal snapshot into the qcow2 disk)."""
    start = time.monotonic()
    output = mon.execute("human-monitor-command", **{"command-line": "savevm " + name})
    seconds = time.monotonic() - start
    # HMP reports failures as text, not as a QMP error.
    if output.strip():
        raise GuestError("savevm %s: %s" % (name, output.strip()))
    return seconds


def vm_state_size(qemu_img, disk, name):
    info = subprocess.run([qemu_img, "info", "-U", "--output=json", disk], capture_output=True,
                          text=True, check=True).stdout
    for snap in json.loads(info).get("snapshots", []):
        if snap["name"] == name:
            return snap["vm-state-size"]
    raise GuestError("no snapshot %s in %s" % (name, disk))


def timed_snapshots(who, kind, state, argv, ctx, results, notes):
    """A fresh 512 MiB guest (its tmpfs filled for the used state): the
    first snapshot of the process, then one more. The first is the one a
    user waits for; in both emulators it costs more than the next,
    presumably as the first to read (and so map) the RAM the guest never
    touched."""
    sock = os.path.join(ctx["out"], "monitor.sock")
    path = snapshot_path(ctx["files"], who, kind, SNAPSHOT_MEM, state)
    disk = os.path.join(ctx["files"], "savevm.qcow2")
    extra = []
    if kind == "savevm":
        # savevm needs a writable disk that can hold internal snapshots.
        subprocess.run([ctx["qemu_img"], "create", "-q", "-f", "qcow2", disk, "64M"], check=True)
        extra = ["-drive", "file=%s,format=qcow2,if=none,id=d0" % disk,
                 "-device", "virtio-blk-device,drive=d0"]
    run_number = len(results.get(("size", kind, state), [])) + 1
    log = os.path.join(ctx["logs"], "%s-%s-%s-%d.log" % (who, kind, state, run_number))
    con, mon = boot(argv + extra + monitor_options(who, sock), log, sock)
    try:
        if "guest_kernel" not in notes:
            notes["guest_kernel"] = con.run("uname -r", run.COMMAND_TIMEOUT)[0].strip()
        if who == "qemu":
            mon.execute("migrate-set-parameters", **{"max-bandwidth": UNLIMITED})
        if state == "used":
            fill(con)
        for attempt in ("first", "again"):
            if kind in DOPPEL_KINDS:
                seconds = doppel_snapshot(mon, path, DOPPEL_KINDS[kind])
            elif kind == "migrate":
                seconds, synced = qemu_migrate(mon, path)
                add(results, ("save", "migrate+fsync", state, attempt), synced)
            else:
                seconds = qemu_savevm(mon, attempt)
            add(results, ("save", kind, state, attempt), seconds)
        size = (vm_state_size(ctx["qemu_img"], disk, "first") if kind == "savevm"
                else os.path.getsize(path))
        add(results, ("size", kind, state), size)
        print("%s %s %s: snapshot %.2f s, again %.2f s, %.1f MiB" % (
            who, kind, state, results[("save", kind, state, "first")][-1], seconds,
            size / (1 << 20)), flush=True)
    finally:
        mon.close()
        con.close()
        if kind == "savevm":
            os.unlink(disk)


def restore_files(who, argv, mem, ctx):
    """Boots a guest of mem, snapshots it idle, fills its tmpfs, snapshots
    it again: the files the restores start from."""
    sock = os.path.join(ctx["out"], "monitor.sock")
    con, mon = boot(argv + monitor_options(who, sock),
                    os.path.join(ctx["logs"], "%s-%s.log" % (who, mem)), sock)
    try:
        if who == "qemu":
            mon.execute("migrate-set-parameters", **{"max-bandwidth": UNLIMITED})
        for state in STATES:
            if state == "used":
                fill(con)
            if who == "doppel":
                for kind, compress in DOPPEL_KINDS.items():
                    doppel_snapshot(mon, snapshot_path(ctx["files"], who, kind, mem, state),
                                    compress)
            else:
                qemu_migrate(mon, snapshot_path(ctx["files"], who, "migrate", mem, state))
        print("%s %s: snapshots to restore taken" % (who, mem), flush=True)
    finally:
        mon.close()
        con.close()


def spawn_restore(who, kind, mem, state, ctx, log, sock):
    """Starts a restore; returns its console and, for QEMU, its monitor."""
    path = snapshot_path(ctx["files"], who, kind, mem, state)
    if who == "doppel":
        return GuestConsole([ctx["doppel"], "run", "--restore", path], log, ANSWER_TIMEOUT), None
    argv = ctx["guests"][mem]["qemu"] + ["-incoming", "exec:cat " + shlex.quote(path)]
    con = GuestConsole(argv + monitor_options(who, sock), log, ANSWER_TIMEOUT)
    try:
        return con, Monitor(sock)
    except GuestError:
        con.close()
        raise


def release(con, mon):
    """QEMU keeps a VM that was stopped when it was saved stopped after the
    incoming migration (its global state section carries the run state):
    resume it as soon as the state is in. Returns the seconds from the
    process's start until then, None for doppel."""
    if mon is None:
        return None
    try:
        while True:
            status = mon.execute("query-status")["status"]
            if status != "inmigrate":
                break
            if time.monotonic() - con.start > ANSWER_TIMEOUT:
                raise GuestError("QEMU's incoming migration did not end")
            time.sleep(POLL_INTERVAL)
        loaded = time.monotonic() - con.start
        if status != "running":
            mon.execute("cont")
        return loaded
    finally:
        mon.close()


def wait_answer(con, deadline):
    """Seconds from the process's start until the guest's shell answers an
    echo on the console (its output, not the typed line's echo); None if it
    has not by the deadline (time.monotonic())."""
    probe = 0
    while True:
        probe += 1
        # What is typed is `echo R""N`: only the command's output is `R` and
        # digits alone on a line.
        con.child.sendline('echo R""%d' % probe)
        try:
            con.child.expect(r"\nR\d+\r*\n", timeout=PROBE_INTERVAL)
            return time.monotonic() - con.start
        except pexpect.TIMEOUT:
            if time.monotonic() > deadline:
                return None
        except pexpect.EOF:
            raise GuestError("the emulator exited before the guest answered (console log: %s)"
                             % con.log.name)


def start_clones(who, kind, mem, state, count, ctx, stem):
    """Starts count restores at once and waits until each answers; returns
    their consoles, the seconds until the last answered (None if one did
    not) and, for QEMU, until the last had loaded its state."""
    started = []
    try:
        for i in range(count):
            started.append(spawn_restore(who, kind, mem, state, ctx, "%s-%d.log" % (stem, i + 1),
                                         os.path.join(ctx["out"], "clone-%d.sock" % i)))
        first = started[0][0].start
        loaded = [release(con, mon) for con, mon in started]
        deadline = time.monotonic() + (ANSWER_TIMEOUT if who == "doppel" else QEMU_ANSWER_TIMEOUT)
        answers = [wait_answer(con, deadline) for con, _ in started]
        if who == "doppel" and None in answers:
            raise GuestError("a restored guest did not answer within %d s (console logs: %s-*)"
                             % (ANSWER_TIMEOUT, stem))
        answered = None if None in answers else max(
            a + con.start for a, (con, _) in zip(answers, started)) - first
        loaded_at = None if who == "doppel" else max(
            t + con.start for t, (con, _) in zip(loaded, started)) - first
        return [con for con, _ in started], answered, loaded_at
    except BaseException:
        for con, mon in started:
            if mon is not None:
                mon.close()
            con.close()
        raise


def memory_of(pid):
    """(Pss, Rss) in KiB from /proc/PID/smaps_rollup."""
    found = {}
    with open("/proc/%d/smaps_rollup" % pid, encoding="ascii") as f:
        for line in f:
            fields = line.split()
            if fields and fields[0] in ("Pss:", "Rss:"):
                found[fields[0]] = int(fields[1])
    return found["Pss:"], found["Rss:"]


def measure_restores(ctx, runs, results, findings):
    order = [("doppel", "raw"), ("doppel", "zstd"), ("qemu", "migrate")]
    for i in range(runs):
        # Who goes first swaps every run.
        for who, kind in order if i % 2 == 0 else order[::-1]:
            for mem in RESTORE_MEMS:
                for state in STATES:
                    stem = os.path.join(ctx["logs"], "restore-%s-%s-%s-%s-%d"
                                        % (who, kind, mem, state, i + 1))
                    cons, answered, loaded = start_clones(who, kind, mem, state, 1, ctx, stem)
                    cons[0].close()
                    line = "restore %s %s %s %s:" % (who, kind, mem, state)
                    if loaded is not None:
                        add(results, ("loaded", mem, state), loaded)
                        line += " state loaded after %.2f s," % loaded
                    if answered is None:
                        add(findings, "restored from the %s snapshot" % _guest(mem, state), 1)
                        line += " no answer"
                    else:
                        add(results, ("restore", kind, mem, state), answered)
                        line += " answers after %.2f s" % answered
                    print(line, flush=True)


def measure_clones(ctx, results, findings):
    for who, kind in (("doppel", "raw"), ("qemu", "migrate")):
        for count in (1, CLONES):
            stem = os.path.join(ctx["logs"], "clones-%s-%d" % (who, count))
            cons, answered, loaded = start_clones(who, kind, SNAPSHOT_MEM, "used", count, ctx,
                                                  stem)
            try:
                memory = [memory_of(con.pid) for con in cons]
            finally:
                for con in cons:
                    con.close()
            pss, rss = sum(p for p, _ in memory), sum(r for _, r in memory)
            results[("pss", kind, count)] = [pss]
            results[("rss", kind, count)] = [rss]
            if answered is not None:
                results[("clones-time", kind, count)] = [answered]
            else:
                add(findings, "%d clone%s" % (count, "" if count == 1 else "s"), 1)
            if loaded is not None:
                results[("clones-loaded", count)] = [loaded]
            ready = loaded if answered is None else answered
            print("%d %s clone%s: Pss %d MiB, Rss %d MiB, all %s after %.1f s" % (
                count, who, "" if count == 1 else "s", pss // 1024, rss // 1024,
                "loaded (no answer)" if answered is None else "answering", ready), flush=True)


def not_answering(findings, logs):
    """A line naming what QEMU restored that never answered, if anything."""
    if not findings:
        return []
    cases = "; ".join("%s (%d run%s)" % (case, len(runs), "" if len(runs) == 1 else "s")
                      for case, runs in findings.items())
    return ["QEMU's guest did not answer on its console within %d s: %s; console logs in %s"
            % (QEMU_ANSWER_TIMEOUT, cases, logs)]


def _ratio(d, q, smaller, larger):
    r = report.ratio(d, q)
    if r is None:
        return "-"
    return "%.2f (%s)" % (r, smaller if r < 1 else larger if r > 1 else "same")


def _seconds(v):
    return "-" if v is None else "%.2f s" % v


def _mib(v, unit=1 << 20):
    return "-" if v is None else "%.1f MiB" % (v / unit)


def rows(results):
    """figure, guest, doppel, QEMU, doppel/QEMU; values are medians."""
    def med(*key):
        return report.median(results.get(key, []))

    def line(figure, guest, d, q, fmt, smaller, larger):
        return [figure, guest, fmt(d), fmt(q), _ratio(d, q, smaller, larger)]

    table = [["figure", "guest", "doppel", "QEMU", "doppel/QEMU"]]
    for attempt, kind, against, what in (
            ("first", "raw", "migrate", "uncompressed vs migrate to file"),
            ("first", "raw", "migrate+fsync", "uncompressed vs migrate to file + fsync"),
            ("first", "zstd", "migrate", "zstd vs migrate to file"),
            ("first", "raw", "savevm", "uncompressed vs savevm into qcow2"),
            ("again", "raw", "migrate", "again in the process, uncompressed vs migrate"),
            ("again", "raw", "savevm", "again in the process, uncompressed vs savevm")):
        for state in STATES:
            table.append(line("snapshot time, " + what, _guest(SNAPSHOT_MEM, state),
                              med("save", kind, state, attempt),
                              med("save", against, state, attempt),
                              _seconds, "doppel faster", "doppel slower"))
    for kind, against, what in (("raw", "migrate", "uncompressed vs migration file"),
                                ("zstd", "migrate", "zstd vs migration file"),
                                ("raw", "savevm", "uncompressed vs savevm's vm-state-size")):
        for state in STATES:
            table.append(line("snapshot size, " + what, _guest(SNAPSHOT_MEM, state),
                              med("size", kind, state), med("size", against, state),
                              _mib, "doppel smaller", "doppel larger"))
    for kind, what in (("raw", "uncompressed"), ("zstd", "zstd")):
        for mem in RESTORE_MEMS:
            for state in STATES:
                table.append(line("restore to running, doppel %s vs -incoming" % what,
                                  _guest(mem, state), med("restore", kind, mem, state),
                                  med("restore", "migrate", mem, state),
                                  _seconds, "doppel faster", "doppel slower"))
                if kind == "raw":
                    table.append(line("restore, doppel uncompressed to running vs QEMU's "
                                      "state loaded", _guest(mem, state),
                                      med("restore", kind, mem, state),
                                      med("loaded", mem, state),
                                      _seconds, "doppel faster", "doppel slower"))
    for count in (1, CLONES):
        guest = "%d x %s" % (count, _guest(SNAPSHOT_MEM, "used"))
        clones = "%d clone%s" % (count, "" if count == 1 else "s")
        for what in ("pss", "rss"):
            table.append(line("host memory of %s, sum of %s" % (clones, what.capitalize()), guest,
                              med(what, "raw", count), med(what, "migrate", count),
                              lambda v: _mib(v, 1024), "doppel smaller", "doppel larger"))
        started, all_ = ("1 clone started", "") if count == 1 else (
            "%s started at once" % clones, "all ")
        table.append(line("%s, until %s" % (started, "it answers" if count == 1 else "all answer"),
                          guest, med("clones-time", "raw", count),
                          med("clones-time", "migrate", count),
                          _seconds, "doppel faster", "doppel slower"))
        table.append(line("%s, doppel's %sanswering vs QEMU's %sloaded" % (started, all_, all_),
                          guest, med("clones-time", "raw", count), med("clones-loaded", count),
                          _seconds, "doppel faster", "doppel slower"))
    return table


def _guest(mem, state):
    size = mem.replace("M", " MiB").replace("G", " GiB")
    return size + (", idle" if state == "idle" else ", 128 MiB used")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--doppel", required=True, help="the doppel binary")
    ap.add_argument("--qemu", default="qemu-system-riscv64", help="QEMU (default: %(default)s)")
    ap.add_argument("--qemu-img", default="qemu-img", help="qemu-img (default: %(default)s)")
    ap.add_argument("--kernel", required=True, help="the guest kernel Image")
    ap.add_argument("--initrd", required=True, help="the guest initramfs")
    ap.add_argument("--out", required=True,
                    help="directory for results.md, console logs and (while it runs) snapshots")
    ap.add_argument("--runs", type=int, default=3,
                    help="snapshots per kind and restores per case (default 3)")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("need --runs >= 1")

    guests = {mem: run.guest_commands(args.doppel, args.qemu, args.kernel, args.initrd, mem)
              for mem in [SNAPSHOT_MEM] + RESTORE_MEMS}
    ctx = {"out": args.out, "logs": os.path.join(args.out, "logs"),
           "files": os.path.join(args.out, "files"), "doppel": args.doppel,
           "qemu_img": args.qemu_img, "guests": guests}
    os.makedirs(ctx["logs"], exist_ok=True)
    os.makedirs(ctx["files"], exist_ok=True)
    results = {}
    notes = {}
    errors = []
    # What QEMU restored that did not answer: {case: [1 per run]}.
    findings = {}
    load_before = os.getloadavg()[0]
    order = [("doppel", "raw"), ("doppel", "zstd"), ("qemu", "migrate"), ("qemu", "savevm")]
    try:
        for i in range(args.runs):
            # Who goes first swaps every run.
            for who, kind in order if i % 2 == 0 else order[::-1]:
                for state in STATES:
                    timed_snapshots(who, kind, state, guests[SNAPSHOT_MEM][who], ctx, results,
                                    notes)
        for mem in RESTORE_MEMS:
            for who in ("doppel", "qemu"):
                restore_files(who, guests[mem][who], mem, ctx)
        measure_restores(ctx, args.runs, results, findings)
        measure_clones(ctx, results, findings)
    except (GuestError, OSError, subprocess.CalledProcessError) as e:
        errors.append(str(e))
        print("  failed: %s" % e, flush=True)
    finally:
        shutil.rmtree(ctx["files"])

    info = report.machine_info(args.qemu, notes.get("guest_kernel", "unknown"))
    info[-1] = ("guest", "Linux %s riscv64, busybox initramfs at its shell, 1 hart, no disk; "
                "used: 128 MiB from /dev/urandom in a tmpfs" % notes.get("guest_kernel", "unknown"))
    info.append(("runs", "snapshots per kind and restores per case %d (figures are medians), "
                 "clones once; host load average %.1f before, %.1f after"
                 % (args.runs, load_before, os.getloadavg()[0])))
    verdict = ["doppel/QEMU: times below 1 mean doppel is faster, sizes and memory below 1 "
               "that doppel's are smaller",
               "QEMU's snapshot is `migrate` to `exec:cat > FILE` of the stopped VM with "
               "max-bandwidth lifted, except in the savevm rows (HMP savevm into a 64 MiB "
               "qcow2 disk the doppel guest does not have); its restore is "
               "`-incoming exec:cat FILE`, then `cont` over QMP as soon as the state is in "
               "(the VM was stopped when saved)"]
    verdict += not_answering(findings, ctx["logs"])
    table = rows(results)
    print()
    print(report.text_table(info, table, verdict, left_columns=2), end="")
    path = os.path.join(args.out, "results.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write(report.markdown_table(info, table, verdict, left_columns=2))
    print("(markdown: %s; console logs: %s)" % (path, ctx["logs"]))
    for e in errors:
        print("ERROR " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
