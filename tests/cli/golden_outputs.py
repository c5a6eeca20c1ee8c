"""What the reading commands print for the shared demo study, kept as golden files.

The files under ``golden/`` were written by the code before the study reader moved from
Optuna's trial objects to SQL; ``test_golden_outputs`` compares every output with them byte
for byte. Paths, the storage URL and timestamps differ between runs and are replaced by
placeholders (:func:`normalized`). Rewrite the files (only when an output is meant to
change) with ``python tests/cli/golden_outputs.py``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

GOLDEN = Path(__file__).with_name("golden")
TRAINED_ACCURACY = 61.25  # percent: one architecture of the demo study gets a training
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2})?")


def add_training(storage, info) -> None:
    """Store one successful training of the second feasible trial's architecture, so that
    outputs show an accuracy."""
    number = info["feasible"][1]
    storage.add_training(info["arch_ids"][number], dataset="cifar10", epochs=1, seed=0,
                         status="ok", accuracy=TRAINED_ACCURACY, study_name="demo",
                         trial_number=number, energy_mj=0.5)


def commands(info) -> dict[str, list[str]]:
    """Name of each golden output: the autost arguments that print it (``--storage`` is
    appended)."""
    arch_id = info["arch_ids"][info["feasible"][0]][:12]
    return {
        "top": ["results", "top", "--study", "demo"],
        "top_k3": ["results", "top", "--study", "demo", "-k", "3"],
        "top_csv": ["results", "top", "--study", "demo", "--csv"],
        "top_json": ["results", "top", "--study", "demo", "--json"],
        "top_energy": ["results", "top", "--study", "demo", "--by", "energy", "-k", "4"],
        "top_accuracy": ["results", "top", "--study", "demo", "--by", "accuracy", "--json"],
        "top_unknown_study": ["results", "top", "--study", "nope"],
        "show": ["results", "show", arch_id],
        "show_json": ["results", "show", arch_id, "--json"],
        "pareto": ["pareto", "--study", "demo"],
        "pareto_csv": ["pareto", "--study", "demo", "--csv"],
        "pareto_json": ["pareto", "--study", "demo", "--json"],
        "pareto_params": ["pareto", "--study", "demo", "--objective", "params:min",
                          "--objective", "flops:max"],
        "pareto_unknown_study": ["pareto", "--study", "nope"],
    }


def normalized(text: str, storage, tmp_path: Path) -> str:
    """``text`` with the storage URL, the temporary folder and timestamps as placeholders."""
    for url in (storage.url, storage.masked_url):
        text = text.replace(url, "<storage>")
    return _TIME.sub("<time>", text.replace(str(tmp_path), "<tmp>"))


def outputs(storage, info, tmp_path: Path) -> dict[str, str]:
    """Every golden output's text (stdout, then ``--- stderr`` and stderr where any; the
    files ``autost report`` writes, except the PNG; the service's study data)."""
    from click.testing import CliRunner

    from autost.cli import main

    found = {}
    for name, args in commands(info).items():
        result = CliRunner().invoke(main, [*args, "--storage", storage.url])
        text = f"exit {result.exit_code}\n{result.stdout}"
        if result.stderr:
            text += f"--- stderr\n{result.stderr}"
        found[name] = normalized(text, storage, tmp_path)
    out = tmp_path / "report"
    result = CliRunner().invoke(main, ["report", "--study", "demo", "--out", str(out),
                                       "--storage", storage.url, "-k", "5"])
    found["report"] = normalized(f"exit {result.exit_code}\n{result.output}", storage,
                                 tmp_path)
    for path in sorted(out.iterdir()):
        if path.suffix != ".png":
            found[f"report_{path.name}"] = normalized(path.read_text(), storage, tmp_path)
    found["service"] = normalized(_service_data(storage), storage, tmp_path)
    return found


def _service_data(storage) -> str:
    """The study page's data: summary and trial listings, as the service builds them."""
    from autost.service import studies
    from autost.tables import to_json

    entries = studies.StudyCache(storage).get("demo")
    listings = [studies.list_trials(entries),
                studies.list_trials(entries, sort="energy:min", offset=2, limit=4),
                studies.list_trials(entries, state="infeasible"),
                studies.list_trials(entries, mixer="conv", score="flops", low=0.0),
                studies.list_trials(entries, sort="accuracy")]
    return to_json({"summary": studies.summary(entries), "trials": listings}) + "\n"


def main() -> None:
    """Build the demo study in a temporary folder and write every golden file."""
    import tempfile

    sys.path.insert(0, str(Path(__file__).parents[1]))
    from conftest import build_scored_study

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        storage, info = build_scored_study(f"sqlite:///{tmp_path / 'scored.db'}")
        add_training(storage, info)
        GOLDEN.mkdir(exist_ok=True)
        for old in GOLDEN.glob("*.txt"):
            old.unlink()
        for name, text in outputs(storage, info, tmp_path).items():
            (GOLDEN / f"{name}.txt").write_text(text)
        storage.close()


if __name__ == "__main__":
    main()
