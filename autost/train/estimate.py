"""How long a brief training will take: an estimate before it starts, and the rest as it runs.

Before training, one training step (forward and backward through time, optimizer step) of
the cheapest candidate is timed here with the threads a Ray trial gets; each candidate's
epoch is that time scaled by its MACs per image (``macs_total``, all T; a step's cost
grows about linearly with MACs), over the epoch's training images plus the validation pass
(a forward pass, about a third of a training step per image). Trials run ``concurrent`` at
a time, in order as slots free. ASHA, stopping weak trials early, only shortens the run.
While training, measured epoch times replace the estimated ones.
"""

from __future__ import annotations

import heapq
import math
import statistics
import time
from dataclasses import dataclass, field

from autost.arch import ArchConfig
from autost.train.loop import TrainSettings

FORWARD_SHARE = 1 / 3  # a forward pass per image, as a fraction of a training step's
TIMED_STEPS = 3


@dataclass
class TrainingEstimate:
    """Estimated seconds per epoch of every job (job order) and what they were scaled from."""

    reference: ArchConfig
    step_seconds: float
    batch_size: int
    epoch_seconds: list[float]
    epochs: int
    concurrent: int
    measured: dict[int, float] = field(default_factory=dict)
    done_epochs: dict[int, int] = field(default_factory=dict)
    finished: set[int] = field(default_factory=set)

    def total_seconds(self) -> float:
        """Wall time of every job's epochs, ``concurrent`` at a time, in job order."""
        return _makespan([self.epochs * s for s in self.epoch_seconds], self.concurrent)

    def record_epoch(self, index: int, epoch: int, seconds: float) -> None:
        """Note that job ``index`` finished ``epoch`` in ``seconds`` (measured)."""
        self.measured[index] = seconds
        self.done_epochs[index] = epoch

    def finish(self, index: int) -> None:
        """Job ``index`` ended (all epochs, stopped by ASHA, or failed)."""
        self.finished.add(index)

    def rest_of(self, index: int) -> float:
        """Seconds job ``index`` still needs (measured epoch time once there is one)."""
        if index in self.finished:
            return 0.0
        per_epoch = self.measured.get(index, self.epoch_seconds[index])
        return per_epoch * (self.epochs - self.done_epochs.get(index, 0))

    def rest(self) -> float:
        """Seconds until every job has ended, at the current pace."""
        return _makespan([self.rest_of(i) for i in range(len(self.epoch_seconds))],
                         self.concurrent)


def estimate_training(cfgs: list[ArchConfig], settings: TrainSettings, *,
                      threads: int, concurrent: int) -> TrainingEstimate:
    """Time one training step of the cheapest of ``cfgs`` and scale it to every job.

    ``cfgs`` are the configs as trained (the dataset's class count); ``threads`` is what a
    trial's torch gets (its CPUs), ``concurrent`` how many trials run at once.
    """
    from autost.cost import count_costs
    from autost.data.datasets import load_dataset

    macs = [count_costs(c).macs_total for c in cfgs]
    ref = min(range(len(cfgs)), key=macs.__getitem__)
    cfg = cfgs[ref]
    data = load_dataset(settings.dataset, data_dir=settings.data_dir,
                        input_size=cfg.input_size, in_channels=cfg.in_channels)
    step = time_training_step(cfg, data, settings, threads)
    batches = math.ceil(len(data.train) / settings.batch_size)
    if settings.max_batches:
        batches = min(batches, settings.max_batches)
    images = min(len(data.train), batches * settings.batch_size)
    per_image = images + FORWARD_SHARE * len(data.validation)
    per_mac_image = step / (settings.batch_size * max(macs[ref], 1))
    return TrainingEstimate(cfg, step, settings.batch_size,
                            [per_mac_image * m * per_image for m in macs], settings.epochs,
                            max(1, min(concurrent, len(cfgs))))


def time_training_step(cfg: ArchConfig, data, settings: TrainSettings, threads: int) -> float:
    """Seconds of one training step on a batch of ``settings.batch_size``: the median of
    TIMED_STEPS steps after a warm-up one."""
    import torch
    from torch import nn

    from autost.models import create_model

    previous = torch.get_num_threads()
    torch.set_num_threads(max(1, threads))
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(settings.seed)
            model = create_model(cfg)
            model.train()
            optimizer = torch.optim.AdamW(model.parameters(), lr=settings.lr)
            x, y = next(data.batches("train", settings.batch_size, seed=settings.seed))
            times = []
            for _ in range(1 + TIMED_STEPS):
                start = time.perf_counter()
                loss = nn.functional.cross_entropy(model(x), y)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                times.append(time.perf_counter() - start)
    finally:
        torch.set_num_threads(previous)
    return statistics.median(times[1:]) * settings.batch_size / len(y)


def _makespan(durations: list[float], slots: int) -> float:
    """Finish time of ``durations`` run in order on ``slots`` parallel slots."""
    free = [0.0] * max(1, slots)
    for d in durations:
        heapq.heappush(free, heapq.heappop(free) + d)
    return max(free)


def format_duration(seconds: float) -> str:
    """A readable duration: "42 s", "3 min 10 s", "1 h 05 min"."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
