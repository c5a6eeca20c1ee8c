"""One job of ``autost serve``, run in its own process: ``python -m autost.service.runner ID``.

A search calls :func:`autost.search.search`; a training ranks the study's candidates with
:func:`autost.report.top_entries` and trains them with
:func:`autost.train.top_candidates.train_ranked`, as ``autost search`` and ``autost train``
do. The process prints its log to stdout (the server keeps the tail), writes the outcome
into the job's row and exits 0 when done, 1 on an error (the ``Error:`` line is the job's
error), 130 when SIGTERM stopped it. It never outlives the server: the kernel sends it
SIGTERM when its parent dies (a watchdog thread does it where that is not available).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

from autost.exceptions import AutostError
from autost.service.supervisor import PARENT_ENV, STORAGE_ENV
from autost.wording import counted

PR_SET_PDEATHSIG = 1
WATCH_S = 1.0


def die_with_parent(parent: int) -> None:
    """SIGTERM this process, once, when ``parent`` (the server) goes away.

    Once: a second SIGTERM while the search fails its running trials would end the process
    before they are marked failed. Linux's parent-death signal does it; elsewhere a
    watchdog thread polls the parent.
    """
    try:
        watched = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG,
                                                          signal.SIGTERM) != 0
    except (OSError, AttributeError):
        watched = True  # not Linux: the watchdog below stops the job
    if os.getppid() != parent:  # the server died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)
        return
    if not watched:
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_S)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def run_search(job, storage_url: str) -> dict:
    from autost.search import search
    from autost.search.scoring_process import forked_scoring
    from autost.service.submissions import SearchRequest, load_request_space

    params = job.params
    space = load_request_space(SearchRequest(**params))
    print(f"job {job.id}: search of space {space.name}, study {job.study_name}, budget "
          f"{params['budget']} (attempt {job.attempts})", flush=True)
    with forked_scoring(1) as scoring:  # torch loads while the study is read
        result = search(space if "space_toml" in params else params["space"],
                        budget=params["budget"], objectives=params.get("objectives"),
                        constraints=params.get("constraints"), sampler=params.get("sampler"),
                        seed=params.get("seed"), study_name=job.study_name,
                        storage=storage_url, rates=params.get("rates"), progress=False,
                        scoring=scoring)
    run = result.run
    print(f"study {result.study_name}: {result.complete}/{result.budget} complete; this "
          f"run: {run['complete']} told, {run['scored']} scored, {run['cached']} from cache, "
          f"{run['failed']} failed, {result.wall_s:.1f} s", flush=True)
    return result.to_dict()


def run_training(job, storage) -> dict:
    from autost.data.catalog import ensure_dataset
    from autost.report import load_entries, top_entries
    from autost.train.loop import TrainSettings
    from autost.train.top_candidates import train_ranked
    from autost.train.tuning import probe_address

    p = job.params
    ensure_dataset(p["dataset"])
    if p.get("ray_address"):
        probe_address(p["ray_address"])
    settings = TrainSettings(dataset=p["dataset"], epochs=p["epochs"],
                             batch_size=p["batch_size"], seed=p["seed"],
                             max_batches=p.get("max_batches"))
    print(f"job {job.id}: training the top {p['top']} of study {job.study_name} for "
          f"{counted(p['epochs'], 'epoch')} on {p['dataset']}", flush=True)

    def progress(outcome):
        result = (f"failed: {outcome.error}" if outcome.error
                  else f"{outcome.accuracy:.1f} % after "
                       f"{counted(len(outcome.history), 'epoch')}")
        print(f"trial {outcome.job.trial_number}: {result}", flush=True)

    ranking, best = top_entries(load_entries(storage, job.study_name), p.get("by"), p["top"])
    rows = train_ranked(storage, job.study_name, ranking, best, settings=settings,
                        address=p.get("ray_address"), on_outcome=progress)
    return {"objective": ranking.spec, "trainings": [
        {"trial": r.trial, "arch_id": r.outcome.job.arch.arch_id, "score": r.score,
         "status": r.outcome.status, "accuracy": r.outcome.accuracy,
         "trained_energy_mj": r.outcome.energy_mj, "error": r.outcome.error}
        for r in rows]}


def main(argv: list[str]) -> int:
    from autost.storage import open_storage
    from autost.storage.jobs import get_job, update_job
    from autost.tables import jsonable

    die_with_parent(int(os.environ[PARENT_ENV]))
    job_id = int(argv[0])
    storage = open_storage(os.environ[STORAGE_ENV])
    job = get_job(storage.engine, job_id)
    if job.kind == "training":  # a search turns SIGTERM into a clean stop by itself
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        if job.kind == "search":
            result = run_search(job, os.environ[STORAGE_ENV])
        else:
            result = run_training(job, storage)
    except AutostError as e:
        print(f"Error: {e}", flush=True)
        update_job(storage.engine, job_id, error=str(e))
        return 1
    except Exception as e:  # noqa: BLE001 - one line in the job's log, never a traceback
        message = f"unexpected {type(e).__name__}: {e}"
        print(f"Error: {message}", flush=True)
        update_job(storage.engine, job_id, error=message)
        return 1
    except KeyboardInterrupt:
        print("stopped by SIGTERM; results written so far stay in the database", flush=True)
        return 130
    update_job(storage.engine, job_id, result=jsonable(result), error=None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
