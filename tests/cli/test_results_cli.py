"""``autost results top|show``: tables, --json, --csv, one Error: line on bad input."""

import csv
import io
import json

from click.testing import CliRunner

from autost.cli import main


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
    assert [int(line.split()[0]) for line in lines[2:]] == [8, 7, 6]
    assert result.stderr == "3 of 9 feasible candidates by flops:max\n"


def test_top_csv_and_json_by_another_score(scored_study):
    storage, info = scored_study
    result = _run("top", "--study", "demo", "--storage", storage.url, "--by", "energy",
                  "--csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    energies = [float(r["energy [mJ per image]"]) for r in rows]
    assert energies == sorted(energies) and len(rows) == 9
    assert {int(r["trial"]) for r in rows}.isdisjoint(info["infeasible"] + info["failed"])
    result = _run("top", "--study", "demo", "--storage", storage.url, "--by", "sahd:max",
                  "-k", "2", "--json")
    doc = json.loads(result.stdout)
    assert doc["objectives"][0] == "sahd:max" and len(doc["rows"]) == 2
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
    arch_id = info["arch_ids"][8]
    storage.add_training(arch_id, dataset="digits", epochs=2, seed=0, status="ok",
                         accuracy=71.25, study_name="demo", trial_number=8)
    result = _run("show", arch_id[:10], "--storage", storage.url)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"{arch_id}\nL3 D160 T1 sps [conv/mlp ssa/mlp stm/mlp]\n")
    assert "rate source init" in out and "blocks.2.attn" in out and "71.25" in out
    assert "flops       27     M MACs per image, total over T" in out
    doc = json.loads(_run("show", arch_id, "--storage", storage.url, "--json").stdout)
    assert doc["arch"]["embed_dim"] == 160 and doc["trainings"][0]["accuracy"] == 71.25
    (scores,) = doc["scores"]
    assert scores["values"]["flops"] == info["values"][8]["flops"]
    assert len(scores["layers"]) == 3


def test_show_non_finite_score_is_null_in_json(scored_study):
    storage, info = scored_study
    doc = json.loads(_run("show", info["arch_ids"][3], "--storage", storage.url,
                          "--json").stdout)
    assert doc["scores"][0]["values"]["naswot"] is None


def test_bad_storage_is_one_error_line_without_password():
    result = _run("top", "--study", "s", "--storage", "postgresql://bob:s3cret@127.0.0.1:1/r")
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot reach storage postgresql://bob:***@127.0.0.1:1/r")
    assert result.output.count("\n") == 1 and "s3cret" not in result.output
