"""Bootstrap intervals: seeded, paired across columns, NaN where undefined."""

import math

import numpy as np
import pytest

from autost.report.bootstrap import Estimate, bootstrap, resample_indices


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
