#!/usr/bin/env python3
"""Snapshots of a running Debian guest: saved through the control socket,
the process killed, restored with `doppel run --restore`.

usage: snapshot_test.py DOPPEL KERNEL INITRD
The guest writes a file to its disk, then counts on its console. It is
paused, snapshotted and killed; the restored guest's count goes on from the
last number printed, with no gap and no repeat, its clock did not go back,
the file is there, and the frozen disk image is untouched by the restored
guest, which writes to an overlay of its own that `qemu-img check` finds
clean. A compressed snapshot restores the same way; a damaged or truncated
one is refused with one line, and the good one still restores afterwards.
Before any of that, with a bare program in place of Debian: a snapshot
whose path names a file the VM uses (a disk, a symbolic link to it, a
backing file, the kernel, the initrd) is refused, and changes nothing; so
is one while a migration is under way (to a target that never reads).
Prints one line per check and ends with "N passed, N failed".
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import socket
import time

import pexpect

from boot_debian import BAD_LOG, Console, Results
from control_test import Client, bare_vm, uptime
from disk_test import digest, make_ext4

COUNTER = "(i=0; while :; do echo C$i; i=$((i+1)); sleep 0.1; done) &"


def counts(text):
    return [int(n) for n in re.findall(r"C(\d+)\r?\n", text)]


def wait_count(con, at_least, timeout=60):
    con.child.expect(r"C(\d+)\r?\n", timeout=timeout)
    while int(con.child.match.group(1)) < at_least:
        con.child.expect(r"C(\d+)\r?\n", timeout=timeout)


def drain(con, quiet=1.0):
    """Reads the console until it has been quiet for `quiet` seconds."""
    while True:
        try:
            con.child.expect(r"\S", timeout=quiet)
        except pexpect.TIMEOUT:
            return


def start_guest(results, base_argv, disk, sock):
    con = Console(base_argv + ["--disk", disk, "--control", "unix:" + sock])
    con.wait_for_shell()
    out = con.run("mkdir -p /mnt && mount /dev/vda /mnt && echo before-snapshot > /mnt/f"
                  " && sync && echo wrote")
    results.check("guest wrote a file to its disk", "wrote" in out, repr(out))
    return con


def snapshot_running_guest(results, con, sock, path, **opts):
    """Counts, pauses, snapshots, kills. Returns the console text after the
    shell prompt and the guest's uptime just before the counter started."""
    before = uptime(con)
    con.child.sendline(COUNTER)
    wait_count(con, 15)
    ctl = Client(sock)
    results.check("control greeting", "doppel" in ctl.greeting, repr(ctl.greeting))
    results.check("pause", ctl.execute("pause") == {"return": {}})
    drain(con)
    reply = ctl.execute("snapshot", path=path, **opts)
    results.check("snapshot replies", "return" in reply, repr(reply))
    results.check("snapshot file written", os.path.getsize(path) > 0)
    seen = con.text()
    con.child.kill(9)
    con.child.close(force=True)
    ctl.close()
    return seen, before


def check_restored(results, name, base_argv_host, snap, seen, before, sock):
    con = Console(base_argv_host + ["--restore", snap, "--control", "unix:" + sock])
    try:
        con.child.expect(r"C(\d+)\r?\n", timeout=60)
        first = int(con.child.match.group(1))
        wait_count(con, first + 5)
        last_before = counts(seen)[-1]
        results.check("%s: the count goes on with no gap and no repeat" % name,
                      first == last_before + 1 and counts(con.text()) == list(
                          range(first, first + len(counts(con.text())))),
                      "last before %d, first after %d" % (last_before, first))
        con.child.sendline("kill $!")
        drain(con, 0.5)
        up = uptime(con)
        results.check("%s: the guest clock did not go back" % name, up >= before,
                      "%.2f < %.2f" % (up, before))
        out = con.run("cat /mnt/f")
        results.check("%s: the file written before the snapshot is there" % name,
                      "before-snapshot" in out, repr(out))
        out = con.run("echo after-restore > /mnt/g && sync && cat /mnt/g")
        results.check("%s: the disk takes writes" % name, "after-restore" in out, repr(out))
        con.run("umount /mnt")
        status = con.poweroff()
        results.check("%s: poweroff exits 0" % name, status == 0, "exit %r" % status)
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        results.check("%s: console" % name, False, "%s; last output:\n%s" % (
            type(e).__name__, con.text()[-3000:]))
        con.child.close(force=True)
    bad = [b for b in BAD_LOG if b in con.text()]
    results.check("%s: log clean" % name, not bad, "found %s" % bad)


def overlays(tmp, stem):
    return sorted(f for f in os.listdir(tmp) if f.startswith(stem + ".") and f.endswith(".qcow2"))


# Random, so that a migration has this much RAM to send, more than the
# socket buffers of a target that never reads can take.
INITRD_BYTES = 24 << 20


def refused(reply, why):
    return why in reply.get("error", {}).get("desc", "")


def guards(results, doppel, tmp):
    """Snapshots that would replace a file the VM uses, or freeze disks a
    migration's target is about to open, are refused; nothing changes."""
    d = os.path.join(tmp, "guards")
    os.mkdir(d)
    disk, base, top, link, initrd = (os.path.join(d, n) for n in (
        "disk.img", "base.img", "top.qcow2", "disk-link.img", "initrd.img"))
    for path, data in ((disk, b"disk" * 1024), (base, b"base" * 1024),
                       (initrd, os.urandom(INITRD_BYTES))):
        with open(path, "wb") as f:
            f.write(data)
    subprocess.run([doppel, "img", "create", "-f", "qcow2", "-b", "base.img", "-F", "raw", top],
                   check=True, capture_output=True)
    os.symlink("disk.img", link)
    sock = os.path.join(d, "ctl.sock")
    proc, ctl = bare_vm(doppel, d, sock, "--mem", "128M", "--initrd", initrd,
                        "--disk", disk + ",format=raw", "--disk", top)
    kernel = os.path.join(d, "loop.bin")
    files = (disk, base, top, kernel, initrd)
    digests = [digest(f) for f in files]
    listing = sorted(os.listdir(d))
    try:
        for what, path in (("its disk", disk), ("a symbolic link to its disk", link),
                           ("its qcow2 disk", top), ("its disk's backing file", base),
                           ("its kernel", kernel), ("its initrd", initrd)):
            reply = ctl.execute("snapshot", path=path)
            results.check("snapshot onto %s: refused, saying why" % what,
                          refused(reply, path), repr(reply))
        results.check("the refused snapshots changed no file",
                      [digest(f) for f in files] == digests and sorted(os.listdir(d)) == listing,
                      repr(sorted(os.listdir(d))))

        key = os.path.join(d, "migration.key")
        with open(os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
            f.write(os.urandom(32))
        listing = sorted(os.listdir(d))
        reply = ctl.execute("migrate", uri="tcp:127.0.0.1:99999,key-file=" + key)
        results.check("migrate to port 99999: refused, naming the range",
                      refused(reply, "65535"), repr(reply))
        # A target that never accepts nor reads: the migration stalls.
        target = socket.socket()
        target.bind(("127.0.0.1", 0))
        target.listen(1)
        uri = "tcp:127.0.0.1:%d,key-file=%s" % (target.getsockname()[1], key)
        results.check("migrate to a target that never reads", ctl.execute("migrate", uri=uri)
                      == {"return": {}})
        snap = os.path.join(d, "s.snap")
        reply = ctl.execute("snapshot", path=snap)
        status = ctl.execute("query-migrate")["return"]["status"]
        results.check("snapshot while migrating: refused, saying why",
                      refused(reply, "a migration is under way") and status == "active",
                      "%r, migration %s" % (reply, status))
        results.check("the refused snapshot changed no file",
                      [digest(f) for f in files] == digests and sorted(os.listdir(d)) == listing,
                      repr(sorted(os.listdir(d))))
        while ctl.execute("query-migrate")["return"]["status"] == "active":
            time.sleep(0.2)
        target.close()
        reply = ctl.execute("snapshot", path=snap)
        results.check("once the migration failed, the snapshot is taken",
                      "return" in reply and os.path.getsize(snap) > INITRD_BYTES, repr(reply))
        ctl.execute("quit")
        results.check("quit: exit status 0", proc.wait(timeout=30) == 0)
    finally:
        ctl.close()
        proc.kill()
        proc.wait()


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    doppel, kernel, initrd = sys.argv[1:]
    host_argv = [doppel, "run"]
    base_argv = host_argv + ["--kernel", kernel, "--initrd", initrd, "--append", "console=ttyS0",
                             "--mem", "256M"]
    results = Results()
    with tempfile.TemporaryDirectory() as tmp:
        disk = os.path.join(tmp, "disk.img")
        sock = os.path.join(tmp, "ctl.sock")
        make_ext4(disk, 32)

        print("== snapshots refused")
        guards(results, doppel, tmp)

        print("== snapshot, uncompressed")
        con = start_guest(results, base_argv, disk, sock)
        snap = os.path.join(tmp, "s1.snap")
        seen, before = snapshot_running_guest(results, con, sock, snap)
        frozen = digest(disk)
        results.check("the running guest went on on a new overlay",
                      overlays(tmp, "disk") == ["disk.s1.qcow2"], repr(overlays(tmp, "disk")))
        print("== restore")
        check_restored(results, "restore", host_argv, snap, seen, before, sock + "2")
        results.check("the frozen image is untouched", digest(disk) == frozen)
        check = subprocess.run(["qemu-img", "check", os.path.join(tmp, "disk.s1-1.qcow2")],
                               capture_output=True, text=True)
        results.check("qemu-img check: the restore's overlay is clean", check.returncode == 0,
                      check.stdout + check.stderr)

        print("== damaged snapshots")
        bad = os.path.join(tmp, "bad.snap")
        size = os.path.getsize(snap)
        for what, offset in (("a byte changed in the RAM", size // 2),
                             ("a byte changed in the device state", size - 300),
                             ("cut short", None)):
            shutil.copy(snap, bad)
            with open(bad, "r+b") as f:
                if offset is None:
                    f.truncate(size * 2 // 3)
                else:
                    f.seek(offset)
                    b = f.read(1)
                    f.seek(offset)
                    f.write(bytes([b[0] ^ 0x10]))
            run = subprocess.run(host_argv + ["--restore", bad], capture_output=True, text=True,
                                 stdin=subprocess.DEVNULL, timeout=60)
            lines = run.stderr.strip().splitlines()
            results.check("%s: refused with one line" % what,
                          run.returncode == 1 and len(lines) == 1 and "bad.snap" in lines[0],
                          repr(run.stderr))
        results.check("refused restores left no overlays behind",
                      overlays(tmp, "disk") == ["disk.s1-1.qcow2", "disk.s1.qcow2"],
                      repr(overlays(tmp, "disk")))

        print("== snapshot, compressed")
        disk2 = os.path.join(tmp, "disk2.img")
        make_ext4(disk2, 32)
        con = start_guest(results, base_argv, disk2, sock + "3")
        snapz = os.path.join(tmp, "z.snap")
        seen, before = snapshot_running_guest(results, con, sock + "3", snapz, compress=True)
        print("== restore, compressed")
        check_restored(results, "compressed restore", host_argv, snapz, seen, before, sock + "4")
    print("%d passed, %d failed" % (results.passed, results.failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
