"""``autost reproduce scatter``: a three-sample scatter end to end; reruns reuse the DB."""

import csv
import json

from click.testing import CliRunner
from dataset_errors import CIFAR10_NEEDS_A_DIR, cifar_not_found

from autost.cli import main
from autost.storage import open_storage
from autost.train.scatter import PROXIES


def _run(*args):
    return CliRunner().invoke(main, ["reproduce", "scatter", *args])


def test_help():
    assert CliRunner().invoke(main, ["reproduce", "--help"]).exit_code == 0
    assert _run("--help").exit_code == 0


def test_three_sample_scatter_end_to_end_then_reused(tmp_path, local_ray):
    out = tmp_path / "out"
    args = ["--space", "stmixer", "--samples", "3", "--epochs", "1", "--dataset",
            "synthetic", "--out", str(out), "--storage", f"sqlite:///{tmp_path / 'db.sqlite'}"]
    result = _run(*args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["proxy", "n", "kendall_tau", "spearman_rho", "precision_top25"]
    assert [line.split()[0] for line in lines[2:]] == list(PROXIES)
    assert "0 of 3 already trained; training 3" in result.stderr
    rows = list(csv.DictReader((out / "scatter.csv").open()))
    assert len(rows) == 3 and all(r["status"] == "ok" for r in rows)
    assert {r["family"] for r in rows} <= {"conv", "ssa", "stm", "mixed"}
    assert all(0 <= float(r["accuracy"]) <= 100 and float(r["flops"]) > 0 for r in rows)
    corr = list(csv.DictReader((out / "correlations.csv").open()))
    assert [c["proxy"] for c in corr] == list(PROXIES) and all(c["n"] == "3" for c in corr)
    assert (out / "scatter.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    storage = open_storage(f"sqlite:///{tmp_path / 'db.sqlite'}")
    run = storage.runs("scatter/stmixer")[0]  # the proxies calibrate on the trained dataset
    assert run.settings["score_settings"] == (
        "cost3/init/synthetic/b16/s0/mac4.6/ac0.9/sur-keep16")  # scored as the surrogate
    storage.close()

    again = _run(*args, "--json")
    assert again.exit_code == 0, again.output
    assert "3 of 3 already trained; training 0" in again.stderr
    assert "scored" not in again.stderr
    data = json.loads(again.stdout)
    assert [r["accuracy"] for r in data["rows"]] == [float(r["accuracy"]) for r in rows]


def test_missing_cifar_dir(tmp_path):
    result = _run("--space", "stmixer", "--dataset", "cifar100", "--out", str(tmp_path),
                  "--data-dir", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert result.output == cifar_not_found("cifar100", tmp_path / "none")


def test_unknown_space(tmp_path):
    result = _run("--space", "stmixr", "--out", str(tmp_path), "--storage",
                  f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and "stmixer" in result.output


def test_paper_preset_needs_cifar(tmp_path):
    result = _run("--space", "stmixer", "--preset", "paper", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert result.output == CIFAR10_NEEDS_A_DIR
