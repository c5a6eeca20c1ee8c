"""Exports carry arch_id, trial, every score with its unit and rate source, and a summary."""

import csv
import io
import json
import math

import pytest

from autost.proxies import ScoreResult
from autost.report import load_entries, pareto_front, render
from autost.report.export import score_names, text_table


@pytest.fixture
def front(scored_study):
    storage, _ = scored_study
    return pareto_front(load_entries(storage, "demo"))


def test_csv_has_raw_values_units_rate_source_and_summary(front, scored_study):
    _, info = scored_study
    rows = list(csv.DictReader(io.StringIO(render(front.members, front.objectives, "csv"))))
    assert list(rows[0]) == [
        "trial", "arch_id", "flops [MACs per image, total over T]", "energy [mJ per image]",
        "params [count]", "macs_total [MACs per image, total over T]",
        "macs_per_step [MACs per image per time step]",
        "elementwise_ops_total [element-wise ops per image, total over T]", "rate_source",
        "summary"]
    assert [int(r["trial"]) for r in rows] == [e.trial for e in front.members]
    for row, entry in zip(rows, front.members, strict=True):
        values = info["values"][int(row["trial"])]
        assert row["arch_id"] == entry.arch_id == info["arch_ids"][entry.trial]
        assert float(row["flops [MACs per image, total over T]"]) == values["flops"]
        assert float(row["params [count]"]) == values["params"]
        assert row["rate_source"] == "prior" and row["summary"] == entry.arch.summary()


def test_json_is_strict_and_round_trips(scored_study):
    storage, info = scored_study
    best = pareto_front(load_entries(storage, "demo")).members[0]
    storage.put_scores(best.arch_id, info["settings_key"],  # merged into the stored set
                       ScoreResult(best.arch_id, {"naswot": -math.inf}, "prior", [], []))
    front = pareto_front(load_entries(storage, "demo"))  # a proxy scored later, non-finite
    text = render(front.members, front.objectives, "json", title="demo")
    doc = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON {c}"))
    assert doc["study"] == "demo" and doc["objectives"] == ["flops:max", "energy:min"]
    assert doc["units"]["energy"] == "mJ per image" and doc["units"]["naswot"] == ""
    assert [row["trial"] for row in doc["rows"]] == [e.trial for e in front.members]
    for row in doc["rows"]:  # -inf and a score not computed alike: null
        assert row["scores"] == info["values"][row["trial"]] | {"naswot": None}
        assert row["arch"]["blocks"] and row["rate_source"] == "prior"


def test_markdown_and_text_show_scaled_values_with_labels(front, scored_study):
    _, info = scored_study
    md = render(front.members, front.objectives, "md")
    header = md.splitlines()[0]
    assert "flops: MACs per image, total over T (M)" in header and "params (M)" in header
    best = front.members[0]
    v = info["values"][best.trial]  # MACs and params in millions, 4 significant digits
    assert (f"| {best.trial} | {best.arch_id[:12]} | {v['flops'] / 1e6:.4g} | "
            f"{v['energy']:.4g} | {v['params'] / 1e6:.4g} |") in md
    text = text_table(front.members, score_names(front.members, front.objectives)[:2])
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["trial", "arch_id"] and set(lines[1]) == {"-", " "}
    assert len(lines) == 2 + len(front.members)


def test_experts_appear_in_the_summary(scored_study):
    storage, _ = scored_study
    entries = load_entries(storage, "demo").entries
    with_experts = [e for e in entries if any(b.token_experts for b in e.arch.blocks)]
    assert with_experts
    for entry in with_experts:
        for block in entry.arch.blocks:
            mixer = f"{block.token_mixer}x{block.token_experts}" if block.token_experts \
                else block.token_mixer
            assert f"{mixer}/" in entry.summary


def test_unknown_format():
    with pytest.raises(ValueError, match="format"):
        render([], [], "xlsx")
