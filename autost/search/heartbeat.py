"""Heartbeats for ask/tell trials (Optuna beats only inside ``study.optimize``).

A search trial's first beat is written with its parameters (autost.storage.batched_writes);
from then on one thread beats every ``interval`` seconds for every trial this process has
running. Another process that finds a RUNNING trial whose beat is older than the grace
period fails it, and the storage's RetryHeartbeatStaleTrialCallback queues a copy (same
parameters) that the next ``study.ask`` picks up.
"""

from __future__ import annotations

import threading
import warnings


class Heartbeat:
    """Background beats, every interval, for the trial ids added until they are removed."""

    def __init__(self, rdb_storage, interval: float) -> None:
        self._storage = rdb_storage
        self._interval = interval
        self._running: set[int] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="autost-heartbeat", daemon=True)
        self._thread.start()

    def add(self, trial_id: int) -> None:
        with self._lock:
            self._running.add(trial_id)

    def remove(self, trial_id: int) -> None:
        with self._lock:
            self._running.discard(trial_id)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(timeout=self._interval):
            with self._lock:
                due = sorted(self._running)
            for trial_id in due:
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
