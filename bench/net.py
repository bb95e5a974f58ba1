#!/usr/bin/python3
"""doppel beside QEMU on networking: boots the same Debian kernel and
initramfs under each, in turn, several times, measures TCP throughput and
ping round trips over user NAT and between two VMs on one LAN, and prints
the medians and the doppel/QEMU ratios. `make bench-net` runs it; see
docs/performance.md.

The tests, with /bench/net (bench/guest-net) and busybox ping in the guest:
  nat.tcp   TCP from the guest to a receiver on the host, over user NAT
            (libslirp in both), the guest reaching the host as 10.0.2.2
  nat.ping  ping round trip from the guest to the NAT's gateway 10.0.2.2
  lan.tcp   TCP from one VM to another on one LAN (doppel: `doppel switch`;
            QEMU: two QEMUs joined by `-netdev socket`)
  lan.ping  ping round trip from one VM to the other on that LAN

Exits 1 if a run failed (a lost ping, a stream that arrived short).
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

from guest_console import GuestConsole, GuestError
import report
import run

TESTS = [("nat.tcp", "MB/s"), ("nat.ping", "ms"), ("lan.tcp", "MB/s"), ("lan.ping", "ms")]
NET_TIMEOUT = 600
# The same MACs and addresses under both emulators: the first is QEMU's and
# doppel's default for a user NAT card.
NAT_MAC = "52:54:00:12:34:56"
NAT_SETUP = ("ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && "
             "ip route add default via 10.0.2.2")
GATEWAY = "10.0.2.2"
LAN = [("52:54:00:00:03:01", "10.0.3.1"), ("52:54:00:00:03:02", "10.0.3.2")]
LAN_PORT = 5001
PING_INTERVAL = 0.2


class HostReceiver:
    """A TCP receiver on the host's 127.0.0.1, which user NAT shows the
    guest as 10.0.2.2: accepts one connection, reads to the end of the
    stream, closes, and keeps the byte count."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(NET_TIMEOUT)
        self.port = self.listener.getsockname()[1]
        self.bytes = None
        self.error = None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            conn, _ = self.listener.accept()
            with conn:
                conn.settimeout(NET_TIMEOUT)
                buf = bytearray(1 << 20)
                count = 0
                while True:
                    got = conn.recv_into(buf)
                    if not got:
                        break
                    count += got
                self.bytes = count
        except OSError as e:
            self.error = e

    def received(self):
        """The bytes received; raises GuestError if the stream failed."""
        self.thread.join(NET_TIMEOUT)
        self.listener.close()
        if self.bytes is None:
            raise GuestError("the host's receiver got no complete stream: %s" % self.error)
        return self.bytes


def parse_stream(output, test):
    """(MB/s, seconds, bytes) from /bench/net's line for test."""
    for line in output.replace("\r", "").splitlines():
        fields = line.split()
        if len(fields) == 6 and fields[:2] == ["net", test]:
            return float(fields[2]), float(fields[4]), int(fields[5])
    raise GuestError("/bench/net printed no %s line; its output:\n%s" % (test, output[-2000:]))


def ping(con, address, count):
    """The average round trip in ms of count pings from the guest, after
    one that fills the ARP cache; raises GuestError if any was lost."""
    con.run("ping -c 1 -W 5 %s" % address, run.COMMAND_TIMEOUT)
    output, status = con.run("ping -c %d -i %s -W 5 %s" % (count, PING_INTERVAL, address),
                             run.COMMAND_TIMEOUT + count * PING_INTERVAL)
    received = re.search(r"(\d+) packets transmitted, (\d+) packets received", output)
    average = re.search(r"min/avg/max = [\d.]+/([\d.]+)/", output)
    if status != 0 or not received or received.group(1) != received.group(2) or not average:
        raise GuestError("ping %s lost packets or failed:\n%s" % (address, output[-2000:]))
    return float(average.group(1))


def retransmitted(con):
    """The guest's count of retransmitted TCP segments (RFC 1213's
    tcpRetransSegs, from /proc/net/snmp)."""
    output, _ = con.run("cat /proc/net/snmp", run.COMMAND_TIMEOUT)
    rows = [line.split() for line in output.replace("\r", "").splitlines()
            if line.startswith("Tcp:")]
    if len(rows) != 2 or "RetransSegs" not in rows[0]:
        raise GuestError("no TCP counters in /proc/net/snmp:\n" + output[-2000:])
    return int(rows[1][rows[0].index("RetransSegs")])


def send(con, address, port, mib):
    """Runs /bench/net send in the guest; returns its (MB/s, bytes) and
    shows how many segments it had to send again (lost frames cost a
    stream far more than a slow path)."""
    before = retransmitted(con)
    start = time.monotonic()
    output, status = con.run("/bench/net send %s %d %d" % (address, port, mib), NET_TIMEOUT)
    host_seconds = time.monotonic() - start
    if status != 0:
        raise GuestError("/bench/net send exited %d:\n%s" % (status, output[-2000:]))
    rate, seconds, sent = parse_stream(output, "tcp.send")
    run.check_clock(seconds, host_seconds, "TCP sending")
    if sent != mib << 20:
        raise GuestError("/bench/net sent %d bytes, not %d" % (sent, mib << 20))
    print("  %.1f MB/s to %s, %d segments retransmitted"
          % (rate, address, retransmitted(con) - before), flush=True)
    return rate, sent


def boot(argv, log, notes):
    con = GuestConsole(argv, log, run.BOOT_TIMEOUT)
    try:
        con.wait_for_prompt(run.BOOT_TIMEOUT)
        if "guest_kernel" not in notes:
            notes["guest_kernel"] = con.run("uname -r", run.COMMAND_TIMEOUT)[0].strip()
    except GuestError:
        con.close()
        raise
    return con


def guest_run(con, command):
    output, status = con.run(command, run.COMMAND_TIMEOUT)
    if status != 0:
        raise GuestError("%s exited %d:\n%s" % (command, status, output[-2000:]))


def nat_options(who):
    if who == "doppel":
        # The receiver is on the host's loopback, which QEMU's user NAT
        # reaches and doppel's only when asked.
        return ["--net", "user,host-loopback=on,mac=" + NAT_MAC]
    return ["-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0,mac=" + NAT_MAC]


def run_nat(who, argv, log, args, record, notes):
    """One boot on user NAT: ping the gateway, then a stream to the host."""
    receiver = HostReceiver()
    con = boot(argv + nat_options(who), log, notes)
    try:
        guest_run(con, NAT_SETUP)
        record("nat.ping", ping(con, GATEWAY, args.pings))
        rate, sent = send(con, GATEWAY, receiver.port, args.nat_mib)
        got = receiver.received()
        if got != sent:
            raise GuestError("the host received %d bytes of %d" % (got, sent))
        record("nat.tcp", rate)
        con.poweroff(run.COMMAND_TIMEOUT)
    finally:
        con.close()
        receiver.listener.close()


def lan_options(who, link, index):
    """The options putting VM index (0 or 1) on the LAN: link is doppel's
    switch socket, or the TCP port on which QEMU's first VM listens."""
    mac = LAN[index][0]
    if who == "doppel":
        return ["--net", "switch:%s,mac=%s" % (link, mac)]
    role = "listen" if index == 0 else "connect"
    return ["-netdev", "socket,id=n0,%s=127.0.0.1:%d" % (role, link),
            "-device", "virtio-net-device,netdev=n0,mac=" + mac]


def run_lan_pair(who, argv, logs, link, args, record, notes):
    """Boots the two VMs at once; the first pings the second and sends it
    a stream."""
    # The first is at its prompt before the second starts: QEMU's listening
    # side is then ready for the connecting side, which gives up at once if
    # nobody listens.
    first = boot(argv + lan_options(who, link, 0), logs[0], notes)
    try:
        second = boot(argv + lan_options(who, link, 1), logs[1], notes)
        try:
            for con, (_, address) in zip((first, second), LAN):
                guest_run(con, "ip link set eth0 up && ip addr add %s/24 dev eth0" % address)
            record("lan.ping", ping(first, LAN[1][1], args.pings))
            # A job of the console's shell, in braces so that the command
            # can be followed by "; echo ...", for `wait` to collect later.
            guest_run(second, "{ /bench/net recv %d > /tmp/recv.out 2>&1 & }" % LAN_PORT)
            rate, sent = send(first, LAN[1][1], LAN_PORT, args.lan_mib)
            output, _ = second.run("wait; cat /tmp/recv.out", run.COMMAND_TIMEOUT)
            got = parse_stream(output, "tcp.recv")[2]
            if got != sent:
                raise GuestError("the second VM received %d bytes of %d" % (got, sent))
            record("lan.tcp", rate)
            second.poweroff(run.COMMAND_TIMEOUT)
        finally:
            second.close()
        first.poweroff(run.COMMAND_TIMEOUT)
    finally:
        first.close()


def run_lan(who, argv, logs, args, record, notes):
    """The LAN: doppel's VMs on a `doppel switch` of their own, QEMU's
    joined by a TCP socket on a free port."""
    if who == "qemu":
        run_lan_pair(who, argv, logs, run.free_port(), args, record, notes)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "lan.sock")
        switch = subprocess.Popen([args.doppel, "switch", path], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + run.COMMAND_TIMEOUT
            while not os.path.exists(path) and switch.poll() is None:
                if time.monotonic() > deadline:
                    raise GuestError("doppel switch made no socket")
                time.sleep(0.05)
            run_lan_pair(who, argv, logs, path, args, record, notes)
        finally:
            switch.send_signal(signal.SIGTERM)
            _, err = switch.communicate(timeout=run.COMMAND_TIMEOUT)
        if switch.returncode != 0:
            raise GuestError("doppel switch exited %d: %s" % (switch.returncode, err.strip()))
        # Its count of frames dropped on a full port tells retransmissions
        # apart from a slow path.
        print("  " + err.strip().splitlines()[-1], flush=True)


def rows(values):
    """One row per test: the medians, the range over the runs, the ratio of
    the medians with its direction (rates: higher is better; latencies:
    lower)."""
    table = [["test", "unit", "doppel", "QEMU", "doppel range", "QEMU range", "doppel/QEMU"]]
    for test, unit in TESTS:
        d, q = (values.get((who, test), []) for who in ("doppel", "qemu"))
        dm, qm = report.median(d), report.median(q)
        digits = 1 if unit == "MB/s" else 3
        verdict = report.rate_ratio if unit == "MB/s" else report.time_ratio
        table.append([test, unit, "-" if dm is None else "%.*f" % (digits, dm),
                      "-" if qm is None else "%.*f" % (digits, qm),
                      report.spread(d, digits), report.spread(q, digits),
                      verdict(report.ratio(dm, qm))])
    return table


def main():
    ap = run.harness_arguments(__doc__.split("\n\n")[0], "net")
    ap.add_argument("--nat-mib", type=int, default=64,
                    help="MiB sent from the guest to the host (default 64)")
    ap.add_argument("--lan-mib", type=int, default=32,
                    help="MiB sent from one VM to the other (default 32)")
    ap.add_argument("--pings", type=int, default=20, help="pings per run (default 20)")
    args = ap.parse_args()
    if min(args.runs, args.nat_mib, args.lan_mib, args.pings) < 1:
        ap.error("--runs, --nat-mib, --lan-mib and --pings must be at least 1")

    guests = run.guest_commands(args.doppel, args.qemu, args.kernel, args.initrd)
    values = {}
    notes = {}
    errors = []
    logs = os.path.join(args.out, "logs")
    os.makedirs(logs, exist_ok=True)
    load_before = os.getloadavg()[0]

    for i, who, argv in run.turns(guests, args.runs):
        def record(test, value, who=who):
            values.setdefault((who, test), []).append(value)
            print("  %s %s %g" % (who, test, value), flush=True)
        print("%s run %d/%d ..." % (who, i + 1, args.runs), flush=True)
        name = "%s-%d" % (who, i + 1)
        try:
            run_nat(who, argv, os.path.join(logs, name + "-nat.log"), args, record, notes)
            run_lan(who, argv, [os.path.join(logs, "%s-lan-%s.log" % (name, vm))
                                for vm in ("a", "b")], args, record, notes)
        except GuestError as e:
            errors.append("%s run %d: %s" % (who, i + 1, e))
            print("  failed: %s" % e, flush=True)

    info = report.machine_info(args.qemu, notes.get("guest_kernel", "unknown"))
    info.append(("network", "virtio-net over virtio-mmio, MTU 1500, no offloads. user NAT: "
                 "doppel `--net user`, QEMU `-netdev user` (both libslirp), guest 10.0.2.15 "
                 "sending %d MiB to a Python receiver on the host's 127.0.0.1. LAN: doppel "
                 "`--net switch:PATH` on one `doppel switch`, QEMU `-netdev socket` "
                 "listen/connect on 127.0.0.1; 10.0.3.1 sending %d MiB to 10.0.3.2"
                 % (args.nat_mib, args.lan_mib)))
    info.append(("ping", "busybox ping, %d echo requests %.1f s apart (after one that fills "
                 "the ARP cache), average round trip" % (args.pings, PING_INTERVAL)))
    info.append(("runs", "boots per emulator and network %d (figures are medians); host load "
                 "average %.1f before, %.1f after" % (args.runs, load_before,
                                                      os.getloadavg()[0])))
    table = rows(values)
    verdict = ["throughput (MB/s, 10^6 bytes): doppel/QEMU above 1 means doppel is faster",
               "round trip (ms): doppel/QEMU below 1 means doppel is faster"]
    return report.publish(args.out, info, table, verdict, 2, errors)


if __name__ == "__main__":
    sys.exit(main())
