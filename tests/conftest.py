"""Shared fixtures: a throw-away PostgreSQL database and a small searched study on SQLite."""

from __future__ import annotations

import copy
import os
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from autost.exceptions import BuildError

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test connect_timeout=3"


def _pg_admin_connection():
    import psycopg

    return psycopg.connect(PG_ADMIN, autocommit=True)


@pytest.fixture
def postgres_url():
    """URL of a fresh database ``autost_test_<random>`` on the local server, dropped after.

    The server at 127.0.0.1:5432 (user postgres, trust auth) is shared with other tests, so
    every test gets its own database. Skips when no server is reachable; with CI=true that
    is a failure instead.
    """
    import psycopg

    try:
        admin = _pg_admin_connection()
    except psycopg.OperationalError as e:
        reason = f"no PostgreSQL server at 127.0.0.1:5432 ({str(e).strip().splitlines()[0]})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + "; CI=true requires it")
        pytest.skip(reason)
    name = f"autost_test_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with _pg_admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


DEMO_SPACE = Path(__file__).with_name("demo.toml")
# With this seed and ceiling the twelve COMPLETE trials are twelve architectures, one breaks
# max_params while it would be on the front, and one feasible trial is dominated.
DEMO_SEED = 2
DEMO_CEILING = 5.0e5  # max_params
DEMO_FAILING = 5  # the fifth architecture the search scores cannot be built


def _failing(score_architecture, nth: int):
    """``score_architecture`` whose ``nth`` call raises BuildError, as an unbuildable
    candidate does."""
    calls = []

    def score(cfg, proxies, settings):
        calls.append(cfg.arch_id)
        if len(calls) == nth:
            raise BuildError(f"cannot build {cfg.summary()}")
        return score_architecture(cfg, proxies, settings)
    return score


def build_scored_study(url: str):
    """Search the demo space (tests/demo.toml) into ``url`` as ``autost search`` does.

    Twelve COMPLETE trials under the cost-only objectives flops:max and energy:min (no
    forward pass, so the session's study takes seconds), rates prior,
    and a ``max_params`` ceiling, plus one FAIL trial: the candidate whose scoring raised
    BuildError, as the search fails one that cannot be built. Returns (storage, info);
    ``info`` is read back through Optuna's public API and the stored scores: trial numbers
    ``feasible``, ``infeasible`` (COMPLETE, breaking the ceiling), ``failed``, ``repeats``
    (COMPLETE trials of an architecture an earlier trial sampled: the reports count an
    architecture once, as its first trial), and per trial number ``arch_ids`` and
    ``values`` (the stored scores), and the scores' ``settings_key``.
    """
    import autost.proxies
    from autost.search import search
    from autost.storage import open_storage

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(autost.proxies, "score_architecture",
                      _failing(autost.proxies.score_architecture, DEMO_FAILING))
        search(str(DEMO_SPACE), budget=12, seed=DEMO_SEED, storage=url, progress=False,
               objectives=["flops:max", "energy:min"],
               constraints={"max_params": DEMO_CEILING})
    storage = open_storage(url)
    return storage, _facts(storage, "demo")


def _facts(storage, name: str) -> dict:
    import optuna

    study = optuna.load_study(study_name=name, storage=storage.optuna_storage())
    info = {"feasible": [], "infeasible": [], "failed": [], "repeats": [], "values": {},
            "arch_ids": {}}
    for trial in study.trials:
        arch_id = trial.user_attrs["arch_id"]
        info["settings_key"] = trial.user_attrs["settings_key"]
        if trial.state.name == "FAIL":
            info["arch_ids"][trial.number] = arch_id
            info["failed"].append(trial.number)
            continue
        info["values"][trial.number] = storage.get_scores(arch_id, info["settings_key"]).values
        if arch_id in info["arch_ids"].values():
            info["arch_ids"][trial.number] = arch_id
            info["repeats"].append(trial.number)
            continue
        info["arch_ids"][trial.number] = arch_id
        feasible = all(v <= 0 for v in trial.constraints.values())
        info["feasible" if feasible else "infeasible"].append(trial.number)
    return info


@pytest.fixture
def scored_study_builder():
    """:func:`build_scored_study`, for a test that needs the demo study on another URL."""
    return build_scored_study


@pytest.fixture(scope="session")
def _scored_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("scored") / "template.db"
    storage, info = build_scored_study(f"sqlite:///{path}")
    storage.close()
    return path, info


@pytest.fixture
def scored_study(_scored_template, tmp_path):
    """(storage, info) of study ``demo`` (see build_scored_study) on a private SQLite copy
    (the search runs once per session)."""
    from autost.storage import open_storage

    template, info = _scored_template
    path = tmp_path / "scored.db"
    with closing(sqlite3.connect(template)) as source, closing(sqlite3.connect(path)) as to:
        source.backup(to)  # also what is still in the template's write-ahead log
    storage = open_storage(f"sqlite:///{path}")
    yield storage, copy.deepcopy(info)
    storage.close()


@pytest.fixture(scope="session")
def brute_force():
    """The Pareto front by definition, O(n^2): indices of the points that no other point
    beats (>= on every objective and > on one; "max"/"min" per column)."""
    import numpy as np

    def front(points, directions) -> list[int]:
        p = np.asarray(points, dtype=float) * [-1.0 if d == "max" else 1.0 for d in directions]
        return [i for i in range(len(p)) if not any(
            np.all(p[j] <= p[i]) and np.any(p[j] < p[i]) for j in range(len(p)))]
    return front


@pytest.fixture(scope="session")
def front_of(brute_force):
    """``front_of(info, specs, numbers=feasible)``: the trial numbers among ``numbers`` of the
    demo study (``info`` of :func:`build_scored_study`) on the front over ``specs``
    ("name:max|min"), by :func:`brute_force` over the stored scores."""

    def front(info, specs, numbers=None) -> list[int]:
        numbers = info["feasible"] if numbers is None else numbers
        names, directions = zip(*(s.split(":") for s in specs), strict=True)
        points = [[info["values"][n][name] for name in names] for n in numbers]
        return [numbers[i] for i in brute_force(points, directions)]
    return front


def pytest_collection_modifyitems(items):
    """A test that starts Ray (the ``local_ray`` fixture) is ``slow``."""
    for item in items:
        if "local_ray" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def local_ray():
    """One local Ray for the whole test session (starting Ray costs seconds)."""
    import ray

    from autost.train.tuning import start_local_ray

    started = not ray.is_initialized()
    if started:
        start_local_ray(num_cpus=2)
    yield
    if started:
        ray.shutdown()
