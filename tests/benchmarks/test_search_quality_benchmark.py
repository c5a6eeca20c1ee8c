"""benchmarks/search_quality.py end to end at the test preset (seconds of training), and its
refusal to judge predictors on their own trainings."""

import csv
from pathlib import Path

import pytest


def _read(path: Path) -> list[dict]:
    with path.open() as f:
        return list(csv.DictReader(f))


def test_one_database_for_both_roles_is_one_error_line(load_benchmark, tmp_path, capsys):
    from autost.storage import open_storage

    url = f"sqlite:///{tmp_path / 'one.db'}"
    open_storage(url).close()
    with pytest.raises(SystemExit) as exited:
        load_benchmark("search_quality").main(["--preset", "test", "--storage", url,
                                               "--fidelity-storage", url])
    assert exited.value.code == ("Error: --storage and --fidelity-storage name one database; "
                                 "the benchmark's trainings would enter the predictors it "
                                 "judges: give two databases")


def test_ci_sized_run_trains_every_handed_over_architecture(load_benchmark, tmp_path,
                                                            local_ray, capsys):
    from autost.report.search_quality import COLUMNS
    from autost.search.front import handed_over
    from autost.storage import open_storage
    from autost.train.fidelity import PRESETS, run_fidelity

    fidelity = open_storage(f"sqlite:///{tmp_path / 'fidelity.db'}")
    for space in ("mixed", "spikformer"):
        run_fidelity(fidelity, space, preset="test", samples=5)  # 10 in all: a fit's least
    url = f"sqlite:///{tmp_path / 'quality.db'}"
    out = tmp_path / "out"
    argv = ["--preset", "test", "--budget", "20", "-k", "2", "--seeds", "0", "--spaces",
            "stmixer", "--predictor-spaces", "mixed", "spikformer", "--storage", url,
            "--fidelity-storage", fidelity.url, "--out", str(out)]
    benchmark = load_benchmark("search_quality")
    benchmark.main(argv)
    first = capsys.readouterr()

    table = _read(out / "search_quality.csv")
    assert list(table[0]) == list(COLUMNS)
    assert [(r["space"], r["method"]) for r in table] == [
        ("stmixer", m) for m in ("random", "flops", "naswot", "predicted")]
    rows = _read(out / "handed_over.csv")
    storage = open_storage(url, create=False)
    for method in ("flops", "naswot"):
        ids = handed_over(storage, f"quality-stmixer-{method}-b20-s0", 2)
        assert [r["arch_id"] for r in rows if r["method"] == method] == ids
    assert sum(r["method"] == "random" for r in rows) == 2
    key = PRESETS["test"].settings(0, None).key()
    trained = {t.arch_id for t in storage.trainings_of([r["arch_id"] for r in rows])
               if t.settings_key == key}
    assert trained == {r["arch_id"] for r in rows}
    assert all(r["status"] == "ok" for r in rows)
    assert (out / "search_quality.png").stat().st_size > 0
    assert "predicted beats random in hypervolume" in first.out

    benchmark.main(argv)  # a rerun scores and trains nothing again
    again = capsys.readouterr()
    assert f"{len(trained)} of {len(trained)} already trained; training 0" in again.err
    assert _read(out / "search_quality.csv") == table
