"""Fashion-MNIST: the real idx files, hand-made idx files, missing and corrupt ones."""

import gzip
import struct

import numpy as np
import pytest
import torch

from autost.data.catalog import ensure_dataset, num_classes
from autost.data.datasets import load_dataset
from autost.data.fashion_mnist import (
    DEFAULT_DIR,
    TEST_IMAGES,
    TEST_LABELS,
    TRAIN_IMAGES,
    TRAIN_LABELS,
    read_fashion_mnist,
    read_idx,
)
from autost.exceptions import DatasetError

HINT = ("install Debian's package dataset-fashion-mnist (apt-get install dataset-fashion-mnist) "
        "or point --data-dir at a folder holding train-images-idx3-ubyte.gz and "
        "train-labels-idx1-ubyte.gz")
REINSTALL = "reinstall the package dataset-fashion-mnist or replace the file"


def _idx(dims: tuple[int, ...], data: bytes) -> bytes:
    return bytes([0, 0, 8, len(dims)]) + struct.pack(f">{len(dims)}I", *dims) + data


def _write(folder, images: np.ndarray, labels: np.ndarray):
    folder.mkdir(exist_ok=True)
    (folder / TRAIN_IMAGES).write_bytes(gzip.compress(_idx(images.shape, images.tobytes())))
    (folder / TRAIN_LABELS).write_bytes(gzip.compress(_idx(labels.shape, labels.tobytes())))
    read_fashion_mnist.cache_clear()
    return folder


def _hand_made(tmp_path, n=12):
    images = np.arange(n * 28 * 28, dtype=np.uint64).astype(np.uint8).reshape(n, 28, 28)
    labels = (np.arange(n) % 10).astype(np.uint8)
    return _write(tmp_path / "fm", images, labels), images, labels


@pytest.mark.skipif(not DEFAULT_DIR.is_dir(), reason="dataset-fashion-mnist not installed")
def test_the_installed_files_give_a_fixed_seeded_split():
    data = load_dataset("fashion-mnist", input_size=16, in_channels=3)
    assert (len(data.train), len(data.validation), data.num_classes) == (50_000, 10_000, 10)
    assert data.train.images.shape == (50_000, 1, 28, 28)
    assert data.train.images.dtype == torch.uint8
    # every class holds 6,000 of the 60,000 training images
    labels = torch.cat([data.train.labels, data.validation.labels])
    assert torch.bincount(labels).tolist() == [6000] * 10
    again = load_dataset("fashion-mnist", input_size=16, in_channels=3)
    assert torch.equal(data.validation.labels, again.validation.labels)
    other = load_dataset("fashion-mnist", input_size=16, in_channels=3, seed=1)
    assert not torch.equal(data.validation.labels, other.validation.labels)
    assert data.mean[0] == pytest.approx(0.2860, abs=0.002)  # the dataset's known pixel mean
    x, y = next(data.batches("train", 32, seed=0))
    assert x.shape == (32, 3, 16, 16) and y.shape == (32,)
    assert torch.equal(x[:, 0], x[:, 2])  # one grey channel repeated


def test_hand_made_files_are_read_exactly(tmp_path):
    folder, images, labels = _hand_made(tmp_path)
    read_images, read_labels = read_fashion_mnist(folder)
    assert np.array_equal(read_images, images) and np.array_equal(read_labels, labels)
    assert read_labels.dtype == np.int64
    data = load_dataset("fashion-mnist", data_dir=folder, input_size=28, in_channels=1)
    assert (len(data.train), len(data.validation)) == (10, 2)  # round(12 / 6) = 2
    order = torch.randperm(12, generator=torch.Generator().manual_seed(0))
    assert data.validation.labels.tolist() == labels[order[:2].numpy()].tolist()
    assert data.scale == 1 / 255
    train = images[order[2:].numpy()] / 255.0
    assert data.mean[0] == pytest.approx(train.mean()) and data.std[0] == pytest.approx(
        torch.from_numpy(train).std().item())
    first = data.prepare(data.validation.images[:1])
    expected = (images[order[0]] / 255.0 - train.mean()) / data.std[0]
    assert torch.allclose(first[0, 0], torch.from_numpy(expected).float(), atol=1e-5)


def test_missing_folder_names_the_package_and_the_option(tmp_path):
    missing = tmp_path / "nowhere"
    with pytest.raises(DatasetError) as e:
        ensure_dataset("fashion-mnist", missing)
    assert str(e.value) == f"Fashion-MNIST folder {missing} does not exist; {HINT}"


def test_missing_file_is_named(tmp_path):
    folder, _, _ = _hand_made(tmp_path)
    (folder / TRAIN_LABELS).unlink()
    with pytest.raises(DatasetError) as e:
        load_dataset("fashion-mnist", data_dir=folder, input_size=16, in_channels=1)
    assert str(e.value) == f"Fashion-MNIST file {folder / TRAIN_LABELS} is missing; {HINT}"


def _corrupt_message(path, what):
    return f"Fashion-MNIST file {path} is corrupt: {what}; {REINSTALL}"


def test_a_file_that_is_not_gzip_is_named(tmp_path):
    folder, _, _ = _hand_made(tmp_path)
    (folder / TRAIN_IMAGES).write_bytes(b"plain bytes")
    with pytest.raises(DatasetError) as e:
        ensure_dataset("fashion-mnist", folder)
    assert str(e.value) == _corrupt_message(
        folder / TRAIN_IMAGES,
        "not a readable gzip file (BadGzipFile: Not a gzipped file (b'pl'))")


def test_a_truncated_gzip_is_named(tmp_path):
    folder, _, _ = _hand_made(tmp_path)
    path = folder / TRAIN_IMAGES
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(DatasetError, match=r"is corrupt: not a readable gzip file \(EOFError"):
        read_idx(path, 3)


def test_a_short_payload_is_named(tmp_path):
    path = tmp_path / "short.gz"
    path.write_bytes(gzip.compress(_idx((2, 28, 28), bytes(100))))
    with pytest.raises(DatasetError) as e:
        read_idx(path, 3)
    assert str(e.value) == _corrupt_message(
        path, "holds 100 data bytes where its header (2, 28, 28) promises 1568")


def test_a_wrong_header_is_named(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(_idx((4,), bytes(4))))
    with pytest.raises(DatasetError) as e:
        read_idx(path, 3)  # a label file where images were expected
    assert str(e.value) == _corrupt_message(
        path, "not an idx file of unsigned bytes with 3 dimensions")


def test_labels_that_do_not_match_the_images_are_named(tmp_path):
    images = np.zeros((3, 28, 28), np.uint8)
    folder = _write(tmp_path / "fm", images, np.zeros(2, np.uint8))
    with pytest.raises(DatasetError) as e:
        read_fashion_mnist(folder)
    assert str(e.value) == _corrupt_message(
        folder / TRAIN_LABELS, f"2 labels for the 3 images of {TRAIN_IMAGES}")
    folder = _write(tmp_path / "fm", images, np.array([0, 10, 3], np.uint8))
    with pytest.raises(DatasetError, match=r"label 10 is outside 0\.\.9"):
        read_fashion_mnist(folder)
    folder = _write(tmp_path / "fm", np.zeros((3, 32, 32), np.uint8), np.zeros(3, np.uint8))
    with pytest.raises(DatasetError, match="images are 32x32, not 28x28"):
        read_fashion_mnist(folder)


def _with_test_files(tmp_path):
    """A hand-made folder holding the training pair and a test pair of 5 images."""
    folder, _, _ = _hand_made(tmp_path)
    images, labels = np.zeros((5, 28, 28), np.uint8), np.arange(5, dtype=np.uint8)
    (folder / TEST_IMAGES).write_bytes(gzip.compress(_idx(images.shape, images.tobytes())))
    (folder / TEST_LABELS).write_bytes(gzip.compress(_idx(labels.shape, labels.tobytes())))
    return folder


def test_a_truncated_test_file_is_named_though_training_never_reads_it(tmp_path):
    folder = _with_test_files(tmp_path)
    ensure_dataset("fashion-mnist", folder)  # intact: passes
    path = folder / TEST_IMAGES
    path.write_bytes(path.read_bytes()[:-20])
    load_dataset("fashion-mnist", data_dir=folder, input_size=16, in_channels=1)  # not read
    with pytest.raises(DatasetError) as e:
        ensure_dataset("fashion-mnist", folder)
    assert str(e.value).startswith(f"Fashion-MNIST file {path} is corrupt: not a readable "
                                   "gzip file (EOFError")
    assert str(e.value).endswith(REINSTALL)


def test_test_labels_that_do_not_match_the_test_images_are_named(tmp_path):
    folder = _with_test_files(tmp_path)
    labels = np.arange(4, dtype=np.uint8)
    (folder / TEST_LABELS).write_bytes(gzip.compress(_idx(labels.shape, labels.tobytes())))
    with pytest.raises(DatasetError) as e:
        ensure_dataset("fashion-mnist", folder)
    assert str(e.value) == _corrupt_message(folder / TEST_LABELS,
                                            f"4 labels for the 5 images of {TEST_IMAGES}")


def test_half_a_test_pair_is_named_and_no_test_pair_is_fine(tmp_path):
    folder = _with_test_files(tmp_path)
    (folder / TEST_LABELS).unlink()
    with pytest.raises(DatasetError) as e:
        ensure_dataset("fashion-mnist", folder)
    assert str(e.value) == (f"Fashion-MNIST file {folder / TEST_LABELS} is missing while "
                            f"{TEST_IMAGES} is there; {REINSTALL}")
    (folder / TEST_IMAGES).unlink()
    ensure_dataset("fashion-mnist", folder)  # the training pair alone is a usable copy


def test_registered_with_its_class_count():
    assert num_classes("fashion-mnist") == 10
