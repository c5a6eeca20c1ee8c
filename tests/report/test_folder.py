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
    by_flops = sorted(info["feasible"], key=lambda n: -info["values"][n]["flops"])
    top = list(csv.DictReader((tmp_path / "out" / "top.csv").open()))
    assert [int(r["trial"]) for r in top] == by_flops[:3]
    layers = list(csv.DictReader((tmp_path / "out" / "layers_best_flops.csv").open()))
    stored = storage.get_scores(info["arch_ids"][by_flops[0]], info["settings_key"])
    assert [r["name"] for r in layers] == [layer["name"] for layer in stored.layers]


def test_summary_states_settings_best_and_why_infeasible(scored_study, tmp_path, front_of):
    storage, info = scored_study
    write_report(storage, "demo", tmp_path)
    text = (tmp_path / "summary.md").read_text()
    feasible, values = info["feasible"], info["values"]
    (failed,), (_,) = info["failed"], info["infeasible"]  # one of each
    on_front = front_of(info, ["flops:max", "energy:min"])
    trials = len(info["arch_ids"])
    for line in (
        "| **space** | demo |", "| **sampler** | tpe |", "| **seed** | 2 |",
        "| **budget** | 12 |", "| **objectives** | flops:max, energy:min |",
        "| **constraints** | max_params <= 500000 |",
        f"| **rate source** | prior ({len(feasible)} candidates); requested: prior |",
        # a repeated architecture is feasible like its first trial, and counts as a trial
        f"| **trials** | {trials}: {len(feasible) + len(info['repeats'])} complete feasible, "
        "1 failed, "
        "1 infeasible |",
        "- max_params violated: 1 trial",
        f"- BuildError: cannot build {storage.get_candidate(info['arch_ids'][failed]).summary()}"
        ": 1 trial",
        f"{len(on_front)} of {len(feasible)} feasible candidates are non-dominated over "
        "flops:max, energy:min",
    ):
        assert line in text, line
    most = max(feasible, key=lambda n: values[n]["flops"])
    least = min(feasible, key=lambda n: values[n]["energy"])
    assert f"| flops:max | {most} |" in text
    assert f"{values[most]['flops'] / 1e6:.4g} M MACs per image, total over T" in text
    assert f"| energy:min | {least} |" in text and f"{values[least]['energy']:.4g} mJ per image" \
        in text


def test_settings_fall_back_to_the_newest_run(scored_study, tmp_path):
    storage, _ = scored_study
    import optuna

    study = optuna.create_study(study_name="bare", storage=storage.optuna_storage(),
                                directions=["maximize", "minimize"])
    study.set_user_attr("objectives", ["sahd:max", "energy:min"])  # scores of its own
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
