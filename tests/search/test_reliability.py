"""Crashes and company: kill -9 then resume, a dead worker's trial failed by heartbeat and
retried, a search and a worker on one study (SQLite and PostgreSQL) meeting the budget
exactly, with no candidate scored twice, started together on a fresh database, and no pool
process left behind by a killed search."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import optuna
import pytest
import sqlalchemy as sa

from autost.search import run_worker
from autost.storage import open_storage
from autost.storage.models import Candidate, Score
from autost.storage.optuna_tables import count_complete

COST = ["--objective", "params:min", "--objective", "flops:max"]
TIMEOUT_S = 300


def _autost(*args) -> list[str]:
    return [sys.executable, "-m", "autost", *args]


def _search_args(url, budget) -> list[str]:
    return ["search", "--space", "stmixer", "--budget", str(budget), *COST, "--storage", url,
            "--seed", "0", "--no-progress", "--json"]


def _search_cmd(url, budget) -> list[str]:
    return _autost(*_search_args(url, budget))


def _complete(url, study="stmixer") -> int:
    """COMPLETE trials of the study, 0 while it does not exist yet."""
    engine = open_storage(url).engine
    try:
        with engine.connect() as connection:
            study_id = connection.execute(sa.text(
                "SELECT study_id FROM studies WHERE study_name = :n"), {"n": study}).scalar()
    except sa.exc.DBAPIError:  # no studies table yet
        return 0
    return 0 if study_id is None else count_complete(engine, study_id)


def _wait_for(condition, proc, what: str, timeout=TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"process ended before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def _rows(url, model) -> set[str]:
    with open_storage(url).engine.connect() as connection:
        ids = connection.execute(sa.select(model.arch_id)).scalars().all()
    assert len(ids) == len(set(ids)), "duplicate rows"
    return set(ids)


def _snapshot(study) -> dict:
    return {t.number: (t.values, t.params, t.user_attrs, t.constraints)
            for t in study.trials if t.state.name == "COMPLETE"}


@pytest.mark.slow
def test_kill_9_then_the_same_command_resumes_to_exactly_the_budget(tmp_path):
    # a budget the search cannot finish between two polls of the wait (24 could: 15 ms a trial)
    url, budget = f"sqlite:///{tmp_path / 'kill.db'}", 100
    proc = subprocess.Popen(_search_cmd(url, budget), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=tmp_path)
    _wait_for(lambda: _complete(url) >= 6, proc, "6 complete trials")
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    before = _snapshot(optuna.load_study(study_name="stmixer", storage=url))
    scored_before = _rows(url, Score)
    assert 6 <= len(before) < budget

    out = subprocess.run(_search_cmd(url, budget), capture_output=True, text=True,
                         timeout=TIMEOUT_S, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    study = optuna.load_study(study_name="stmixer", storage=url)
    after = _snapshot(study)
    assert doc["complete"] == len(after) == budget
    assert doc["run"]["complete"] == budget - len(before)
    assert {n: after[n] for n in before} == before  # nothing a finished trial wrote is lost
    leftovers = [t for t in study.trials if t.state.name not in ("COMPLETE",)]
    assert len(leftovers) <= 1  # the one trial running when the first run was killed
    scored_after = _rows(url, Score)
    assert doc["run"]["scored"] == len(scored_after - scored_before)  # none scored twice
    assert {t[2]["arch_id"] for t in after.values()} <= scored_after
    assert scored_after <= _rows(url, Candidate)


# A process started from a background shell job inherits SIGINT ignored, and Python then
# leaves it ignored: the search is run with Python's own Ctrl-C handler, as in a terminal.
CTRL_C_AS_IN_A_TERMINAL = ("import signal, sys; signal.signal(signal.SIGINT, "
                           "signal.default_int_handler); sys.argv[0] = 'autost'; "
                           "from autost.cli import main; main()")


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_ctrl_c_or_sigterm_fails_the_running_trial_and_keeps_the_rest(signum, tmp_path):
    url = f"sqlite:///{tmp_path / 'int.db'}"
    command = [sys.executable, "-c", CTRL_C_AS_IN_A_TERMINAL, *_search_args(url, 500)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    _wait_for(lambda: _complete(url) >= 3, proc, "3 complete trials")
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=TIMEOUT_S)
    study = optuna.load_study(study_name="stmixer", storage=url)
    complete = sum(t.state.name == "COMPLETE" for t in study.trials)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == (
        f"Interrupted: {complete} of 500 trials complete in study 'stmixer'; run the same "
        "command again to resume.")
    unfinished = [(t.number, t.state.name, t.user_attrs.get("fail_reason"))
                  for t in study.trials if t.state.name != "COMPLETE"]
    assert all(state == "FAIL" and reason == "search interrupted"
               for _, state, reason in unfinished), unfinished


SLOW_SEARCH = """
import sys, time
import autost.proxies
real = autost.proxies.score_architecture
def slow(*args):
    time.sleep(120)
    return real(*args)
autost.proxies.score_architecture = slow
from autost.search import search
search("stmixer", budget=3, storage=sys.argv[1], objectives=["params:min", "flops:max"],
       seed=0, progress=False)
"""


def _beating_trials(url) -> list[int]:
    """Numbers of RUNNING trials with a heartbeat ([] before Optuna's tables exist)."""
    try:
        with open_storage(url).engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT t.number FROM trials t JOIN trial_heartbeats h ON h.trial_id = "
                "t.trial_id WHERE t.state = 'RUNNING'")).scalars().all()
    except sa.exc.DBAPIError:
        return []


@pytest.mark.slow
@pytest.mark.postgres
def test_a_killed_workers_trial_is_failed_by_heartbeat_and_retried(postgres_url):
    proc = subprocess.Popen([sys.executable, "-c", SLOW_SEARCH, postgres_url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _wait_for(lambda: _beating_trials(postgres_url) and _rows(postgres_url, Candidate), proc,
              "a trial being scored, with a heartbeat")
    (stuck,) = _beating_trials(postgres_url)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate()
    time.sleep(3)  # longer than the grace period below

    result = run_worker("stmixer", storage=postgres_url, heartbeat_interval=1, grace_period=2,
                        progress=False)
    study = optuna.load_study(study_name="stmixer", storage=postgres_url)
    trials = {t.number: t for t in study.trials}
    assert trials[stuck].state.name == "FAIL"
    (retry,) = [t for t in trials.values() if t.system_attrs.get("failed_trial") == stuck]
    assert retry.state.name == "COMPLETE" and retry.params == trials[stuck].params
    assert result.complete == 3 and sum(t.state.name == "COMPLETE" for t in study.trials) == 3


PACED = """
import sys, time
import autost.proxies
from autost.cli import main
real = autost.proxies.score_architecture
def paced(*args):
    time.sleep(0.5)  # so that the two processes overlap for most of the budget
    return real(*args)
autost.proxies.score_architecture = paced
main(sys.argv[1:])
"""


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql",
                                                             marks=pytest.mark.postgres)])
def test_a_search_and_a_worker_meet_the_budget_exactly(backend, tmp_path, request):
    url = (f"sqlite:///{tmp_path / 'shared.db'}" if backend == "sqlite"
           else request.getfixturevalue("postgres_url"))
    budget = 24

    def paced(*args):
        return subprocess.Popen([sys.executable, "-c", PACED, *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=tmp_path)

    first = paced(*_search_args(url, budget))
    _wait_for(lambda: _complete(url) >= 1, first, "the study's first trial")
    second = paced("worker", "--study", "stmixer", "--storage", url, "--no-progress", "--json")
    docs = []
    for proc in (first, second):
        out, err = proc.communicate(timeout=TIMEOUT_S)
        assert proc.returncode == 0, err
        docs.append(json.loads(out))
    study = optuna.load_study(study_name="stmixer", storage=url)
    states = [t.state.name for t in study.trials]
    assert states.count("COMPLETE") == budget
    assert all(d["run"]["complete"] > 0 for d in docs)  # both took part
    assert sum(d["run"]["complete"] for d in docs) == budget
    assert sum(d["run"]["over_budget"] for d in docs) == states.count("PRUNED")
    assert all(t.user_attrs.get("over_budget") for t in study.trials
               if t.state.name == "PRUNED")
    for run in (d["run"] for d in docs):  # the summary's parts add up
        assert run["told"] == run["complete"] + run["over_budget"] + run["failed"]
        assert run["complete"] + run["over_budget"] == (run["scored"] + run["cached"]
                                                        + run["waited"])
    scored = _rows(url, Score)  # one row per architecture, each scored by one process
    assert sum(d["run"]["scored"] for d in docs) == len(scored)
    assert {t.user_attrs["arch_id"] for t in study.trials} == scored == _rows(url, Candidate)


START_RACE_BUDGET = 5


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("round_", range(10))
def test_a_search_and_a_worker_started_together_on_a_fresh_database(round_, postgres_url,
                                                                   tmp_path):
    """Both processes create Optuna's and autost's tables at once; the worker may start
    before the study exists and waits for it."""
    search_args = ["search", "--space", "stmixer", "--budget", str(START_RACE_BUDGET), *COST,
                   "--storage", postgres_url, "--study", "pg", "--no-progress", "--json"]
    worker_args = ["worker", "--study", "pg", "--storage", postgres_url, "--no-progress",
                   "--json"]
    procs = [subprocess.Popen(_autost(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, cwd=tmp_path) for args in (search_args, worker_args)]
    outputs = [proc.communicate(timeout=TIMEOUT_S) for proc in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0 and "Traceback" not in err, err
        assert json.loads(out)["complete"] == START_RACE_BUDGET
    study = optuna.load_study(study_name="pg", storage=postgres_url)
    assert [t.state.name for t in study.trials].count("COMPLETE") == START_RACE_BUDGET


def _processes_of(group: int, marker: str) -> list[tuple[int, str]]:
    """(pid, state) of live processes in process group ``group`` or with ``marker`` in their
    environment (zombies left for init to reap are not running and not counted)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                state, _ppid, pgrp = f.read().rsplit(")", 1)[1].split()[:3]
            with open(f"/proc/{entry}/environ", "rb") as f:
                marked = marker.encode() in f.read()
        except OSError:  # ended meanwhile, or not ours to read
            continue
        if state != "Z" and (int(pgrp) == group or marked):
            found.append((int(entry), state))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize(("workers", "processes"), [(1, 2), (2, 5)],
                         ids=["forked scoring process", "pool"])
def test_kill_9_of_the_coordinator_leaves_no_pool_process(workers, processes, tmp_path):
    url, marker = f"sqlite:///{tmp_path / 'orphans.db'}", f"AUTOST_TEST_MARK={uuid.uuid4().hex}"
    env = {**os.environ, marker.split("=")[0]: marker.split("=")[1]}
    proc = subprocess.Popen(_autost(*_search_args(url, 500), "--workers", str(workers)),
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=tmp_path, start_new_session=True)  # its own group, id = its pid
    # one worker: the coordinator and its forked scoring process; two: the coordinator,
    # forkserver, resource tracker and two pool processes; and scoring going on
    _wait_for(lambda: len(_processes_of(proc.pid, marker)) >= processes
              and _complete(url) >= 2, proc, f"{processes} processes scoring")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    try:
        while _processes_of(proc.pid, marker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _processes_of(proc.pid, marker) == []
    finally:  # a failure must not leave the orphans running
        for pid, _ in _processes_of(proc.pid, marker):
            os.kill(pid, signal.SIGKILL)
