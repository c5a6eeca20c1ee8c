"""Run the app under uvicorn on a socket bound here, and end the way a command ends.

Binding first lets ``autost serve`` print the port it got (``--port 0`` asks the kernel for
a free one) and turn a taken port into one ``Error:`` line. uvicorn stops on SIGTERM or
Ctrl-C, the app's lifespan stops the job processes, and the command then exits 0 after
SIGTERM (a service manager asked it to stop) or 130 after Ctrl-C, rather than uvicorn
raising the signal again (exit -15).
"""

from __future__ import annotations

import signal
import socket
from contextlib import contextmanager

import uvicorn

from autost.exceptions import ServeError

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 0}


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (ServeError when that is not possible)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as e:
        sock.close()
        raise ServeError(f"cannot listen on {host} port {port}: {e.strerror}; choose another "
                         "--port (0 takes a free one) or --host") from e
    sock.set_inheritable(True)
    return sock


class _Server(uvicorn.Server):
    """uvicorn's server that records the stop signal instead of raising it again."""

    stopped_by: int | None = None

    @contextmanager
    def capture_signals(self):
        previous = {s: signal.signal(s, self.handle_exit) for s in STOP_SIGNALS}
        try:
            yield
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)

    def handle_exit(self, sig, frame) -> None:
        self.stopped_by = self.stopped_by or sig
        super().handle_exit(sig, frame)


def run(app, sock: socket.socket) -> int:
    """Serve ``app`` on ``sock`` until SIGTERM or Ctrl-C; return the command's exit code."""
    server = _Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[sock])
    return EXIT_CODES.get(server.stopped_by, 0)
