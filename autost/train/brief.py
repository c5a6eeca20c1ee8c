"""Train one architecture briefly and measure its firing rates once trained.

The model is built from its ArchConfig on the training device with the dataset's class
count (an architecture searched for 10 classes gets a 100-way head on CIFAR-100; its arch_id
stays that of the searched config). After training, the cost engineer's rate pass runs on a
seeded validation batch with BatchNorm's running statistics (the model is trained, so they
are meaningful), and the energy of :mod:`autost.cost.energy` is computed from those rates: the
rate source ``trained``.
"""

from dataclasses import dataclass

import torch

from autost.arch import ArchConfig
from autost.data.datasets import ImageDataset, load_dataset
from autost.train.loop import EpochCallback, TrainResult, TrainSettings, train_model

RATE_BATCH = 16


@dataclass
class ArchTraining:
    """A training's per-epoch result, energy in mJ per image and per-layer trained rates."""

    result: TrainResult
    energy_mj: float | None
    rates: dict | None


def trained_energy(model: torch.nn.Module, cfg: ArchConfig, data: ImageDataset,
                   settings: TrainSettings) -> tuple[float, dict]:
    """Energy (mJ per image, default 45 nm constants) and rates measured on the trained model.

    The rates dict holds ``sop_rates`` (MAC layer -> fraction of its MACs that are SOPs),
    ``neuron_rates`` (LIF -> firing rate) and the silent/saturated ``flags``.
    """
    from autost.cost import count_costs, estimate_energy, measure_rates

    g = torch.Generator().manual_seed(settings.seed)
    idx = torch.randperm(len(data.validation), generator=g)[:RATE_BATCH]
    batch = data.prepare(data.validation.images[idx]).to(next(model.parameters()).device)
    model.eval()
    with torch.no_grad():
        report = measure_rates(model, batch, batch_stats=False, keep_codes=False)
    sop_rates = report.sop_rates()
    energy = estimate_energy(count_costs(cfg), sop_rates, rate_source="trained")
    rates = {"sop_rates": sop_rates, "neuron_rates": dict(report.neurons),
             "flags": list(report.flags)}
    return energy.energy_mj, rates


def train_architecture(cfg: ArchConfig, settings: TrainSettings,
                       on_epoch: EpochCallback | None = None) -> ArchTraining:
    """Build ``cfg``'s surrogate per ``settings`` (seeded; ``full``: ``cfg`` itself), train
    it and measure its trained energy."""
    from autost.models import create_model
    from autost.surrogate import get_surrogate

    trained = get_surrogate(settings.surrogate).apply(cfg)
    data = load_dataset(settings.dataset, data_dir=settings.data_dir,
                        input_size=trained.input_size, in_channels=trained.in_channels)
    model_cfg = trained.replace(num_classes=data.num_classes)
    torch.manual_seed(settings.seed)
    with torch.device(settings.resolved_device()):
        model = create_model(model_cfg)
    result = train_model(model, data, settings, on_epoch)
    energy, rates = trained_energy(model, model_cfg, data, settings)
    return ArchTraining(result, energy, rates)
