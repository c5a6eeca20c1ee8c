"""``autost results top|show``: tables, --json, --csv, one Error: line on bad input."""

import csv
import io
import json

from click.testing import CliRunner

from autost.cli import main
from autost.proxies import ScoreResult


def _run(*args):
    return CliRunner().invoke(main, ["results", *args])


def test_help():
    for args in (["--help"], ["top", "--help"], ["show", "--help"]):
        assert _run(*args).exit_code == 0, args


def test_top_table_by_first_objective(scored_study):
    storage, info = scored_study
    result = _run("top", "--study", "demo", "--storage", storage.url, "-k", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["trial", "arch_id", "flops:"]
    by_flops = sorted(info["feasible"], key=lambda n: -info["values"][n]["flops"])
    assert [int(line.split()[0]) for line in lines[2:]] == by_flops[:3]
    assert result.stderr == f"3 of {len(info['feasible'])} feasible candidates by flops:max\n"


def test_top_csv_and_json_by_another_score(scored_study):
    storage, info = scored_study
    result = _run("top", "--study", "demo", "--storage", storage.url, "--by", "energy",
                  "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [int(r["trial"]) for r in rows] == sorted(  # -k is 10 by default
        info["feasible"], key=lambda n: info["values"][n]["energy"])[:10]
    result = _run("top", "--study", "demo", "--storage", storage.url, "--by",
                  "elementwise_ops_total:max", "-k", "2", "--json")
    doc = json.loads(result.stdout)
    assert doc["objectives"][0] == "elementwise_ops_total:max"
    assert [row["trial"] for row in doc["rows"]] == sorted(
        info["feasible"], key=lambda n: -info["values"][n]["elementwise_ops_total"])[:2]
    assert _run("top", "--study", "demo", "--storage", storage.url, "--json",
                "--csv").exit_code == 2


def test_top_unknown_study_is_one_error_line(scored_study):
    storage, _ = scored_study
    result = _run("top", "--study", "nope", "--storage", storage.url)
    assert result.exit_code == 1
    assert result.output == (f"Error: no study 'nope' in {storage.masked_url}; studies "
                             "there: demo (or give the right --storage)\n")


def test_show_by_prefix_with_scores_layers_and_trainings(scored_study):
    storage, info = scored_study
    number = info["feasible"][-1]
    arch_id, values = info["arch_ids"][number], info["values"][number]
    storage.add_training(arch_id, dataset="digits", epochs=2, seed=0, status="ok",
                         accuracy=71.25, study_name="demo", trial_number=number)
    arch, stored = storage.get_candidate(arch_id), storage.get_scores(arch_id,
                                                                      info["settings_key"])
    result = _run("show", arch_id[:10], "--storage", storage.url)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"{arch_id}\n{arch.summary()}\n")
    assert "rate source prior" in out and stored.layers[-1]["name"] in out and "71.25" in out
    assert [line.split(None, 2) for line in out.splitlines() if line.startswith("flops ")] \
        == [["flops", f"{values['flops'] / 1e6:.4g}", "M MACs per image, total over T"]]
    doc = json.loads(_run("show", arch_id, "--storage", storage.url, "--json").stdout)
    assert doc["arch"] == arch.to_dict() and doc["trainings"][0]["accuracy"] == 71.25
    (scores,) = doc["scores"]
    assert scores["values"] == values and len(scores["layers"]) == len(stored.layers)


def test_show_non_finite_score_is_null_in_json(scored_study):
    storage, info = scored_study
    arch_id = info["arch_ids"][0]
    storage.put_scores(arch_id, info["settings_key"],  # merged into the stored set
                       ScoreResult(arch_id, {"naswot": float("-inf")}, "prior", [], []))
    doc = json.loads(_run("show", arch_id, "--storage", storage.url, "--json").stdout)
    assert doc["scores"][0]["values"] == info["values"][0] | {"naswot": None}


def test_bad_storage_is_one_error_line_without_password():
    result = _run("top", "--study", "s", "--storage", "postgresql://bob:s3cret@127.0.0.1:1/r")
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot reach storage postgresql://bob:***@127.0.0.1:1/r")
    assert result.output.count("\n") == 1 and "s3cret" not in result.output


def test_top_pages_with_limit_and_offset(scored_study):
    storage, info = scored_study
    by_flops = sorted(info["feasible"], key=lambda n: -info["values"][n]["flops"])
    result = _run("top", "--study", "demo", "--storage", storage.url, "--offset", "3",
                  "--limit", "4")
    assert result.exit_code == 0, result.output
    assert [int(line.split()[0]) for line in result.stdout.splitlines()[2:]] == by_flops[3:7]
    assert result.stderr == (f"4 of {len(info['feasible'])} feasible candidates by flops:max, "
                             "ranks 4-7\n")
    last = _run("top", "--study", "demo", "--storage", storage.url, "--offset",
                str(len(by_flops) - 1), "--csv")
    assert [int(line.split(",")[0]) for line in last.stdout.splitlines()[1:]] == by_flops[-1:]
    assert _run("top", "--study", "demo", "--storage", storage.url, "--offset",
                "-1").exit_code == 2
