"""Hypervolume of (accuracy up, energy down) points: by hand and against counting cells."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autost.report.hypervolume import hypervolume


def _cells(accuracy, energy, ref_accuracy, ref_energy) -> int:
    """Unit cells [a, a + 1] x [e, e + 1] inside the reference box that some point
    dominates (integer coordinates)."""
    return sum(
        any(acc >= a + 1 and en <= e for acc, en in zip(accuracy, energy, strict=True))
        for a in range(ref_accuracy, 100) for e in range(0, ref_energy))


def test_by_hand():
    # (60, 2) dominates [10, 60] x [2, 10] = 400; (80, 6) adds [60, 80] x [6, 10] = 80
    assert hypervolume([60, 80], [2, 6], 10, 10) == 480.0
    # a dominated point and points beyond the reference add nothing
    assert hypervolume([60, 80, 50, 5, 90], [2, 6, 7, 1, 10], 10, 10) == 480.0
    assert hypervolume([], [], 10, 10) == 0.0
    assert hypervolume([10], [0], 10, 10) == 0.0


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 12)), max_size=8))
def test_equals_counted_cells(points):
    accuracy = [p[0] for p in points]
    energy = [p[1] for p in points]
    assert hypervolume(accuracy, energy, 5, 10) == _cells(accuracy, energy, 5, 10)


def test_lengths_must_agree():
    with pytest.raises(ValueError, match="equally long"):
        hypervolume(np.ones(2), np.ones(3), 0, 1)
