"""Bootstrap 95 % intervals for rank statistics of a few dozen trained architectures.

With n about 30 the standard error of Kendall's tau is about 0.12, so a single tau says
little; the percentile bootstrap (Efron and Tibshirani, "An Introduction to the Bootstrap",
Chapman & Hall 1993, chapter 13) resamples the architectures with replacement and reads the
interval off the 2.5th and 97.5th percentiles of the statistic. The resamples come from a
seeded generator and depend only on (n, resamples, seed), so every proxy of one study is
judged on the same resamples and a rerun gives the same interval.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

RESAMPLES = 1000
LEVEL = 0.95


@dataclass(frozen=True)
class Estimate:
    """A statistic on the whole sample and its bootstrap interval (NaN where undefined)."""

    value: float
    low: float
    high: float

    def excludes_zero_above(self) -> bool:
        """Whether the whole interval lies above zero."""
        return self.low > 0


def resample_indices(n: int, resamples: int = RESAMPLES, seed: int = 0) -> np.ndarray:
    """``resamples`` rows of ``n`` indices drawn with replacement, seeded."""
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def bootstrap(statistic: Callable[..., float], columns: Sequence[Sequence[float]], *,
              resamples: int = RESAMPLES, seed: int = 0, level: float = LEVEL) -> Estimate:
    """``statistic(*columns)`` with its percentile interval over paired resamples.

    ``columns`` are equally long (one entry per architecture) and are resampled together.
    Resamples where the statistic is undefined (NaN: a constant resample, say) are left out;
    the interval is NaN when fewer than half of them are defined.
    """
    arrays = [np.asarray(c, dtype=float) for c in columns]
    n = len(arrays[0])
    if any(len(a) != n for a in arrays):
        raise ValueError(f"columns must be equally long, got {[len(a) for a in arrays]}")
    value = statistic(*arrays) if n else math.nan
    if n < 2:
        return Estimate(value, math.nan, math.nan)
    draws = np.array([statistic(*(a[idx] for a in arrays))
                      for idx in resample_indices(n, resamples, seed)])
    return _percentile_interval(value, draws, resamples, level)


def nested_bootstrap(statistic: Callable[..., float],
                     groups: Sequence[Sequence[np.ndarray]], *, resamples: int = RESAMPLES,
                     seed: int = 0, level: float = LEVEL) -> Estimate:
    """The mean over ``groups`` of ``statistic(*group)``, with its percentile interval over
    two-level resamples: the groups with replacement, then within each drawn group the rows
    of each of its arrays with replacement, independently.

    A group is one unit of the outer level (a search seed) and holds the row sets a
    statistic compares within it (one method's architectures, or two methods' for a paired
    difference, which then share the resampled seeds). Resampling both levels carries both
    sources of variation, the seed and the architectures (the hierarchical bootstrap of
    Davison and Hinkley, "Bootstrap Methods and their Application", Cambridge 1997, section
    3.8). A statistic must accept empty row sets; resamples where it is NaN are left out, as
    in :func:`bootstrap`.
    """
    sets = [[np.asarray(a, dtype=float) for a in group] for group in groups]
    if not sets:
        return Estimate(math.nan, math.nan, math.nan)
    value = float(np.mean([statistic(*group) for group in sets]))
    rng = np.random.default_rng([seed, 1])
    draws = np.array([
        np.mean([statistic(*(a[rng.integers(0, len(a), len(a))] for a in sets[g]))
                 for g in outer])
        for outer in resample_indices(len(sets), resamples, seed)])
    return _percentile_interval(value, draws, resamples, level)


def _percentile_interval(value: float, draws: np.ndarray, resamples: int,
                         level: float) -> Estimate:
    """``value`` with the percentile interval of the finite ``draws`` (NaN when fewer than
    half of the resamples are finite)."""
    draws = draws[np.isfinite(draws)]
    if len(draws) < resamples / 2:
        return Estimate(value, math.nan, math.nan)
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(draws, [tail, 100 - tail])
    return Estimate(value, float(low), float(high))
