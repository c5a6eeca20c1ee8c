"""The report folder: every file present, the summary tells the study's story."""

import csv

from autost.report import write_report


def test_report_folder_files(scored_study, tmp_path):
    storage, info = scored_study
    files = write_report(storage, "demo", tmp_path / "out", k=3)
    assert sorted(p.name for p in files) == [
        "layers_best_energy.csv", "layers_best_flops.csv", "pareto.csv", "pareto.png",
        "summary.md", "top.csv"]
    assert all(p.stat().st_size > 0 for p in files)
    top = list(csv.DictReader((tmp_path / "out" / "top.csv").open()))
    assert [int(r["trial"]) for r in top] == [8, 7, 6]
    layers = list(csv.DictReader((tmp_path / "out" / "layers_best_flops.csv").open()))
    assert [r["name"] for r in layers] == ["blocks.0.attn", "blocks.1.attn", "blocks.2.attn"]


def test_summary_states_settings_best_and_why_infeasible(scored_study, tmp_path):
    storage, _ = scored_study
    write_report(storage, "demo", tmp_path)
    text = (tmp_path / "summary.md").read_text()
    for line in (
        "| **space** | stmixer |", "| **sampler** | tpe |", "| **seed** | 7 |",
        "| **budget** | 12 |", "| **objectives** | flops:max, energy:min |",
        "| **constraints** | max_params <= 2e+06 |",
        "| **rate source** | init (9 candidates); requested: init |",
        "| **trials** | 12: 9 complete feasible, 1 failed, 2 infeasible |",
        "- max_params violated: 2 trials",
        "- BuildError: cannot build block 0: 1 trial",
        "4 of 9 feasible candidates are non-dominated over flops:max, energy:min",
    ):
        assert line in text, line
    assert "| flops:max | 8 |" in text and "27 M MACs per image, total over T" in text
    assert "| energy:min | 0 |" in text and "0.01 mJ per image" in text


def test_settings_fall_back_to_the_newest_run(scored_study, tmp_path):
    storage, _ = scored_study
    import optuna

    study = optuna.create_study(study_name="bare", storage=storage.optuna_storage(),
                                directions=["maximize", "minimize"])
    study.set_user_attr("objectives", ["sahd:max", "energy:min"])
    study.optimize(lambda t: (t.suggest_int("a", 0, 3), t.suggest_float("e", 0, 1)),
                   n_trials=4)
    storage.record_run("bare", "mixed", {"sampler": "old", "budget": 2}, seed=1)
    storage.record_run("bare", "mixed", {"sampler": "nsga2", "budget": 4}, seed=2)
    write_report(storage, "bare", tmp_path)
    text = (tmp_path / "summary.md").read_text()
    assert "| **sampler** | nsga2 |" in text and "| **seed** | 2 |" in text
    assert "| **constraints** | not recorded |" in text
    study.set_user_attr("constraints", {})
    write_report(storage, "bare", tmp_path)
    assert "| **constraints** | none |" in (tmp_path / "summary.md").read_text()
    assert not list(tmp_path.glob("layers_*.csv"))  # no autost scores, no breakdown
