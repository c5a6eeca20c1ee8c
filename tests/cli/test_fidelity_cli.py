"""``autost fidelity``: the test preset end to end on Ray, a rerun that reuses everything,
and one ``Error:`` line for bad input."""

import csv
import gzip
import json
import math
import struct

from click.testing import CliRunner
from dataset_errors import CIFAR10_NEEDS_A_DIR, fashion_mnist_missing

from autost.cli import main
from autost.proxies import list_proxies
from autost.storage import open_storage

HEADER = ["proxy", "n", "kendall tau [95 % CI]", "spearman rho", "precision top 25 %",
          "partial tau | flops"]


def _run(*args):
    return CliRunner().invoke(main, ["fidelity", *args])


def test_help():
    result = _run("--help")
    assert result.exit_code == 0 and "--preset [cpu|test|paper]" in result.output


def test_test_preset_end_to_end_then_reused(tmp_path, local_ray):
    out = tmp_path / "out"
    args = ["--space", "stmixer", "--preset", "test", "--out", str(out), "--storage",
            f"sqlite:///{tmp_path / 'db.sqlite'}"]
    result = _run(*args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [h.strip() for h in lines[0].split("  ") if h.strip()] == HEADER
    proxies = list_proxies()
    assert [line.split()[0] for line in lines[2:2 + len(proxies)]] == proxies
    assert lines[-2].startswith("noise ceiling (seed vs seed + 1)  2  ")
    assert lines[-1].startswith("1 vs 2 epochs                     2  ")
    for message in ("0 of 4 already trained; training 4 for 1 epoch on synthetic",
                    "0 of 2 already trained; training 2 for 1 epoch on synthetic",
                    "0 of 2 already trained; training 2 for 2 epochs on synthetic"):
        assert message in result.stderr
    table = list(csv.DictReader((out / "fidelity.csv").open()))
    aggregate = "synflow+snip+grad_norm+zico+sahd+naswot+flops"  # 4 < 10 trained: no ridge
    assert [r["proxy"] for r in table] == [*proxies, aggregate]
    assert all(r["n"] == "4" for r in table)
    assert set(table[0]) == {"proxy", "n", *(f"{c}{s}" for c in (
        "kendall_tau", "spearman_rho", "precision_top25", "partial_tau_flops")
        for s in ("", "_low", "_high"))}
    rows = list(csv.DictReader((out / "architectures.csv").open()))
    assert len(rows) == 4 and all(r["status"] == "ok" for r in rows)
    assert sum(r["accuracy_seed2"] != "" for r in rows) == 2
    assert sum(r["accuracy_longer"] != "" for r in rows) == 2
    checks = list(csv.DictReader((out / "checks.csv").open()))
    assert [(c["check"], c["n"]) for c in checks] == [
        ("noise ceiling (seed vs seed + 1)", "2"), ("1 vs 2 epochs", "2")]
    assert all(float(r[aggregate]) <= 0 for r in rows)  # a sum of log ranks
    for png in ["tau.png", *(f"scatter/{p}.png" for p in [*proxies, aggregate])]:
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    again = _run(*args, "--json")
    assert again.exit_code == 0, again.output
    for message in ("4 of 4 already trained; training 0", "2 of 2 already trained; training 0"):
        assert again.stderr.count(message) == (2 if message.startswith("2") else 1)
    assert "scored" not in again.stderr
    data = json.loads(again.stdout)
    assert [r["accuracy"] for r in data["rows"]] == [float(r["accuracy"]) for r in rows]
    assert [r["kendall_tau_low"] for r in data["table"]] == [
        None if r["kendall_tau_low"] == "nan" else float(r["kendall_tau_low"]) for r in table]


def test_a_surrogate_replaces_the_presets(tmp_path, local_ray):
    """--surrogate trains and scores every architecture through another shrink; a name
    that is none is one Error: line before anything is written."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    args = ["--space", "stmixer", "--preset", "test", "-n", "3", "--out", str(tmp_path / "o"),
            "--storage", url]
    unknown = _run(*args, "--surrogate", "keep99")
    assert unknown.exit_code == 2
    assert unknown.stderr == "Error: unknown surrogate 'keep99'; did you mean 'keep8', 'keep16'?\n"
    assert not (tmp_path / "db.sqlite").exists() and not (tmp_path / "o").exists()
    result = _run(*args, "--surrogate", "trunc16", "--json")
    assert result.exit_code == 0, result.output
    assert "0 of 3 already trained; training 3 for 1 epoch on synthetic" in result.stderr
    storage = open_storage(url)
    assert {r.surrogate for r in storage.trainings()} == {"trunc16"}
    storage.close()


def test_missing_fashion_mnist_is_one_error_line(tmp_path):
    result = _run("--space", "stmixer", "--data-dir", str(tmp_path / "none"), "--storage",
                  f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert result.exit_code == 1
    assert result.output == fashion_mnist_missing(tmp_path / "none")
    assert not (tmp_path / "db.sqlite").exists()


def test_a_truncated_test_file_is_one_error_line_before_any_file_is_written(tmp_path,
                                                                           monkeypatch):
    """The training pair intact, the test images cut short: refused at once, naming the
    file, with neither the database nor the output folder made."""
    folder = tmp_path / "fm"
    folder.mkdir()
    files = {"train-images-idx3-ubyte.gz": (3, 28, 28), "train-labels-idx1-ubyte.gz": (3,),
             "t10k-images-idx3-ubyte.gz": (2, 28, 28), "t10k-labels-idx1-ubyte.gz": (2,)}
    for name, shape in files.items():
        header = bytes([0, 0, 8, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)
        (folder / name).write_bytes(gzip.compress(header + bytes(math.prod(shape))))
    broken = folder / "t10k-images-idx3-ubyte.gz"
    broken.write_bytes(broken.read_bytes()[:-20])
    monkeypatch.chdir(tmp_path)
    result = _run("--space", "mixed", "--preset", "cpu", "--data-dir", str(folder))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: Fashion-MNIST file {broken} is corrupt: not a "
                                    "readable gzip file (EOFError")
    assert len(result.output.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fm"]


def test_paper_preset_needs_cifar(tmp_path):
    result = _run("--space", "stmixer", "--preset", "paper", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert result.output == CIFAR10_NEEDS_A_DIR


def test_unknown_space_and_misuse(tmp_path):
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    result = _run("--space", "stmixr", "--preset", "test", "--storage", db,
                  "--out", str(tmp_path))
    assert result.exit_code == 2  # an unknown name is misuse
    assert result.output.startswith("Error: ") and "'stmixer'" in result.output
    assert len(result.output.splitlines()) == 1
    assert _run("--space", "stmixer", "--preset", "gpu").exit_code == 2
    assert _run("--space", "stmixer", "--samples", "2").exit_code == 2


def test_an_out_path_that_is_a_file_fails_before_any_training(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = _run("--space", "stmixer", "--preset", "test", "--out", str(blocker / "sub"),
                  "--storage", f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert result.exit_code == 1
    assert result.output == (f"Error: cannot create '{blocker / 'sub'}': Not a directory; "
                             "choose another --out folder\n")


def test_fidelity_then_calibrate_then_a_search_ranks_full_size_candidates(tmp_path,
                                                                          local_ray):
    """A new user's path: trainings of keep8 surrogates, a predictor fitted on them, and a
    search of full-size candidates whose predicted values differ (they were one constant
    when surrogates were stored as candidates of their own)."""
    import optuna

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    fidelity = _run("--space", "stmixer", "--preset", "test", "-n", "12", "--seed", "3",
                    "--out", str(tmp_path / "out"), "--storage", url)
    assert fidelity.exit_code == 0, fidelity.output
    calibrate = CliRunner().invoke(main, ["calibrate", "--dataset", "synthetic", "--name",
                                          "t", "--proxies", "flops,naswot,params",
                                          "--storage", url])
    assert calibrate.exit_code == 0, calibrate.output
    assert "(1 epoch, surrogate keep8)" in calibrate.stdout
    search = CliRunner().invoke(main, [
        "search", "--space", "stmixer", "--budget", "30", "--objective", "predicted:max",
        "--objective", "energy:min", "--predictor", "t", "--study", "guided", "--storage",
        url, "--no-progress"])
    assert search.exit_code == 0, search.output
    trials = optuna.load_study(study_name="guided", storage=url).get_trials(
        states=(optuna.trial.TrialState.COMPLETE,))
    predicted = {t.user_attrs["arch_id"]: t.values[0] for t in trials}
    assert len(set(predicted.values())) > len(predicted) // 3
