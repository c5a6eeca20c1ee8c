"""Ctrl-C (or SIGTERM) that stops a search only where stopping leaves the database consistent.

A KeyboardInterrupt inside Optuna's storage calls (ask, suggest, tell) can leave a trial
RUNNING that nobody fails, or Optuna's session inside a stale transaction so that the
final "fail what is still running" is refused with "database is locked" (CI saw both).
While the coordinator runs, Ctrl-C only sets a flag; it is raised inside ``allowed()``
blocks (scoring a candidate, waiting for the pool: where the time goes) and at
``check()``, which the loop calls between candidates. SIGTERM (``kill``, a scheduler or a
container stopping the job) is handled the same way, so its running trials are failed at
once instead of waiting for a heartbeat to expire.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# The handlers taken over: Python's own for SIGINT, the OS default (terminate) for SIGTERM.
_DEFAULT_HANDLERS = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL}


class DeferredInterrupt:
    """Entered in the main thread, holds Ctrl-C and SIGTERM back outside ``allowed()`` and
    raises KeyboardInterrupt for either; a signal with a custom handler (or ignored) keeps
    it, and in another thread nothing changes."""

    def __init__(self) -> None:
        self._allowed = False
        self._pending = False
        self._previous: dict[int, object] = {}

    def __enter__(self) -> DeferredInterrupt:
        if threading.current_thread() is threading.main_thread():
            for signum, default in _DEFAULT_HANDLERS.items():
                if signal.getsignal(signum) is default:
                    self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc) -> bool:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()
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


@contextmanager
def signals_interrupt() -> Iterator[None]:
    """Within the block (main thread), Ctrl-C and SIGTERM both raise KeyboardInterrupt at
    once, whatever handlers were installed before (Ray's driver turns SIGTERM into
    SystemExit); the previous handlers come back after. In another thread nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _raise_interrupt) for signum in _DEFAULT_HANDLERS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


class SearchInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped a search after its running trials were failed; says how far
    the study got and how to go on (a rerun of the same command resumes it)."""

    def __init__(self, study_name: str, complete: int, budget: int) -> None:
        super().__init__(study_name, complete, budget)
        self.study_name, self.complete, self.budget = study_name, complete, budget

    def __str__(self) -> str:
        return (f"Interrupted: {self.complete} of {self.budget} trials complete in study "
                f"{self.study_name!r}; run the same command again to resume")
