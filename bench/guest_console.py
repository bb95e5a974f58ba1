"""One emulator process with the guest's serial console on a pseudo-terminal:
boot to the shell prompt, run commands, power off, and collect the process's
resource usage (peak RSS) when it exits.

The emulator is started with os.posix_spawnp rather than pexpect.spawn so
that this module, not pexpect, reaps it: os.wait4 is what returns ru_maxrss
for that one process.
"""
import errno
import os
import re
import signal
import time

import pexpect
import pexpect.fdpexpect

# init's PS1 is '\h:\w# ' and the shell starts in /.
PROMPT = r":/# "


class GuestError(Exception):
    """A run (in a guest, or the suite on the host) did not go as expected;
    the message says what, and a guest's console log is kept for a look."""


class GuestConsole:
    def __init__(self, argv, log_path, timeout):
        master, slave = os.openpty()
        self.start = time.monotonic()
        try:
            self.pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=[
                (os.POSIX_SPAWN_DUP2, slave, 0),
                (os.POSIX_SPAWN_DUP2, slave, 1),
                (os.POSIX_SPAWN_DUP2, slave, 2),
            ])
        except OSError as e:
            os.close(master)
            raise GuestError("cannot start %s: %s" % (argv[0], e.strerror))
        finally:
            # Only the child keeps the slave side open: when it exits, reading
            # the master fails with EIO, which pexpect reports as EOF.
            os.close(slave)
        self.log = open(log_path, "w", encoding="utf-8", errors="replace")
        self.master = master
        self.child = pexpect.fdpexpect.fdspawn(master, encoding="utf-8",
                                               codec_errors="replace", timeout=timeout)
        self.child.logfile_read = self.log
        self.seq = 0
        self.rusage = None
        self.status = None

    def wait_for_prompt(self, timeout):
        """Seconds from process start to the first shell prompt."""
        self._expect(PROMPT, timeout, "shell prompt")
        return time.monotonic() - self.start

    def run(self, command, timeout):
        """Runs a shell command; returns (output, exit status)."""
        self.seq += 1
        # The marker is split by an empty quote in what is typed, so the echo
        # of the command line itself cannot match it.
        marker = "bench-exit%d=" % self.seq
        typed = marker[:5] + '""' + marker[5:]
        self.child.sendline("%s; echo %s$?" % (command, typed))
        # QEMU leaves output post-processing on, so its lines end "\r\r\n".
        self._expect(re.escape(marker) + r"(\d+)\r*\n", timeout, command)
        status = int(self.child.match.group(1))
        output = self.child.before
        return (output.split("\n", 1)[1] if "\n" in output else ""), status

    def poweroff(self, timeout):
        self.child.sendline("poweroff -f")
        self._expect(pexpect.EOF, timeout, "power-off")
        self._reap()
        if self.status != 0:
            raise GuestError("emulator exited with status %d after poweroff" % self.status)

    def close(self):
        """Kills the emulator if it still runs; always reaps it."""
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()
        try:
            os.close(self.master)
        except OSError as e:
            if e.errno != errno.EBADF:
                raise
        self.log.close()

    def _reap(self):
        _, status, self.rusage = os.wait4(self.pid, 0)
        self.status = os.waitstatus_to_exitcode(status)

    def _expect(self, pattern, timeout, what):
        try:
            self.child.expect(pattern, timeout=timeout)
        except pexpect.TIMEOUT:
            raise GuestError("no %s within %d s (console log: %s)" % (what, timeout, self.log.name))
        except pexpect.EOF:
            raise GuestError("emulator exited while waiting for %s (console log: %s)"
                             % (what, self.log.name))
