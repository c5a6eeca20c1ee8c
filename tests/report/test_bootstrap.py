"""Bootstrap intervals: seeded, paired across columns, NaN where undefined."""

import math

import numpy as np
import pytest

from autost.report.bootstrap import Estimate, bootstrap, nested_bootstrap, resample_indices


def test_percentile_interval_of_the_mean_over_the_seeded_resamples():
    values = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
    estimate = bootstrap(lambda x: float(np.mean(x)), [values], seed=3)
    means = np.asarray(values)[resample_indices(8, 1000, 3)].mean(axis=1)
    assert estimate == Estimate(3.875, float(np.percentile(means, 2.5)),
                                float(np.percentile(means, 97.5)))
    assert estimate.low < 3.875 < estimate.high
    assert bootstrap(lambda x: float(np.mean(x)), [values], seed=3) == estimate


def test_columns_are_resampled_together():
    x = [1.0, 2.0, 3.0, 4.0, 5.0]
    # the difference of paired columns is the same in every resample
    estimate = bootstrap(lambda a, b: float(np.mean(b - a)), [x, [v + 2 for v in x]])
    assert estimate == Estimate(2.0, 2.0, 2.0)


def test_undefined_statistics_give_nan_intervals():
    assert math.isnan(bootstrap(np.mean, [[1.0]]).low)
    assert bootstrap(lambda x: float(x[0]), [[7.0]]).value == 7.0
    # defined on fewer than half of the resamples: no interval
    mostly_nan = bootstrap(lambda x: 1.0 if len(set(x)) == 3 else math.nan, [[1.0, 2.0, 3.0]])
    assert mostly_nan.value == 1.0 and math.isnan(mostly_nan.low)
    with pytest.raises(ValueError, match="equally long"):
        bootstrap(np.mean, [[1.0, 2.0], [1.0]])


def test_excludes_zero_above():
    assert Estimate(0.3, 0.1, 0.5).excludes_zero_above()
    assert not Estimate(0.3, -0.1, 0.5).excludes_zero_above()
    assert not Estimate(0.3, math.nan, math.nan).excludes_zero_above()


def _constant_rows(values):
    """One group per value, each a set of three identical rows: resampling within a group
    changes nothing, so only the groups' resampling moves the statistic."""
    return [(np.full((3, 1), v),) for v in values]


def test_nested_resamples_the_groups_as_the_plain_bootstrap_does():
    values = [2.0, 7.0, 1.0, 8.0, 3.0]
    nested = nested_bootstrap(lambda a: float(a.mean()), _constant_rows(values), seed=5)
    assert nested == bootstrap(lambda x: float(np.mean(x)), [values], seed=5)
    assert nested.value == 4.2


def test_nested_resamples_rows_within_a_group_too():
    one = [(np.array([[0.0], [10.0], [20.0], [30.0]]),)]
    estimate = nested_bootstrap(lambda a: float(a.mean()), one, seed=0)
    assert estimate.value == 15.0 and estimate.low < 15.0 < estimate.high
    assert 0.0 <= estimate.low and estimate.high <= 30.0


def test_paired_groups_share_the_resampled_seeds():
    # seeds differ wildly, but b beats a by exactly 1 within every seed
    a = [1.0, 10.0, 100.0]
    groups = [(np.full((2, 1), x), np.full((2, 1), x + 1)) for x in a]
    paired = nested_bootstrap(lambda p, q: float(q.mean() - p.mean()), groups)
    assert paired == Estimate(1.0, 1.0, 1.0)
    alone = nested_bootstrap(lambda p: float(p.mean()), [(g[0],) for g in groups])
    assert alone.high - alone.low > 50


def test_nested_accepts_empty_sets_and_no_groups():
    groups = [(np.empty((0, 2)),), (np.ones((2, 2)),)]
    estimate = nested_bootstrap(lambda a: float(len(a)), groups)
    assert estimate.value == 1.0 and (estimate.low, estimate.high) == (0.0, 2.0)
    assert math.isnan(nested_bootstrap(np.mean, []).value)
