"""What autost writes in Optuna's tables reads back through Optuna's public API, and no module
but the adapters (autost.storage.optuna_tables, .frozen_trials and .batched_writes for the
storage, autost.search.tpe for the sampler) names those tables or Optuna's private parts."""

import ast
from pathlib import Path

import optuna
import pytest

import autost.proxies
from autost.exceptions import BuildError
from autost.search import search
from autost.search.plan import SearchPlan
from autost.storage import open_storage
from autost.storage import optuna_tables as ot

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "search" / "tiny.toml"  # four architectures: D64/D128 x ssa/stm
COST = ["params:min", "flops:max"]
CEILING = 300_000.0  # the two D128 architectures break it, the two D64 ones do not


def _unbuildable_d128_stm(real):
    def score(cfg, proxies, settings):
        if cfg.embed_dim == 128 and cfg.blocks[0].token_mixer == "stm":
            raise BuildError(f"cannot build {cfg.summary()}")
        return real(cfg, proxies, settings)
    return score


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """A grid search of the tiny space: one candidate fails, one breaks the ceiling."""
    url = f"sqlite:///{tmp_path_factory.mktemp('tables') / 's.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(autost.proxies, "score_architecture",
                      _unbuildable_d128_stm(autost.proxies.score_architecture))
        search(str(TINY), budget=4, objectives=COST, constraints={"max_params": CEILING},
               sampler="grid", seed=5, storage=url, progress=False)
    return url


def test_the_search_writes_the_plan_into_the_study(searched):
    study = optuna.load_study(study_name="tiny", storage=searched)
    assert study.user_attrs == {
        ot.SPACE_ATTR: "tiny", ot.SPACE_SOURCE_ATTR: str(TINY), ot.OBJECTIVES_ATTR: COST,
        ot.CONSTRAINTS_ATTR: {"max_params": CEILING}, ot.SAMPLER_ATTR: "grid",
        ot.SEED_ATTR: 5, ot.RATES_ATTR: "prior", ot.BUDGET_ATTR: 4,
        ot.SCORE_SETTINGS_ATTR: {"rates": "prior"}, ot.SPACE_TEXT_ATTR: TINY.read_text()}


def test_every_trial_attr_and_constraint_reads_back(searched):
    study = optuna.load_study(study_name="tiny", storage=searched)
    key = SearchPlan.from_user_attrs(study.user_attrs).settings_key()
    storage = open_storage(searched)
    states = {}
    for trial in study.trials:
        states[trial.state.name] = states.get(trial.state.name, 0) + 1
        arch_id = trial.user_attrs[ot.ARCH_ID_ATTR]
        arch = storage.get_candidate(arch_id)
        common = {ot.ARCH_ID_ATTR: arch_id, ot.SETTINGS_KEY_ATTR: key, ot.SPACE_ATTR: "tiny"}
        if trial.state.name == "FAIL":
            assert trial.user_attrs == common | {
                ot.FAIL_REASON_ATTR: f"BuildError: cannot build {arch.summary()}"}
            assert trial.constraints == {}
            continue
        assert trial.user_attrs == common
        params = storage.get_scores(arch_id, key).values["params"]
        assert trial.constraints == {"max_params": pytest.approx((params - CEILING) / CEILING)}
        assert (trial.constraints["max_params"] > 0) == (arch.embed_dim == 128)
    assert states == {"COMPLETE": 3, "FAIL": 1}
    storage.close()


def test_counts_agree_with_optuna(searched):
    storage = open_storage(searched)
    rdb = storage.optuna_storage()
    study = optuna.load_study(study_name="tiny", storage=rdb)
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    assert ot.count_complete(storage.engine, rdb.get_study_id_from_name("tiny")) \
        == len(complete) == 3
    with storage.engine.connect() as connection:
        trials, finished, last = ot.trial_counts(connection, "tiny")
        assert ot.trial_counts(connection, "absent") == (0, 0, None)
    assert (trials, finished) == (4, 4) and last is not None
    storage.close()


def test_a_rerun_records_its_budget_and_seed(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    search(str(TINY), budget=2, objectives=COST, sampler="grid", seed=5, storage=url,
           progress=False)
    search(str(TINY), budget=3, sampler="grid", seed=6, storage=url, progress=False)
    attrs = optuna.load_study(study_name="tiny", storage=url).user_attrs
    assert (attrs[ot.BUDGET_ATTR], attrs[ot.SEED_ATTR], attrs[ot.SAMPLER_ATTR]) == (3, 6, "grid")


def test_an_attr_of_a_finished_trial_is_written_and_overwritten(tmp_path):
    storage = open_storage(f"sqlite:///{tmp_path / 'f.db'}")
    study = optuna.create_study(study_name="f", storage=storage.optuna_storage())
    for value in (1.0, 2.0, 3.0):
        study.tell(study.ask(), value)
    ot.write_finished_trial_attr(storage, "f", 1, ot.ACCURACY_ATTR, 81.5)
    ot.write_finished_trial_attr(storage, "f", 1, ot.ACCURACY_ATTR, 82.5)
    trials = optuna.load_study(study_name="f", storage=storage.optuna_storage()).trials
    assert [t.user_attrs for t in trials] == [{}, {ot.ACCURACY_ATTR: 82.5}, {}]
    storage.close()


def test_optunas_connections_skip_the_fsync_per_commit(tmp_path):
    storage = open_storage(f"sqlite:///{tmp_path / 'p.db'}")
    for rdb in (storage.optuna_storage(), storage.optuna_storage(heartbeat_interval=5)):
        with rdb.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    storage.close()


# -- nobody else names Optuna's tables or private parts --------------------------------------

OPTUNA_TABLES = {"studies", "study_directions", "study_user_attributes",
                 "study_system_attributes", "trials", "trial_user_attributes",
                 "trial_system_attributes", "trial_params", "trial_values",
                 "trial_intermediate_values", "trial_heartbeats", "version_info"}
PRIVATE_ATTRS = {"_trial_id", "_study_id", "_storage", "_cached_frozen_trial", "_backend"}
TABLE_CALLS = {"table", "Table", "has_table", "text", "exec_driver_sql"}


def optuna_internals(source: str) -> list[str]:
    """(line: what) for each reference of ``source`` to Optuna's tables or private parts:
    a table named in ``sa.table``/``has_table``/SQL text, a private module imported, a
    private attribute read."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr in PRIVATE_ATTRS \
                and ast.unparse(node.value) != "self":  # autost's own privates may share names
            found.append(f"{node.lineno}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                parts = name.split(".")
                if parts[0] == "optuna" and any(p.startswith("_") for p in parts):
                    found.append(f"{node.lineno}: import {name}")
        elif isinstance(node, ast.Call) and node.args:
            func = node.func.attr if isinstance(node.func, ast.Attribute) else \
                getattr(node.func, "id", "")
            first = node.args[0]
            if func in TABLE_CALLS and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str):
                words = set(first.value.replace(",", " ").split())
                found += [f"{node.lineno}: table {t}" for t in sorted(words & OPTUNA_TABLES)]
    return found


def test_no_module_but_the_adapters_touch_optunas_internals():
    adapter = [*(ROOT / "autost" / "storage" / name
                 for name in ("optuna_tables.py", "frozen_trials.py", "batched_writes.py")),
               ROOT / "autost" / "search" / "tpe.py"]
    sources = sorted([*(ROOT / "autost").rglob("*.py"), *(ROOT / "cli").rglob("*.py")])
    found = [f"{p.relative_to(ROOT)}:{line}" for p in sources if p not in adapter
             for line in optuna_internals(p.read_text())]
    assert found == []
    for module in adapter:  # the check does see what the adapter does
        assert optuna_internals(module.read_text())


@pytest.mark.parametrize(("source", "expected"), [
    ("t = sa.table('trial_user_attributes', sa.column('key'))\n",
     ["1: table trial_user_attributes"]),
    ("c.execute(sa.text('SELECT count(*) FROM trials WHERE state = 1'))\n", ["1: table trials"]),
    ("from optuna.storages._rdb.models import TrialModel\n",
     ["1: import optuna.storages._rdb.models"]),
    ("ids = {t.number: t._trial_id for t in trials}\n", ["1: ._trial_id"]),
    ("study._storage.set_trial_user_attr(1, 'a', 2)\nself._storage = rdb\n", ["1: ._storage"]),
    ("rows = [('trials', 3)]\nsa.table('autost_runs')\nimport optuna.storages\n", []),
])
def test_the_check_sees_each_kind_of_reference(source, expected):
    assert optuna_internals(source) == expected


def _as_optuna_reads_it(trial) -> tuple:
    return (trial.number, trial.state.name, trial.values,
            {k: v for k, v in trial.user_attrs.items() if k in ot.READ_TRIAL_ATTRS},
            list(trial.constraints.items()))


def _as_read(record) -> tuple:
    return (record.number, record.state, record.values, record.user_attrs,
            list(record.constraints.items()))


def test_a_study_reads_back_as_optuna_reads_it(searched):
    storage = open_storage(searched)
    study = optuna.load_study(study_name="tiny", storage=storage.optuna_storage())
    with storage.engine.connect() as connection:
        record = ot.read_study(connection, "tiny")
        assert ot.read_study(connection, "absent") is None
        assert ot.study_names(connection) == ["tiny"]
        trials = ot.read_trials(connection, record.study_id)
    assert (record.name, record.user_attrs, record.metric_names) == (
        "tiny", study.user_attrs, study.metric_names)
    assert record.directions == [d.name for d in study.directions]
    assert [_as_read(t) for t in trials] == [_as_optuna_reads_it(t) for t in study.trials]
    assert {t.state for t in trials} == {"COMPLETE", "FAIL"}
    storage.close()


def test_infinite_values_old_constraints_and_running_trials_read_as_optuna_reads_them(
        tmp_path):
    storage = open_storage(f"sqlite:///{tmp_path / 'i.db'}")
    study = optuna.create_study(study_name="i", storage=storage.optuna_storage(),
                                directions=["maximize", "minimize"])
    old = optuna.trial.create_trial(values=[float("inf"), float("-inf")],
                                    system_attrs={"constraints": [1.5, -2.0]},
                                    user_attrs={"arch_id": "a", "other": 3})
    old.system_attrs["constraints:0"] = -7.0  # a named one overwrites the old list's
    study.add_trial(old)
    study.ask().set_user_attr("space", "s")  # RUNNING, no values
    with storage.engine.connect() as connection:
        record = ot.read_study(connection, "i")
        trials = ot.read_trials(connection, record.study_id)
    assert record.metric_names is None and record.directions == ["MAXIMIZE", "MINIMIZE"]
    with pytest.warns(UserWarning, match="Overwrite an old format constraint"):
        expected = [_as_optuna_reads_it(t) for t in study.trials]
    assert [_as_read(t) for t in trials] == expected
    assert trials[0].constraints == {"0": -7.0, "1": -2.0}
    assert trials[1].values is None and trials[1].user_attrs == {"space": "s"}
    storage.close()


def test_a_study_is_read_without_writing(tmp_path):
    """Reading a database that has no Optuna tables creates none (a read-only command
    writes nothing)."""
    import sqlalchemy as sa

    storage = open_storage(f"sqlite:///{tmp_path / 'e.db'}")
    with storage.engine.connect() as connection:
        assert ot.read_study(connection, "x") is None and ot.study_names(connection) == []
    assert not sa.inspect(storage.engine).has_table("trials")
    storage.close()
