"""``autost pareto``: tables on stdout or in a file, a plot, one Error: line on bad input."""

import csv
import io
import json
import re
import subprocess
import sys
import time

import optuna
import pytest
from click.testing import CliRunner
from matplotlib import image

from autost.cli import main


def _run(*args):
    return CliRunner().invoke(main, ["pareto", *args])


def test_help():
    result = _run("--help")
    assert result.exit_code == 0 and "--objective" in result.output


def test_a_table_on_stdout_by_default(scored_study, front_of):
    storage, info = scored_study
    result = _run("--study", "demo", "--storage", storage.url)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert re.split(r"\s{2,}", lines[0])[:3] == [
        "trial", "arch_id", "flops: MACs per image, total over T (M)"]
    front = front_of(info, ["flops:max", "energy:min"])
    assert set(lines[1]) == {"-", " "}
    assert sorted(int(line.split()[0]) for line in lines[2:]) == front


def test_csv_on_stdout_and_markdown_in_a_file(scored_study, tmp_path, front_of):
    storage, info = scored_study
    front = front_of(info, ["flops:max", "energy:min"])
    result = _run("--study", "demo", "--storage", storage.url, "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert sorted(int(r["trial"]) for r in rows) == front
    assert list(rows[0])[:2] == ["trial", "arch_id"]
    out = tmp_path / "front.md"
    assert _run("--study", "demo", "--storage", storage.url, "--out", str(out)).exit_code == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("| trial | arch_id | flops: MACs per image, total over T (M) |")
    assert sorted(int(line.split("|")[1]) for line in lines[2:]) == front


def test_a_flag_that_disagrees_with_the_files_suffix_is_misuse(scored_study, tmp_path):
    storage, _ = scored_study
    out = tmp_path / "front.csv"
    result = _run("--study", "demo", "--storage", storage.url, "--json", "--out", str(out))
    assert result.exit_code == 2 and not out.exists()
    assert result.output == (f"Error: --json and --out {out} disagree; name the file "
                             "FILE.json, or leave --json out\n")


def test_csv_file_from_suffix_and_png_plot(scored_study, tmp_path, front_of):
    storage, info = scored_study
    out, plot = tmp_path / "front.csv", tmp_path / "front.png"
    result = _run("--study", "demo", "--storage", storage.url, "--out", str(out),
                  "--plot", str(plot))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    front = front_of(info, ["flops:max", "energy:min"])
    assert result.stderr == (f"wrote {len(front)} of {len(info['feasible'])} feasible "
                             f"candidates to {out}\nwrote {plot}\n")
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert sorted(int(r["trial"]) for r in rows) == front
    assert image.imread(plot).shape[:2] == (600, 800)


def test_json_with_chosen_objectives(scored_study, front_of):
    storage, info = scored_study
    result = _run("--study", "demo", "--storage", storage.url, "--json",
                  "--objective", "macs_per_step:max", "--objective", "params:min")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["objectives"] == ["macs_per_step:max", "params:min"]
    front = front_of(info, doc["objectives"])
    assert sorted(row["trial"] for row in doc["rows"]) == front


def test_empty_study_is_one_error_line(scored_study):
    storage, _ = scored_study
    study = optuna.create_study(study_name="empty", storage=storage.optuna_storage(),
                                directions=["maximize", "minimize"])
    study.set_user_attr("objectives", ["flops:max", "energy:min"])
    result = _run("--study", "empty", "--storage", storage.url)
    assert result.exit_code == 1
    assert result.output == ("Error: study 'empty' has no trials yet; run "
                             "`autost search --study empty` first\n")


def test_unknown_objective_is_one_error_line(scored_study):
    storage, _ = scored_study
    result = _run("--study", "demo", "--storage", storage.url, "--objective", "flop:max",
                  "--objective", "energy:min")
    assert result.exit_code == 1
    assert result.output == "Error: unknown score 'flop'; did you mean 'flops'?\n"


@pytest.mark.slow
@pytest.mark.parametrize("url", ["postgresql://bob:s3cret@127.0.0.1:1/results",
                                 "postgresql:/bob:s3cret@nowhere"])
def test_bad_storage_fails_fast_with_password_masked(url):
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "autost", "pareto", "--study", "s",
                             "--storage", url], capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - start
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and "s3cret" not in lines[0]
    assert "***" in lines[0]
    assert elapsed < 10


def test_limit_and_offset_page_the_front(scored_study):
    storage, _ = scored_study
    whole = _run("--study", "demo", "--storage", storage.url, "--csv")
    members = whole.stdout.splitlines()[1:]
    assert whole.stderr == "" and len(members) > 4
    page = _run("--study", "demo", "--storage", storage.url, "--csv", "--offset", "2",
                "--limit", "3")
    assert page.exit_code == 0, page.output
    assert page.stdout.splitlines() == whole.stdout.splitlines()[:1] + members[2:5]
    assert page.stderr == f"members 3-5 of {len(members)}\n"
    past = _run("--study", "demo", "--storage", storage.url, "--offset", str(len(members)))
    assert past.stderr == f"none after {len(members)} members\n"
    assert _run("--study", "demo", "--storage", storage.url, "--limit", "0").exit_code == 2
