"""The trial budget shared by every process that works on a study.

``--budget N`` counts COMPLETE trials of the study, whoever finished them. Each process asks
only while ``complete + its own running < N``, so a single coordinator never overshoots;
several processes can still finish more trials than needed, so the step "count COMPLETE,
then tell" runs under a lock held across processes (:func:`budget_lock`): a trial that would
make it N + 1 is told PRUNED (user attr ``over_budget``) instead.
"""

from __future__ import annotations

from autost.storage.lock import DatabaseLock


def budget_lock(engine, study_name: str) -> DatabaseLock:
    """The lock on one study's budget, shared by the processes on one database."""
    return DatabaseLock(engine, f"autost-budget:{study_name}")
