#!/usr/bin/env python3
"""Live migration (docs/migration.md) of a VM booting Debian's kernel, between
two doppel processes on loopback.

usage: migrate_test.py DOPPEL KERNEL INITRD
A guest with a disk writes a file to it, fills some RAM and prints a counter.
Migrations that fail must leave the source running and counting, with a
MIGRATION "failed" event and query-migrate saying why: the target killed
mid-way, the connection cut, a byte of the stream flipped (through a proxy;
the target refuses the last two with one line and exit status 1).
Then a migration that succeeds: the source exits 0 with a MIGRATION
"completed" event, and the target's console goes on with the count, with no
gap and no repeat, and finds the file. Also the refusals that need no guest:
a stream of another format version, machine options beside --incoming.
Prints one line per check and ends with "N passed, N failed".
"""
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import pexpect

from boot_debian import Console, Results
from control_test import Client

BAD_LOG = ["Oops", "BUG:", "WARNING:", "Unable to handle"]
COUNTER = re.compile(r"C(\d+)\r?\n")
# doppel's own lines on the console's terminal (stderr), which may land in
# the middle of a guest line.
DOPPEL_LINE = re.compile(r"doppel run: [^\n]*\n")
EVENT_TIMEOUT = 60
FILL_MIB = 48


class Target:
    """doppel run --incoming, its console read like a guest's."""

    def __init__(self, doppel, control=None):
        # Port 0: the target picks a free port and names it.
        argv = [doppel, "run", "--incoming", "tcp:127.0.0.1:0", "--timeout", "600"]
        if control:
            argv += ["--control", "unix:" + control]
        self.con = Console(argv)
        self.con.child.expect(r"waiting for a migration on (tcp:127\.0\.0\.1:(\d+))\r?\n",
                              timeout=30)
        self.uri, self.port = self.con.child.match.group(1), int(self.con.child.match.group(2))

    def exit_status(self, timeout=30):
        self.con.child.expect(pexpect.EOF, timeout=timeout)
        self.con.child.close()
        return self.con.child.exitstatus

    def error_lines(self):
        return [l for l in self.con.text().splitlines() if l.startswith("doppel run:")
                and "waiting for" not in l]


class Proxy(threading.Thread):
    """Forwards one connection to the target, cutting it after cut bytes or
    flipping the byte at flip, and the target's answer back."""

    def __init__(self, target_port, cut=None, flip=None):
        super().__init__(daemon=True)
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(1)
        self.uri = "tcp:127.0.0.1:%d" % self.listener.getsockname()[1]
        self.target_port, self.cut, self.flip = target_port, cut, flip
        self.start()

    def run(self):
        src, _ = self.listener.accept()
        dst = socket.create_connection(("127.0.0.1", self.target_port))
        threading.Thread(target=self.back, args=(dst, src), daemon=True).start()
        try:
            self.forward(src, dst)
        except OSError:
            pass   # the target refused the stream and went away
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def forward(self, src, dst):
        done = 0
        while True:
            data = src.recv(1 << 16)
            if not data:
                return
            if self.flip is not None and done <= self.flip < done + len(data):
                i = self.flip - done
                data = data[:i] + bytes([data[i] ^ 0x40]) + data[i + 1:]
            if self.cut is not None and done + len(data) >= self.cut:
                dst.sendall(data[:self.cut - done])
                return
            dst.sendall(data)
            done += len(data)

    @staticmethod
    def back(dst, src):
        try:
            while True:
                data = dst.recv(4096)
                if not data:
                    break
                src.sendall(data)
        except OSError:
            pass


def counters(text):
    return [int(n) for n in COUNTER.findall(DOPPEL_LINE.sub("", text))]


def migration_event(client, timeout=EVENT_TIMEOUT):
    """The next MIGRATION event that ends a migration."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for e in client.events:
            if e["event"] == "MIGRATION" and e["data"].get("status") in ("completed", "failed"):
                client.events.remove(e)
                return e["data"]
        client.sock.settimeout(max(0.1, end - time.monotonic()))
        try:
            msg = client.read()
        except socket.timeout:
            break
        if "event" in msg:
            client.events.append(msg)
    return None


def still_counting(src):
    """The source's guest goes on: the counter passes, within a few seconds,
    the last value read so far (pexpect may hold lines it read but has not
    matched yet)."""
    seen = counters(src.text())
    end = time.monotonic() + 10
    while seen and time.monotonic() < end:
        src.child.expect(COUNTER, timeout=max(0.1, end - time.monotonic()))
        if int(src.child.match.group(1)) > seen[-1]:
            return True
    return False


def failed_migration(results, doppel, src, client, name, uri_for, expect_target):
    """A migration that must fail: the source keeps running."""
    target = Target(doppel)
    uri, after_start = uri_for(target)
    reply = client.execute("migrate", uri=uri)
    results.check("%s: migrate returns at once" % name, reply == {"return": {}}, repr(reply))
    after_start(target)
    event = migration_event(client)
    results.check("%s: MIGRATION failed event" % name,
                  event is not None and event["status"] == "failed" and event.get("error"),
                  repr(event))
    results.check("%s: the source keeps running and counting" % name, still_counting(src))
    info = client.execute("query-migrate").get("return", {})
    results.check("%s: query-migrate says failed, and why" % name,
                  info.get("status") == "failed" and event is not None and
                  info.get("error") == event.get("error"),
                  repr(info))
    status = target.exit_status()
    if expect_target:
        lines = target.error_lines()
        results.check("%s: the target refuses the stream, one line, exit 1" % name,
                      status == 1 and len(lines) == 1 and
                      any(word in lines[0] for word in expect_target),
                      "exit %r, %r" % (status, lines))


def kill_target(target):
    return target.uri, lambda t: (time.sleep(0.3), t.con.child.kill(9))


def through_proxy(**how):
    def uri_for(target):
        return Proxy(target.port, **how).uri, lambda t: None
    return uri_for


def migrate(results, doppel, src, client, tmp):
    target = Target(doppel, control=os.path.join(tmp, "target.sock"))
    reply = client.execute("migrate", uri=target.uri)
    results.check("migrate returns at once", reply == {"return": {}}, repr(reply))
    event = migration_event(client)
    results.check("MIGRATION completed event with downtime and totals",
                  event is not None and event["status"] == "completed" and
                  event.get("downtime_ms", -1) >= 0 and event.get("pages", 0) > 0, repr(event))
    if event:
        print("   downtime %.1f ms, total %.0f ms, %d passes, %d pages" % (
            event["downtime_ms"], event["total_ms"], event["passes"], event["pages"]))
    src.child.expect(pexpect.EOF, timeout=30)
    src.child.close()
    results.check("the source exits 0", src.child.exitstatus == 0, repr(src.child.exitstatus))

    target.con.child.expect(COUNTER, timeout=30)
    target.con.child.expect(COUNTER, timeout=10)
    time.sleep(1)
    seq = counters(src.text() + target.con.text())
    first_target = counters(target.con.text())[0]
    gaps = [(a, b) for a, b in zip(seq, seq[1:]) if b != a + 1]
    results.check("the count goes on at the target with no gap and no repeat (%d..%d, target from %d)"
                  % (seq[0], seq[-1], first_target), not gaps and first_target > seq[0],
                  "breaks %r" % gaps[:5])
    tc = Client(os.path.join(tmp, "target.sock"))
    status = tc.execute("status")["return"]
    results.check("the target's status says running", status.get("status") == "running", repr(status))
    tc.close()
    try:
        target.con.interrupt()
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        results.check("the counter stops on Ctrl-C at the target", False, "%s; target output:\n%s"
                      % (type(e).__name__, target.con.text()[-3000:]))
        target.con.child.close(force=True)
        return
    out = target.con.run("cat /mnt/hello.txt")
    results.check("the file written before is on the target's disk", "before-migration" in out,
                  repr(out))
    status = target.con.poweroff()
    results.check("the target powers off, exit 0", status == 0, repr(status))
    bad = [b for b in BAD_LOG if b in src.text() + target.con.text()]
    results.check("log clean", not bad, "found %s" % bad)


def refusals(results, doppel, kernel):
    p = subprocess.run([doppel, "run", "--incoming", "tcp:127.0.0.1:1", "--kernel", kernel],
                       capture_output=True, text=True, timeout=30)
    lines = p.stderr.strip().splitlines()
    results.check("--incoming with --kernel: one line, non-zero exit",
                  p.returncode != 0 and len(lines) == 1 and "--incoming" in lines[0],
                  "exit %d, %r" % (p.returncode, p.stderr))
    target = Target(doppel)
    s = socket.create_connection(("127.0.0.1", target.port))
    s.sendall(b"DOPPELVM" + struct.pack("<II", 99, 0))
    status = target.exit_status()
    s.close()
    lines = target.error_lines()
    results.check("a stream of format version 99: one line, exit 1",
                  status == 1 and len(lines) == 1 and "version" in lines[0],
                  "exit %r, %r" % (status, lines))


def main():
    doppel, kernel, initrd = sys.argv[1:4]
    results = Results()
    refusals(results, doppel, kernel)
    with tempfile.TemporaryDirectory() as tmp:
        disk = os.path.join(tmp, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(64 << 20)
        subprocess.run(["mkfs.ext4", "-q", "-F", disk], check=True)
        sock = os.path.join(tmp, "source.sock")
        argv = [doppel, "run", "--kernel", kernel, "--initrd", initrd, "--append", "console=ttyS0",
                "--disk", disk, "--control", "unix:" + sock, "--timeout", "600"]
        print("== source: %s" % " ".join(argv))
        src = Console(argv)
        try:
            src.wait_for_shell()
            out = src.run("mkdir -p /mnt && mount /dev/vda /mnt && echo before-migration > "
                          "/mnt/hello.txt && sync && echo wrote")
            results.check("a file written to the disk", "wrote" in out, repr(out))
            # RAM worth copying, so that a migration lasts long enough to fail.
            src.run("dd if=/dev/urandom of=/fill bs=1M count=%d 2>/dev/null" % FILL_MIB, timeout=120)
            src.child.sendline("i=0; while :; do echo C$i; i=$((i+1)); sleep 0.05; done")
            src.child.expect(COUNTER)
            client = Client(sock)
            failed_migration(results, doppel, src, client, "target killed", kill_target, None)
            failed_migration(results, doppel, src, client, "connection cut",
                             through_proxy(cut=8 << 20), ["truncated"])
            failed_migration(results, doppel, src, client, "a byte flipped",
                             through_proxy(flip=4 << 20), ["checksum", "malformed"])
            migrate(results, doppel, src, client, tmp)
        except (pexpect.TIMEOUT, pexpect.EOF, OSError, EOFError) as e:
            results.check("console", False, "%s; last output:\n%s" % (type(e).__name__,
                                                                      src.text()[-3000:]))
            src.child.close(force=True)
    print("%d passed, %d failed" % (results.passed, results.failed))
    sys.exit(1 if results.failed else 0)


if __name__ == "__main__":
    main()
