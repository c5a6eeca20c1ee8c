"""``autost search`` and ``autost worker``: table, --json, the study readable by Optuna's CLI,
and one ``Error:`` line (password masked, within seconds) for bad input."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from autost.cli import main
from autost.storage import open_storage

TINY_SPACE = str(Path(__file__).parents[1] / "search" / "tiny.toml")  # four architectures


@pytest.fixture
def tiny_space():
    return TINY_SPACE


def _run(*args):
    return CliRunner().invoke(main, list(args))


def _error_line(result) -> str:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def test_help():
    for args in (["search", "--help"], ["worker", "--help"]):
        result = _run(*args)
        assert result.exit_code == 0 and "--storage" in result.output


def test_search_prints_a_summary_table_and_json(tiny_space, tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    common = ["search", "--space", tiny_space, "--storage", url, "--objective", "flops:max",
              "--objective", "params:min", "--sampler", "grid", "--no-progress"]
    result = _run(*common, "--budget", "3", "--seed", "2")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"study tiny ({url}): 3/3 complete; this run took ")
    assert lines[1] == ("this run told 3 trials: 3 complete + 0 over budget + 0 failed; scores "
                        "of the 3 not failed: 3 computed here + 0 from cache + 0 computed by "
                        "another process")
    assert lines[3].split()[:4] == ["trial", "flops", "params", "arch_id"]
    result = _run(*common, "--budget", "4", "--json")
    doc = json.loads(result.stdout)
    assert doc["complete"] == 4 and doc["run"]["complete"] == 1 and doc["seed"] == 2
    assert doc["objectives"] == ["flops:max", "params:min"] and doc["best"]
    assert {"number", "arch_id", "summary", "values", "params"} <= set(doc["best"][0])


def test_the_energy_model_is_part_of_the_study(tiny_space, tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    common = ["search", "--space", tiny_space, "--storage", url, "--objective", "energy:min",
              "--sampler", "grid", "--no-progress", "--json"]
    result = _run(*common, "--budget", "2", "--energy-model", "memory")
    assert result.exit_code == 0, result.output
    memory = {b["arch_id"]: b["values"]["energy"] for b in json.loads(result.stdout)["best"]}
    result = _run(*common, "--budget", "2", "--study", "compute")
    compute = {b["arch_id"]: b["values"]["energy"] for b in json.loads(result.stdout)["best"]}
    assert all(memory[a] > compute[a] for a in memory.keys() & compute.keys())
    storage = open_storage(url)
    try:
        with storage.engine.connect() as connection:
            keys = {key for (key,) in connection.exec_driver_sql(
                "SELECT DISTINCT settings_key FROM autost_scores")}
    finally:
        storage.close()
    assert keys == {"cost3/prior/digits/b16/s0/mac4.6/ac0.9",
                    "cost3/prior/digits/b16/s0/mac4.6/ac0.9/memory-horowitz45-stationary"}
    clash = _run(*common, "--budget", "3", "--energy-model", "compute")
    assert clash.exit_code == 1
    assert _error_line(clash).startswith(
        "Error: the existing study was made with other settings (energy_model: study has "
        "'memory', asked 'compute')")


def test_a_front_of_one_is_one_architecture(tiny_space, tmp_path):
    result = _run("search", "--space", tiny_space, "--storage", f"sqlite:///{tmp_path / 'a.db'}",
                  "--objective", "flops:max", "--sampler", "grid", "--budget", "1",
                  "--no-progress")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[1].startswith("this run told 1 trial: 1 complete + ")
    assert lines[2] == "Pareto front of flops:max: 1 architecture, all shown"


@pytest.mark.slow
def test_optuna_cli_reads_the_study(tiny_space, tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    assert _run("search", "--space", tiny_space, "--storage", url, "--budget", "2",
                "--objective", "flops:max", "--no-progress").exit_code == 0
    optuna_cli = Path(sys.executable).with_name("optuna")
    if not optuna_cli.exists():
        pytest.skip("the optuna command is not installed beside this Python")
    out = subprocess.run([str(optuna_cli), "best-trials", "--study-name", "tiny", "--storage",
                          url, "-f", "json"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    best = json.loads(out.stdout)
    assert best and "arch_id" in best[0]["user_attrs"]


def _search_in(folder, monkeypatch, args):
    """``autost search`` of one stmixer trial with ``args`` on top, run in ``folder`` with the
    default storage (./autost.db)."""
    monkeypatch.chdir(folder)
    base = {"--space": "stmixer", "--budget": "1"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    return _run("search", *[x for kv in base.items() for x in kv])


FASHION_MNIST_MISSING = (
    "Error: Fashion-MNIST folder /nonexistent does not exist; install Debian's package "
    "dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or point --data-dir at a "
    "folder holding train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz")


@pytest.mark.parametrize("args, exit_code, message", [
    (["--objective", "flop"], 2, "Error: unknown objective proxy 'flop'; did you mean 'flops'"),
    (["--space", "stmixr"], 2, "Error: unknown space 'stmixr'"),
    (["--rates", "init", "--dataset", "nosuchdata"], 2,
     "Error: unknown dataset 'nosuchdata'; known datasets: cifar10, cifar100, digits, "
     "fashion-mnist, synthetic"),
    (["--space", "broken.toml"], 1, "Error: broken.toml: not valid TOML"),
    (["--rates", "init", "--dataset", "fashion-mnist", "--data-dir", "/nonexistent"], 1,
     FASHION_MNIST_MISSING),
    (["--rates", "init", "--dataset", "cifar10"], 1,
     "Error: dataset 'cifar10' needs a data directory"),
])
def test_bad_input_is_one_error_line_and_leaves_no_database(args, exit_code, message, tmp_path,
                                                            monkeypatch):
    """Refused before the database exists: a bad dataset no longer fails every trial first."""
    (tmp_path / "broken.toml").write_text("[global\n")
    result = _search_in(tmp_path, monkeypatch, args)
    assert result.exit_code == exit_code
    assert _error_line(result).startswith(message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.toml"]


@pytest.mark.parametrize("args, line", [
    (["--sampler", "tpee"], "Error: unknown sampler 'tpee'; did you mean 'tpe'?"),
    (["--sampler", "foo"],
     "Error: unknown sampler 'foo'; known samplers: gp, grid, nsga2, nsga3, qmc, random, tpe"),
    (["--max-params", "12X"],
     "Error: --max-params '12X' is not a number; write e.g. 12M, 1.5G, 250k or 1.5"),
    (["--max-energy", "-3M"], "Error: --max-energy '-3M' must be a positive number"),
    (["--budget", "0"], "Error: Invalid value for '--budget': 0 is not in the range x>=1."),
    (["--workers", "0"], "Error: Invalid value for '--workers': 0 is not in the range x>=1."),
    (["--energy-model", "joules"],
     "Error: unknown energy model 'joules'; known energy models: compute, memory"),
])
def test_misuse_is_one_error_line_exit_2_and_leaves_no_database(args, line, tmp_path,
                                                               monkeypatch):
    result = _search_in(tmp_path, monkeypatch, args)
    assert (result.exit_code, result.output) == (2, line + "\n")
    assert list(tmp_path.iterdir()) == []


def test_an_interruption_says_how_far_the_study_got_and_how_to_resume(tiny_space, tmp_path,
                                                                      monkeypatch):
    from autost.search import coordinator

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(coordinator.Coordinator, "run", interrupted)
    result = _run("search", "--space", tiny_space, "--budget", "3", "--no-progress",
                  "--storage", f"sqlite:///{tmp_path / 'a.db'}", "--objective", "flops:max")
    assert result.exit_code == 130 and result.stdout == ""
    assert result.stderr == ("Interrupted: 0 of 3 trials complete in study 'tiny'; run the same "
                             "command again to resume.\n")


@pytest.mark.parametrize("url", [
    "postgresql://autost:s3cret@127.0.0.1:1/nodb",
    "postgresql://autost:s3cret@192.0.2.1:5432/nodb",
    "mysql://autost:s3cret@localhost/db",
    "sqlite:////no/such/dir/autost.db",
    "not a url",
])
def test_a_bad_storage_fails_fast_with_the_password_masked(url):
    started = time.monotonic()
    result = _run("search", "--space", "stmixer", "--budget", "1", "--storage", url)
    assert time.monotonic() - started < 15
    assert result.exit_code == 1
    line = _error_line(result)
    assert "s3cret" not in result.output
    if "s3cret" in url:
        assert "***" in line


def test_worker_without_a_study_is_one_error_line(tmp_path):
    open_storage(f"sqlite:///{tmp_path}/a.db").close()
    result = _run("worker", "--study", "nope", "--storage", f"sqlite:///{tmp_path}/a.db",
                  "--wait", "0")
    assert result.exit_code == 1
    assert _error_line(result) == (
        f"Error: no study 'nope' in sqlite:///{tmp_path}/a.db; start it with `autost search "
        "--study nope --storage URL ...` first, then join it with workers (--wait sets how "
        "long a worker waits for it)")


def test_worker_waits_for_the_study_then_gives_one_error_line(tmp_path):
    url = f"sqlite:///{tmp_path}/a.db"
    open_storage(url).close()
    started = time.monotonic()
    result = _run("worker", "--study", "nope", "--storage", url, "--wait", "1.5")
    assert 1.5 <= time.monotonic() - started < 10
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"waiting up to 1.5 s for study 'nope' to appear in {url} (started by `autost "
        "search`)",
        f"Error: no study 'nope' in {url} after waiting 1.5 s; start it with `autost search "
        "--study nope --storage URL ...` first, then join it with workers (--wait sets how "
        "long a worker waits for it)"]
    assert result.stdout == ""




def test_the_table_lists_the_front_spread_evenly(tmp_path):
    from autost.search.front import spread

    common = ["search", "--space", "mixed", "--storage", f"sqlite:///{tmp_path / 'a.db'}",
              "--objective", "flops:max", "--objective", "params:min", "--budget", "60",
              "--seed", "1", "--no-progress"]
    best = json.loads(_run(*common, "--json").stdout)["best"]
    assert len(best) > 10
    lines = _run(*common).stdout.splitlines()  # the finished study, listed again
    assert lines[2] == (f"Pareto front of flops:max, params:min: {len(best)} architectures, "
                        "10 shown, evenly spaced along it")
    assert [line.split()[3] for line in lines[5:]] == [
        b["arch_id"][:12] for b in spread(best, 10)]
