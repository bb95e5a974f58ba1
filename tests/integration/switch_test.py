#!/usr/bin/env python3
"""Two VMs on one virtual switch (`doppel switch`) under Debian's kernel.

usage: switch_test.py DOPPEL KERNEL INITRD
Starts `doppel switch` on a socket in a temporary directory and boots two VMs
with `--net switch:PATH` and distinct MACs, at the same time; gives them
10.0.3.1 and 10.0.3.2; each pings the other; 10 MiB of random data made in
one guest cross to the other over TCP (busybox nc) with the same MD5 on both
sides. Then one VM's process is killed: the switch keeps running, and a port
the test itself opens on the switch still receives the survivor's frames.
Prints one line per check and ends with "N passed, N failed".
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pexpect

from boot_debian import Console, Results

BAD_LOG = ["Oops", "BUG:", "WARNING:", "Unable to handle"]
MAC_A, MAC_B = "52:54:00:00:03:01", "52:54:00:00:03:02"
TCP_PORT = 5000


def boot(doppel, kernel, initrd, sock, mac):
    argv = [doppel, "run", "--kernel", kernel, "--initrd", initrd, "--append", "console=ttyS0",
            "--net", "switch:%s,mac=%s" % (sock, mac)]
    print("== %s" % " ".join(argv))
    return Console(argv)


def frames_from(sock, mac, secs):
    """Frames whose source MAC is mac received on sock within secs."""
    src = bytes.fromhex(mac.replace(":", ""))
    count = 0
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            frame = sock.recv(65536)
        except socket.timeout:
            break
        count += frame[6:12] == src
    return count


def exercise(results, a, b, sock_path, switch):
    for con, ip in ((a, "10.0.3.1"), (b, "10.0.3.2")):
        con.wait_for_shell()
        con.run("ip addr add %s/24 dev eth0; ip link set eth0 up" % ip)
    out = a.run("ping -c2 -W5 10.0.3.2")
    results.check("VM A pings VM B through the switch", "2 packets received" in out, repr(out))
    out = b.run("ping -c2 -W5 10.0.3.1")
    results.check("VM B pings VM A through the switch", "2 packets received" in out, repr(out))

    sent = b.run("dd if=/dev/urandom of=/tmp/data bs=1024 count=10240 2>/dev/null; md5sum /tmp/data")
    a.child.sendline("nc -l -p %d > /tmp/got" % TCP_PORT)
    time.sleep(1)
    start = time.monotonic()
    b.run("nc 10.0.3.1 %d < /tmp/data" % TCP_PORT)
    a.child.expect("# ", timeout=120)
    secs = time.monotonic() - start
    got = a.run("md5sum /tmp/got")
    sent_sum, got_sum = sent.split()[-2:-1], got.split()[-2:-1]
    results.check("10 MiB over TCP from B to A, same MD5 (%.1f MB/s)" % (10.48576 / secs),
                  sent_sum and sent_sum == got_sum, "%r vs %r" % (sent, got))

    b.child.kill(signal.SIGKILL)
    b.child.close(force=True)
    time.sleep(0.5)
    results.check("the switch survives a VM killed", switch.poll() is None, repr(switch.poll()))
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as probe:
        probe.connect(sock_path)
        # B's port is gone with its learned MAC, so A's frames to it flood.
        a.child.sendline("ping -c3 -W1 10.0.3.2")
        seen = frames_from(probe, MAC_A, 5)
        a.child.expect("# ", timeout=30)
    results.check("after the kill, the switch still forwards VM A's frames (%d)" % seen, seen > 0)
    a.child.sendline("poweroff -f")
    a.child.expect(pexpect.EOF, timeout=60)
    a.child.close()
    results.check("VM A powers off cleanly", a.child.exitstatus == 0, repr(a.child.exitstatus))


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    doppel, kernel, initrd = sys.argv[1:]
    results = Results()
    with tempfile.TemporaryDirectory() as tmp:
        sock_path = os.path.join(tmp, "switch.sock")
        switch = subprocess.Popen([doppel, "switch", sock_path], stderr=subprocess.PIPE, text=True)
        while not os.path.exists(sock_path) and switch.poll() is None:
            time.sleep(0.05)
        a = boot(doppel, kernel, initrd, sock_path, MAC_A)
        b = boot(doppel, kernel, initrd, sock_path, MAC_B)
        try:
            exercise(results, a, b, sock_path, switch)
        except (pexpect.TIMEOUT, pexpect.EOF, OSError) as e:
            results.check("console", False, "%s; A's last output:\n%s\nB's:\n%s"
                          % (e, a.text()[-2000:], b.text()[-2000:]))
        for con in (a, b):
            con.child.close(force=True)
        switch.send_signal(signal.SIGTERM)
        _, err = switch.communicate(timeout=10)
        results.check("the switch exits 0 on SIGTERM and removes its socket",
                      switch.returncode == 0 and not os.path.exists(sock_path), repr(err))
    bad = [w for w in BAD_LOG if w in a.text() + b.text()]
    results.check("logs clean", not bad, "found %s" % bad)
    print("%d passed, %d failed" % (results.passed, results.failed))
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
