#!/usr/bin/env python3
"""virtio-net on user-mode NAT (libslirp) under Debian's kernel.

usage: net_test.py DOPPEL KERNEL INITRD
Boots with `--net user,host-loopback=on,hostfwd=tcp:127.0.0.1:PORT-:8080` and
a second card with its own MAC and the defaults; in the guest: eth0 has the
default MAC and eth1 the one given, udhcpc gets 10.0.2.15, the gateway
10.0.2.2 answers ping, the DNS forwarder 10.0.2.3 answers (needs a resolver
on the host), wget fetches a page and 4 MiB (checked by MD5) from an HTTP
server on the host's 127.0.0.1 through 10.0.2.2 (host-loopback=on), and a
host process connected to the forwarded port exchanges data both ways with
`nc -l` in the guest; a flood of datagrams to a forwarded UDP port slows a
busy guest down less than 5 times. Then on eth1 alone: its gateway answers,
but the same server on the host's 127.0.0.1 is out of reach through
10.0.2.2 (the default: the host's loopback is not the guest's), and no
request reaches it. Prints one line per check and ends with
"N passed, N failed".
"""
import hashlib
import http.server
import os
import socket
import sys
import threading
import time

import pexpect

from boot_debian import Console, Results


def host_resolver_answers():
    """Whether the host's resolver answers at all: NXDOMAIN for a name in
    the reserved .invalid domain, rather than a timeout or no server."""
    try:
        socket.getaddrinfo("doppel.invalid", None)
    except socket.gaierror as e:
        return e.errno == socket.EAI_NONAME
    return True

BAD_LOG = ["Oops", "BUG:", "WARNING:", "Unable to handle"]
PAGE = b"hello-from-the-host-" + os.urandom(8).hex().encode() + b"\n"
BIG = os.urandom(4 << 20)


class Page(http.server.BaseHTTPRequestHandler):
    requests = 0

    def do_GET(self):
        Page.requests += 1
        body = BIG if self.path == "/big" else PAGE
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def exchange_with_guest(con, port):
    """Starts nc -l in the guest, connects to the forwarded port, sends a
    line, and reads the guest's line back. Returns (what the guest got, what
    the host got)."""
    con.child.sendline("echo from-guest-to-host | nc -l -p 8080 > /tmp/got; echo NC""DONE")
    time.sleep(2)
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"from-host-to-guest\n")
        s.shutdown(socket.SHUT_WR)
        s.settimeout(30)
        while True:
            data = s.recv(4096)
            if not data:
                break
            received += data
    con.child.expect("NCDONE", timeout=60)
    return con.run("cat /tmp/got"), received.decode(errors="replace")


def guest_loop_secs(con):
    """Host seconds a busy shell loop takes in the guest."""
    start = time.monotonic()
    con.run("i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done")
    return time.monotonic() - start


def flood_slows_guest(con, udp_port):
    """How many times slower the loop runs while the host floods a forwarded
    UDP port with datagrams (for a closed guest port)."""
    quiet = guest_loop_secs(con)
    stop = threading.Event()

    def flood():
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            while not stop.is_set():
                u.sendto(b"x" * 1000, ("127.0.0.1", udp_port))
    flooder = threading.Thread(target=flood)
    flooder.start()
    try:
        flooded = guest_loop_secs(con)
    finally:
        stop.set()
        flooder.join()
    return flooded / quiet


def host_loopback_closed(results, con, http_port):
    """eth1 alone, on its own NAT with the defaults: the host's loopback,
    where the HTTP server listens, is not reachable through 10.0.2.2."""
    con.run("ip addr flush dev eth0; ip link set eth0 down; ip link set eth1 up; sleep 1")
    out = con.run("udhcpc -i eth1 -n -q -t 5 -s /tmp/dhcp.sh 2>&1; ip -4 addr show eth1")
    results.check("DHCP gives eth1 10.0.2.15", "inet 10.0.2.15/24" in out, repr(out))
    out = con.run("ping -c1 -W5 10.0.2.2")
    results.check("eth1's gateway answers ping", "1 packets received" in out, repr(out))
    if host_resolver_answers():
        out = con.run("nslookup doppel.invalid 10.0.2.3 2>&1")
        results.check("eth1: DNS through 10.0.2.3 answers", "NXDOMAIN" in out, repr(out))
    before = Page.requests
    out = con.run("wget -T 5 -q -O - http://10.0.2.2:%d/ 2>&1; echo wget-status=$?" % http_port)
    results.check("by default the host's 127.0.0.1 is out of reach through 10.0.2.2",
                  PAGE.decode().strip() not in out and "wget-status=0" not in out and
                  Page.requests == before, repr(out))


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    doppel, kernel, initrd = sys.argv[1:]
    results = Results()
    port = free_port()
    udp_port = free_port()
    server = http.server.HTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    http_port = server.server_address[1]

    argv = [doppel, "run", "--kernel", kernel, "--initrd", initrd, "--append", "console=ttyS0",
            "--net", "user,host-loopback=on,hostfwd=tcp:127.0.0.1:%d-:8080,"
            "hostfwd=udp:127.0.0.1:%d-:9999" % (port, udp_port),
            "--net", "user,mac=52:54:00:ab:cd:ef"]
    print("== %s" % " ".join(argv))
    con = Console(argv)
    try:
        con.wait_for_shell()
        # The last two words: a long command's echo may wrap onto several lines.
        macs = con.run("cat /sys/class/net/eth0/address /sys/class/net/eth1/address").split()
        results.check("eth0 has the default MAC, eth1 the one given",
                      macs[-2:] == ["52:54:00:12:34:56", "52:54:00:ab:cd:ef"], repr(macs))
        # One character per feature bit: mergeable receive buffers are bit 15.
        feats = con.run("cat /sys/class/net/eth0/device/features").split()[-1]
        results.check("mergeable receive buffers negotiated", feats[15:16] == "1", repr(feats))
        out = con.run("ip link set eth0 up; sleep 1; cat /sys/class/net/eth0/carrier")
        results.check("link is up", out.split()[-1:] == ["1"], repr(out))
        # udhcpc leaves configuring to a script, which the initramfs lacks.
        con.run("printf '#!/bin/sh\\n[ \"$1\" = bound ] && ifconfig $interface $ip netmask $subnet"
                " && route add default gw $router\\nexit 0\\n' > /tmp/dhcp.sh && chmod +x /tmp/dhcp.sh")
        out = con.run("udhcpc -i eth0 -n -q -t 5 -s /tmp/dhcp.sh 2>&1; ip -4 addr show eth0")
        results.check("DHCP gives eth0 10.0.2.15", "inet 10.0.2.15/24" in out, repr(out))
        out = con.run("ping -c1 -W5 10.0.2.2")
        results.check("the gateway answers ping", "1 packets received" in out, repr(out))
        # UDP through slirp's DNS forwarder to the host's resolver, which
        # answers NXDOMAIN for the reserved .invalid domain (RFC 6761). A
        # host whose own resolver does not answer cannot show it.
        if host_resolver_answers():
            out = con.run("nslookup doppel.invalid 10.0.2.3 2>&1")
            results.check("DNS through 10.0.2.3 answers", "NXDOMAIN" in out, repr(out))
        else:
            print("skipped: DNS through 10.0.2.3 (the host's resolver does not answer)")
        out = con.run("wget -q -O - http://10.0.2.2:%d/" % http_port)
        results.check("wget from the host's 127.0.0.1 through 10.0.2.2",
                      PAGE.decode().strip() in out, repr(out))
        start = time.monotonic()
        out = con.run("wget -q -O - http://10.0.2.2:%d/big | md5sum" % http_port)
        secs = time.monotonic() - start
        results.check("4 MiB from the host arrive intact (%.1f MB/s)" % (len(BIG) / secs / 1e6),
                      hashlib.md5(BIG).hexdigest() in out, repr(out))
        got, received = exchange_with_guest(con, port)
        results.check("forwarded port: the guest receives the host's data",
                      "from-host-to-guest" in got, repr(got))
        results.check("forwarded port: the host receives the guest's data",
                      "from-guest-to-host" in received, repr(received))
        # Quiet, the loop takes about 2 s; under the flood about twice as
        # long. Polling the network after every run slice made it 10 times.
        slower = flood_slows_guest(con, udp_port)
        results.check("a UDP flood leaves the guest most of its time (%.1fx slower)" % slower,
                      slower < 5, "%.1fx" % slower)
        host_loopback_closed(results, con, http_port)
        con.child.sendline("poweroff -f")
        con.child.expect(pexpect.EOF, timeout=60)
        con.child.close()
        results.check("poweroff -f exits 0", con.child.exitstatus == 0, repr(con.child.exitstatus))
    except (pexpect.TIMEOUT, pexpect.EOF, OSError) as e:
        results.check("console", False, "%s; last output:\n%s" % (e, con.text()[-3000:]))
        con.child.close(force=True)
    bad = [b for b in BAD_LOG if b in con.text()]
    results.check("log clean", not bad, "found %s" % bad)
    server.shutdown()
    print("%d passed, %d failed" % (results.passed, results.failed))
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
