"""Top-k: best feasible candidates by the study's first objective or any score."""

import pytest

from autost.exceptions import ReportError
from autost.report import load_entries, top_entries


def test_top_ranks_by_first_objective_or_any_score(scored_study):
    storage, info = scored_study
    values = info["values"]
    entries = load_entries(storage, "demo")
    objective, top = top_entries(entries, k=2)
    assert objective.spec == "flops:max" and [e.trial for e in top] == sorted(
        info["feasible"], key=lambda n: -values[n]["flops"])[:2]
    objective, top = top_entries(entries, "energy", k=3)
    assert objective.spec == "energy:min"
    assert [e.scores["energy"] for e in top] == sorted(
        values[n]["energy"] for n in info["feasible"])[:3]
    _, top = top_entries(entries, "elementwise_ops_total:max", k=100)
    assert [e.trial for e in top] == sorted(
        info["feasible"], key=lambda n: -values[n]["elementwise_ops_total"])
    with pytest.raises(ReportError, match="-k must be at least 1"):
        top_entries(entries, k=0)
