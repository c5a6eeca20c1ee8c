"""A one-worker search's scoring, done by a process forked as the search starts.

Scoring needs PyTorch (the cost pass runs on its meta device), and importing it takes 1.0-1.7
s on two cores: more than half of a cost-only search's start, and a third of a resumed
10,000-trial study's (``benchmarks/study_scale.py``). The search itself needs no torch until
its first new architecture. So :class:`ScoringProcess` forks before the search imports
Optuna and reads its study: the child imports the scoring stack on the other core meanwhile,
then scores the candidates it is sent, one at a time, and answers with an
:class:`~autost.search.scorer.Outcome` (numbers only; it never touches the database). The
search writes the candidate's rows while the child scores it.

It is worth forking only where torch is not imported yet (a process that has it, a test
session say, scores inline: the same function, so the same outcomes), on Linux, and where
no other thread runs (:func:`autost.lifeline.can_fork`). The child leaves Ctrl-C to the
parent and ends when the parent closes its end of the pipe or dies, even by ``kill -9``
(:func:`autost.lifeline.exit_with`), so it cannot outlive the search.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from autost.lifeline import can_fork, exit_with

JOIN_TIMEOUT_S = 0.2  # a child that has scored and waits ends at once when the pipe closes


def worth_forking(workers: int) -> bool:
    """Whether a search with ``workers`` local workers should score in a forked process: one
    worker (a pool has processes of its own), torch not imported here, forking safe."""
    return workers <= 1 and "torch" not in sys.modules and can_fork()


@contextmanager
def forked_scoring(workers: int) -> Iterator[ScoringProcess | None]:
    """A ScoringProcess for a search of ``workers`` local workers where
    :func:`worth_forking`, else None; ended when the block ends, however it ends."""
    process = ScoringProcess() if worth_forking(workers) else None
    try:
        yield process
    finally:
        if process is not None:
            process.close()


class ScoringProcess:
    """The forked child and this process's end of the pipe to it."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._connection, theirs = context.Pipe()
        self._unanswered = False  # a candidate was sent and its answer not received yet
        self._asked = False  # a candidate was ever sent (the child is past its imports)
        self._child = context.Process(target=_score_when_asked,
                                      args=(theirs, self._connection, os.getpid()),
                                      name="autost-scoring", daemon=True)
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)  # born ignoring Ctrl-C
        try:
            self._child.start()
        finally:
            signal.signal(signal.SIGINT, interrupt)
        theirs.close()

    @property
    def pid(self) -> int:
        return self._child.pid

    def send(self, arch_json: str, proxies: tuple[str, ...], settings) -> bool:
        """Ask the child to score one candidate (see :func:`score_candidate`); False when
        the child is gone (the caller then scores inline). Its answer is :meth:`receive`'s;
        the answer to an earlier candidate nobody received is dropped first, so it cannot be
        read as this one's."""
        if self._unanswered and self.receive() is None:
            return False
        try:
            self._connection.send((arch_json, proxies, settings))
        except OSError:
            self.close()
            return False
        self._unanswered = self._asked = True
        return True

    def receive(self):
        """The child's Outcome for the candidate sent last, or None when the child died
        meanwhile. An interruption while waiting ends the child: its answer would be read
        as the next candidate's."""
        self._unanswered = False
        try:
            return self._connection.recv()
        except (EOFError, OSError):
            self.close()
            return None
        except BaseException:
            self.close()
            raise

    @property
    def alive(self) -> bool:
        return not self._connection.closed

    def close(self) -> None:
        """End the child: one that has scored sees the end of the pipe as it waits for the
        next candidate; one still scoring after JOIN_TIMEOUT_S, or never asked (maybe still
        importing torch: a resumed search whose candidates were all scored before), is
        killed at once. It holds nothing that needs saving."""
        if not self._connection.closed:
            self._connection.close()
        if self._asked:
            self._child.join(JOIN_TIMEOUT_S)
        if self._child.is_alive():
            self._child.kill()
            self._child.join()


def _score_when_asked(connection, parents_end, parent: int) -> None:
    """The child: import the scoring stack now, then score each candidate it is sent."""
    parents_end.close()  # so the parent's exit, however it happens, ends the wait below
    exit_with(parent)  # a parent killed while this scores a long candidate
    from autost.proxies import evaluate  # noqa: F401 - torch and the cost pass, imported now
    from autost.search.scorer import score_candidate

    while True:
        try:
            arch_json, proxies, settings = connection.recv()
        except EOFError:
            return
        try:
            connection.send(score_candidate(arch_json, proxies, settings))
        except OSError:  # the parent stopped listening (an interrupt): nothing to answer
            return
