"""The one renderer of rows: aligned text, Markdown, CSV, and strict JSON (non-finite: null)."""

import json
import math

from autost.tables import aligned, csv_text, jsonable, markdown, to_json


def test_aligned_right_aligns_the_number_columns():
    assert aligned(["name", "params"], [["a", 12], ["bcd", 3.14159]], {1}) == (
        "name  params\n"
        "----  ------\n"
        "a         12\n"
        "bcd    3.142\n")


def test_markdown_escapes_pipes_and_leaves_none_empty():
    assert markdown(["a", "b"], [["x|y", None]]) == "| a | b |\n|---|---|\n| x\\|y |  |\n"


def test_csv_takes_every_key_in_order_and_the_columns_of_an_empty_listing():
    assert csv_text([{"a": 1}, {"b": 2, "a": 3}]) == "a,b\n1,\n3,2\n"
    assert csv_text([], ["trial", "arch_id"]) == "trial,arch_id\n"


def test_json_writes_every_non_finite_number_as_null():
    doc = {"naswot": -math.inf, "sahd": math.nan, "rows": [(1.5, math.inf)], "n": 3}
    assert jsonable(doc) == {"naswot": None, "sahd": None, "rows": [[1.5, None]], "n": 3}
    assert json.loads(to_json(doc)) == {"naswot": None, "sahd": None, "rows": [[1.5, None]],
                                        "n": 3}
    assert "NaN" not in to_json(doc) and "Infinity" not in to_json(doc)
