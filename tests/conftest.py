"""Shared fixtures: a throw-away PostgreSQL database and a small scored study on SQLite."""

from __future__ import annotations

import copy
import math
import os
import shutil
import types
import uuid

import pytest

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


DEMO_SETTINGS = {
    "space": "stmixer", "sampler": "tpe", "budget": 12, "seed": 7, "rates": "init",
    "objectives": ["flops:max", "energy:min"], "constraints": {"max_params": 2.0e6},
}
DEMO_KEY = "rates=init,dataset=digits,batch=16,seed=0"


def _demo_arch(i: int):
    from autost.arch import ArchConfig, BlockConfig

    mixers = ("ssa", "stm", "conv")
    if i == 5:
        block = BlockConfig(token_mixer="emsa", channel_mixer="emsp", heads=4, token_experts=2,
                            channel_experts=4)
        return ArchConfig(blocks=(block, block), embed_dim=64, timesteps=2)
    blocks = tuple(BlockConfig(token_mixer=mixers[(i + b) % 3], heads=4) for b in range(1 + i % 3))
    return ArchConfig(blocks=blocks, embed_dim=64 + 32 * (i % 5), timesteps=1 + i % 4)


def build_scored_study(url: str, name: str = "demo"):
    """Write study ``name`` as the search does: ask, user attrs, set_constraint, tell.

    Twelve trials: trials 0-8 feasible and complete, 9 and 10 violate ``max_params`` while
    having the best flops and energy of all (so a leak into the front is visible), 11 failed
    with a ``fail_reason``. Returns (storage, info dict).
    """
    import optuna

    from autost.storage import open_storage

    storage = open_storage(url)
    study = optuna.create_study(study_name=name, storage=storage.optuna_storage(),
                                directions=["maximize", "minimize"])
    for key, value in DEMO_SETTINGS.items():
        study.set_user_attr(key, value)
    storage.record_run(name, "stmixer", DEMO_SETTINGS, seed=7)
    info = {"feasible": [], "infeasible": [], "failed": [], "values": {}, "arch_ids": {}}
    for i in range(12):
        cfg = _demo_arch(i)
        trial = study.ask()
        for key, value in (("arch_id", cfg.arch_id), ("settings_key", DEMO_KEY),
                           ("space", "stmixer")):
            trial.set_user_attr(key, value)
        info["arch_ids"][trial.number] = cfg.arch_id
        if i == 11:
            trial.set_user_attr("fail_reason", "BuildError: cannot build block 0")
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            info["failed"].append(trial.number)
            continue
        storage.add_candidate(cfg, "stmixer")
        flops = 1e6 * (i + 1) ** 1.5 * (9.0 if i in (9, 10) else 1.0)
        energy = 0.01 * ((i * 7) % 10 + 1) * (0.01 if i in (9, 10) else 1.0)
        params = 3.0e6 if i in (9, 10) else 1.0e5 * (i + 1)
        values = {"params": params, "flops": flops, "macs_total": flops, "sops": flops / 3,
                  "energy": energy, "sahd": float(i % 4), "naswot": -math.inf if i == 3 else i}
        layers = [{"name": f"blocks.{b}.attn", "macs_total": flops / cfg.depth,
                   "energy_mj": energy / cfg.depth} for b in range(cfg.depth)]
        storage.put_scores(cfg.arch_id, DEMO_KEY, types.SimpleNamespace(
            values=values, rate_source="init", layers=layers, flags=[]))
        trial.set_constraint("max_params", params - DEMO_SETTINGS["constraints"]["max_params"])
        study.tell(trial, [flops, energy])
        info["values"][trial.number] = values
        info["infeasible" if i in (9, 10) else "feasible"].append(trial.number)
    return storage, info


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
    """(storage, info) of study ``demo`` (see build_scored_study) on a private SQLite copy."""
    from autost.storage import open_storage

    template, info = _scored_template
    path = tmp_path / "scored.db"
    shutil.copyfile(template, path)
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
