"""The search-quality table and figure from handed-over rows, checked by hand."""

import math

import pytest

from autost.report.search_quality import (
    COLUMNS,
    Reference,
    plot_quality,
    quality_table,
    references,
    targets,
)


def _row(method, seed, accuracy, energy, space="s"):
    return {"space": space, "method": method, "seed": seed, "accuracy": accuracy,
            "energy_mj": energy, "train_s": 2.0}


ROWS = [
    _row("random", 0, 30.0, 4.0), _row("random", 0, 50.0, 8.0),
    _row("random", 1, 40.0, 2.0), _row("random", 1, None, 6.0),  # a failed training
    _row("flops", 0, 60.0, 10.0), _row("flops", 0, 20.0, 1.0),
    _row("flops", 1, 70.0, 9.0), _row("flops", 1, 30.0, 3.0),
    _row("predicted", 0, 80.0, 5.0), _row("predicted", 0, 60.0, 2.0),
    _row("predicted", 1, 75.0, 4.0), _row("predicted", 1, 65.0, 1.0),
]


def test_one_reference_per_space_from_every_method():
    (ref,) = references(ROWS, {"s": 10.0}).values()
    assert ref == Reference(10.0, 10.0, 4.0)  # largest energy 10, median of 12 energies 4


def test_table_by_hand():
    table = quality_table(ROWS, {"s": 10.0}, {("s", "flops"): 7.0})
    assert [r["method"] for r in table] == ["random", "flops", "predicted"]
    assert all(list(r) == list(COLUMNS) for r in table)
    rnd, flops, pred = table
    box = 90.0 * 10.0
    # random seed 0: (30, 4) -> 20 x 6 = 120, (50, 8) adds 20 x 2 = 40; seed 1: (40, 2) 30 x 8
    hv_random = [160 / box, 240 / box]
    assert rnd["hypervolume"] == pytest.approx(sum(hv_random) / 2)
    # flops seed 0: (20, 1) 10 x 9 = 90, (60, 10) at the reference adds nothing; seed 1:
    # (30, 3) 20 x 7 = 140, (70, 9) adds 40 x 1 = 40
    hv_flops = [90 / box, 180 / box]
    assert flops["hypervolume"] == pytest.approx(sum(hv_flops) / 2)
    # predicted seed 0: (60, 2) 50 x 8 = 400, (80, 5) adds 20 x 5; seed 1: (65, 1) 55 x 9 =
    # 495, (75, 4) adds 10 x 6 = 60
    hv_pred = [500 / box, 555 / box]
    assert pred["hypervolume"] == pytest.approx(sum(hv_pred) / 2)
    assert pred["hv_minus_random"] == pytest.approx((500 + 555 - 160 - 240) / 2 / box)
    assert pred["hv_minus_flops"] == pytest.approx((500 + 555 - 90 - 180) / 2 / box)
    assert math.isnan(rnd["hv_minus_random"]) and math.isnan(flops["hv_minus_flops"])
    # best at or below the median energy 4, per seed: random 30 and 40; flops 20 and 30;
    # predicted 60 (its 80 costs 5) and 75
    assert (rnd["best_at_median"], flops["best_at_median"], pred["best_at_median"]) == (
        35.0, 25.0, 67.5)
    assert rnd["mean_accuracy"] == pytest.approx((40.0 + 40.0) / 2)
    assert (rnd["handed_over"], rnd["trained"], rnd["seeds"]) == (4, 3, 2)
    assert (flops["search_s"], rnd["search_s"], rnd["train_s"]) == (7.0, 0.0, 8.0)
    for row in table:
        for name in ("hypervolume", "best_at_median", "mean_accuracy"):
            assert row[f"{name}_low"] <= row[name] <= row[f"{name}_high"]


def test_a_set_with_nothing_at_the_median_energy_counts_as_chance():
    rows = [_row("random", 0, 50.0, 1.0), _row("flops", 0, 90.0, 9.0)]
    table = quality_table(rows, {"s": 10.0}, {})
    assert [r["best_at_median"] for r in table] == [50.0, 10.0]


def test_targets_name_the_spaces_met():
    table = [{"method": "predicted", "space": s, "hv_minus_random_low": low_r,
              "hv_minus_flops_low": low_f}
             for s, low_r, low_f in (("a", 0.1, 0.2), ("b", 0.05, -0.1), ("c", -0.01, 0.3))]
    assert targets(table, "predicted") == [
        "predicted beats random in hypervolume (paired interval above zero) on >= 3 of 3 "
        "spaces: NOT met (a, b)",
        "predicted beats flops in hypervolume (paired interval above zero) on >= 2 of 3 "
        "spaces: met (a, c)"]


def test_figure_has_one_panel_per_space(tmp_path):
    from matplotlib import image

    rows = ROWS + [_row("random", 0, 55.0, 3.0, space="t")]
    path = tmp_path / "q.png"
    plot_quality(rows, references(rows, {"s": 10.0, "t": 10.0}), ["random", "flops",
                                                                  "predicted"], path, "t")
    height, width = image.imread(path).shape[:2]
    assert width == round(2 * 4.6 * 110) and height == round(4.0 * 110)
