"""What datasets autost knows and whether one is in place, without torch.

A search or a service checks its calibration dataset before it writes anything; that check
must not cost the 1-2 s of importing torch when no proxy needs images. The loaders that turn
the files into tensors live in :mod:`autost.data.datasets`.
"""

import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from autost.data import fashion_mnist
from autost.exceptions import DatasetError, UnknownDatasetError, unknown_name

SYNTHETIC_CLASSES = 10


@dataclass(frozen=True)
class CifarFormat:
    folder: str
    train_files: tuple[str, ...]
    test_file: str
    label_key: str
    num_classes: int
    url: str
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    expected: str


CIFAR = {
    "cifar10": CifarFormat(
        "cifar-10-batches-py", tuple(f"data_batch_{i}" for i in range(1, 6)), "test_batch",
        "labels", 10, "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616),
        "cifar-10-batches-py/data_batch_1..5 and test_batch (torchvision's CIFAR-10 python "
        "format)",
    ),
    "cifar100": CifarFormat(
        "cifar-100-python", ("train",), "test", "fine_labels", 100,
        "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
        (0.5071, 0.4865, 0.4409), (0.2673, 0.2564, 0.2762),
        "cifar-100-python/train and test (torchvision's CIFAR-100 python format)",
    ),
}


def _download_cifar(root: Path, fmt: CifarFormat) -> None:
    root.mkdir(parents=True, exist_ok=True)
    archive = root / fmt.url.rsplit("/", 1)[1]
    try:
        urllib.request.urlretrieve(fmt.url, archive)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(root, filter="data")
    except (OSError, tarfile.TarError) as e:
        raise DatasetError(f"could not download {fmt.url} into {root}: {e}; download it by "
                           "hand and unpack it there") from e
    finally:
        archive.unlink(missing_ok=True)


def cifar_files(name: str, data_dir, download: bool) -> list[Path]:
    """The train batches then the test batch, fetched first when asked and missing."""
    fmt = CIFAR[name]
    if data_dir is None:
        raise DatasetError(f"dataset {name!r} needs a data directory; expected "
                           f"<dir>/{fmt.expected}; pass --data-dir DIR (add --download "
                           "to fetch it)")
    root = Path(data_dir)
    files = [root / fmt.folder / f for f in (*fmt.train_files, fmt.test_file)]
    if download and not all(p.is_file() for p in files):
        _download_cifar(root, fmt)
    missing = [p.name for p in files if not p.is_file()]
    if missing:
        what = "" if len(missing) == len(files) else f" (missing {', '.join(missing)})"
        raise DatasetError(
            f"{name} not found in {root}{what}; expected {root}/{fmt.expected}; pass "
            "--download to fetch it or point --data-dir at an existing copy"
        )
    return files


NUM_CLASSES = {"digits": 10, "fashion-mnist": fashion_mnist.NUM_CLASSES, "cifar10": 10,
               "cifar100": 100, "synthetic": SYNTHETIC_CLASSES}


def num_classes(name: str) -> int:
    """Class count of a named dataset, without loading it."""
    if name not in NUM_CLASSES:
        raise unknown_name("dataset", name, NUM_CLASSES, error=UnknownDatasetError)
    return NUM_CLASSES[name]


def ensure_dataset(name: str, data_dir: str | Path | None = None,
                   download: bool = False) -> None:
    """Check that a dataset can be loaded (fetching CIFAR first when asked), without loading.

    Run it once before training starts, so a missing directory is one clear error instead
    of one failed trial per architecture, and parallel trials never download.
    """
    num_classes(name)
    if name in CIFAR:
        cifar_files(name, data_dir, download)
    if name == "fashion-mnist":
        fashion_mnist.check_fashion_mnist(data_dir)  # read once here: a bad file fails early


def list_datasets() -> list[str]:
    """Names accepted by :func:`autost.data.datasets.load_dataset`."""
    return sorted(NUM_CLASSES)


