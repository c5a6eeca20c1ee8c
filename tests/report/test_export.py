"""Exports carry arch_id, trial, every score with its unit and rate source, and a summary."""

import csv
import io
import json
import math

import pytest

from autost.report import load_entries, pareto_front, render
from autost.report.export import score_names, text_table


@pytest.fixture
def front(scored_study):
    storage, _ = scored_study
    return pareto_front(load_entries(storage, "demo"))


def test_csv_has_raw_values_units_rate_source_and_summary(front, scored_study):
    _, info = scored_study
    rows = list(csv.DictReader(io.StringIO(render(front.members, front.objectives, "csv"))))
    assert list(rows[0])[:4] == ["trial", "arch_id", "flops [MACs per image, total over T]",
                                 "energy [mJ per image]"]
    assert {"params [count]", "sops [SOPs per image, total over T]", "sahd", "naswot",
            "rate_source", "summary"} <= set(rows[0])
    for row, entry in zip(rows, front.members, strict=True):
        values = info["values"][int(row["trial"])]
        assert row["arch_id"] == entry.arch_id and len(row["arch_id"]) == 64
        assert float(row["flops [MACs per image, total over T]"]) == values["flops"]
        assert float(row["params [count]"]) == values["params"]
        assert row["rate_source"] == "init" and row["summary"] == entry.arch.summary()


def test_json_is_strict_and_round_trips(front, scored_study):
    _, info = scored_study
    text = render(front.members, front.objectives, "json", title="demo")
    doc = json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON {c}"))
    assert doc["study"] == "demo" and doc["objectives"] == ["flops:max", "energy:min"]
    assert doc["units"]["energy"] == "mJ per image" and doc["units"]["sahd"] == ""
    for row in doc["rows"]:
        expected = info["values"][row["trial"]]
        for name, value in row["scores"].items():
            assert value == (expected[name] if math.isfinite(expected[name]) else None)
        assert row["arch"]["blocks"] and row["rate_source"] == "init"


def test_markdown_and_text_show_scaled_values_with_labels(front):
    md = render(front.members, front.objectives, "md")
    header = md.splitlines()[0]
    assert "flops: MACs per image, total over T (M)" in header and "params (M)" in header
    best = front.members[0]
    assert f"| {best.trial} | {best.arch_id[:12]} | 27 | 0.07 | 0.9 |" in md
    text = text_table(front.members, score_names(front.members, front.objectives)[:2])
    lines = text.splitlines()
    assert lines[0].split()[:2] == ["trial", "arch_id"] and set(lines[1]) == {"-", " "}
    assert len(lines) == 2 + len(front.members)


def test_experts_appear_in_the_summary(scored_study):
    storage, _ = scored_study
    entries = load_entries(storage, "demo").entries
    assert any("emsax2/emspx4" in e.summary for e in entries)


def test_unknown_format():
    with pytest.raises(ValueError, match="format"):
        render([], [], "xlsx")
