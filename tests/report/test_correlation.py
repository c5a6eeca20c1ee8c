"""Rank correlations and precision at the top on hand-made inputs with known answers."""

import math

import pytest

from autost.report.correlation import (
    correlation_table,
    kendall_tau,
    partial_kendall_tau,
    precision_at_top,
    spearman_rho,
)


def test_perfect_agreement_and_reversal():
    assert kendall_tau([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman_rho([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert kendall_tau([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman_rho([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)


def test_one_swapped_pair():
    # 5 concordant and 1 discordant pair: tau = 4/6; squared rank differences 0+1+1+0:
    # rho = 1 - 6*2 / (4*15) = 0.8.
    assert kendall_tau([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(2 / 3)
    assert spearman_rho([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)


def test_kendall_tau_b_with_ties_in_the_proxy():
    # 4 concordant pairs, 2 tied in x out of 6: tau_b = 4 / sqrt((6 - 2) * 6).
    assert kendall_tau([1, 1, 2, 2], [1, 2, 3, 4]) == pytest.approx(4 / math.sqrt(24))


def test_precision_at_top_quarter():
    proxy = [8, 7, 1, 2, 3, 4, 5, 6]
    accuracy = [1, 8, 7, 2, 3, 4, 5, 6]  # best two: indices 1 and 2
    assert precision_at_top(proxy, accuracy) == 0.5  # proxy's top two: 0 and 1
    assert precision_at_top(proxy, accuracy, direction="min") == 0.5  # 2 and 3
    assert precision_at_top(proxy, accuracy, fraction=1.0) == 1.0
    assert precision_at_top([1, 2, 3, 4, 5], [5, 4, 3, 2, 1], direction="min") == 1.0
    # ceil(0.25 * 5) = 2 architectures; the proxy picks the two worst.
    assert precision_at_top([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]) == 0.0


def test_undefined_answers_are_nan_and_non_finite_pairs_are_dropped():
    assert math.isnan(kendall_tau([1], [1]))
    assert math.isnan(spearman_rho([3, 3, 3], [1, 2, 3]))
    assert math.isnan(precision_at_top([], []))
    assert kendall_tau([1, float("nan"), 2, 3], [1, 5, 2, 3]) == pytest.approx(1.0)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="equal length"):
        kendall_tau([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="^direction must be 'max' or 'min', not 'up'$"):
        precision_at_top([1, 2], [1, 2], direction="up")
    with pytest.raises(ValueError, match="not 'minimize'"):
        precision_at_top([1, 2], [1, 2], direction="minimize")
    with pytest.raises(ValueError, match="fraction"):
        precision_at_top([1, 2], [1, 2], fraction=0)


def test_correlation_table_rows():
    rows = correlation_table({"flops": [1, 2, 3, 4], "noise": [4, 3, 2, 1]}, [1, 3, 2, 4])
    assert [r["proxy"] for r in rows] == ["flops", "noise"]
    assert rows[0] == {"proxy": "flops", "n": 4, "kendall_tau": pytest.approx(2 / 3),
                       "spearman_rho": pytest.approx(0.8), "precision_top25": 1.0}
    assert rows[1]["kendall_tau"] == pytest.approx(-2 / 3)
    assert rows[1]["precision_top25"] == 0.0


def test_partial_tau_given_a_control():
    # tau_xy = 2/3 (one swapped pair), tau_xz = 2/3, tau_yz = (4 - 2)/6 = 1/3:
    # (2/3 - 2/9) / sqrt((1 - 4/9)(1 - 1/9)) = (4/9) / (sqrt(40)/9) = 4/sqrt(40)
    x, y, z = [1, 2, 3, 4], [1, 3, 2, 4], [1, 2, 4, 3]
    assert partial_kendall_tau(x, y, z) == pytest.approx(4 / math.sqrt(40))
    # a proxy that is the control says nothing beyond it
    assert math.isnan(partial_kendall_tau(z, y, z))
    # a non-finite control value drops that architecture
    assert partial_kendall_tau([*x, 9], [*y, 9], [*z, math.nan]) == pytest.approx(
        4 / math.sqrt(40))
