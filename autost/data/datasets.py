"""Image classification datasets for brief training and calibration batches.

Every dataset keeps its images in their source units (uint8 pixels for CIFAR, 0..16 for the
scikit-learn digits, floats for the synthetic set) and converts one batch at a time: scale to
[0, 1], resize bilinearly to the model's input size, repeat or average to its channels,
normalise with the dataset's mean and standard deviation. So a 50 000-image CIFAR set stays
150 MB in memory whatever the model's input.

CIFAR is read from torchvision's on-disk format (the python pickle batches) without
torchvision; it is fetched only when the caller passes ``download=True``.
"""

import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from autost.data import fashion_mnist
from autost.data.catalog import CIFAR, SYNTHETIC_CLASSES, CifarFormat, cifar_files
from autost.exceptions import DatasetError, UnknownDatasetError, unknown_name

DIGITS_VALIDATION_FRACTION = 0.2
FASHION_MNIST_VALIDATION_FRACTION = 1 / 6  # 10,000 of the 60,000 training images
SYNTHETIC_TRAIN, SYNTHETIC_VALIDATION = 320, 160


@dataclass(frozen=True)
class ImageSplit:
    """Images in source units [N, C, H, W] with integer labels [N]."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)


@dataclass(frozen=True)
class ImageDataset:
    """A train/validation pair and the recipe that turns source images into model inputs.

    ``scale`` maps source units to [0, 1]; ``mean``/``std`` are per source channel in [0, 1]
    units; ``augment`` switches on random crop (pad 4) and horizontal flip for training.
    """

    name: str
    train: ImageSplit
    validation: ImageSplit
    num_classes: int
    input_size: int
    in_channels: int
    scale: float
    mean: tuple[float, ...]
    std: tuple[float, ...]
    augment: bool = False

    def prepare(self, images: torch.Tensor, generator: torch.Generator | None = None
                ) -> torch.Tensor:
        """Turn source images into a normalised float batch [B, C, H, W] for the model.

        A generator switches on the training augmentation (when the dataset has one).
        """
        x = images.float() * self.scale
        if self.augment and generator is not None:
            x = _random_crop_flip(x, generator)
        mean = torch.tensor(self.mean, device=x.device).view(1, -1, 1, 1)
        std = torch.tensor(self.std, device=x.device).view(1, -1, 1, 1)
        x = (x - mean) / std
        if x.shape[-1] != self.input_size or x.shape[-2] != self.input_size:
            x = F.interpolate(x, size=(self.input_size, self.input_size), mode="bilinear",
                              align_corners=False)
        return _match_channels(x, self.in_channels)

    def batches(self, split: str, batch_size: int, *, seed: int | None = None,
                device: torch.device | str = "cpu") -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """Yield (inputs, labels) batches; a seed shuffles (and augments) deterministically."""
        data = self.train if split == "train" else self.validation
        generator = None
        order = torch.arange(len(data))
        if seed is not None:
            generator = torch.Generator().manual_seed(seed)
            order = torch.randperm(len(data), generator=generator)
        for start in range(0, len(data), batch_size):
            idx = order[start:start + batch_size]
            x = self.prepare(data.images[idx].to(device), generator)
            yield x, data.labels[idx].to(device)


def _match_channels(x: torch.Tensor, in_channels: int) -> torch.Tensor:
    channels = x.shape[1]
    if channels == in_channels:
        return x
    if channels == 1:
        return x.repeat(1, in_channels, 1, 1)
    if in_channels == 1:
        return x.mean(dim=1, keepdim=True)
    raise DatasetError(
        f"cannot map {channels}-channel images to a model with {in_channels} input channels; "
        f"use a model with 1 or {channels} input channels"
    )


def _random_crop_flip(x: torch.Tensor, generator: torch.Generator, pad: int = 4
                      ) -> torch.Tensor:
    """Random crop after zero padding, then a random horizontal flip, per image, vectorised."""
    n, _, h, w = x.shape
    padded = F.pad(x, (pad, pad, pad, pad))
    dy = torch.randint(0, 2 * pad + 1, (n,), generator=generator).to(x.device)
    dx = torch.randint(0, 2 * pad + 1, (n,), generator=generator).to(x.device)
    flip = (torch.rand(n, generator=generator) < 0.5).to(x.device)
    rows = dy[:, None] + torch.arange(h, device=x.device)
    cols = dx[:, None] + torch.arange(w, device=x.device)
    cols = torch.where(flip[:, None], cols.flip(-1), cols)
    batch = torch.arange(n, device=x.device)[:, None, None]
    return padded[batch, :, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)


def _seeded_split(n: int, fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    n_val = int(round(n * fraction))
    return order[n_val:], order[:n_val]


@lru_cache(maxsize=1)
def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return bunch.images.astype(np.float32), bunch.target.astype(np.int64)


def _load_digits(data_dir, input_size, in_channels, download, seed) -> ImageDataset:
    """scikit-learn's 1797 8x8 digits (values 0..16), a fixed seeded 80/20 split."""
    images, labels = _digits_arrays()
    x = torch.from_numpy(images).unsqueeze(1)
    y = torch.from_numpy(labels)
    train_idx, val_idx = _seeded_split(len(y), DIGITS_VALIDATION_FRACTION, seed)
    scaled = x[train_idx] / 16.0
    return ImageDataset(
        name="digits", train=ImageSplit(x[train_idx], y[train_idx]),
        validation=ImageSplit(x[val_idx], y[val_idx]), num_classes=10,
        input_size=input_size, in_channels=in_channels, scale=1.0 / 16.0,
        mean=(float(scaled.mean()),), std=(float(scaled.std()),),
    )


def _load_fashion_mnist(data_dir, input_size, in_channels, download, seed) -> ImageDataset:
    """Fashion-MNIST's 60,000 training images (0..255), a fixed seeded 50,000/10,000 split."""
    images, labels = fashion_mnist.read_fashion_mnist(data_dir)
    x = torch.from_numpy(images).unsqueeze(1)
    y = torch.from_numpy(labels)
    train_idx, val_idx = _seeded_split(len(y), FASHION_MNIST_VALIDATION_FRACTION, seed)
    scaled = images[train_idx.numpy()] / 255.0
    return ImageDataset(
        name="fashion-mnist", train=ImageSplit(x[train_idx], y[train_idx]),
        validation=ImageSplit(x[val_idx], y[val_idx]), num_classes=fashion_mnist.NUM_CLASSES,
        input_size=input_size, in_channels=in_channels, scale=1.0 / 255.0,
        mean=(float(scaled.mean()),), std=(float(scaled.std(ddof=1)),),
    )


def _load_synthetic(data_dir, input_size, in_channels, download, seed) -> ImageDataset:
    """Seeded class prototypes (smooth random 8x8 patterns) plus pixel noise; learnable."""
    g = torch.Generator().manual_seed(seed)
    prototypes = torch.rand(SYNTHETIC_CLASSES, 1, 8, 8, generator=g)

    def split(n: int) -> ImageSplit:
        labels = torch.randint(0, SYNTHETIC_CLASSES, (n,), generator=g)
        noise = 0.35 * torch.randn(n, 1, 8, 8, generator=g)
        return ImageSplit((prototypes[labels] + noise).clamp(0, 1), labels)

    return ImageDataset(
        name="synthetic", train=split(SYNTHETIC_TRAIN), validation=split(SYNTHETIC_VALIDATION),
        num_classes=SYNTHETIC_CLASSES, input_size=input_size, in_channels=in_channels,
        scale=1.0, mean=(0.5,), std=(0.35,),
    )


def _read_cifar_file(path: Path, fmt: CifarFormat) -> ImageSplit:
    try:
        with open(path, "rb") as f:
            entry = pickle.load(f, encoding="latin1")
        data = np.asarray(entry["data"], dtype=np.uint8).reshape(-1, 3, 32, 32)
        labels = np.asarray(entry[fmt.label_key], dtype=np.int64)
    except (OSError, pickle.UnpicklingError, EOFError, KeyError, ValueError, TypeError) as e:
        raise DatasetError(
            f"{path} is not a readable CIFAR batch ({type(e).__name__}: {e}); expected "
            f"{fmt.expected}; pass --download to fetch a fresh copy"
        ) from e
    if len(data) != len(labels):
        raise DatasetError(f"{path} has {len(data)} images but {len(labels)} labels; "
                           "pass --download to fetch a fresh copy")
    return ImageSplit(torch.from_numpy(data), torch.from_numpy(labels))


def _cifar_loader(name: str):
    fmt = CIFAR[name]

    def load(data_dir, input_size, in_channels, download, seed) -> ImageDataset:
        files = cifar_files(name, data_dir, download)
        parts = [_read_cifar_file(p, fmt) for p in files[:-1]]
        train = ImageSplit(torch.cat([p.images for p in parts]),
                           torch.cat([p.labels for p in parts]))
        return ImageDataset(
            name=name, train=train, validation=_read_cifar_file(files[-1], fmt),
            num_classes=fmt.num_classes, input_size=input_size, in_channels=in_channels,
            scale=1.0 / 255.0, mean=fmt.mean, std=fmt.std, augment=True,
        )

    return load


DATASETS = {
    "digits": _load_digits,
    "fashion-mnist": _load_fashion_mnist,
    "cifar10": _cifar_loader("cifar10"),
    "cifar100": _cifar_loader("cifar100"),
    "synthetic": _load_synthetic,
}
def load_dataset(name: str, *, data_dir: str | Path | None = None, input_size: int,
                 in_channels: int, download: bool = False, seed: int = 0) -> ImageDataset:
    """Load a named dataset, prepared for a model with this input size and channel count.

    ``seed`` fixes the digits and Fashion-MNIST train/validation splits and the synthetic
    patterns; CIFAR uses its official train/test split. Only ``download=True`` touches the
    network (CIFAR only). Fashion-MNIST is read from ``data_dir`` or, without one, from
    Debian's dataset-fashion-mnist folder.
    """
    if name not in DATASETS:
        raise unknown_name("dataset", name, DATASETS, error=UnknownDatasetError)
    if input_size < 1 or in_channels < 1:
        raise DatasetError(f"input size and channels must be positive, got {input_size} and "
                           f"{in_channels}")
    return DATASETS[name](data_dir, input_size, in_channels, download, seed)


def calibration_sample(name: str, input_size: int, in_channels: int, batch_size: int,
                       seed: int, *, data_dir: str | Path | None = None
                       ) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded sample of validation images as a normalised float batch [B, C, H, W], and
    their labels [B] (what the gradient proxies' loss needs).

    The same arguments always give the same tensors, so scores measured on them are
    reproducible.
    """
    data = load_dataset(name, data_dir=data_dir, input_size=input_size,
                        in_channels=in_channels, seed=seed)
    split = data.validation
    g = torch.Generator().manual_seed(seed)
    idx = torch.randperm(len(split), generator=g)[:batch_size]
    if len(idx) < batch_size:
        idx = torch.randint(0, len(split), (batch_size,), generator=g)
    return data.prepare(split.images[idx]), split.labels[idx]


def calibration_batch(name: str, input_size: int, in_channels: int, batch_size: int,
                      seed: int, *, data_dir: str | Path | None = None) -> torch.Tensor:
    """The images of :func:`calibration_sample`: what the rate pass runs."""
    return calibration_sample(name, input_size, in_channels, batch_size, seed,
                              data_dir=data_dir)[0]
