"""The training-time estimate: a timed step scaled by MACs, trials in parallel slots."""

import pytest

from autost.arch import ArchConfig, BlockConfig
from autost.cost import count_costs
from autost.train.estimate import (
    FORWARD_SHARE,
    TrainingEstimate,
    _makespan,
    estimate_training,
    format_duration,
)
from autost.train.loop import TrainSettings


@pytest.mark.parametrize(("durations", "slots", "total"), [
    ([3, 1, 2], 2, 3), ([4, 4, 4], 2, 8), ([4, 4, 4], 1, 12), ([5], 4, 5), ([], 2, 0)])
def test_jobs_run_in_order_on_free_slots(durations, slots, total):
    assert _makespan(durations, slots) == total


@pytest.mark.parametrize(("seconds", "text"), [
    (0.4, "0 s"), (42, "42 s"), (190, "3 min 10 s"), (3900, "1 h 05 min")])
def test_durations_read_as_people_write_them(seconds, text):
    assert format_duration(seconds) == text


def test_measured_epochs_replace_the_estimate_and_finished_jobs_need_nothing():
    cfg = ArchConfig(blocks=(BlockConfig(),), embed_dim=64)
    est = TrainingEstimate(cfg, 0.1, 32, [10.0, 20.0], epochs=3, concurrent=1)
    assert est.total_seconds() == 90
    est.record_epoch(0, 1, 12.0)
    assert (est.rest_of(0), est.rest_of(1), est.rest()) == (24.0, 60.0, 84.0)
    est.finish(0)
    assert est.rest() == 60.0


def test_the_cheapest_candidate_is_timed_and_the_others_scale_by_macs():
    small = ArchConfig(blocks=(BlockConfig("conv", "mlp", mlp_ratio=2),), embed_dim=16,
                       input_size=16, timesteps=1)
    large = small.replace(embed_dim=32, blocks=small.blocks * 2)
    settings = TrainSettings(dataset="synthetic", batch_size=32, max_batches=2)
    est = estimate_training([large, small], settings, threads=1, concurrent=2)
    assert est.reference == small and est.step_seconds > 0 and est.concurrent == 2
    images = 2 * 32 + FORWARD_SHARE * 160  # two capped batches, the validation pass
    assert est.epoch_seconds[1] == pytest.approx(est.step_seconds / 32 * images, rel=1e-12)
    ratio = count_costs(large).macs_total / count_costs(small).macs_total
    assert est.epoch_seconds[0] / est.epoch_seconds[1] == pytest.approx(ratio, rel=1e-12)
    assert est.total_seconds() == pytest.approx(settings.epochs * est.epoch_seconds[0])
