"""Datasets: shapes, seeded splits, CIFAR pickle batches read without torchvision, errors."""

import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch

from autost.data.catalog import list_datasets
from autost.data.datasets import (
    calibration_batch,
    calibration_sample,
    load_dataset,
)
from autost.exceptions import DatasetError


def test_registry_names():
    assert list_datasets() == ["cifar10", "cifar100", "digits", "fashion-mnist", "synthetic"]


def test_digits_split_is_fixed_and_batches_fit_the_model():
    data = load_dataset("digits", input_size=16, in_channels=3)
    again = load_dataset("digits", input_size=16, in_channels=3)
    assert (len(data.train), len(data.validation), data.num_classes) == (1438, 359, 10)
    assert torch.equal(data.validation.labels, again.validation.labels)
    x, y = next(data.batches("train", 32, seed=0))
    assert x.shape == (32, 3, 16, 16) and x.dtype == torch.float32 and y.shape == (32,)
    assert torch.equal(x[:, 0], x[:, 2])  # one grey channel repeated
    assert abs(float(data.prepare(data.train.images).mean())) < 0.05  # normalised


def test_calibration_sample_gives_the_images_their_labels():
    images, labels = calibration_sample("digits", 8, 1, 6, seed=3)
    assert torch.equal(images, calibration_batch("digits", 8, 1, 6, seed=3))
    data = load_dataset("digits", input_size=8, in_channels=1, seed=3)
    idx = torch.randperm(len(data.validation), generator=torch.Generator().manual_seed(3))[:6]
    assert torch.equal(labels, data.validation.labels[idx])
    assert torch.equal(images, data.prepare(data.validation.images[idx]))


def test_calibration_batch_is_deterministic():
    a = calibration_batch("digits", 32, 3, 16, seed=0)
    assert a.shape == (16, 3, 32, 32)
    assert torch.equal(a, calibration_batch("digits", 32, 3, 16, seed=0))
    assert not torch.equal(a, calibration_batch("digits", 32, 3, 16, seed=1))


def test_synthetic_is_seeded():
    a = load_dataset("synthetic", input_size=8, in_channels=1, seed=3)
    b = load_dataset("synthetic", input_size=8, in_channels=1, seed=3)
    assert torch.equal(a.train.images, b.train.images)
    assert set(a.train.labels.tolist()) == set(range(10))


def _write_batch(path, n, label_key, rng):
    entry = {"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
             label_key: rng.integers(0, 10, n).tolist()}
    with open(path, "wb") as f:
        pickle.dump(entry, f)


def test_cifar10_reads_the_pickle_batches(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in [*(f"data_batch_{i}" for i in range(1, 6)), "test_batch"]:
        _write_batch(folder / name, 4, "labels", rng)
    data = load_dataset("cifar10", data_dir=tmp_path, input_size=32, in_channels=3)
    assert (len(data.train), len(data.validation)) == (20, 4)
    x, _ = next(data.batches("train", 8, seed=0))
    assert x.shape == (8, 3, 32, 32)
    grey = load_dataset("cifar10", data_dir=tmp_path, input_size=16, in_channels=1)
    assert next(grey.batches("validation", 4))[0].shape == (4, 1, 16, 16)


def test_cifar100_reads_fine_labels(tmp_path):
    folder = tmp_path / "cifar-100-python"
    folder.mkdir()
    rng = np.random.default_rng(0)
    for name in ("train", "test"):
        _write_batch(folder / name, 3, "fine_labels", rng)
    data = load_dataset("cifar100", data_dir=tmp_path, input_size=32, in_channels=3)
    assert data.num_classes == 100 and len(data.train) == 3


def test_missing_cifar_dir_says_what_to_do(tmp_path):
    with pytest.raises(DatasetError) as e:
        load_dataset("cifar10", data_dir=tmp_path, input_size=32, in_channels=3)
    assert str(e.value) == (
        f"cifar10 not found in {tmp_path}; expected {tmp_path}/cifar-10-batches-py/"
        "data_batch_1..5 and test_batch (torchvision's CIFAR-10 python format); pass "
        "--download to fetch it or point --data-dir at an existing copy"
    )
    with pytest.raises(DatasetError, match="needs a data directory"):
        load_dataset("cifar100", input_size=32, in_channels=3)


def test_malformed_cifar_batch(tmp_path):
    folder = tmp_path / "cifar-100-python"
    folder.mkdir()
    (folder / "train").write_bytes(b"not a pickle")
    (folder / "test").write_bytes(b"not a pickle")
    with pytest.raises(DatasetError, match="is not a readable CIFAR batch"):
        load_dataset("cifar100", data_dir=tmp_path, input_size=32, in_channels=3)


def test_unknown_dataset_suggests_names():
    with pytest.raises(DatasetError, match="did you mean 'digits'"):
        load_dataset("digit", input_size=8, in_channels=1)


def test_crop_and_flip_match_a_per_image_reference():
    import torch.nn.functional as F

    from autost.data.datasets import _random_crop_flip

    x = torch.arange(4 * 3 * 5 * 6, dtype=torch.float32).view(4, 3, 5, 6)
    out = _random_crop_flip(x, torch.Generator().manual_seed(1), pad=2)
    g = torch.Generator().manual_seed(1)
    dy, dx = torch.randint(0, 5, (4,), generator=g), torch.randint(0, 5, (4,), generator=g)
    flip = torch.rand(4, generator=g) < 0.5
    padded = F.pad(x, (2, 2, 2, 2))
    assert 0 < int(flip.sum()) < 4  # both cases are exercised
    for i in range(4):
        crop = padded[i, :, dy[i]:dy[i] + 5, dx[i]:dx[i] + 6]
        assert torch.equal(out[i], crop.flip(-1) if flip[i] else crop)


def test_checking_a_dataset_imports_no_torch(tmp_path):
    """A search checks its calibration dataset before anything else; when no proxy needs
    images, that check must not pay for importing torch."""
    code = ("import sys; from autost.data import ensure_dataset; "
            "ensure_dataset('synthetic'); ensure_dataset('digits'); "
            "assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)
