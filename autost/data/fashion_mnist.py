"""Fashion-MNIST read from its standard idx ``.gz`` files, offline.

Fashion-MNIST (Xiao, Rasul and Vollgraf, "Fashion-MNIST: a Novel Image Dataset for
Benchmarking Machine Learning Algorithms", arXiv:1708.07747, 2017) holds 60,000 training and
10,000 test images of clothing, 28x28 grayscale, ten classes, in LeCun's idx format: a
big-endian header (two zero bytes, a type byte, 0x08 for unsigned bytes, and the number of
dimensions), one big-endian uint32 per dimension, then the raw bytes.

Debian ships the four files in the package ``dataset-fashion-mnist`` under
:data:`DEFAULT_DIR`; any folder holding the same file names works. Only the two training
files are read: a fidelity study selects architectures on validation accuracy, so the
validation images are a fixed seeded part of the training images (as for the digits) and
the official test images stay unseen. The test files, where present, are still read once by
:func:`check_fashion_mnist`, so a broken copy of the dataset is reported before any work.
"""

import gzip
import zlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from autost.exceptions import DatasetError

DEFAULT_DIR = Path("/usr/share/datasets/fashion-mnist")
TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
NUM_CLASSES = 10
IMAGE_SIZE = 28
_UBYTE = 0x08
INSTALL_HINT = ("install Debian's package dataset-fashion-mnist (apt-get install "
                "dataset-fashion-mnist) or point --data-dir at a folder holding "
                f"{TRAIN_IMAGES} and {TRAIN_LABELS}")


def fashion_mnist_files(data_dir: str | Path | None = None) -> tuple[Path, Path]:
    """The training images and labels files; DatasetError naming what is missing."""
    root = Path(data_dir) if data_dir is not None else DEFAULT_DIR
    if not root.is_dir():
        raise DatasetError(f"Fashion-MNIST folder {root} does not exist; {INSTALL_HINT}")
    files = root / TRAIN_IMAGES, root / TRAIN_LABELS
    for path in files:
        if not path.is_file():
            raise DatasetError(f"Fashion-MNIST file {path} is missing; {INSTALL_HINT}")
    return files


def read_idx(path: Path, ndim: int) -> np.ndarray:
    """An idx file of unsigned bytes with ``ndim`` dimensions as a uint8 array.

    DatasetError names the file when it is not gzip, is truncated, or has another header.
    """
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as e:
        raise _corrupt(path, f"not a readable gzip file ({type(e).__name__}: {e})") from e
    header = 4 + 4 * ndim
    if len(raw) < header or raw[:2] != b"\0\0" or raw[2] != _UBYTE or raw[3] != ndim:
        raise _corrupt(path, f"not an idx file of unsigned bytes with {ndim} dimensions")
    shape = tuple(int(d) for d in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    if len(raw) - header != int(np.prod(shape)):
        raise _corrupt(path, f"holds {len(raw) - header} data bytes where its header "
                             f"{shape} promises {int(np.prod(shape))}")
    return np.frombuffer(raw, np.uint8, offset=header).reshape(shape).copy()  # writable


def _corrupt(path: Path, what: str) -> DatasetError:
    return DatasetError(f"Fashion-MNIST file {path} is corrupt: {what}; reinstall the "
                        "package dataset-fashion-mnist or replace the file")


@lru_cache(maxsize=2)
def read_fashion_mnist(data_dir: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Training images [N, 28, 28] (uint8, 0..255) and labels [N] (int64, 0..9)."""
    return _read_pair(*fashion_mnist_files(data_dir))


def check_fashion_mnist(data_dir: str | Path | None = None) -> None:
    """Read every file of the dataset once: the training pair (which holds the validation
    images too) and the test pair where present. DatasetError names the first bad file."""
    read_fashion_mnist(data_dir)
    root = Path(data_dir) if data_dir is not None else DEFAULT_DIR
    test_files = root / TEST_IMAGES, root / TEST_LABELS
    present = [path.is_file() for path in test_files]
    if any(present) and not all(present):
        missing = test_files[present.index(False)]
        raise DatasetError(f"Fashion-MNIST file {missing} is missing while "
                           f"{test_files[present.index(True)].name} is there; reinstall the "
                           "package dataset-fashion-mnist or replace the file")
    if all(present):
        _read_pair(*test_files)


def _read_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One images file and its labels file, checked against each other."""
    images = read_idx(images_path, 3)
    labels = read_idx(labels_path, 1).astype(np.int64)
    if images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise _corrupt(images_path, f"images are {images.shape[1]}x{images.shape[2]}, not "
                                    f"{IMAGE_SIZE}x{IMAGE_SIZE}")
    if len(labels) != len(images):
        raise _corrupt(labels_path, f"{len(labels)} labels for the {len(images)} images of "
                                    f"{images_path.name}")
    if len(labels) and labels.max() >= NUM_CLASSES:
        raise _corrupt(labels_path, f"label {labels.max()} is outside 0..{NUM_CLASSES - 1}")
    return images, labels
