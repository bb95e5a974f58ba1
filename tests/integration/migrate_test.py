#!/usr/bin/env python3
"""Live migration (docs/migration.md) of a VM booting Debian's kernel, between
two doppel processes on loopback, both ends holding a key file.

usage: migrate_test.py DOPPEL KERNEL INITRD
A guest with a disk writes a file to it, fills some RAM and prints a counter.
Migrations that fail must leave the source running and counting, with a
MIGRATION "failed" event and query-migrate saying why: the target killed
mid-way, the connection cut, a byte of the stream flipped (through a proxy;
the target refuses the last two with one line and exit status 1), a target
with another key (the source sends it nothing of the guest), a target that
expects another disk, none, or it read-only or as qcow2 (it refuses the
stream's with one line).
Then a migration that succeeds: the source exits 0 with a MIGRATION
"completed" event, and the target's console goes on with the count, with no
gap and no repeat, and finds the file; the target migrates the machine on
through a unix: socket (mode 0600, no key), where the file is found again. Its stream, recorded and replayed to
a new target, is dropped there unread (the proof does not fit the new
challenge), and the target, which has not opened its disk, keeps waiting.
Also the refusals that need no guest: a tcp: target without a key, a key
others can read, peers that do not prove the key (dropped, the target
waits on), a stream of another format version from one that does (through
this test's own implementation of the exchange), machine options beside
--incoming.
Prints one line per check and ends with "N passed, N failed".
"""
import hashlib
import hmac
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


AUTH_MAGIC = b"DPLAUTH1"
NONCE = 32


def make_key(path):
    with open(path, "wb") as f:
        f.write(os.urandom(32))
    os.chmod(path, 0o600)
    return path


def with_key(uri, key):
    return "%s,key-file=%s" % (uri, key)


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("closed after %d bytes" % len(data))
        data += chunk
    return data


def prove_key(sock, key):
    """The source's half of the exchange (vm/migrate_auth.h), written from
    its description: True if the target proved it holds the key too."""
    source_nonce = os.urandom(NONCE)
    sock.sendall(AUTH_MAGIC + source_nonce)
    challenge = recv_exact(sock, 2 * NONCE)
    target_nonce, target_mac = challenge[:NONCE], challenge[NONCE:]
    want = hmac.new(key, b"target\0" + source_nonce + target_nonce, hashlib.sha256).digest()
    sock.sendall(hmac.new(key, b"source\0" + source_nonce + target_nonce, hashlib.sha256).digest())
    return hmac.compare_digest(want, target_mac)


class Target:
    """doppel run --incoming, its console read like a guest's."""

    def __init__(self, doppel, key, control=None, disks=(), uri=None):
        # Port 0: the target picks a free port and names it.
        uri = uri or with_key("tcp:127.0.0.1:0", key)
        argv = [doppel, "run", "--incoming", uri, "--timeout", "600"]
        for d in disks:
            argv += ["--disk", d]
        if control:
            argv += ["--control", "unix:" + control]
        self.con = Console(argv)
        self.con.child.expect(r"waiting for a migration on (tcp:127\.0\.0\.1:(\d+)|unix:\S+)\r?\n",
                              timeout=30)
        self.uri = self.con.child.match.group(1)
        self.port = int(self.con.child.match.group(2) or 0)

    def exit_status(self, timeout=30):
        self.con.child.expect(pexpect.EOF, timeout=timeout)
        self.con.child.close()
        return self.con.child.exitstatus

    def error_lines(self):
        return [l for l in self.con.text().splitlines() if l.startswith("doppel run:")
                and "waiting for" not in l]

    def open_files(self):
        """The files the target process has open."""
        fds = "/proc/%d/fd" % self.con.child.pid
        names = []
        for fd in os.listdir(fds):
            try:
                names.append(os.readlink(os.path.join(fds, fd)))
            except OSError:
                pass
        return names

    def still_waiting(self):
        return self.con.child.isalive()


class Proxy(threading.Thread):
    """Forwards one connection to the target, cutting it after cut bytes or
    flipping the byte at flip, and the target's answer back."""

    def __init__(self, target_port, cut=None, flip=None, record=False):
        super().__init__(daemon=True)
        self.recorded = bytearray() if record else None
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
            if self.recorded is not None:
                self.recorded += data
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


def failed_migration(results, doppel, src, client, name, uri_for, expect_target, key,
                     target_key=None, disks=()):
    """A migration that must fail: the source keeps running."""
    target = Target(doppel, target_key or key, disks=disks)
    uri, after_start = uri_for(target)
    reply = client.execute("migrate", uri=with_key(uri, key))
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
    if target_key:
        lines = dropped_lines(target, 1)
        results.check("%s: the target drops the connection and waits on" % name,
                      target.still_waiting() and len(lines) == 1 and "dropped" in lines[0],
                      repr(lines))
        target.con.child.kill(9)
    status = target.exit_status()
    if expect_target:
        lines = target.error_lines()
        results.check("%s: the target refuses the stream, one line, exit 1" % name,
                      status == 1 and len(lines) == 1 and
                      any(word in lines[0] for word in expect_target),
                      "exit %r, %r" % (status, lines))


def kill_target(target):
    return target.uri, lambda t: (time.sleep(0.3), t.con.child.kill(9))


def through_proxy(keep=None, **how):
    def uri_for(target):
        proxy = Proxy(target.port, **how)
        if keep is not None:
            keep.append(proxy)
        return proxy.uri, lambda t: None
    return uri_for


def migrate(results, doppel, src, client, tmp, key, disk):
    """The migration that succeeds, through a proxy that records its stream;
    returns the recording."""
    target = Target(doppel, key, control=os.path.join(tmp, "target.sock"), disks=[disk])
    proxy = Proxy(target.port, record=True)
    reply = client.execute("migrate", uri=with_key(proxy.uri, key))
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
        return proxy.recorded
    out = target.con.run("cat /mnt/hello.txt")
    results.check("the file written before is on the target's disk", "before-migration" in out,
                  repr(out))
    last = migrate_on(results, doppel, target, tmp, disk)
    if last:
        status = last.con.poweroff()
        results.check("the last target powers off, exit 0", status == 0, repr(status))
    bad = [b for b in BAD_LOG if b in src.text() + target.con.text() + (last.con.text() if last else "")]
    results.check("log clean", not bad, "found %s" % bad)
    return proxy.recorded


def migrate_on(results, doppel, target, tmp, disk):
    """The migrated machine migrates again, over a unix: socket (mode 0600,
    no key): returns the new target, running the guest."""
    path = os.path.join(tmp, "incoming.sock")
    last = Target(doppel, None, uri="unix:" + path, disks=[disk])
    mode = os.stat(path).st_mode & 0o777
    results.check("a unix: target's socket is 0600 (%03o)" % mode, mode == 0o600)
    tc = Client(os.path.join(tmp, "target.sock"))
    reply = tc.execute("migrate", uri="unix:" + path)
    event = migration_event(tc)
    results.check("again over unix:, without a key: completed",
                  reply == {"return": {}} and event is not None and event["status"] == "completed",
                  "%r %r" % (reply, event))
    tc.close()
    status = target.exit_status()
    results.check("the first target exits 0", status == 0, repr(status))
    out = last.con.run("cat /mnt/hello.txt")
    results.check("the file is on the disk at the unix: target", "before-migration" in out, repr(out))
    results.check("the unix: target removed its socket", not os.path.exists(path))
    return last


def dropped_lines(target, n, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        lines = target.error_lines()
        if len(lines) >= n:
            return lines
        try:
            target.con.child.expect(r"dropped a connection[^\n]*\n", timeout=0.5)
        except pexpect.TIMEOUT:
            pass
    return target.error_lines()


def send_quietly(port, data, prove=None):
    """Connects and sends data (after the exchange with key prove, if
    given), not minding a target that stops reading and closes."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        try:
            if prove:
                prove_key(s, prove)
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            s.settimeout(10)
            while s.recv(4096):
                pass
        except (OSError, EOFError):
            pass


def replayed(results, doppel, key, disk, recorded):
    """The successful migration's bytes, handshake and stream, sent again to
    a new target expecting the same disk: an eavesdropper's replay."""
    target = Target(doppel, key, disks=[disk])
    send_quietly(target.port, bytes(recorded))
    # The stream without the handshake, as an old doppel source sends it.
    send_quietly(target.port, bytes(recorded[len(AUTH_MAGIC) + 2 * NONCE:]))
    lines = dropped_lines(target, 2)
    results.check("a recorded migration replayed: dropped unread, the target waits on",
                  target.still_waiting() and len(lines) == 2 and
                  all("dropped a connection" in l for l in lines) and "proof" in lines[0],
                  repr(lines))
    files = target.open_files()
    results.check("a replayed stream: the target has not opened the disk it names",
                  target.still_waiting() and os.path.realpath(disk) not in files, repr(files))
    target.con.child.kill(9)
    target.exit_status()


def one_line(results, name, argv, words):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        results.check(name + ": one line, non-zero exit", False, "still running after 10 s")
        return
    lines = p.stderr.strip().splitlines()
    results.check(name + ": one line, non-zero exit",
                  p.returncode != 0 and len(lines) == 1 and all(w in lines[0] for w in words),
                  "exit %d, %r" % (p.returncode, p.stderr))


def refusals(results, doppel, kernel, tmp):
    key = make_key(os.path.join(tmp, "refusals.key"))
    one_line(results, "--incoming with --mem",
             [doppel, "run", "--incoming", with_key("tcp:127.0.0.1:1", key), "--mem", "1G"],
             ["--incoming", "--mem"])
    one_line(results, "--incoming tcp: without a key",
             [doppel, "run", "--incoming", "tcp:127.0.0.1:0"], ["key-file="])
    loose = os.path.join(tmp, "loose.key")
    with open(loose, "wb") as f:
        f.write(os.urandom(32))
    os.chmod(loose, 0o644)
    one_line(results, "a key file others can read",
             [doppel, "run", "--incoming", with_key("tcp:127.0.0.1:0", loose)], ["chmod 600"])

    # A valid-looking stream from a peer that has no key: the header and a
    # configuration naming a disk, the start of what an old source sent.
    victim = os.path.join(tmp, "victim.img")
    with open(victim, "wb") as f:
        f.truncate(1 << 20)
    target = Target(doppel, key, disks=[victim])
    conf = ('{"version":1,"ram_size":536870912,"cpus":1,"kernel":"%s","initrd":null,'
            '"append":null,"bios":null,"disks":[{"path":"%s","format":"raw","readonly":false}],'
            '"nets":[],"rng":false}' % (kernel, victim)).encode()
    send_quietly(target.port, b"DOPPELVM" + struct.pack("<II", 1, 0) + b"CONF" + conf)
    other = os.path.join(tmp, "other.key")
    make_key(other)
    with open(other, "rb") as f:
        wrong = f.read()
    send_quietly(target.port, b"DOPPELVM", prove=wrong)
    lines = dropped_lines(target, 2)
    results.check("peers without the key are dropped, one line each, the target waits on",
                  target.still_waiting() and len(lines) == 2 and
                  all("dropped a connection from 127.0.0.1:" in l for l in lines), repr(lines))
    results.check("the target has not opened the disk it expects",
                  not any(f == victim for f in target.open_files()), repr(target.open_files()))
    with open(key, "rb") as f:
        right = f.read()
    s = socket.create_connection(("127.0.0.1", target.port))
    proved = prove_key(s, right)
    results.check("the target proves the key to the source", proved)
    s.sendall(b"DOPPELVM" + struct.pack("<II", 99, 0))
    status = target.exit_status()
    s.close()
    lines = target.error_lines()[2:]
    results.check("a stream of format version 99 with the key: one line, exit 1",
                  status == 1 and len(lines) == 1 and "version" in lines[0],
                  "exit %r, %r" % (status, lines))
    one_line(results, "--incoming unix: with no path", [doppel, "run", "--incoming", "unix:"],
             ["unix:"])


def main():
    doppel, kernel, initrd = sys.argv[1:4]
    results = Results()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            refusals(results, doppel, kernel, tmp)
        except (pexpect.TIMEOUT, pexpect.EOF, OSError, EOFError) as e:
            results.check("refusals", False, "%s: %s" % (type(e).__name__, e))
        key = make_key(os.path.join(tmp, "migrate.key"))
        other_key = make_key(os.path.join(tmp, "other.key"))
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
            failed_migration(results, doppel, src, client, "target killed", kill_target, None,
                             key, disks=[disk])
            failed_migration(results, doppel, src, client, "connection cut",
                             through_proxy(cut=8 << 20), ["truncated"], key, disks=[disk])
            failed_migration(results, doppel, src, client, "a byte flipped",
                             through_proxy(flip=4 << 20), ["checksum", "malformed"], key,
                             disks=[disk])
            proxies = []
            failed_migration(results, doppel, src, client, "a target with another key",
                             through_proxy(record=True, keep=proxies), None, key,
                             target_key=other_key, disks=[disk])
            sent = len(proxies[0].recorded)
            results.check("a target with another key gets nothing of the guest (%d bytes)" % sent,
                          sent <= len(AUTH_MAGIC) + NONCE + 1)
            other_disk = os.path.join(tmp, "other.img")
            with open(other_disk, "wb") as f:
                f.truncate(64 << 20)
            failed_migration(results, doppel, src, client, "a target expecting another disk",
                             through_proxy(), ["names disk 0"], key, disks=[other_disk])
            failed_migration(results, doppel, src, client, "a target expecting no disk",
                             through_proxy(), ["names 1 disks"], key)
            failed_migration(results, doppel, src, client, "a target expecting it read-only",
                             through_proxy(), ["writable, not read-only"], key,
                             disks=[disk + ",readonly=on"])
            failed_migration(results, doppel, src, client, "a target expecting qcow2",
                             through_proxy(), ["as raw, not qcow2"], key,
                             disks=[disk + ",format=qcow2"])
            recorded = migrate(results, doppel, src, client, tmp, key, disk)
            replayed(results, doppel, key, disk, recorded)
        except (pexpect.TIMEOUT, pexpect.EOF, OSError, EOFError) as e:
            results.check("console", False, "%s; last output:\n%s" % (type(e).__name__,
                                                                      src.text()[-3000:]))
            src.child.close(force=True)
    print("%d passed, %d failed" % (results.passed, results.failed))
    sys.exit(1 if results.failed else 0)


if __name__ == "__main__":
    main()
