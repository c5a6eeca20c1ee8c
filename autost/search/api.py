"""``search`` starts or resumes a study; ``run_worker`` joins one from any machine.

Both run the same coordinator loop (autost.search.coordinator) until the study holds
``budget`` COMPLETE trials, counting those of earlier runs and of other workers, and return
a SearchResult. The study stays a plain Optuna study: ``optuna best-trials --study-name NAME
--storage URL`` and optuna-dashboard open it as is.
"""

from __future__ import annotations

import random
import time
import warnings
from dataclasses import asdict, dataclass, field

from autost.proxies.builtin import builtin_names
from autost.search.coordinator import Coordinator
from autost.search.front import front_trials
from autost.search.interrupts import SearchInterrupted
from autost.search.join import stored_plan, wait_for_plan
from autost.search.objectives import chosen_objectives
from autost.search.plan import RUN_ATTRS, SearchPlan, make_plan, reconcile
from autost.search.samplers import create_sampler
from autost.search.study_names import check_study_name
from autost.storage.optuna_tables import ARCH_ID_ATTR, write_study_attrs

HEARTBEAT_INTERVAL_S = 10
DEFAULT_WORKERS = 1
DEFAULT_WAIT_S = 60


@dataclass(frozen=True)
class BestTrial:
    """One trial of the Pareto front (feasible trials only, when there are ceilings); an
    architecture found by several trials appears once."""

    number: int
    arch_id: str
    summary: str
    values: dict[str, float]
    params: float | None


@dataclass(frozen=True)
class SearchResult:
    """The study after this run; counts under ``run`` are this process's own: ``told`` =
    ``complete + over_budget + failed``, and ``complete + over_budget`` = ``scored + cached
    + waited`` (see autost.search.coordinator.RunStats)."""

    study_name: str
    storage: str
    space: str
    objectives: list[str]
    sampler: str
    seed: int
    budget: int
    complete: int
    wall_s: float
    run: dict
    best: list[BestTrial]
    predictor: dict | None = None  # name, proxies, cross-validated tau of ``predicted``
    notes: list[str] = field(default_factory=list)  # said on stderr: predictor, warnings

    def to_dict(self) -> dict:
        return asdict(self)


def search(space, *, budget: int, objectives=None, constraints: dict | None = None,
           sampler: str | None = None, seed: int | None = None, study_name: str | None = None,
           storage: str | None = None, workers: int = DEFAULT_WORKERS, rates: str | None = None,
           progress: bool = True, heartbeat_interval: int | None = HEARTBEAT_INTERVAL_S,
           grace_period: int | None = None, dataset: str | None = None,
           data_dir: str | None = None, predictor: str | None = None,
           energy_model: str | None = None, scoring=None) -> SearchResult:
    """Search ``space`` (name, TOML path or SearchSpace) until the study has ``budget``
    COMPLETE trials.

    ``objectives``: specs like ``["flops:max", "energy:min"]``; given neither objectives nor
    ``predictor``, DEFAULT_OBJECTIVES: the accuracy the built-in predictor predicts against
    the energy it costs (see :func:`autost.search.objectives.chosen_objectives`).
    ``constraints``: ceilings ``{"max_params": "12M", "max_macs": "2G", "max_energy_mj":
    1.5}`` on top of the space's.
    ``sampler``: tpe (default), nsga2, nsga3, random, qmc, gp or grid. ``seed``: None draws
    one and records it. ``storage``: a SQLAlchemy URL, default ``sqlite:///autost.db``.
    ``workers``: local processes that score candidates. ``rates``: ``prior`` (per-layer
    literature priors, default: no forward pass) or ``init`` (measured on a calibration batch
    at initialization; seconds per candidate, so use ``workers``). ``dataset``, ``data_dir``:
    the calibration images of the data-dependent proxies (default digits). ``predictor``:
    the name of a built-in predictor or of one fitted by ``autost calibrate``, for the
    objective ``predicted`` (an objective ``a+b+c`` ranks by the proxies' sum of log
    ranks). ``energy_model``: what the proxy energy counts, ``compute`` (default) or
    ``memory`` (autost.cost.memory). ``heartbeat_interval``,
    ``grace_period`` (s, default twice the interval): a trial whose process stopped beating
    that long is failed and retried by the next process that asks.
    A rerun with the same study resumes it; options left None take the study's values.
    With ``workers > 1`` the pool starts fresh processes (forkserver), so a script must call
    this under ``if __name__ == "__main__":``. ``scoring``: with one worker, a
    :class:`~autost.search.scoring_process.ScoringProcess` to score in (the caller ends it;
    ``autost search`` forks one before its imports, so that torch loads meanwhile); None
    scores in this process.
    """
    from autost.space import load_space
    from autost.storage import open_storage

    started = time.perf_counter()
    space_obj = load_space(space) if isinstance(space, str) else space
    # Every option is checked before a database is made: a bad one leaves no file behind. A
    # calibrated predictor lives in a database, which must exist already.
    db = None
    if predictor is not None and predictor not in builtin_names():
        db = open_storage(storage, create=False)
    chosen, fitted, note = chosen_objectives(space_obj, objectives, predictor, db)
    asked = make_plan(space_obj, budget=budget, objectives=chosen, constraints=constraints,
                      sampler=sampler, seed=seed, rates=rates,
                      space_arg=space if isinstance(space, str) else space_obj.source,
                      dataset=dataset, data_dir=data_dir, predictor=fitted,
                      energy_model=energy_model)
    _check_dataset(asked.score_settings)
    name = check_study_name(study_name or space_obj.name)
    db = db or open_storage(storage)
    rdb = db.optuna_storage(heartbeat_interval, grace_period)
    stored = stored_plan(rdb, name)
    if stored is None:
        plan = asked
    else:
        given = {k for k, v in (("objectives", objectives), ("constraints", constraints),
                                ("sampler", sampler), ("seed", seed), ("rates", rates),
                                ("predictor", predictor), ("energy_model", energy_model))
                 if v is not None}
        plan = reconcile(stored, asked, given)
    study = _open_study(rdb, name, plan, space_obj, parallel=workers > 1)
    db.record_run(name, plan.space, plan.user_attrs(), plan.seed)
    coordinator = Coordinator(study, space_obj, plan, db, rdb, workers=workers,
                              progress=progress, scoring=scoring)
    if note is not None and stored is None:
        coordinator.note(note)
    stats = _run(coordinator, study, plan.budget)
    return _result(db, study, plan, stats, time.perf_counter() - started, coordinator.notes)


def _check_dataset(score_settings: dict) -> None:
    """Read the calibration dataset a plan names once, before the database exists: a
    missing or corrupt one is one error instead of one failed trial per candidate."""
    from autost.data import ensure_dataset

    if "dataset" in score_settings:
        ensure_dataset(score_settings["dataset"], score_settings.get("data_dir"))


def run_worker(study_name: str, *, storage: str | None = None, workers: int = DEFAULT_WORKERS,
               seed: int | None = None, progress: bool = True,
               heartbeat_interval: int | None = HEARTBEAT_INTERVAL_S,
               grace_period: int | None = None,
               wait_s: float = DEFAULT_WAIT_S, scoring=None) -> SearchResult:
    """Join the study ``study_name`` made by :func:`search` and work until its budget is met.

    The space, objectives, ceilings, sampler and budget come from the study's user attrs.
    The sampler's seed is the study's mixed with ``seed`` (None: a random one), so workers
    that start together do not propose the same candidates. A study that does not exist yet
    is waited for up to ``wait_s`` seconds (the search that makes it may start later).
    ``scoring`` as for :func:`search`.
    """
    from autost.storage import open_storage

    started = time.perf_counter()
    db = open_storage(storage, create=False)
    rdb = db.optuna_storage(heartbeat_interval, grace_period)
    plan = wait_for_plan(rdb, study_name, db.masked_url, wait_s)
    space_obj = plan.load_space()
    salt = random.SystemRandom().randrange(2**31) if seed is None else seed
    sampler = create_sampler(plan.sampler, seed=(plan.seed * 1_000_003 + salt) % 2**31,
                             space=space_obj, parallel=True)
    study = _load(rdb, study_name, sampler)
    db.record_run(study_name, plan.space, plan.user_attrs() | {"worker": True}, plan.seed)
    coordinator = Coordinator(study, space_obj, plan, db, rdb, workers=workers,
                              progress=progress, scoring=scoring)
    stats = _run(coordinator, study, plan.budget)
    return _result(db, study, plan, stats, time.perf_counter() - started, coordinator.notes)


def _run(coordinator: Coordinator, study, budget: int):
    """The coordinator's run; an interruption (its running trials failed by then) becomes
    :class:`SearchInterrupted`, which counts what the study holds."""
    try:
        return coordinator.run()
    except KeyboardInterrupt as e:
        raise SearchInterrupted(study.study_name, len(_complete(study)), budget) from e


def _complete(study) -> list:
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def _load(rdb, name: str, sampler):
    import optuna

    return optuna.load_study(study_name=name, storage=rdb, sampler=sampler)


def _open_study(rdb, name: str, plan: SearchPlan, space, parallel: bool):
    """Create the study with the plan in its user attrs, or load it and record the budget,
    sampler and seed of this run."""
    import optuna

    sampler = create_sampler(plan.sampler, seed=plan.seed, space=space, parallel=parallel)
    try:
        study = optuna.create_study(study_name=name, storage=rdb, sampler=sampler,
                                    directions=plan.directions)
    except optuna.exceptions.DuplicatedStudyError:
        study = _load(rdb, name, sampler)
        attrs = plan.user_attrs()
        write_study_attrs(rdb, name, {k: attrs[k] for k in RUN_ATTRS
                                      if study.user_attrs.get(k) != attrs[k]})
        return study
    with warnings.catch_warnings():  # metric names are "experimental" since Optuna 3.2
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study.set_metric_names([o.name for o in plan.objectives])
    write_study_attrs(rdb, name, plan.user_attrs())
    return study


def _result(db, study, plan: SearchPlan, stats, wall_s: float, notes: list[str]
            ) -> SearchResult:
    complete = _complete(study)
    best = front_trials(complete, [o.direction for o in plan.objectives])
    key = plan.settings_key()
    ids = [t.user_attrs.get(ARCH_ID_ATTR) for t in best]
    archs = db.get_candidates([i for i in ids if i])
    scores = db.score_values_for((i, key) for i in ids if i)  # no per-layer rows
    rows = []
    for trial, arch_id in zip(best, ids, strict=True):
        stored, _ = scores.get((arch_id, key), ({}, None))
        rows.append(BestTrial(
            number=trial.number, arch_id=arch_id or "",
            summary=archs[arch_id].summary() if arch_id in archs else "",
            values={o.name: v for o, v in zip(plan.objectives, trial.values, strict=True)},
            params=stored.get("params"),
        ))
    run = {"told": stats.complete + stats.over_budget + stats.failed}
    run.update((k, v) for k, v in asdict(stats).items() if k != "failures_in_a_row")
    return SearchResult(
        study_name=study.study_name, storage=db.masked_url, space=plan.space,
        objectives=[o.spec for o in plan.objectives], sampler=plan.sampler, seed=plan.seed,
        budget=plan.budget, complete=len(complete), wall_s=round(wall_s, 3), run=run,
        best=rows, predictor=plan.predictor, notes=list(notes),
    )

