"""Ablation pairs come out of the record's series; agreement shares and their Wilson intervals."""

import math

import pytest

from autost.models.published import RECORD, PublishedAccuracy
from autost.report.ablation import ablation_pairs, agreements, self_agreements, share


def _row(model, top1, dataset="CIFAR100", series=("s",)):
    return PublishedAccuracy(model, dataset, top1, "spikformer-4-384-cifar100", "paper",
                             series=series)


A, B, C = _row("a", 80.0), _row("b", 79.0), _row("c", 81.5)
TIED = _row("tied", 80.0)
OTHER_DATASET = _row("d", 90.0, dataset="CIFAR10")
OTHER_SERIES = _row("e", 10.0, series=("t",))


def test_pairs_join_rows_of_one_series_and_one_dataset_better_first():
    pairs = ablation_pairs([A, B, C, OTHER_DATASET, OTHER_SERIES], ["s"])
    assert [(p.better.model, p.worse.model) for p in pairs] == [("a", "b"), ("c", "a"),
                                                               ("c", "b")]
    assert [p.gap for p in pairs] == pytest.approx([1.0, 1.5, 2.5])
    assert {(p.series, p.dataset) for p in pairs} == {("s", "CIFAR100")}


def test_a_published_tie_has_no_order_and_is_left_out():
    assert [(p.better.model, p.worse.model) for p in ablation_pairs([A, TIED, B], ["s"])] \
        == [("a", "b"), ("tied", "b")]


def test_the_records_series_give_the_published_ablation_pairs():
    pairs = ablation_pairs(RECORD, ["spikformer-timesteps", "qkformer-mixers"])
    # T = 1/2/4/6 on ImageNet, CIFAR10, CIFAR100 (6 pairs each); six mixer variants (15).
    assert len(pairs) == 3 * 6 + 15
    (pair,) = [p for p in pairs if p.dataset == "ImageNet" and p.worse.model.endswith("T = 1")
               and p.better.model.endswith("T = 6")]
    assert pair.gap == pytest.approx(73.70 - 70.14)


def test_agreement_is_strict_and_the_noise_ceiling_compares_two_runs():
    pairs = ablation_pairs([A, B, C], ["s"])  # (a > b), (c > a), (c > b)
    first = {A: 50.0, B: 40.0, C: 50.0}
    assert agreements(pairs, first) == [True, False, True]  # c = a is a tie: no agreement
    second = {A: 60.0, B: 70.0, C: 65.0}
    assert agreements(pairs, second) == [False, True, False]
    # first orders (a>b, c=a, c>b), second (b>a, c>a, b>c): no pair ordered alike and strictly.
    assert self_agreements(pairs, first, second) == [False, False, False]
    assert self_agreements(pairs, second, second) == [True, True, True]


@pytest.mark.parametrize("flags, low, high", [
    # Wilson's score interval by hand: (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)
    ([True, True, False], 0.2076596, 0.9385081),
    ([True] * 9 + [False], 0.5958500, 0.9821238),
])
def test_share_has_the_wilson_interval(flags, low, high):
    result = share(flags)
    assert (result.k, result.n) == (sum(flags), len(flags))
    assert result.value == pytest.approx(sum(flags) / len(flags))
    assert (result.low, result.high) == pytest.approx((low, high), abs=1e-6)


def test_share_of_nothing_is_undefined():
    result = share([])
    assert (result.k, result.n) == (0, 0)
    assert math.isnan(result.value) and math.isnan(result.low) and math.isnan(result.high)
