"""Write a self-contained report folder for one study.

Files: ``pareto.csv``, ``pareto.png``, ``top.csv``, ``layers_best_<objective>.csv`` (the
per-layer cost breakdown of the best candidate per objective) and ``summary.md``.

The run settings come from the study's user attrs (written by the search), else from the
newest ``autost_runs`` row of the study: the keys in :data:`SETTINGS_KEYS`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from autost.exceptions import ReportError
from autost.proxies.objective import Objective
from autost.report.entries import Entry, StudyEntries, load_entries
from autost.report.export import render, scaled, write_text
from autost.report.pareto import Front, pareto_front
from autost.report.plot_process import background_plot
from autost.report.scores import score_info
from autost.report.top import top_entries
from autost.storage.optuna_tables import (
    BUDGET_ATTR,
    CONSTRAINTS_ATTR,
    OBJECTIVES_ATTR,
    RATES_ATTR,
    SAMPLER_ATTR,
    SEED_ATTR,
    SPACE_ATTR,
)
from autost.tables import csv_text, markdown
from autost.wording import counted

SETTINGS_KEYS = (SPACE_ATTR, SAMPLER_ATTR, BUDGET_ATTR, SEED_ATTR, OBJECTIVES_ATTR,
                 CONSTRAINTS_ATTR, RATES_ATTR)
REASON_CHARS = 120


def write_report(storage, study_name: str, out_dir: str | Path, objectives=(),
                 k: int = 10) -> list[Path]:
    """Write the report of ``study_name`` into ``out_dir`` (created); return the files.

    The plot is drawn beside the rest (:mod:`autost.report.plot_process`)."""
    with background_plot() as plotter:
        study = load_entries(storage, study_name)
        front = pareto_front(study, objectives)
        out = Path(out_dir)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ReportError(f"cannot create report folder {str(out)!r}: {e.strerror}"
                              ) from e
        plotter.send(front, out / "pareto.png")
        files = _write_tables(storage, study, front, out, k)
        files.insert(2, plotter.result())
    return files


def _write_tables(storage, study: StudyEntries, front: Front, out: Path, k: int
                  ) -> list[Path]:
    """pareto.csv, top.csv, the per-layer breakdowns and summary.md."""
    files = [out / "pareto.csv", out / "top.csv"]
    write_text(files[0], render(front.members, front.objectives, "csv"))
    _, top = top_entries(study, front.objectives[0].spec, k)
    write_text(files[1], render(top, front.objectives, "csv"))
    best = {o.name: _best(front.candidates, o) for o in front.objectives}
    layer_files = {}
    for name, entry in best.items():
        stored = storage.get_scores(entry.arch_id, entry.settings_key) if entry.arch_id else None
        if stored is not None and stored.layers:
            path = out / f"layers_best_{name}.csv"
            write_text(path, csv_text(stored.layers))
            layer_files[name] = path.name
            files.append(path)
    summary = out / "summary.md"
    write_text(summary, summary_markdown(storage, study, front, best, layer_files, k))
    files.append(summary)
    return files


def _best(entries: list[Entry], objective: Objective) -> Entry:
    sign = -1.0 if objective.maximize else 1.0
    return min(entries, key=lambda e: (sign * e.scores[objective.name], e.trial))


def run_settings(storage, study: StudyEntries) -> dict:
    """The :data:`SETTINGS_KEYS` known for a study (user attrs first, then its newest run)."""
    settings = {}
    runs = storage.runs(study.study_name)
    if runs:
        newest = runs[-1]
        settings.update({"space": newest.space, "seed": newest.seed})
        settings.update({k: v for k, v in newest.settings.items() if k in SETTINGS_KEYS})
    settings.update({k: v for k, v in study.user_attrs.items() if k in SETTINGS_KEYS})
    return settings


def summary_markdown(storage, study: StudyEntries, front: Front, best: dict[str, Entry],
                     layer_files: dict[str, str], k: int) -> str:
    settings = run_settings(storage, study)
    rates = Counter(e.rate_source or "unknown" for e in study.entries)
    states = Counter(_state(r) for r in study.rows)
    facts = [
        ("storage", storage.masked_url),
        *((key, _show(settings.get(key))) for key in ("space", "sampler", "seed", "budget")),
        ("objectives", _show(settings.get("objectives")
                             or [o.spec for o in study.objectives])),
        ("constraints", _show(settings.get("constraints"))),
        ("rate source", ", ".join(f"{r} ({counted(n, 'candidate')})"
                                  for r, n in rates.most_common())
         + (f"; requested: {settings['rates']}" if "rates" in settings else "")),
        ("trials", f"{len(study.rows)}: " + ", ".join(
            f"{n} {s}" for s, n in sorted(states.items())) if study.rows else "0"),
    ]
    parts = [f"# autost report: study `{study.study_name}`\n",
             markdown(["", ""], [(f"**{a}**", b) for a, b in facts]),
             "## Best per objective\n", _best_table(front, best, layer_files),
             "## Pareto front\n",
             f"{len(front.members)} of {len(front.candidates)} feasible candidates are "
             f"non-dominated over {', '.join(o.spec for o in front.objectives)}: "
             "`pareto.csv`, `pareto.png`. The best "
             f"{k} by {front.objectives[0].spec}: `top.csv`.\n"]
    parts += _reasons("Infeasible candidates", Counter(
        name for r in study.rows if r.state == "COMPLETE" and not r.feasible
        for name in r.violations), "violated")
    parts += _reasons("Failed candidates", Counter(
        (r.fail_reason or "no reason stored")[:REASON_CHARS] for r in study.rows
        if r.state == "FAIL"), "")
    return "\n".join(parts)


def _best_table(front: Front, best: dict[str, Entry], layer_files: dict[str, str]) -> str:
    rows = []
    for o in front.objectives:
        e = best[o.name]
        rows.append([o.spec, str(e.trial), (e.arch_id or "")[:12],
                     f"{scaled(o.name, e.scores[o.name])} {score_info(o.name).shown}".strip(),
                     e.summary, f"`{layer_files[o.name]}`" if o.name in layer_files else "-"])
    return markdown(["objective", "trial", "arch_id", "value", "architecture",
                           "per-layer breakdown"], rows)


def _reasons(title: str, counts: Counter, verb: str) -> list[str]:
    if not counts:
        return []
    lines = [f"- {reason}{f' {verb}' if verb else ''}: {counted(n, 'trial')}"
             for reason, n in counts.most_common()]
    return [f"## {title}\n", "\n".join(lines) + "\n"]


def _state(row) -> str:
    if row.state == "COMPLETE":
        return "complete feasible" if row.feasible else "infeasible"
    return {"FAIL": "failed"}.get(row.state, row.state.lower())


def _show(value) -> str:
    if value is None:
        return "not recorded"
    if value == [] or value == {}:
        return "none"
    if isinstance(value, dict):
        return ", ".join(f"{k} <= {v:g}" if isinstance(v, int | float) else f"{k}: {v}"
                         for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)
