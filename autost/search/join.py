"""Find the plan of a study to join, waiting for the study while the search that makes it
starts.

Processes started together (``autost search ... & autost worker ... &``, or one per machine
by a scheduler) reach the database in any order, so a worker that finds no study yet waits
for it, up to ``wait_s`` seconds, with one line on stderr. The search writes the study's
settings in one transaction right after creating it (autost.storage.optuna_tables), so a study
without user attrs is one being created: the worker waits for those too.
"""

from __future__ import annotations

import sys
import time

from autost.exceptions import StudyNotFoundError
from autost.search.plan import SearchPlan

POLL_S = 0.5


def stored_plan(rdb, name: str) -> SearchPlan | None:
    """The plan stored in study ``name``, None when there is no such study."""
    try:
        study_id = rdb.get_study_id_from_name(name)
    except KeyError:
        return None
    return SearchPlan.from_user_attrs(rdb.get_study_user_attrs(study_id))


def wait_for_plan(rdb, name: str, masked_url: str, wait_s: float) -> SearchPlan:
    """The plan of study ``name``, waiting up to ``wait_s`` s for the study and its settings.

    Raises StudyNotFoundError when the study is still missing after that, and
    SearchConfigError (from SearchPlan) for a study that was not made by ``autost search``.
    """
    deadline = time.monotonic() + wait_s
    told = False
    while True:
        ready = _being_created(rdb, name) is False
        if ready or time.monotonic() >= deadline:
            break
        if not told:
            print(f"waiting up to {wait_s:g} s for study {name!r} to appear in {masked_url} "
                  "(started by `autost search`)", file=sys.stderr, flush=True)
            told = True
        time.sleep(min(POLL_S, max(0.0, deadline - time.monotonic())))
    plan = stored_plan(rdb, name)
    if plan is None:
        waited = f" after waiting {wait_s:g} s" if wait_s > 0 else ""
        raise StudyNotFoundError(
            f"no study {name!r} in {masked_url}{waited}; start it with `autost search --study "
            f"{name} --storage URL ...` first, then join it with workers (--wait sets how "
            "long a worker waits for it)"
        )
    return plan


def _being_created(rdb, name: str) -> bool | None:
    """None: no study yet; True: the study exists without settings yet; False: it is ready."""
    try:
        study_id = rdb.get_study_id_from_name(name)
    except KeyError:
        return None
    return not rdb.get_study_user_attrs(study_id)
