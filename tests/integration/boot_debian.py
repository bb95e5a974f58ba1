#!/usr/bin/env python3
"""Boots Debian's unmodified riscv64 kernel and busybox initramfs under doppel,
runs commands on the serial console and checks their answers.

usage: boot_debian.py DOPPEL KERNEL INITRD
Scenarios: the built-in SBI; Debian's OpenSBI firmware (fw_dynamic); two harts;
the interpreter alone; a reboot; and the console's Ctrl-A x escape.
Prints one line per check and ends with "N passed, N failed".
"""
import datetime
import re
import sys
import time

import pexpect

OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin"
BOOT_TIMEOUT = 300
CMD_TIMEOUT = 60
BAD_LOG = ["Oops", "BUG:", "WARNING:", "Unable to handle", "unhandled signal"]


class Console:
    """The guest's serial console, with commands fenced by unique markers so
    that each answer is read whole, whatever the shell echoes."""

    def __init__(self, argv):
        self.child = pexpect.spawn(argv[0], argv[1:], encoding="utf-8",
                                   codec_errors="replace", timeout=CMD_TIMEOUT)
        self.log = []
        self.child.logfile_read = self
        self.seq = 0

    # pexpect's logfile interface
    def write(self, data):
        self.log.append(data)

    def flush(self):
        pass

    def text(self):
        return "".join(self.log)

    def wait_for_shell(self):
        start = time.monotonic()
        self.child.expect("# ", timeout=BOOT_TIMEOUT)
        return time.monotonic() - start

    def run(self, command, timeout=CMD_TIMEOUT):
        self.seq += 1
        end = "__END%d__" % self.seq
        self.child.sendline("%s; echo %s" % (command, end.replace("__E", "__\"\"E")))
        self.child.expect(re.escape(end) + r"\r?\n", timeout=timeout)
        out = self.child.before
        # Drop the echoed command line.
        return out.split("\n", 1)[1] if "\n" in out else ""

    def interrupt(self, attempts=5):
        """Stops the foreground command with Ctrl-C and waits for the prompt.
        busybox ash can miss a SIGINT that lands between two commands of a
        loop, so Ctrl-C is sent again until the prompt comes back."""
        for attempt in range(attempts):
            self.child.sendcontrol("c")
            try:
                self.child.expect("# ", timeout=3)
                return
            except pexpect.TIMEOUT:
                if attempt == attempts - 1:
                    raise

    def poweroff(self):
        self.child.sendline("poweroff -f")
        self.child.expect(pexpect.EOF, timeout=CMD_TIMEOUT)
        self.child.close()
        return self.child.exitstatus


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok   %s" % name)
        else:
            self.failed += 1
            print("FAIL %s %s" % (name, detail))
        sys.stdout.flush()


class Boot:
    """One boot: runs checks in the guest, always ends with power-off and a
    look at the console log for any of the strings in bad_log. start() and
    stop() are the busybox initramfs's; a subclass can change them."""

    def __init__(self, results, name, bad_log, argv):
        self.results = results
        self.name = name
        self.bad_log = bad_log
        print("== %s: %s" % (name, " ".join(argv)))
        sys.stdout.flush()
        self.con = Console(argv)

    def check(self, what, ok, detail=""):
        self.results.check("%s: %s" % (self.name, what), ok, detail)

    def start(self):
        self.con.wait_for_shell()

    def stop(self):
        status = self.con.poweroff()
        self.check("poweroff -f exits 0", status == 0, "exit %r" % status)

    def run(self, checks):
        try:
            self.start()
            checks(self)
            self.stop()
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            self.check("console", False, "%s; last output:\n%s" % (type(e).__name__,
                                                                   self.con.text()[-3000:]))
            self.con.child.close(force=True)
        bad = [b for b in self.bad_log if b in self.con.text()]
        self.check("log clean", not bad, "found %s" % bad)


def scenario(results, name, argv, cpus):
    print("== %s: %s" % (name, " ".join(argv)))
    con = Console(argv)
    try:
        secs = con.wait_for_shell()
        results.check("%s: shell prompt (%.1f s)" % (name, secs), True)
        uname = con.run("uname -a")
        results.check("%s: uname -a" % name,
                      re.search(r"Linux \S+ 6\.\d+\S* .*riscv64", uname) is not None, repr(uname))
        cpuinfo = con.run("cat /proc/cpuinfo")
        results.check("%s: /proc/cpuinfo" % name,
                      cpuinfo.count("processor") == cpus and "rv64imafdc" in cpuinfo,
                      repr(cpuinfo[:400]))
        nproc = con.run("nproc").strip()
        results.check("%s: nproc = %d" % (name, cpus), nproc == str(cpus), repr(nproc))
        year = con.run("date +%Y").strip()
        results.check("%s: date from the RTC" % name,
                      year == str(datetime.datetime.utcnow().year), repr(year))
        # busybox's time reads CLOCK_MONOTONIC through the vDSO, which
        # reads the time CSR in U-mode.
        out = con.run("time sleep 0.2; echo rc=$?")
        results.check("%s: U-mode reads the time CSR (busybox time)" % name,
                      "real" in out and "rc=0" in out, repr(out))
        status = con.poweroff()
        results.check("%s: poweroff -f exits 0" % name, status == 0, "exit %r" % status)
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        results.check("%s: console" % name, False,
                      "%s; last output:\n%s" % (type(e).__name__, con.text()[-3000:]))
        con.child.close(force=True)
    log = con.text()
    bad = [b for b in BAD_LOG if b in log]
    results.check("%s: boot log clean" % name, not bad, "found %s" % bad)


def escape_quits(results, argv):
    """Ctrl-A x on a terminal ends doppel at once, as in QEMU."""
    name = "Ctrl-A x quits"
    print("== %s" % name)
    con = Console(argv)
    try:
        con.child.expect("Linux version", timeout=BOOT_TIMEOUT)
        con.child.send("\x01x")
        con.child.expect(pexpect.EOF, timeout=CMD_TIMEOUT)
        con.child.close()
        results.check(name, con.child.exitstatus == 0, "exit %r" % con.child.exitstatus)
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        results.check(name, False, type(e).__name__)
        con.child.close(force=True)


def reboot_rebuilds(results, argv):
    """A guest reboot rebuilds the machine (translations, TLBs and all) and
    the kernel boots again in the same process."""
    name = "reboot"
    print("== %s" % name)
    con = Console(argv)
    try:
        con.wait_for_shell()
        con.child.sendline("reboot -f")
        con.child.expect("Linux version", timeout=BOOT_TIMEOUT)
        con.wait_for_shell()
        answer = con.run("echo $((6 * 7))").strip()
        results.check("%s: second boot runs commands" % name, answer == "42", repr(answer))
        status = con.poweroff()
        results.check("%s: poweroff after reboot exits 0" % name, status == 0, "exit %r" % status)
    except (pexpect.TIMEOUT, pexpect.EOF) as e:
        results.check("%s: console" % name, False,
                      "%s; last output:\n%s" % (type(e).__name__, con.text()[-3000:]))
        con.child.close(force=True)


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    doppel, kernel, initrd = sys.argv[1:]
    base = [doppel, "run", "--kernel", kernel, "--initrd", initrd, "--append", "console=ttyS0"]
    results = Results()
    scenario(results, "built-in SBI", base, 1)
    scenario(results, "OpenSBI", base + ["--bios", OPENSBI], 1)
    scenario(results, "two harts", base + ["--cpus", "2"], 2)
    scenario(results, "interpreter only", base + ["--no-jit"], 1)
    reboot_rebuilds(results, base)
    escape_quits(results, base)
    print("%d passed, %d failed" % (results.passed, results.failed))
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
