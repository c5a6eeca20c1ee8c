"""Named presets that reproduce published spiking transformers (timm-style registry).

Naming: ``family-depth-dim`` as the papers write it (``spikformer-4-384``,
``qkformer-hst-10-768``, ``stmixer-4-384-16`` with 16 STM heads); a preset without suffix
is the paper's main dataset (CIFAR-10 for 32x32 models, ImageNet for 224x224 ones), other
datasets add ``-cifar100``. Published counts: ``published_params_m`` as the papers print
them (two decimals, truncated or rounded: Spikformer, Zhou et al., ICLR 2023, tables 2-4;
QKFormer, Zhou et al., NeurIPS 2024, tables 2, 3 and 8; STMixer, Deng et al., NeurIPS
2024), ``exact_params`` where a training log in the official repository gives the exact
count, ``formula_params`` where the count is derived from the official code's layer sizes.
This module never imports torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from autost.arch import ArchConfig, BlockConfig
from autost.exceptions import unknown_name


@dataclass(frozen=True)
class PresetInfo:
    """One preset: its ArchConfig and the parameter counts published for it."""

    name: str
    family: str
    dataset: str
    published_params_m: float | None
    exact_params: int | None
    config: ArchConfig
    formula_params: int | None = None
    source: str = ""


@dataclass(frozen=True)
class _Entry:
    build: Callable[[], ArchConfig]
    family: str
    dataset: str
    published_params_m: float | None
    exact_params: int | None
    formula_params: int | None
    source: str


_PRESETS: dict[str, _Entry] = {}


def register_preset(name: str, *, family: str, dataset: str,
                    published_params_m: float | None = None, exact_params: int | None = None,
                    formula_params: int | None = None, source: str = ""):
    """Decorator: register a function returning the ArchConfig of preset ``name``."""

    def decorator(build: Callable[[], ArchConfig]) -> Callable[[], ArchConfig]:
        if name in _PRESETS:
            raise ValueError(f"preset {name!r} is registered twice")
        _PRESETS[name] = _Entry(build, family, dataset, published_params_m, exact_params,
                                formula_params, source)
        return build

    return decorator


def get_preset(name: str) -> ArchConfig:
    """The ArchConfig of preset ``name``; UnknownNameError with the closest names otherwise."""
    if name not in _PRESETS:
        raise unknown_name("preset", name, _PRESETS)
    return _PRESETS[name].build().replace(name=name)


def list_presets() -> list[PresetInfo]:
    """Every preset, in registration order."""
    return [
        PresetInfo(name, e.family, e.dataset, e.published_params_m, e.exact_params,
                   get_preset(name), e.formula_params, e.source)
        for name, e in _PRESETS.items()
    ]


def _dataset_classes(dataset: str) -> int:
    return {"CIFAR10": 10, "CIFAR100": 100, "ImageNet": 1000}[dataset]


# Spikformer (Zhou et al., ICLR 2023), reference §4. CIFAR code: Linear q/k/v/proj with bias,
# (QK^T)V; ImageNet code: q/k/v without bias, Q(K^T V). Heads keep d = 32 (CIFAR, 384) or
# d = 32 / 64 (ImageNet 384 / 512-768) as in §4.6.
def _spikformer(depth: int, dim: int, heads: int, dataset: str) -> ArchConfig:
    imagenet = dataset == "ImageNet"
    return ArchConfig(
        blocks=(BlockConfig("ssa", "mlp", heads=heads, mlp_ratio=4.0),) * depth,
        embed_dim=dim, input_size=224 if imagenet else 32, num_classes=_dataset_classes(dataset),
        timesteps=4, patch_splitter="sps", patch_size=16 if imagenet else 4, residual="sew",
        qkv_bias=not imagenet, linear_bias=True,
        attention_order="q_kv" if imagenet else "qk_v",
    )


_SPIKFORMER = [
    # depth, dim, heads, dataset, published M, formula (reference §4.5)
    (4, 384, 12, "CIFAR10", 9.32, 9_324_730),
    (4, 384, 12, "CIFAR100", 9.32, 9_359_380),
    (4, 256, 8, "CIFAR10", 4.15, 4_155_178),
    (4, 256, 8, "CIFAR100", 4.15, 4_178_308),
    (2, 384, 12, "CIFAR10", 5.76, 5_765_050),
    (2, 384, 12, "CIFAR100", 5.76, 5_799_700),
    (8, 384, 12, "ImageNet", 16.81, 16_816_024),
    (6, 512, 8, "ImageNet", 23.37, 23_373_352),
    (8, 512, 8, "ImageNet", 29.68, 29_689_384),
    (10, 512, 8, "ImageNet", 36.01, 36_005_416),
    (8, 768, 12, "ImageNet", 66.34, 66_338_632),
]
for _d, _dim, _h, _ds, _m, _f in _SPIKFORMER:
    register_preset(
        f"spikformer-{_d}-{_dim}{'-cifar100' if _ds == 'CIFAR100' else ''}",
        family="spikformer", dataset=_ds, published_params_m=_m, formula_params=_f,
        source="Spikformer, ICLR 2023; ZK-Zhou/spikformer",
    )(partial(_spikformer, _d, _dim, _h, _ds))


# QKFormer HST-L-D (Zhou et al., NeurIPS 2024), reference §5: QKTA blocks in stages 1-2,
# SSA in stage 3, q/k/v without bias, Q(K^T V); CIFAR {1, 1, L-2} blocks with 8 heads,
# ImageNet {1, 2, L-3} with one head count for every stage.
def _qkformer(depth: int, dim: int, heads: int, dataset: str) -> ArchConfig:
    imagenet = dataset == "ImageNet"
    stages = (1, 2, depth - 3) if imagenet else (1, 1, depth - 2)
    qk = BlockConfig("qk_token", "mlp", heads=heads, mlp_ratio=4.0)
    ssa = BlockConfig("ssa", "mlp", heads=heads, mlp_ratio=4.0)
    return ArchConfig(
        blocks=(qk,) * (stages[0] + stages[1]) + (ssa,) * stages[2], embed_dim=dim,
        input_size=224 if imagenet else 32, num_classes=_dataset_classes(dataset),
        timesteps=4, patch_splitter="speds", patch_size=16 if imagenet else 4,
        stage_depths=stages, residual="sew", qkv_bias=False, linear_bias=True,
        attention_order="q_kv",
    )


_QKFORMER = [
    # depth, dim, heads, dataset, published M, exact (training log), formula (§5.4)
    (4, 384, 8, "CIFAR10", 6.74, 6_706_234, 6_706_234),
    (4, 384, 8, "CIFAR100", 6.74, 6_740_884, 6_740_884),
    (10, 384, 6, "ImageNet", 16.47, None, 16_473_688),
    (10, 512, 8, "ImageNet", 29.08, None, 29_079_336),
    (10, 768, 12, "ImageNet", 64.96, 64_962_760, 64_962_760),
]
for _d, _dim, _h, _ds, _m, _x, _f in _QKFORMER:
    register_preset(
        f"qkformer-hst-{_d}-{_dim}{'-cifar100' if _ds == 'CIFAR100' else ''}",
        family="qkformer", dataset=_ds, published_params_m=_m, exact_params=_x,
        formula_params=_f, source="QKFormer, NeurIPS 2024; zhouchenlin2096/QKFormer",
    )(partial(_qkformer, _d, _dim, _h, _ds))


# STMixer-L-D-h (Deng et al., NeurIPS 2024), reference §6: IPSPS, STM with h matrices,
# membrane-shortcut residuals, no biases, T = 1, and STMixer's own neuron (mem = 0.5 mem + x,
# threshold 1 everywhere, Dspike surrogate with gamma 2.5, reset not detached). The counts
# are derived from the demo code (SML branches excluded), so they are formula counts.
STMIXER_NEURON = {"decay_input": False, "surrogate": "dspike", "surrogate_alpha": 2.5,
                  "detach_reset": False, "attention_v_threshold": 1.0}


def _stmixer(depth: int, dim: int, heads: int, dataset: str) -> ArchConfig:
    return ArchConfig(
        blocks=(BlockConfig("stm", "mlp", heads=heads, mlp_ratio=4.0),) * depth,
        embed_dim=dim, input_size=32, num_classes=_dataset_classes(dataset), timesteps=1,
        patch_splitter="ipsps", patch_size=4, residual="ms", qkv_bias=False,
        linear_bias=False, **STMIXER_NEURON,
    )


for _ds, _m, _f in (("CIFAR10", 8.22, 8_223_674), ("CIFAR100", 8.26, 8_258_324)):
    register_preset(
        f"stmixer-4-384-16{'-cifar100' if _ds == 'CIFAR100' else ''}",
        family="stmixer", dataset=_ds, published_params_m=_m, formula_params=_f,
        source="STMixer, NeurIPS 2024; brain-intelligence-lab/STMixer_demo (derived count)",
    )(partial(_stmixer, 4, 384, 16, _ds))


@register_preset("stmixer-8-768-16", family="stmixer", dataset="ImageNet",
                 formula_params=61_167_432,
                 source="STMixer, NeurIPS 2024 (ImageNet energy table); demo-code layout at "
                        "224x224, 196 tokens (derived count)")
def _stmixer_8_768_16() -> ArchConfig:
    """STMixer-8-768 on ImageNet: IPSPS down-sampling 16x, 16 STM heads, T = 1."""
    return _stmixer(8, 768, 16, "ImageNet").replace(input_size=224, patch_size=16)


# Spike-driven Transformer (Yao et al., NeurIPS 2023; BICLab/Spike-Driven-Transformer):
# Spikformer's ImageNet layout with SDSA token mixers, membrane-shortcut residuals and its
# MS_SPS, whose RPE conv reads spikes; the parameter counts equal Spikformer's (QKFormer,
# NeurIPS 2024, Table 2 prints 16.81 / 29.68 / 66.34 M).
_SDT = [(8, 384, 12, 16.81), (6, 512, 8, None), (8, 512, 8, 29.68), (10, 512, 8, None),
        (8, 768, 12, 66.34)]
_SPIKFORMER_IMAGENET_FORMULA = {(d, dim): f for d, dim, _, ds, _, f in _SPIKFORMER
                                if ds == "ImageNet"}
for _d, _dim, _h, _m in _SDT:
    register_preset(
        f"sdt-{_d}-{_dim}", family="sdt", dataset="ImageNet", published_params_m=_m,
        formula_params=_SPIKFORMER_IMAGENET_FORMULA[(_d, _dim)],
        source="Spike-driven Transformer, NeurIPS 2023; BICLab/Spike-Driven-Transformer",
    )(lambda d=_d, dim=_dim, h=_h: _spikformer(d, dim, h, "ImageNet").replace(
        blocks=(BlockConfig("sdsa", "mlp", heads=h, mlp_ratio=4.0),) * d, residual="ms",
        patch_splitter="ms_sps"))


@register_preset("semm-spikformer-4-384", family="semm", dataset="CIFAR10",
                 source="SEMM, NeurIPS 2024 (EMSA/EMSP as in reference §7; no published count)")
def _semm_spikformer_4_384() -> ArchConfig:
    """Spikformer-4-384 with EMSA and EMSP, 4 experts each (no official code published)."""
    block = BlockConfig("emsa", "emsp", heads=12, mlp_ratio=4.0, token_experts=4,
                        channel_experts=4)
    return _spikformer(4, 384, 12, "CIFAR10").replace(blocks=(block,) * 4)
