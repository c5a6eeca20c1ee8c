"""The published record: top-1 accuracies that presets plus ArchConfig changes express.

Every row is one (architecture, dataset, top-1 %) triple as the paper prints it: a preset
of :mod:`autost.models.presets`, the changes that turn it into the published configuration
(ArchConfig fields such as ``timesteps`` or ``input_size``, plus ``depth``, the preset's
first block repeated, and ``token_mixers``, one per block, heads and MLP kept), and the paper
and table it comes from. ``num_classes`` always follows the dataset. Nothing in autost is
fitted on these rows: they are a full-scale test set for training-free proxies and
predictors (``benchmarks/published_accuracy.py``) and, through ``series``, the ablations a
surrogate's training recipe is judged against (``benchmarks/ablation_agreement.py``).

Sources: Spikformer (Zhou et al., ICLR 2023; CIFAR results table, ImageNet Table 2 of the
camera-ready, time-step ablation); QKFormer (Zhou et al., NeurIPS 2024; Tables 2 and 3,
time-step and module ablations); the Spike-driven Transformer (Yao et al., NeurIPS 2023;
ImageNet results of its official repository BICLab/Spike-Driven-Transformer, CIFAR and T = 1
results as reprinted in QKFormer's Tables 2 and 3); STMixer (Deng et al., NeurIPS 2024;
ImageNet top-1 as reprinted in SMixer's comparison table, ICLR 2026: a secondary source).
SDT-8-768 was trained at 224x224 and tested at 288x288; it is listed at 288, as tested.

Left out, because presets and ArchConfig cannot express them or they differ in training
rather than architecture:

- event datasets (CIFAR10-DVS, DVS128 Gesture): autost trains and calibrates on static
  images only;
- IF and PLIF neurons (Spikformer's and QKFormer's neuron ablations): autost's neuron is LIF;
- VSA and VSA with float V (Spikformer's attention ablation): softmax attention is no
  autost token mixer;
- ImageNet-pretrained models fine-tuned on CIFAR (Spikformer's transfer table): a recipe, not
  an architecture;
- 400-epoch variants (Spikformer-4-384), and the rows of QKFormer's ablation table measured
  against that 400-epoch baseline (Spikformer with SPEDS, Spikformer without attention
  scaling): the same architectures under a longer recipe; "QKFormer without SPEDS" does not
  say which patch splitter replaced SPEDS;
- MST (ANN-to-SNN conversion of a Swin backbone), the ANN Transformer and ResNet baselines,
  SMixer (no preset), and STMixer-4-384-16 on CIFAR (no published accuracy).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from autost.arch import ArchConfig
from autost.exceptions import ArchValidationError
from autost.models.presets import get_preset

DATASETS = ("ImageNet", "CIFAR10", "CIFAR100")
_CLASSES = {"ImageNet": 1000, "CIFAR10": 10, "CIFAR100": 100}

# Sources, as the rows cite them.
SPIKFORMER_CIFAR = "Spikformer, ICLR 2023, CIFAR results table"
SPIKFORMER_IMAGENET = "Spikformer, ICLR 2023, Table 2 (camera-ready)"
SPIKFORMER_T = "Spikformer, ICLR 2023, time-step ablation"
QKFORMER_CIFAR = "QKFormer, NeurIPS 2024, Table 3"
QKFORMER_IMAGENET = "QKFormer, NeurIPS 2024, Table 2"
QKFORMER_T = "QKFormer, NeurIPS 2024, time-step ablation"
QKFORMER_MODULES = "QKFormer, NeurIPS 2024, module ablation table"
SDT_IMAGENET = "Spike-driven Transformer, NeurIPS 2023, BICLab/Spike-Driven-Transformer README"
SDT_REPRINTED = "Spike-driven Transformer, NeurIPS 2023, as reprinted in QKFormer, NeurIPS 2024"
STMIXER_REPRINTED = ("STMixer, NeurIPS 2024, as reprinted in SMixer, ICLR 2026, comparison "
                     "table (secondary)")


@dataclass(frozen=True)
class PublishedAccuracy:
    """One published top-1 accuracy (percent) and the configuration it was measured on.

    ``changes`` are (name, value) pairs applied to the preset: ArchConfig fields, ``depth``
    (the preset's first block repeated) or ``token_mixers`` (one mixer per block). ``series``
    names the published ablations the row belongs to; two rows of one series on one dataset
    differ in what that series varies.
    """

    model: str
    dataset: str
    top1: float
    preset: str
    source: str
    changes: tuple[tuple[str, object], ...] = ()
    series: tuple[str, ...] = ()

    def config(self) -> ArchConfig:
        """The ArchConfig of this row, named after the model as printed."""
        cfg = get_preset(self.preset).replace(num_classes=_CLASSES[self.dataset])
        fields = dict(self.changes)
        depth = fields.pop("depth", None)
        if depth is not None:
            fields["blocks"] = (cfg.blocks[0],) * depth
        mixers = fields.pop("token_mixers", None)
        if mixers is not None:
            if len(mixers) != cfg.depth:
                raise ArchValidationError(f"{self.model}: {len(mixers)} token mixers for "
                                          f"{cfg.depth} blocks")
            fields["blocks"] = tuple(replace(b, token_mixer=m)
                                     for b, m in zip(cfg.blocks, mixers, strict=True))
        return cfg.replace(**fields, name=f"{self.model} ({self.dataset})")


def _spikformer_cifar(dataset: str, top1s: tuple[float, ...], timestep_top1s: tuple[float, ...]
                      ) -> list[PublishedAccuracy]:
    """Spikformer's CIFAR rows: the three sizes at T = 4, and 4-384 at T = 1, 2, 6."""
    suffix = "-cifar100" if dataset == "CIFAR100" else ""
    sizes = [
        PublishedAccuracy(f"Spikformer-{name}", dataset, top1, f"spikformer-{name}{suffix}",
                          SPIKFORMER_CIFAR, series=("spikformer-size",)
                          + (("spikformer-timesteps",) if name == "4-384" else ()))
        for name, top1 in zip(("4-256", "2-384", "4-384"), top1s, strict=True)
    ]
    steps = [
        PublishedAccuracy(f"Spikformer-4-384, T = {t}", dataset, top1,
                          f"spikformer-4-384{suffix}", SPIKFORMER_T, (("timesteps", t),),
                          ("spikformer-timesteps",))
        for t, top1 in zip((1, 2, 6), timestep_top1s, strict=True)
    ]
    return sizes + steps


def _qkformer_cifar100_mixers() -> list[PublishedAccuracy]:
    """QKFormer HST-4-384's module ablation on CIFAR-100 (stages 1-2 hold blocks 0-1)."""
    variants = (
        ("QKCA+SSA", ("qk_channel", "qk_channel", "ssa", "ssa"), 81.07),
        ("QKTA+QKCA", ("qk_token", "qk_token", "qk_channel", "qk_channel"), 81.04),
        ("SSA only", ("ssa",) * 4, 81.23),
        ("QKCA only", ("qk_channel",) * 4, 81.00),
        ("QKTA only", ("qk_token",) * 4, 79.09),
    )
    return [PublishedAccuracy(f"QKFormer HST-4-384, {label}", "CIFAR100", top1,
                              "qkformer-hst-4-384-cifar100", QKFORMER_MODULES,
                              (("token_mixers", mixers),), ("qkformer-mixers",))
            for label, mixers, top1 in variants]


def _imagenet_series(family: str, preset_of: str, names: tuple[str, ...],
                     top1s: tuple[float, ...], source: str) -> list[PublishedAccuracy]:
    return [PublishedAccuracy(f"{family}-{name}", "ImageNet", top1,
                              f"{preset_of}-{name}", source, series=(f"{preset_of}-size",))
            for name, top1 in zip(names, top1s, strict=True)]


_SPIKFORMER_IMAGENET = _imagenet_series(
    "Spikformer", "spikformer", ("8-384", "6-512", "8-512", "10-512", "8-768"),
    (70.24, 72.46, 73.38, 73.68, 74.81), SPIKFORMER_IMAGENET)
_SDT_IMAGENET = _imagenet_series(
    "SDT", "sdt", ("8-384", "6-512", "8-512", "10-512"), (72.28, 74.11, 74.57, 74.66),
    SDT_IMAGENET)

RECORD: tuple[PublishedAccuracy, ...] = (
    # ImageNet, 224x224 unless changed.
    *[replace(r, series=(*r.series, "spikformer-timesteps")) if r.model.endswith("8-512")
      else r for r in _SPIKFORMER_IMAGENET],
    *[PublishedAccuracy(f"Spikformer-8-512, T = {t}", "ImageNet", top1, "spikformer-8-512",
                        SPIKFORMER_T, (("timesteps", t),), ("spikformer-timesteps",))
      for t, top1 in ((1, 70.14), (2, 71.09), (6, 73.70))],
    PublishedAccuracy("QKFormer HST-10-384", "ImageNet", 78.80, "qkformer-hst-10-384",
                      QKFORMER_IMAGENET, series=("qkformer-size",)),
    PublishedAccuracy("QKFormer HST-10-512", "ImageNet", 82.04, "qkformer-hst-10-512",
                      QKFORMER_IMAGENET, series=("qkformer-size",)),
    PublishedAccuracy("QKFormer HST-10-768", "ImageNet", 84.22, "qkformer-hst-10-768",
                      QKFORMER_IMAGENET,
                      series=("qkformer-size", "qkformer-timesteps", "qkformer-input")),
    PublishedAccuracy("QKFormer HST-10-768, T = 1", "ImageNet", 81.69, "qkformer-hst-10-768",
                      QKFORMER_IMAGENET, (("timesteps", 1),), ("qkformer-timesteps",)),
    PublishedAccuracy("QKFormer HST-10-768, 288x288", "ImageNet", 85.25, "qkformer-hst-10-768",
                      QKFORMER_IMAGENET, (("input_size", 288),), ("qkformer-input",)),
    PublishedAccuracy("QKFormer HST-10-768, 384x384", "ImageNet", 85.65, "qkformer-hst-10-768",
                      QKFORMER_IMAGENET, (("input_size", 384),), ("qkformer-input",)),
    *[replace(r, series=(*r.series, "sdt-timesteps")) if r.model.endswith("8-512")
      else r for r in _SDT_IMAGENET],
    PublishedAccuracy("SDT-8-768, tested at 288x288", "ImageNet", 77.07, "sdt-8-768",
                      SDT_REPRINTED + ", Table 2", (("input_size", 288),), ("sdt-size",)),
    PublishedAccuracy("SDT-8-512, T = 1", "ImageNet", 71.68, "sdt-8-512",
                      SDT_REPRINTED + ", Table 2", (("timesteps", 1),), ("sdt-timesteps",)),
    PublishedAccuracy("STMixer-8-768", "ImageNet", 76.68, "stmixer-8-768-16",
                      STMIXER_REPRINTED),
    # CIFAR-10 and CIFAR-100, 32x32.
    *_spikformer_cifar("CIFAR10", (93.94, 94.80, 95.19), (93.51, 93.59, 95.34)),
    *_spikformer_cifar("CIFAR100", (75.96, 76.95, 77.86), (74.36, 76.28, 78.61)),
    PublishedAccuracy("QKFormer HST-4-384", "CIFAR10", 96.18, "qkformer-hst-4-384",
                      QKFORMER_CIFAR),
    PublishedAccuracy("QKFormer HST-4-384", "CIFAR100", 81.15, "qkformer-hst-4-384-cifar100",
                      QKFORMER_CIFAR,
                      series=("qkformer-timesteps", "qkformer-mixers", "qkformer-residual")),
    *[PublishedAccuracy(f"QKFormer HST-4-384, T = {t}", "CIFAR100", top1,
                        "qkformer-hst-4-384-cifar100", QKFORMER_T, (("timesteps", t),),
                        ("qkformer-timesteps",))
      for t, top1 in ((1, 78.51), (2, 80.08), (6, 81.30))],
    *_qkformer_cifar100_mixers(),
    PublishedAccuracy("QKFormer HST-4-384, PA residual", "CIFAR100", 81.18,
                      "qkformer-hst-4-384-cifar100", QKFORMER_MODULES, (("residual", "ms"),),
                      ("qkformer-residual",)),
    *[PublishedAccuracy("S-Transformer-2-512", dataset, top1, "sdt-8-512",
                        SDT_REPRINTED + ", Table 3",
                        (("depth", 2), ("input_size", 32), ("patch_size", 4)))
      for dataset, top1 in (("CIFAR10", 95.60), ("CIFAR100", 78.40))],
)


def published_record(dataset: str | None = None) -> list[PublishedAccuracy]:
    """The rows of ``dataset`` (one of DATASETS; None: all), in the order above."""
    if dataset is not None and dataset not in DATASETS:
        raise ValueError(f"dataset {dataset!r} is not in the record; use one of "
                         f"{', '.join(DATASETS)}")
    return [r for r in RECORD if dataset is None or r.dataset == dataset]
