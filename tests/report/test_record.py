"""Kendall tau against the published record, per dataset, on hand-checkable rows."""

import math

import pytest

from autost.report.record import record_taus


def test_tau_per_dataset_and_score_matches_a_hand_count():
    rows = [
        {"dataset": "ImageNet", "top1": 10.0, "flops": 1.0, "naswot": 4.0},
        {"dataset": "ImageNet", "top1": 30.0, "flops": 2.0, "naswot": 3.0},
        {"dataset": "ImageNet", "top1": 20.0, "flops": 3.0, "naswot": math.nan},
        {"dataset": "ImageNet", "top1": 40.0, "flops": 4.0, "naswot": 1.0},
        {"dataset": "CIFAR10", "top1": 90.0, "flops": 9.0, "naswot": 9.0},
    ]
    table = record_taus(rows, ["flops", "naswot"], ["ImageNet", "CIFAR10"])
    got = {(r["dataset"], r["score"]): (r["n"], r["kendall_tau"]) for r in table}
    # flops: of the 6 pairs only (30, 20) is discordant: (5 - 1) / 6.
    assert got[("ImageNet", "flops")] == (4, pytest.approx(4 / 6))
    # naswot: the NaN row is left out; the other three are in reverse order: tau -1.
    assert got[("ImageNet", "naswot")] == (3, pytest.approx(-1.0))
    n, tau = got[("CIFAR10", "flops")]
    assert n == 1 and math.isnan(tau)
    row = table[0]
    assert row["low"] <= row["kendall_tau"] <= row["high"]


def test_a_missing_column_counts_as_no_value():
    rows = [{"dataset": "CIFAR100", "top1": float(i), "flops": float(i)} for i in range(3)]
    (row,) = record_taus(rows, ["predicted"], ["CIFAR100"])
    assert row["n"] == 0 and math.isnan(row["kendall_tau"])
