#!/usr/bin/env python3
"""The Debian trixie root file system (scripts/guest-image --rootfs) booted
with systemd under doppel, through a fresh qcow2 overlay on the cached image.

usage: rootfs_test.py DOPPEL KERNEL INITRD ROOTFS
Boot 1: systemd reaches the autologin shell on ttyS0; the system is running
(or degraded, with the failed units listed); /etc/os-release says trixie; a
file is written; `systemctl poweroff` stops the machine. Boot 2: the file is
there; poweroff again. Then the base image is unchanged, and `qemu-img check`
and e2fsck find the overlay clean.
Prints one line per check and ends with "N passed, N failed".
"""
import os
import subprocess
import sys
import tempfile
import time

import pexpect

from boot_debian import Boot, Results
from disk_test import check_overlay, digest

BOOT_TIMEOUT = 900
POWEROFF_TIMEOUT = 300
PROMPT = r"root@doppel:~# "
INITRAMFS_SHELL = r"busybox initramfs ready"
BAD_LOG = ["Oops", "BUG:", "Kernel panic", "unhandled signal", "I/O error", "EXT4-fs error"]


class SystemdBoot(Boot):
    """A boot to systemd's autologin shell, ended by `systemctl poweroff`."""

    def __init__(self, results, name, argv):
        super().__init__(results, name, BAD_LOG, argv)

    def start(self):
        start = time.monotonic()
        # An initramfs whose /init predates root= stays in busybox: say so
        # at once rather than time out (the cache is shared by checkouts).
        if self.con.child.expect([PROMPT, INITRAMFS_SHELL], timeout=BOOT_TIMEOUT) == 1:
            self.check("initramfs switches to /dev/vda", False,
                       "its /init ignores root=; rebuild it with this checkout's scripts/guest-image")
            raise pexpect.EOF("no root switch")
        self.check("autologin shell on ttyS0 (%.1f s)" % (time.monotonic() - start), True)
        # Kernel messages and readline's bracketed-paste codes would get
        # mixed into the answers.
        self.con.run("dmesg -n 1; bind 'set enable-bracketed-paste off'")

    def stop(self):
        start = time.monotonic()
        self.con.child.sendline("systemctl poweroff")
        self.con.child.expect(pexpect.EOF, timeout=POWEROFF_TIMEOUT)
        self.con.child.close()
        status = self.con.child.exitstatus
        self.check("systemctl poweroff: doppel exits 0 (%.1f s)" % (time.monotonic() - start),
                   status == 0, "exit %r" % status)
        self.check("systemd powered off cleanly", "reboot: Power down" in self.con.text(),
                   self.con.text()[-2000:])


def system_state(b):
    state = b.con.run("systemctl is-system-running --wait", timeout=BOOT_TIMEOUT).strip().splitlines()[-1:]
    failed = b.con.run("systemctl --failed --no-legend --plain").strip()
    b.check("systemd: system %s" % "".join(state), state in (["running"], ["degraded"]),
            "%r; failed units: %s" % (state, failed))
    if state == ["degraded"]:
        print("info %s: degraded; failed units:\n%s" % (b.name, failed))


def first_boot(b):
    system_state(b)
    out = b.con.run("ls /doppel-stage2 /debootstrap 2>&1")
    b.check("no leftovers of the build", out.count("No such file") == 2, repr(out))
    release = b.con.run("cat /etc/os-release")
    b.check("/etc/os-release says trixie", "VERSION_CODENAME=trixie" in release, repr(release))
    out = b.con.run("echo written-in-boot-1 > /root/marker && sync && echo wrote")
    b.check("write /root/marker", out.strip().endswith("wrote"), repr(out))


def second_boot(b):
    system_state(b)
    out = b.con.run("cat /root/marker")
    b.check("/root/marker from boot 1 is there", "written-in-boot-1" in out, repr(out))


def main():
    if len(sys.argv) != 5:
        print(__doc__)
        return 2
    doppel, kernel, initrd, rootfs = sys.argv[1:]
    results = Results()
    base_before = digest(rootfs)
    with tempfile.TemporaryDirectory() as tmp:
        overlay = os.path.join(tmp, "overlay.qcow2")
        subprocess.run([doppel, "img", "create", "-f", "qcow2", "-b", rootfs, "-F", "raw", overlay],
                       check=True, stdout=subprocess.DEVNULL)
        argv = [doppel, "run", "--kernel", kernel, "--initrd", initrd, "--mem", "1G",
                "--append", "console=ttyS0 root=/dev/vda rw", "--disk", overlay]
        SystemdBoot(results, "boot 1", argv).run(first_boot)
        SystemdBoot(results, "boot 2", argv).run(second_boot)
        results.check("base image unchanged under the overlay", digest(rootfs) == base_before)
        check_overlay(results, overlay, tmp)
    print("%d passed, %d failed" % (results.passed, results.failed))
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
