"""Scoring candidates, in the coordinator, in one forked process or in a local process pool.

Pool processes receive an architecture as JSON and return numbers only (an Outcome); the
coordinator alone writes to the database. A candidate that cannot be built or scored comes
back as an Outcome with ``error`` set, never as an exception, so one bad candidate cannot
stop a search.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outcome:
    """Scores of one candidate (ScoreResult-like, as put_scores takes it) or why it failed."""

    values: dict[str, float] = field(default_factory=dict)
    rate_source: str = ""
    layers: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    error: str | None = None


def score_candidate(arch_json: str, proxies: tuple[str, ...], settings) -> Outcome:
    """Score one architecture; any failure becomes ``Outcome(error=...)``."""
    from autost.arch import ArchConfig
    from autost.proxies import score_architecture

    try:
        result = score_architecture(ArchConfig.from_json(arch_json), proxies, settings)
    except Exception as e:  # noqa: BLE001 - the reason is stored on the trial instead
        return Outcome(error=f"{type(e).__name__}: {e}")
    values = {k: float(v) for k, v in result.values.items()}
    reason = unusable(values, proxies)
    if reason is not None:
        return Outcome(error=reason)
    return Outcome(values, result.rate_source, list(result.layers), list(result.flags))


def unusable(values: dict[str, float], proxies) -> str | None:
    """Why ``values`` cannot be told as the scores of ``proxies`` (one is missing or NaN),
    or None when they can."""
    missing = [p for p in proxies if p not in values]
    if missing:
        return f"scores missing: {', '.join(missing)}"
    bad = sorted(p for p in proxies if math.isnan(values[p]))
    return f"score {', '.join(bad)} is NaN" if bad else None


def _init_worker(coordinator_pid: int) -> None:
    import torch

    from autost.lifeline import exit_with

    torch.set_num_threads(1)  # one core per pool process; the pool is the parallelism
    exit_with(coordinator_pid)  # no orphans when the coordinator is killed


class Scorer:
    """Runs score_candidate for one worker (in ``process``, a forked
    :class:`~autost.search.scoring_process.ScoringProcess`, while it lives; else inline) or
    in a pool of ``workers`` processes."""

    def __init__(self, settings, workers: int, process=None) -> None:
        self.settings = settings
        self.workers = workers
        self._process = process
        self._pool = None

    def submit(self, arch_json: str, proxies: tuple[str, ...]) -> Future:
        """Score ``proxies`` of one architecture: in the forked process, which starts now,
        or inline, both when the future's result is first asked for (the search writes the
        candidate's rows in between); or in the pool."""
        if self.workers <= 1:
            sent = self._process is not None and self._process.alive and \
                self._process.send(arch_json, proxies, self.settings)
            return _Later(self._process.receive if sent else None,
                          (arch_json, proxies, self.settings))
        if self._pool is None:
            method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() \
                else "spawn"
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context(method),
                initializer=_init_worker, initargs=(os.getpid(),))
        future = self._pool.submit(score_candidate, arch_json, proxies, self.settings)
        future.pool = self._pool
        return future

    def outcome(self, future: Future) -> Outcome:
        """The future's Outcome; a pool process that died fails its candidate, and the pool
        is rebuilt for the next ones."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            return future.result()
        except BrokenProcessPool as e:
            if getattr(future, "pool", None) is self._pool:
                self.close()
            return Outcome(error=f"scoring process died ({e}); candidate skipped")

    def close(self) -> None:
        if self._process is not None:
            self._process.close()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


class _Later(Future):
    """One worker's Outcome of a candidate, computed when its result is first asked for: the
    forked process's answer from ``receive``, or (no process, or it died before answering)
    the candidate scored inline. Never passed to ``concurrent.futures.wait``: it completes
    only when asked."""

    def __init__(self, receive, candidate: tuple) -> None:
        super().__init__()
        self._receive, self._candidate = receive, candidate

    def result(self, timeout=None) -> Outcome:
        if not self.done():
            outcome = self._receive() if self._receive is not None else None
            self.set_result(outcome if outcome is not None
                            else score_candidate(*self._candidate))
        return super().result(timeout)
