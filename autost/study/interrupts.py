"""Ctrl-C that stops a search only where stopping leaves the database consistent.

A KeyboardInterrupt inside Optuna's storage calls (ask, suggest, tell) can leave a trial
RUNNING that nobody fails, or Optuna's session inside a stale transaction so that the
final "fail what is still running" is refused with "database is locked" (CI saw both).
While the coordinator runs, Ctrl-C only sets a flag; it is raised inside ``allowed()``
blocks (scoring a candidate, waiting for the pool: where the time goes) and at
``check()``, which the loop calls between candidates.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class DeferredInterrupt:
    """Entered in the main thread with Python's default SIGINT handler, holds Ctrl-C back
    outside ``allowed()``; elsewhere (another thread, a custom handler) it changes nothing."""

    def __init__(self) -> None:
        self._allowed = False
        self._pending = False
        self._previous = None

    def __enter__(self) -> DeferredInterrupt:
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc) -> bool:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None
        return False

    def _handle(self, signum, frame) -> None:
        if self._allowed:
            raise KeyboardInterrupt
        self._pending = True

    def check(self) -> None:
        """Raise KeyboardInterrupt if Ctrl-C came while it was held back."""
        if self._pending:
            self._pending = False
            raise KeyboardInterrupt

    @contextmanager
    def allowed(self) -> Iterator[None]:
        """A block that Ctrl-C may stop at any point."""
        self.check()
        self._allowed = True
        try:
            yield
        finally:
            self._allowed = False
