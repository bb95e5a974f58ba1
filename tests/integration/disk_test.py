#!/usr/bin/env python3
"""Virtio disks and entropy under Debian's kernel: boots doppel with ext4
images made on the host, and checks what the guest sees and what reaches
the files.

usage: disk_test.py DOPPEL KERNEL INITRD
Boot 1: two disks (vda read-write, vdb readonly=on) and --rng; the guest
writes files to vda, syncs and trims it, vdb refuses writes, /dev/hwrng
gives bytes. Boot 2: a qcow2 overlay on vda's raw image as the only disk;
the files are there, the guest adds one, deletes one and trims. Boot 3: the overlay again; the new file is there.
The raw base and the read-only image are unchanged since boot 1,
`qemu-img check` finds the overlay clean and e2fsck the file systems.
Prints one line per check and ends with "N passed, N failed".
"""
import hashlib
import os
import re
import subprocess
import sys
import tempfile

from boot_debian import Boot, Results

BAD_LOG = ["Oops", "BUG:", "WARNING:", "Unable to handle", "I/O error", "EXT4-fs error"]


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def make_ext4(path, size_mb):
    with open(path, "wb") as f:
        f.truncate(size_mb << 20)
    subprocess.run(["mkfs.ext4", "-q", "-F", path], check=True)


def first_boot(b):
    blocks = b.con.run("ls /sys/block").split()
    b.check("two disks: vda and vdb", "vda" in blocks and "vdb" in blocks, repr(blocks))
    serial = b.con.run("cat /sys/block/vda/serial").strip()
    b.check("vda's serial is its file name", serial == "base.img", repr(serial))
    # One character per feature bit: the driver took indirect tables (28) and EVENT_IDX (29).
    feats = b.con.run("cat /sys/block/vda/device/features").split()[-1]
    b.check("indirect descriptors and EVENT_IDX negotiated", feats[28:30] == "11", repr(feats))
    ro = b.con.run("cat /sys/block/vda/ro /sys/block/vdb/ro").split()
    b.check("vdb read-only, vda not", ro == ["0", "1"], repr(ro))

    rng = b.con.run("cat /sys/class/misc/hw_random/rng_current")
    b.check("hw_random uses virtio-rng", "virtio_rng" in rng, repr(rng))
    # The last line: a long command's echo may wrap onto several.
    hexbytes = b.con.run("head -c 32 /dev/hwrng | od -An -tx1 | tr -d ' \\n'").split()[-1]
    b.check("/dev/hwrng gives bytes", re.fullmatch(r"[0-9a-f]{64}", hexbytes) is not None
            and hexbytes != "0" * 64, repr(hexbytes))

    out = b.con.run("mkdir -p /mnt /ro && mount /dev/vda /mnt && echo written-by-boot-1 > /mnt/hello.txt"
                    " && dd if=/dev/urandom of=/mnt/blob bs=64k count=32 2>/dev/null"
                    " && sync && echo wrote")
    b.check("write a file to vda and sync", "wrote" in out, repr(out))
    b.blob = b.con.run("md5sum /mnt/blob").split()[0]
    out = b.con.run("fstrim -v /mnt")
    b.check("fstrim discards the free space", "trimmed" in out, repr(out))
    b.con.run("umount /mnt")

    out = b.con.run("mount /dev/vdb /ro 2>&1; touch /ro/x 2>&1; echo rc=$?")
    b.check("read-only disk: files cannot be written", "rc=0" not in out and "rc=" in out, repr(out))
    out = b.con.run("dd if=/dev/zero of=/dev/vdb bs=512 count=1 conv=fsync 2>&1; echo rc=$?")
    b.check("read-only disk: the device cannot be written", "rc=0" not in out and "rc=" in out,
            repr(out))
    b.con.run("umount /ro")


def second_boot(blob):
    def checks(b):
        out = b.con.run("mkdir -p /mnt && mount /dev/vda /mnt && cat /mnt/hello.txt")
        b.check("the file from boot 1 is there", "written-by-boot-1" in out, repr(out))
        got = b.con.run("md5sum /mnt/blob").split()
        b.check("512 KiB of random data read back intact", got[:1] == [blob], repr(got))
        out = b.con.run("echo written-by-boot-2 > /mnt/second.txt && sync && echo ok")
        b.check("write another file and sync", out.strip().endswith("ok"), repr(out))
        out = b.con.run("rm /mnt/blob && sync && fstrim -v /mnt; umount /mnt")
        b.check("fstrim discards the deleted file", "trimmed" in out, repr(out))
    return checks


def third_boot(b):
    out = b.con.run("mkdir -p /mnt && mount /dev/vda /mnt && cat /mnt/second.txt; umount /mnt")
    b.check("the file from boot 2 is there", "written-by-boot-2" in out, repr(out))


def fsck_clean(path):
    """e2fsck's verdict on a raw ext4 image, read-only."""
    fsck = subprocess.run(["e2fsck", "-fn", path], capture_output=True, text=True)
    return fsck.returncode == 0, fsck.stdout + fsck.stderr


def check_overlay(results, overlay, tmp):
    """qemu-img check on a qcow2 overlay, then e2fsck on its file system
    (flattened to a raw image in the directory tmp)."""
    check = subprocess.run(["qemu-img", "check", overlay], capture_output=True, text=True)
    results.check("qemu-img check: overlay clean", check.returncode == 0,
                  check.stdout + check.stderr)
    flat = os.path.join(tmp, "flat.img")
    subprocess.run(["qemu-img", "convert", "-O", "raw", overlay, flat], check=True)
    results.check("e2fsck: overlay's file system clean", *fsck_clean(flat))


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    doppel, kernel, initrd = sys.argv[1:]
    base_argv = [doppel, "run", "--kernel", kernel, "--initrd", initrd, "--append", "console=ttyS0"]
    results = Results()
    with tempfile.TemporaryDirectory() as tmp:
        base = os.path.join(tmp, "base.img")
        rodisk = os.path.join(tmp, "ro.img")
        overlay = os.path.join(tmp, "overlay.qcow2")
        make_ext4(base, 64)
        make_ext4(rodisk, 16)
        ro_before = digest(rodisk)

        b = Boot(results, "boot 1", BAD_LOG, base_argv + ["--disk", base, "--disk", rodisk + ",readonly=on",
                                                 "--rng"])
        b.blob = None
        b.run(first_boot)
        results.check("read-only image unchanged", digest(rodisk) == ro_before)
        results.check("e2fsck: raw image clean after boot 1", *fsck_clean(base))
        base_after_boot1 = digest(base)

        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", base, "-F", "raw", overlay],
                       check=True)
        Boot(results, "boot 2 (qcow2 overlay)", BAD_LOG, base_argv + ["--disk", overlay]).run(second_boot(b.blob))
        Boot(results, "boot 3 (qcow2 overlay)", BAD_LOG, base_argv + ["--disk", overlay]).run(third_boot)
        results.check("raw base unchanged under the overlay", digest(base) == base_after_boot1)
        check_overlay(results, overlay, tmp)
    print("%d passed, %d failed" % (results.passed, results.failed))
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
