"""The prior-rate fit and its bound: hand-computed linear programs, exact recovery, and the
stored rates being the documented fit of the published tables."""

import numpy as np
import pytest

from autost.cost.conventions import PublishedEnergy
from autost.cost.prior_fit import (
    DEFAULT_PULL,
    PublishedRow,
    fit,
    least_max_error,
    published_rows,
)
from autost.cost.priors import FITTED_ROLES, FLOOR_ROLES, MEASURED_RATES, PRIOR_RATES

K = len(FITTED_ROLES)


def _row(energy_mj: float, fixed_mj: float, per_role: dict[str, float],
         paper: str = "spikformer") -> PublishedRow:
    entry = PublishedEnergy("m", "spikformer-8-384", 4, 224, energy_mj, paper, "test")
    coef = np.array([per_role.get(role, 0.0) for role in FITTED_ROLES])
    return PublishedRow(entry, fixed_mj, coef)


def test_least_max_error_splits_the_error_between_two_disagreeing_pairs():
    """E = 3 r on both, published 1 and 2: |3r - 1| = |3r / 2 - 1| at 3r = 4/3, error 1/3."""
    rows = [_row(1.0, 0.0, {"patch": 3.0}), _row(2.0, 0.0, {"patch": 3.0})]
    assert least_max_error(rows) == pytest.approx(1 / 3, abs=1e-9)


def test_least_max_error_keeps_rates_at_most_one():
    """E = r, published 2: the best rate is 1, half the published energy."""
    assert least_max_error([_row(2.0, 0.0, {"patch": 1.0})]) == pytest.approx(0.5)


def test_least_max_error_knows_the_dense_part_alone_can_be_too_much():
    """A fixed part of 2 mJ against a published 1 mJ is 100 % over at every rate >= 0."""
    assert least_max_error([_row(1.0, 2.0, {"patch": 5.0})]) == pytest.approx(1.0)


def test_least_max_error_is_zero_where_rates_in_range_reproduce_every_pair():
    rows = [_row(1.0 + 0.5 * 0.3, 1.0, {"patch": 0.5}),
            _row(2.0 + 3.0 * 0.3 + 2.0 * 0.7, 2.0, {"patch": 3.0, "mlp_hidden": 2.0})]
    assert least_max_error(rows) == pytest.approx(0.0, abs=1e-9)


def test_fit_without_pull_recovers_the_rates_that_made_the_energies():
    rng = np.random.default_rng(0)
    truth = np.array([max(0.5, MEASURED_RATES[role].rate) if role in FLOOR_ROLES
                      else rng.uniform(0.05, 0.9) for role in FITTED_ROLES])
    rows = []
    for i in range(2 * K):
        coef = rng.uniform(0.1, 10.0, K)
        rows.append(PublishedRow(
            PublishedEnergy("m", "p", 4, 224, 1.0 + coef @ truth, f"paper{i % 3}", "test"),
            1.0, coef))
    np.testing.assert_allclose(fit(rows, pull=0.0), truth, atol=1e-6)


def test_fit_keeps_a_floor_role_at_its_measurement_and_pulls_the_others():
    """Published energies equal to the dense part ask for rates of zero: the floor roles stop
    at their measurement; with a pull, every other role moves toward its measurement."""
    rows = [_row(1.0, 1.0, dict.fromkeys(FITTED_ROLES, 1.0))]
    rates = dict(zip(FITTED_ROLES, fit(rows, pull=0.0), strict=True))
    pulled = dict(zip(FITTED_ROLES, fit(rows, pull=1.0), strict=True))
    for role in FITTED_ROLES:
        measured = MEASURED_RATES[role].rate
        if role in FLOOR_ROLES:
            assert rates[role] == pytest.approx(measured)
        else:
            assert rates[role] == pytest.approx(0.0, abs=1e-9)
            assert 0.0 < pulled[role] < measured


def test_the_stored_prior_rates_are_the_fit_of_the_published_tables():
    fitted = fit(published_rows(), DEFAULT_PULL)
    stored = [PRIOR_RATES[role].rate for role in FITTED_ROLES]
    np.testing.assert_allclose(stored, np.round(fitted, 4), atol=1e-12)
