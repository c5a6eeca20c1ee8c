"""The fidelity table: every column with its interval, FLOPs as the control."""

import math

import pytest

from autost.report.fidelity import fidelity_table, proxy_fidelity, rank_agreement

ACCURACY = [50.0, 61.0, 55.0, 70.0, 65.0, 80.0, 72.0, 90.0]
FLOPS = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]


def test_a_proxy_that_orders_accuracy_exactly():
    row = proxy_fidelity("perfect", ACCURACY, ACCURACY, FLOPS)
    assert row["proxy"] == "perfect" and row["n"] == 8
    for column in ("kendall_tau", "spearman_rho", "precision_top25"):
        assert (row[column], row[f"{column}_low"], row[f"{column}_high"]) == pytest.approx(
            (1.0, 1.0, 1.0))
    # flops has tau 22/28 with accuracy (3 swapped pairs): the perfect proxy adds the rest
    # (1 - (11/14)^2) / (1 - (11/14)^2) = 1
    assert row["partial_tau_flops"] == pytest.approx(1.0)


def test_flops_against_itself_adds_nothing():
    [flops, params] = fidelity_table({"flops": FLOPS, "params": [2 * f for f in FLOPS]},
                                     ACCURACY)
    assert flops["kendall_tau"] == pytest.approx(22 / 28)
    # the two largest (index 7 and 6) hold only one of the two most accurate (7 and 5)
    assert flops["precision_top25"] == 0.5
    assert flops["kendall_tau_low"] < 22 / 28 < flops["kendall_tau_high"]
    assert math.isnan(flops["partial_tau_flops"]) and math.isnan(params["partial_tau_flops"])
    assert params["kendall_tau"] == flops["kendall_tau"]
    assert (params["kendall_tau_low"], params["kendall_tau_high"]) == (
        flops["kendall_tau_low"], flops["kendall_tau_high"])  # the same resamples


def test_non_finite_scores_leave_their_architecture_out():
    values = [*FLOPS[:7], math.inf]
    row = proxy_fidelity("p", values, ACCURACY, FLOPS)
    assert row["n"] == 7
    assert row["kendall_tau"] == proxy_fidelity("p", FLOPS[:7], ACCURACY[:7],
                                                FLOPS[:7])["kendall_tau"]


def test_rank_agreement_between_two_runs():
    n, estimate = rank_agreement(ACCURACY, [a + 1 for a in ACCURACY])
    assert n == 8
    assert (estimate.value, estimate.low, estimate.high) == pytest.approx((1.0, 1.0, 1.0))
    n, estimate = rank_agreement([1.0, None, 3.0], [1.0, 2.0, None])
    assert n == 1 and math.isnan(estimate.value)


def test_the_rank_aggregate_sums_log_ranks_of_the_named_proxies():
    from autost.report.fidelity import combined_columns

    columns = combined_columns({"flops": FLOPS, "synflow": ACCURACY, "params": FLOPS},
                               ACCURACY)
    assert list(columns) == ["synflow+flops"]  # params is not aggregated; 8 < 10: no ridge
    values = columns["synflow+flops"]
    # index 7: largest flops and largest synflow, rank 8 of 8 by both: log 1 + log 1
    assert values[7] == pytest.approx(0.0)
    # index 0: last by both
    assert values[0] == pytest.approx(2 * math.log(1 / 8))
    # index 5: flops 6th (6/8), synflow 80 is 7th (7/8)
    assert values[5] == pytest.approx(math.log(6 / 8) + math.log(7 / 8))


def test_the_ridge_column_holds_out_of_fold_predictions():
    from autost.report.fidelity import combined_columns

    flops = [10.0 ** k for k in range(1, 13)]
    accuracy = [5.0 * k for k in range(1, 13)]  # exactly linear in log10(flops)
    columns = combined_columns({"flops": flops}, accuracy)
    assert list(columns) == ["ridge 5-fold CV"]
    assert columns["ridge 5-fold CV"] == pytest.approx(accuracy, abs=0.5)
    # a predictor fitted on labels shuffled against the feature cannot rank held-out ones
    shuffled = [accuracy[i] for i in (5, 0, 11, 3, 8, 1, 10, 6, 2, 9, 4, 7)]
    predicted = combined_columns({"flops": flops}, shuffled)["ridge 5-fold CV"]
    from autost.report.correlation import kendall_tau
    assert kendall_tau(predicted, shuffled) < 0.5
