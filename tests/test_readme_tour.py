"""The README's tour runs as written, in order, in a fresh folder, after the first command.

Every command is read from README.md (the `autost` part of the first "Two commands" block,
then every line of the "A tour" block, continuation lines joined, comments dropped, then the
Python API snippet) and run in a new process. To keep the run to minutes, the test
substitutes only what a flag sizes: every ``--budget N`` (and the snippet's ``budget=N``)
becomes BUDGET, every ``--epochs N`` becomes 1 and `autost train` gets ``--max-batches 2``,
`autost reproduce scatter` gets ``--samples 3 --epochs 1``, `autost fidelity` runs its
``test`` preset (seconds, synthetic data) instead of ``cpu`` (about ten minutes); ``ARCH_ID``
becomes the first arch_id that `autost results top` printed before it. Nothing else changes.
"""

import csv
import io
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BUDGET = 12


def _block(text: str, heading: str, language: str) -> str:
    """The first fenced ``language`` block after the line ``heading``."""
    section = text[text.index(heading + "\n"):]
    match = re.search(rf"```{language}\n(.*?)```", section, re.S)
    return match.group(1)


def tour_commands(text: str) -> list[list[str]]:
    """The README's commands in order: the first command's search, then the tour's."""
    first = _block(text, "## Two commands", "bash")
    setup_and_search = next(line for line in first.splitlines() if "autost search" in line)
    commands = [shlex.split(setup_and_search.split("&&")[-1].replace(".venv/bin/", ""))]
    tour = _block(text, "## A tour", "bash").replace("\\\n", " ")
    commands += [shlex.split(line, comments=True) for line in tour.splitlines()]
    return [c for c in commands if c]


def api_snippet(text: str) -> str:
    return re.sub(r"budget=\d+", f"budget={BUDGET}", _block(text, "## Python API", "python"))


def small(args: list[str]) -> list[str]:
    """``args`` with the budget and epoch substitutions of the module docstring."""
    out = list(args)
    for flag, value in (("--budget", str(BUDGET)), ("--epochs", "1")):
        if flag in out:
            out[out.index(flag) + 1] = value
    if out[1] == "train":
        out += ["--max-batches", "2"]
    if out[1:3] == ["reproduce", "scatter"]:
        out += ["--samples", "3", "--epochs", "1"]
    if out[1] == "fidelity" and "--preset" in out:
        out[out.index("--preset") + 1] = "test"
    return out


def test_the_tour_is_read_from_the_readme():
    commands = tour_commands(README.read_text())
    assert commands[0] == ["autost", "search", "--space", "stmixer", "--budget", "500"]
    assert all(c[0] == "autost" for c in commands)
    search = next(c for c in commands[1:] if c[1] == "search")
    assert small(search)[small(search).index("--budget") + 1] == str(BUDGET)
    assert "--study" in search  # its settings differ from the first command's study
    assert "budget=12" in api_snippet(README.read_text())


@pytest.mark.slow
def test_every_tour_command_runs_in_order_in_a_fresh_folder(tmp_path):
    text = README.read_text()
    arch_id = None
    for args in tour_commands(text):
        args = small(args)
        if "ARCH_ID" in args:
            assert arch_id, "the tour lists candidates before it names ARCH_ID"
            args = [arch_id if a == "ARCH_ID" else a for a in args]
        result = subprocess.run([sys.executable, "-m", "autost", *args[1:]], cwd=tmp_path,
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, f"{shlex.join(args)}\n{result.stderr[-3000:]}"
        if args[1:3] == ["results", "top"]:
            arch_id = next(csv.DictReader(io.StringIO(result.stdout)))["arch_id"][:12]
    result = subprocess.run([sys.executable, "-c", api_snippet(text)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "front.png").stat().st_size > 0
    assert (tmp_path / "reports" / "stmixer-nsga2").is_dir()
    assert (tmp_path / "scatter" / "scatter.png").stat().st_size > 0
