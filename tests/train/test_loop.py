"""Surrogate-gradient training: learns digits, is seeded, follows the schedule."""

import time

import pytest
import torch

from autost.data.datasets import load_dataset
from autost.train.loop import TrainSettings, cosine_with_warmup, train_model


@pytest.fixture
def one_thread():
    """Small models train fastest on one thread, and a busy 2-core machine stays usable."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_tiny_spiking_net_learns_digits_on_cpu_within_a_minute(tiny_net, one_thread):
    data = load_dataset("digits", input_size=8, in_channels=1)
    settings = TrainSettings(epochs=4, lr=1e-2, batch_size=32, device="cpu")
    seen = []
    start = time.perf_counter()
    result = train_model(tiny_net(), data, settings, on_epoch=seen.append)
    assert time.perf_counter() - start < 60
    assert [m["epoch"] for m in seen] == [1, 2, 3, 4]
    assert result.val_accuracy == [m["val_accuracy"] for m in seen]
    assert result.accuracy > 0.5  # chance is 0.1
    assert result.train_loss[-1] < result.train_loss[0]


def test_training_is_reproducible(tiny_net, one_thread):
    data = load_dataset("synthetic", input_size=8, in_channels=1)
    settings = TrainSettings(dataset="synthetic", epochs=1, max_batches=3, device="cpu")
    first = train_model(tiny_net(), data, settings)
    second = train_model(tiny_net(), data, settings)
    assert first.val_accuracy == second.val_accuracy
    assert first.train_loss == second.train_loss


def test_schedule_warms_up_then_decays_to_the_floor():
    factor = cosine_with_warmup(total_steps=10, warmup_steps=2, lr=1e-3, min_lr=1e-5)
    assert factor(0) == pytest.approx(0.5)
    assert factor(1) == pytest.approx(1.0)
    assert factor(2) == pytest.approx(1.0)
    assert factor(10) == pytest.approx(0.01)
    assert factor(6) == pytest.approx(0.01 + 0.99 * 0.5)


def test_settings_key_ignores_where_data_lives():
    a = TrainSettings(epochs=3, data_dir="/a", device="cpu")
    b = TrainSettings(epochs=3, data_dir="/b")
    assert a.key() == b.key()
    assert a.key() != TrainSettings(epochs=4).key()
    assert "epochs=3" in a.key() and "dataset=digits" in a.key()
