#!/usr/bin/env python3
"""The control socket (docs/control.md) of a VM booting Debian's kernel.

usage: control_test.py DOPPEL KERNEL INITRD
Starts doppel with --control over a stale socket file, checks the socket's
mode and the greeting, pauses a guest loop printing a counter (the console
goes quiet, status says paused, no instruction retires, the guest's clock
does not jump), resumes it (the counter goes on from where it stopped),
watches query-stats grow, sends garbage, uses `doppel control`, and quits
(reply, SHUTDOWN event, exit status 0). query-stats must count the
guest's disk reads and writes and its network frames. A guest reboot sends
RESET and keeps the connection. Also what needs no Debian guest: the
refusals of --control, and a client beyond the limit of 8, which is told
so in one line (a bare program runs meanwhile). Prints one line per check
and ends with "N passed, N failed".
"""
import json
import os
import re
import socket
import stat
import subprocess
import sys
import tempfile
import time

import pexpect

from boot_debian import Console, Results

BAD_LOG = ["Oops", "BUG:", "WARNING:", "Unable to handle"]
COUNTER = re.compile(r"C(\d+)\r?\n")
SILENCE_S = 1.2
DISK_READ = 256 << 10
DISK_WRITE = 64 << 10
MAX_CLIENTS = 8
# "j .": an S-mode program that runs until it is stopped.
LOOP_PROGRAM = bytes([0x6F, 0x00, 0x00, 0x00])


class Client:
    """One control connection: requests in, replies out, events collected."""

    def __init__(self, path, wait_s=0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        # The server may not have made (or replaced a stale) socket yet.
        end = time.monotonic() + wait_s
        while True:
            try:
                self.sock.connect(path)
                break
            except (ConnectionRefusedError, FileNotFoundError):
                if time.monotonic() > end:
                    raise
                time.sleep(0.05)
        self.file = self.sock.makefile("rwb")
        self.events = []
        self.greeting = self.read()

    def read(self):
        line = self.file.readline()
        if not line:
            raise EOFError("the control socket closed")
        return json.loads(line)

    def send_line(self, text):
        self.file.write(text.encode() + b"\n")
        self.file.flush()

    def reply(self):
        while True:
            msg = self.read()
            if "event" in msg:
                self.events.append(msg)
            else:
                return msg

    def execute(self, name, **args):
        req = {"execute": name}
        if args:
            req["arguments"] = args
        self.send_line(json.dumps(req))
        return self.reply()

    def event_names(self):
        return [e["event"] for e in self.events]

    def close(self):
        self.file.close()
        self.sock.close()


def refusals(results, doppel, tmp):
    """What is refused before any guest runs: one line, non-zero status."""
    occupied = os.path.join(tmp, "a-file")
    with open(occupied, "w") as f:
        f.write("keep me\n")
    for what, arg in (("a regular file at PATH", "unix:" + occupied),
                      ("a transport other than unix:", "tcp:127.0.0.1:4444")):
        p = subprocess.run([doppel, "run", "--kernel", "/dev/null", "--control", arg],
                           capture_output=True, text=True, timeout=30)
        lines = p.stderr.strip().splitlines()
        results.check("--control refuses %s" % what,
                      p.returncode != 0 and len(lines) == 1 and "--control" in lines[0],
                      "exit %d, stderr %r" % (p.returncode, p.stderr))
    with open(occupied) as f:
        results.check("the file at PATH is left alone", f.read() == "keep me\n")


def bare_vm(doppel, tmp, sock, *args):
    """doppel running LOOP_PROGRAM with a control socket at sock (and args);
    returns the process and a client once the socket answers."""
    kernel = os.path.join(tmp, "loop.bin")
    with open(kernel, "wb") as f:
        f.write(LOOP_PROGRAM)
    proc = subprocess.Popen([doppel, "run", "--kernel", kernel, "--mem", "64M",
                             "--control", "unix:" + sock] + list(args),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        return proc, Client(sock, wait_s=10)
    except (OSError, EOFError):
        proc.kill()
        proc.wait()
        raise


def client_limit(results, doppel, tmp):
    """Every slot taken: a new client is told why, `doppel control` says it in
    one line; once a slot is free it is served again."""
    sock = os.path.join(tmp, "limit.sock")
    proc, first = bare_vm(doppel, tmp, sock)
    try:
        clients = [first] + [Client(sock) for _ in range(MAX_CLIENTS - 1)]
        results.check("%d clients are greeted" % MAX_CLIENTS,
                      all("doppel" in c.greeting for c in clients))
        extra = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        extra.settimeout(30)
        extra.connect(sock)
        lines = extra.makefile("rb").read().splitlines()
        extra.close()
        desc = "too many clients: the limit is %d" % MAX_CLIENTS
        results.check("one more client gets an error line naming the limit, then EOF",
                      len(lines) == 1 and json.loads(lines[0]).get("error", {}).get("desc") == desc,
                      repr(lines))
        p = subprocess.run([doppel, "control", sock, "status"], capture_output=True, text=True,
                           timeout=30)
        results.check("doppel control: too many clients, one line, exit 1",
                      p.returncode == 1 and p.stderr.strip() == "doppel control: %s: %s" % (sock, desc),
                      "exit %d: %r" % (p.returncode, p.stderr))
        clients.pop().close()
        # The server sees the closed client at its next poll.
        time.sleep(0.2)
        p = subprocess.run([doppel, "control", sock, "status"], capture_output=True, text=True,
                           timeout=30)
        results.check("a slot freed: served again", p.returncode == 0, repr(p.stderr))
        clients[0].execute("quit")
        for c in clients:
            c.close()
        results.check("quit: exit status 0", proc.wait(timeout=30) == 0)
    finally:
        proc.kill()
        proc.wait()


def stale_socket(path):
    """A socket file whose server is gone, as a killed doppel leaves it."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.close()


def last_counter(con, timeout):
    """Reads the console for timeout seconds; the last counter seen or None."""
    last = None
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return last
        if con.child.expect([COUNTER, pexpect.TIMEOUT], timeout=left) == 0:
            last = int(con.child.match.group(1))
        else:
            return last


def uptime(con):
    return float(con.run("cat /proc/uptime").split()[0])


def pause_resume(results, con, client):
    up_before, host_before = uptime(con), time.monotonic()
    con.child.sendline("i=0; while [ $i -lt 1000000 ]; do i=$((i+1)); echo C$i; sleep 0.1; done")
    con.child.expect(COUNTER)
    seen = int(con.child.match.group(1))
    results.check("guest counter runs", True)

    reply = client.execute("pause")
    results.check("pause returns {}", reply == {"return": {}}, repr(reply))
    results.check("STOP event", "STOP" in client.event_names(), repr(client.events))
    # Output the UART took before the pause may still be on its way.
    last = last_counter(con, 0.3) or seen
    stats1 = client.execute("query-stats")["return"]
    more = last_counter(con, SILENCE_S)
    results.check("paused: no console output for %.1f s" % SILENCE_S, more is None,
                  "counter went on to %r" % more)
    status = client.execute("status")["return"]
    results.check("status says paused", status.get("status") == "paused" and
                  status.get("running") is False, repr(status))
    stats2 = client.execute("query-stats")["return"]
    results.check("paused: no instruction retires",
                  stats1["instructions"] == stats2["instructions"], "%r -> %r" % (stats1, stats2))

    reply = client.execute("resume")
    results.check("resume returns {}", reply == {"return": {}}, repr(reply))
    results.check("RESUME event", "RESUME" in client.event_names(), repr(client.events))
    con.child.expect(COUNTER, timeout=10)
    after = int(con.child.match.group(1))
    results.check("resumed: the counter goes on where it stopped",
                  after == last + 1, "last %r, then %d" % (last, after))
    con.interrupt()
    up_after, host_after = uptime(con), time.monotonic()
    # The guest's clock stood still while paused: it saw at least the
    # pause less time pass than the host did.
    guest_s, host_s = up_after - up_before, host_after - host_before
    results.check("guest time stood still while paused (guest %.2f s, host %.2f s)"
                  % (guest_s, host_s), guest_s <= host_s - SILENCE_S + 0.1)


def protocol(results, client, doppel, path):
    first = client.execute("query-stats")["return"]["instructions"]
    time.sleep(0.5)
    stats = client.execute("query-stats")["return"]
    results.check("query-stats: instructions grow (%d -> %d)" % (first, stats["instructions"]),
                  stats["instructions"] > first)
    results.check("query-stats: per hart",
                  [h["instructions"] for h in stats["harts"]] == [stats["instructions"]], repr(stats))
    devices = {d["name"]: d for d in stats["devices"]}
    results.check("query-stats: eth0's counters",
                  devices.get("eth0", {}).get("type") == "virtio-net" and
                  devices["eth0"]["tx_frames"] > 0 and devices["eth0"]["rx_frames"] > 0, repr(stats["devices"]))
    vda = devices.get("vda", {})
    results.check("query-stats: vda's counters",
                  vda.get("type") == "virtio-blk" and vda["reads"] > 0 and
                  vda["bytes_read"] >= DISK_READ and vda["writes"] > 0 and
                  vda["bytes_written"] >= DISK_WRITE and vda["failed"] == 0, repr(vda))

    client.send_line("this is not json")
    reply = client.reply()
    results.check("garbage: an error reply",
                  reply.get("error", {}).get("class") == "GenericError", repr(reply))
    reply = client.execute("status", verbose=True)
    results.check("bad arguments: GenericError",
                  reply.get("error", {}).get("class") == "GenericError", repr(reply))
    client.send_line(json.dumps({"execute": "status", "id": "x1"}))
    reply = client.reply()
    results.check("the connection still serves, id echoed",
                  reply.get("return", {}).get("status") == "running" and reply.get("id") == "x1",
                  repr(reply))

    p = subprocess.run([doppel, "control", path, "status"], capture_output=True, text=True,
                       timeout=30)
    ok = p.returncode == 0
    try:
        ok = ok and json.loads(p.stdout)["status"] == "running"
    except ValueError:
        ok = False
    results.check("doppel control PATH status", ok, "exit %d: %r %r" % (p.returncode, p.stdout, p.stderr))
    p = subprocess.run([doppel, "control", path, "no-such-command"], capture_output=True,
                       text=True, timeout=30)
    results.check("doppel control: an error is one line on stderr, exit 1",
                  p.returncode == 1 and p.stdout == "" and
                  len(p.stderr.strip().splitlines()) == 1 and "no-such-command" in p.stderr,
                  "exit %d: %r %r" % (p.returncode, p.stdout, p.stderr))


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    doppel, kernel, initrd = sys.argv[1:]
    results = Results()
    with tempfile.TemporaryDirectory() as tmp:
        refusals(results, doppel, tmp)
        client_limit(results, doppel, tmp)
        path = os.path.join(tmp, "vm.sock")
        stale_socket(path)
        disk = os.path.join(tmp, "disk.img")
        with open(disk, "wb") as f:
            f.truncate(4 << 20)
        argv = [doppel, "run", "--kernel", kernel, "--initrd", initrd,
                "--append", "console=ttyS0", "--net", "user", "--disk", disk + ",format=raw", "--control", "unix:" + path]
        print("== %s" % " ".join(argv))
        con = Console(argv)
        try:
            client = Client(path, wait_s=10)
            results.check("a stale socket file is replaced", True)
            mode = stat.S_IMODE(os.stat(path).st_mode)
            results.check("socket mode 0600", mode == 0o600, oct(mode))
            results.check("greeting", "version" in client.greeting.get("doppel", {}),
                          repr(client.greeting))
            status = client.execute("status")["return"]
            results.check("status running", status.get("status") == "running" and
                          status.get("running") is True and status.get("harts") == 1, repr(status))
            con.wait_for_shell()
            con.run("ip addr add 10.0.2.15/24 dev eth0; ip link set eth0 up; "
                    "ping -c 1 -W 5 10.0.2.2 >/dev/null 2>&1")
            con.run("dd if=/dev/vda of=/dev/null bs=4k count=%d iflag=direct 2>/dev/null; "
                    "dd if=/dev/zero of=/dev/vda bs=4k count=%d oflag=direct 2>/dev/null; sync"
                    % (DISK_READ >> 12, DISK_WRITE >> 12))
            pause_resume(results, con, client)
            protocol(results, client, doppel, path)
            con.child.sendline("reboot -f")
            con.child.expect("Linux version")
            con.wait_for_shell()
            status = client.execute("status")
            resets = [e for e in client.events if e["event"] == "RESET"]
            results.check("guest reboot: RESET event, the client stays connected",
                          resets and resets[0]["data"] == {"reason": "reset"} and
                          status.get("return", {}).get("status") == "running",
                          "%r %r" % (client.events, status))
            reply = client.execute("quit")
            results.check("quit returns {}", reply == {"return": {}}, repr(reply))
            try:
                while "SHUTDOWN" not in client.event_names():
                    client.events.append(client.read())
            except (EOFError, OSError):
                pass
            shutdown = [e for e in client.events if e["event"] == "SHUTDOWN"]
            results.check("SHUTDOWN event, reason quit",
                          shutdown and shutdown[0]["data"] == {"reason": "quit"}, repr(client.events))
            client.close()
            con.child.expect(pexpect.EOF, timeout=30)
            con.child.close()
            results.check("quit: exit status 0", con.child.exitstatus == 0,
                          "exit %r" % con.child.exitstatus)
            results.check("the socket file is removed", not os.path.exists(path))
        except (pexpect.TIMEOUT, pexpect.EOF, EOFError, OSError, KeyError) as e:
            results.check("control session", False, "%s: %s; last output:\n%s" %
                          (type(e).__name__, e, con.text()[-3000:]))
            con.child.close(force=True)
        bad = [b for b in BAD_LOG if b in con.text()]
        results.check("log clean", not bad, "found %s" % bad)
    print("%d passed, %d failed" % (results.passed, results.failed))
    return 0 if results.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
