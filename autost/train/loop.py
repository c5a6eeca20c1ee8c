"""Brief supervised training of a spiking network with surrogate gradients.

Backpropagation through time needs nothing special here: the LIF neuron unrolls over T
inside one forward call and its Heaviside step has a sigmoid surrogate gradient. The recipe
follows Spikformer's CIFAR one (Zhou et al., ICLR 2023; cifar10.yml in its repository) shrunk
to a few epochs: AdamW, a linear warm-up then cosine decay per step down to ``min_lr``, label
smoothing 0.1, no mixup.
Everything that draws random numbers is seeded, so the same settings give the same accuracy.
"""

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from autost.data.datasets import ImageDataset
from autost.surrogate import FULL

EpochCallback = Callable[[dict], None]


@dataclass(frozen=True)
class TrainSettings:
    """How one architecture is trained; ``key()`` is the identity of a training in the DB.

    ``max_batches`` caps the training batches per epoch (None: the whole set), so a CIFAR
    epoch can be cut to a budget. ``surrogate`` names what is trained in the candidate's
    place (:mod:`autost.surrogate`; ``full``: the candidate itself); the training is stored
    under the candidate's arch_id. ``device`` None picks CUDA when present, else the CPU.
    """

    dataset: str = "digits"
    epochs: int = 5
    batch_size: int = 64
    lr: float = 5e-3
    min_lr: float = 1e-5
    weight_decay: float = 0.06
    warmup_epochs: float = 0.2
    label_smoothing: float = 0.1
    seed: int = 0
    max_batches: int | None = None
    surrogate: str = FULL
    data_dir: str | None = field(default=None, compare=False)
    device: str | None = field(default=None, compare=False)

    def key(self) -> str:
        """Short canonical string of the fields that change the outcome (``surrogate`` only
        where it is not ``full``, so keys stored before surrogates existed stay valid)."""
        parts = {k: v for k, v in asdict(self).items()
                 if k not in ("data_dir", "device")
                 and not (k == "surrogate" and v == FULL)}
        return ",".join(f"{k}={v}" for k, v in sorted(parts.items()))

    def resolved_device(self) -> torch.device:
        if self.device is not None:
            return torch.device(self.device)
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@dataclass
class TrainResult:
    """Per-epoch validation accuracy (fraction in [0, 1]) and mean training loss."""

    val_accuracy: list[float]
    train_loss: list[float]
    seconds: float

    @property
    def accuracy(self) -> float:
        """Validation accuracy after the last epoch."""
        return self.val_accuracy[-1]



def cosine_with_warmup(total_steps: int, warmup_steps: int, lr: float, min_lr: float
                       ) -> Callable[[int], float]:
    """Multiplier of ``lr`` at each optimizer step: linear warm-up, then cosine to min_lr."""
    floor = min_lr / lr

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))

    return factor


def _steps_per_epoch(data: ImageDataset, settings: TrainSettings) -> int:
    steps = math.ceil(len(data.train) / settings.batch_size)
    return min(steps, settings.max_batches) if settings.max_batches else steps


@torch.no_grad()
def evaluate(model: nn.Module, data: ImageDataset, batch_size: int, device) -> float:
    """Top-1 accuracy on the validation split, model in eval mode."""
    model.eval()
    correct = total = 0
    for x, y in data.batches("validation", batch_size, device=device):
        correct += int((model(x).argmax(dim=1) == y).sum())
        total += len(y)
    return correct / total


def train_model(model: nn.Module, data: ImageDataset, settings: TrainSettings,
                on_epoch: EpochCallback | None = None) -> TrainResult:
    """Train in place and validate after every epoch; ``on_epoch`` gets that epoch's metrics.

    The metrics dict has ``epoch`` (1-based), ``val_accuracy``, ``train_loss`` and
    ``seconds`` (that epoch's wall time, validation included); a callback may raise to stop
    training (Ray Tune's schedulers stop trials that way).
    """
    device = settings.resolved_device()
    model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr,
                                  weight_decay=settings.weight_decay)
    steps = _steps_per_epoch(data, settings)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, cosine_with_warmup(
        steps * settings.epochs, round(steps * settings.warmup_epochs), settings.lr,
        settings.min_lr))
    criterion = nn.CrossEntropyLoss(label_smoothing=settings.label_smoothing)
    start = time.perf_counter()
    result = TrainResult([], [], 0.0)
    for epoch in range(settings.epochs):
        epoch_start = time.perf_counter()
        model.train()
        losses = []
        batches = data.batches("train", settings.batch_size, seed=settings.seed * 10007 + epoch,
                               device=device)
        for step, (x, y) in enumerate(batches):
            if step == steps:
                break
            if len(y) < 2:  # BatchNorm cannot train on a single sample
                continue
            loss = criterion(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
        result.train_loss.append(sum(losses) / max(1, len(losses)))
        result.val_accuracy.append(evaluate(model, data, settings.batch_size * 2, device))
        result.seconds = time.perf_counter() - start
        if on_epoch is not None:
            on_epoch({"epoch": epoch + 1, "val_accuracy": result.val_accuracy[-1],
                      "train_loss": result.train_loss[-1],
                      "seconds": time.perf_counter() - epoch_start})
    return result
