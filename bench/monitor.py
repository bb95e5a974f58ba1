"""A client for an emulator's JSON-lines monitor socket: doppel's control
socket (docs/control.md) or QEMU's QMP, which doppel's protocol follows. One
object per line each way; events between replies are kept for event()."""
import json
import socket
import time

from guest_console import GuestError


class Monitor:
    def __init__(self, path, timeout=60):
        # The emulator creates the socket as it starts: retry until then.
        deadline = time.monotonic() + timeout
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except OSError as e:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise GuestError("cannot connect to %s: %s" % (path, e.strerror))
                time.sleep(0.05)
        self.sock.settimeout(timeout)
        self.buf = b""
        self.events = []
        greeting = self._read()
        # QMP starts in capabilities negotiation mode, where it accepts only
        # qmp_capabilities (QEMU's docs/interop/qmp-spec).
        if "QMP" in greeting:
            self.execute("qmp_capabilities")

    def execute(self, name, **arguments):
        """Sends one command; returns its "return" value, raises GuestError
        on an error reply."""
        request = {"execute": name}
        if arguments:
            request["arguments"] = arguments
        self.sock.sendall((json.dumps(request) + "\n").encode())
        while True:
            reply = self._read()
            if "event" in reply:
                self.events.append(reply)
            elif "return" in reply:
                return reply["return"]
            elif "error" in reply:
                raise GuestError("%s: %s" % (name, reply["error"].get("desc", reply["error"])))

    def event(self, name, timeout):
        """Waits for the next event called name; returns its data."""
        end = time.monotonic() + timeout
        while True:
            for e in self.events:
                if e["event"] == name:
                    self.events.remove(e)
                    return e.get("data", {})
            self.sock.settimeout(max(0.1, end - time.monotonic()))
            try:
                self.events.append(self._read())
            except GuestError:
                if time.monotonic() >= end:
                    raise GuestError("no %s event within %d s" % (name, timeout))
                raise

    def close(self):
        self.sock.close()

    def _read(self):
        while b"\n" not in self.buf:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise GuestError("no reply on the monitor socket")
            if not data:
                raise GuestError("the monitor socket was closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)
