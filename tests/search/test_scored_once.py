"""Processes sharing a study score each architecture once, and their summaries add up.

A space of one architecture makes the overlap certain: the search claims it and scores it
slowly, the worker (started at the same time) asks for the same architecture and waits for
the stored scores instead of scoring it again.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from autost.storage import open_storage
from autost.storage.models import Claim, Score

BUDGET = 6
SLOW_SCORING = """
import sys, time
import autost.proxies
from autost.cli import main
real = autost.proxies.score_architecture
def slow(*args):
    time.sleep(5)  # long enough for the worker to start and ask for the same architecture
    return real(*args)
autost.proxies.score_architecture = slow
main(sys.argv[1:])
"""


@pytest.fixture
def one_arch_space(tmp_path):
    text = Path(__file__).with_name("tiny.toml").read_text()
    text = text.replace('name = "tiny"', 'name = "one"')
    text = text.replace("embed_dim = [64, 128]", "embed_dim = 64")
    text = text.replace('token_mixer = ["ssa", "stm"]', 'token_mixer = "ssa"')
    path = tmp_path / "one.toml"
    path.write_text(text)
    return str(path)


def _parts_add_up(run: dict) -> bool:
    return (run["told"] == run["complete"] + run["over_budget"] + run["failed"]
            and run["complete"] + run["over_budget"] == run["scored"] + run["cached"]
            + run["waited"])


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql",
                                                             marks=pytest.mark.postgres)])
def test_a_search_and_a_worker_score_a_shared_architecture_once(backend, one_arch_space,
                                                                tmp_path, request):
    url = (f"sqlite:///{tmp_path / 'shared.db'}" if backend == "sqlite"
           else request.getfixturevalue("postgres_url"))
    open_storage(url).close()  # the worker on SQLite needs the file to exist
    search = ["search", "--space", one_arch_space, "--budget", str(BUDGET), "--objective",
              "params:min", "--storage", url, "--no-progress", "--json"]
    worker = ["worker", "--study", "one", "--storage", url, "--no-progress", "--json"]
    procs = [subprocess.Popen([sys.executable, "-c", SLOW_SCORING, *args], text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
             for args in (search, worker)]
    docs = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        docs.append(json.loads(out)["run"])
    assert [d["scored"] for d in docs] == [1, 0]  # the search claimed it first
    assert docs[1]["waited"] >= 1  # the worker waited for the search's scores
    assert all(_parts_add_up(d) for d in docs), docs
    assert sum(d["complete"] for d in docs) == BUDGET
    with open_storage(url).engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(Score)).scalar() == 1
        assert connection.execute(sa.select(sa.func.count()).select_from(Claim)).scalar() == 0
