"""Heartbeats for ask/tell trials (Optuna beats only inside ``study.optimize``).

One thread beats for every trial this process has running: at once for a new trial (unless
its first beat goes with its parameters: autost.storage.batched_writes), then every
``interval`` seconds. Another process that finds a RUNNING trial whose beat is older
than the grace period fails it, and the storage's RetryHeartbeatStaleTrialCallback queues a
copy (same parameters) that the next ``study.ask`` picks up.
"""

from __future__ import annotations

import threading
import time
import warnings


class Heartbeat:
    """Background beats for the trial ids added until they are removed."""

    def __init__(self, rdb_storage, interval: float) -> None:
        self._storage = rdb_storage
        self._interval = interval
        self._running: set[int] = set()
        self._new: set[int] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="autost-heartbeat", daemon=True)
        self._thread.start()

    def add(self, trial_id: int, beat_now: bool = True) -> None:
        """Beat for ``trial_id`` from now on: at once, unless ``beat_now`` is False (its
        first beat is written otherwise: autost.storage.batched_writes), then every
        interval."""
        with self._lock:
            self._running.add(trial_id)
            if beat_now:
                self._new.add(trial_id)
        if beat_now:
            self._wake.set()

    def remove(self, trial_id: int) -> None:
        with self._lock:
            self._running.discard(trial_id)
            self._new.discard(trial_id)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        last_all = time.monotonic()
        while not self._stop.is_set():
            self._wake.wait(timeout=self._interval)
            self._wake.clear()
            now = time.monotonic()
            with self._lock:
                due = set(self._running) if now - last_all >= self._interval else set(self._new)
                self._new.clear()
            if now - last_all >= self._interval:
                last_all = now
            for trial_id in sorted(due):
                self._beat(trial_id)

    def _beat(self, trial_id: int) -> None:
        with self._lock:
            if trial_id not in self._running:
                return
        try:
            self._storage.record_heartbeat(trial_id)
        except Exception as e:  # a lost beat only delays failure detection; keep beating
            warnings.warn(f"heartbeat of trial id {trial_id} not recorded: {e}", stacklevel=1)


def fail_stale_trials(study) -> None:
    """Fail trials whose process stopped beating (and queue their retries)."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.fail_stale_trials(study)
