"""ArchConfig: the frozen, hashable description of one spiking transformer.

An ArchConfig is data, not a model: the builder (:func:`autost.models.create_model`) turns
it into an ``nn.Module``, the search space produces it from an Optuna trial, and its
``arch_id`` (SHA-256 of the canonical JSON) keys every database row. Importing this module
never imports torch.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cached_property

from autost.exceptions import ArchValidationError

TOKEN_MIXERS = ("ssa", "qk_token", "qk_channel", "stm", "emsa", "conv", "sdsa")
CHANNEL_MIXERS = ("mlp", "emsp")
PATCH_SPLITTERS = ("sps", "ms_sps", "ipsps", "speds")
RESIDUALS = ("sew", "ms")
ATTENTION_ORDERS = ("qk_v", "q_kv")
SURROGATES = ("sigmoid", "dspike")
# The neuron of Spikformer, QKFormer and every family before STMixer. The canonical JSON
# leaves out neuron fields at these values, so arch_ids stored before the fields existed
# still name the same architectures.
NEURON_DEFAULTS = {"decay_input": True, "surrogate": "sigmoid", "detach_reset": True}
EXPERT_TOKEN_MIXERS = ("emsa",)
EXPERT_CHANNEL_MIXERS = ("emsp",)
# Token mixers that split into ``heads`` (SSA heads, QKTA heads, STM token-mixing matrices);
# conv mixes per channel, QKCA and SDSA sum over whole channels, EMSA's heads are its experts.
HEADED_TOKEN_MIXERS = ("ssa", "qk_token", "stm")
# Global settings that only some token mixers read, with those mixers. A model none of whose
# blocks reads one holds None there: the setting does not change the network it builds.
MIXER_SETTINGS = {
    "qkv_bias": ("ssa", "qk_token", "qk_channel", "stm", "emsa", "sdsa"),
    "attention_order": ("ssa", "emsa"),
    "attention_scale": ("ssa", "emsa"),
    "attention_v_threshold": ("ssa", "qk_token", "qk_channel", "emsa", "sdsa"),
}


@dataclass(frozen=True)
class BlockConfig:
    """One encoder block: a token mixer and a channel mixer with their sizes.

    ``token_experts`` is set only for ``emsa`` (the number of head-wise experts, each of
    width embed_dim / token_experts); ``channel_experts`` only for ``emsp`` (the number of
    channel groups of the hidden layer). ``heads`` is the number of attention heads, or of
    STM token-mixing matrices for ``stm``; for a token mixer without heads (see
    HEADED_TOKEN_MIXERS) it is None whatever was given, so one network has one arch_id.
    """

    token_mixer: str = "ssa"
    channel_mixer: str = "mlp"
    heads: int | None = 8
    mlp_ratio: float = 4.0
    token_experts: int | None = None
    channel_experts: int | None = None

    def __post_init__(self) -> None:
        _normalize_floats(self, ("mlp_ratio",))
        if self.token_mixer not in HEADED_TOKEN_MIXERS:
            object.__setattr__(self, "heads", None)


@dataclass(frozen=True)
class ArchConfig:
    """A whole spiking transformer, global fields plus one BlockConfig per encoder block.

    Conventions: ``input_size`` is the side of a square input; ``patch_size`` is the total
    down-sampling of the patch splitter (4 for 32x32 CIFAR inputs, 16 for 224x224
    ImageNet), so the token grid is (input_size / patch_size)^2. ``patch_splitter`` is
    Spikformer's ``sps``, the Spike-driven Transformer's ``ms_sps`` (SPS whose RPE conv
    reads spikes; ``ms`` residuals only), STMixer's ``ipsps`` or QKFormer's ``speds``. For
    the hierarchical ``speds`` ``stage_depths`` gives the number of blocks per stage and
    stage widths are embed_dim / 2^(stages - 1 - i); otherwise it is empty and every block
    has width ``embed_dim``. ``attention_order`` picks (QK^T)V (``qk_v``, Spikformer CIFAR)
    or Q(K^T V) (``q_kv``, Spikformer ImageNet, QKFormer); it changes MACs, not outputs.

    The neuron is spikingjelly's multi-step LIF: ``decay_input`` True charges
    H = V + (X - V) / tau (Spikformer, QKFormer), False charges H = V (1 - 1/tau) + X, which
    at tau = 2 is STMixer's ``mem = 0.5 mem + x`` (the input is not halved). ``surrogate``
    is the spike's backward: ``sigmoid`` (Spikformer) or ``dspike`` (STMixer's tanh-shaped
    Dspike); ``surrogate_alpha`` is its sharpness (sigmoid's alpha, Dspike's gamma).
    ``detach_reset`` cuts the gradient through the hard reset (Spikformer does; STMixer
    does not).

    The settings of MIXER_SETTINGS are None in a model whose token mixers do not read them
    (a conv-only model has no attention), so settings that leave the built network
    unchanged never split one network into several arch_ids.
    """

    blocks: tuple[BlockConfig, ...]
    embed_dim: int = 384
    input_size: int = 32
    in_channels: int = 3
    num_classes: int = 10
    timesteps: int = 4
    patch_splitter: str = "sps"
    patch_size: int = 4
    stage_depths: tuple[int, ...] = ()
    residual: str = "sew"
    qkv_bias: bool | None = True
    linear_bias: bool = True
    attention_order: str | None = "qk_v"
    attention_scale: float | None = 0.125
    tau: float = 2.0
    v_threshold: float = 1.0
    attention_v_threshold: float | None = 0.5
    surrogate_alpha: float = 4.0
    decay_input: bool = True
    surrogate: str = "sigmoid"
    detach_reset: bool = True
    mask_ratio: float = 0.0
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", tuple(
            b if isinstance(b, BlockConfig) else BlockConfig(**b) for b in self.blocks
        ))
        object.__setattr__(self, "stage_depths", tuple(self.stage_depths))
        for name in self.inert_settings():
            object.__setattr__(self, name, None)
        _normalize_floats(self, ("attention_scale", "tau", "v_threshold",
                                 "attention_v_threshold", "surrogate_alpha", "mask_ratio"))
        validate(self)

    def inert_settings(self) -> list[str]:
        """Names of the MIXER_SETTINGS that no token mixer of this model reads."""
        mixers = {b.token_mixer for b in self.blocks}
        return [name for name, readers in MIXER_SETTINGS.items() if not mixers & set(readers)]

    @property
    def depth(self) -> int:
        return len(self.blocks)

    @property
    def grid_size(self) -> int:
        """Side of the final token grid (tokens = grid_size ** 2)."""
        return self.input_size // self.patch_size

    @property
    def num_tokens(self) -> int:
        return self.grid_size**2

    def stage_of_blocks(self) -> list[int]:
        """Stage index of every block (all 0 for a non-hierarchical model)."""
        if not self.stage_depths:
            return [0] * self.depth
        return [s for s, n in enumerate(self.stage_depths) for _ in range(n)]

    def block_widths(self) -> list[int]:
        """Channel width of every block."""
        stages = len(self.stage_depths) or 1
        return [self.embed_dim // 2 ** (stages - 1 - s) for s in self.stage_of_blocks()]

    def block_tokens(self) -> list[int]:
        """Token count of every block (hierarchical stages halve the grid side per stage)."""
        stages = len(self.stage_depths) or 1
        return [(self.grid_size * 2 ** (stages - 1 - s)) ** 2 for s in self.stage_of_blocks()]

    def to_dict(self) -> dict:
        """Plain dict of every field that defines the architecture (``name`` excluded; the
        neuron fields only where they differ from :data:`NEURON_DEFAULTS`)."""
        data = asdict(self)
        data.pop("name")
        data["blocks"] = [asdict(b) for b in self.blocks]
        data["stage_depths"] = list(self.stage_depths)
        for key, default in NEURON_DEFAULTS.items():
            if data[key] == default:
                del data[key]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ArchConfig:
        """Build from :meth:`to_dict` output; unknown keys are an ArchValidationError."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ArchValidationError(
                f"unknown ArchConfig field(s) {', '.join(unknown)}; "
                f"known fields: {', '.join(sorted(known))}"
            )
        if "blocks" not in data:
            raise ArchValidationError("ArchConfig needs a 'blocks' list, one entry per block")
        block_known = {f.name for f in fields(BlockConfig)}
        for i, b in enumerate(data["blocks"]):
            bad = sorted(set(b) - block_known)
            if bad:
                raise ArchValidationError(
                    f"unknown field(s) {', '.join(bad)} in block {i}; "
                    f"known fields: {', '.join(sorted(block_known))}"
                )
        return cls(**data)

    def to_json(self) -> str:
        """Canonical JSON: sorted keys, no whitespace, floats as Python writes them."""
        return self._canonical_json

    @cached_property
    def _canonical_json(self) -> str:
        """Written once per config (it is frozen): a search asks a candidate's JSON and
        arch_id several times."""
        return json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> ArchConfig:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ArchValidationError(f"architecture is not valid JSON: {e}") from e
        if not isinstance(data, dict):
            raise ArchValidationError("architecture JSON must be an object of ArchConfig fields")
        return cls.from_dict(data)

    @cached_property
    def arch_id(self) -> str:
        """SHA-256 hex digest of the canonical JSON: the architecture's identity."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()

    def replace(self, **changes) -> ArchConfig:
        return replace(self, **changes)

    def summary(self) -> str:
        """One readable line: depth, dim, T, mixers per block, experts."""
        mixers = " ".join(
            f"{b.token_mixer}{f'x{b.token_experts}' if b.token_experts else ''}"
            f"/{b.channel_mixer}{f'x{b.channel_experts}' if b.channel_experts else ''}"
            for b in self.blocks
        )
        head = f"L{self.depth} D{self.embed_dim} T{self.timesteps} {self.patch_splitter}"
        return f"{head} [{mixers}]"


def _normalize_floats(obj, names) -> None:
    """Store numbers of float fields as float, so 4 and 4.0 give the same canonical JSON."""
    for name in names:
        value = getattr(obj, name)
        if isinstance(value, int) and not isinstance(value, bool):
            object.__setattr__(obj, name, float(value))


def _fail(field_name: str, value, rule: str) -> None:
    raise ArchValidationError(f"{field_name} {value!r} is invalid: {rule}")


def _check_choice(field_name: str, value, allowed) -> None:
    if value not in allowed:
        close = difflib.get_close_matches(str(value), list(map(str, allowed)), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        _fail(field_name, value, f"must be one of {', '.join(map(str, allowed))}{hint}")


def _check_finite(field_name: str, value) -> None:
    """A float field holds a real number: JSON's NaN and Infinity pass every comparison
    test or none, so they are refused before any range is checked."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        _fail(field_name, value, "must be a finite number")


def _check_positive(field_name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        _fail(field_name, value, "must be a positive integer")


def validate(cfg: ArchConfig) -> None:
    """Raise ArchValidationError naming the field, the value and the rule it breaks."""
    for name in ("embed_dim", "input_size", "in_channels", "num_classes", "timesteps",
                 "patch_size"):
        _check_positive(name, getattr(cfg, name))
    _check_choice("patch_splitter", cfg.patch_splitter, PATCH_SPLITTERS)
    _check_choice("residual", cfg.residual, RESIDUALS)
    inert = cfg.inert_settings()
    if "attention_order" not in inert:
        _check_choice("attention_order", cfg.attention_order, ATTENTION_ORDERS)
    if "qkv_bias" not in inert and not isinstance(cfg.qkv_bias, bool):
        _fail("qkv_bias", cfg.qkv_bias, "must be true or false")
    _check_choice("surrogate", cfg.surrogate, SURROGATES)
    for name in ("decay_input", "detach_reset"):
        if not isinstance(getattr(cfg, name), bool):
            _fail(name, getattr(cfg, name), "must be true or false")
    if cfg.patch_size & (cfg.patch_size - 1) or cfg.patch_size < 2:
        _fail("patch_size", cfg.patch_size, "must be a power of two, at least 2")
    if cfg.input_size % cfg.patch_size:
        _fail("input_size", cfg.input_size, f"must be divisible by patch_size {cfg.patch_size}")
    if cfg.patch_splitter == "ms_sps" and cfg.residual != "ms":
        _fail("patch_splitter", cfg.patch_splitter,
              "needs residual 'ms' (its output is analog, a membrane-shortcut stream); "
              "use patch_splitter 'sps' with residual 'sew'")
    max_patch = {"sps": 16, "ms_sps": 16, "ipsps": 32}.get(cfg.patch_splitter)
    if max_patch and cfg.patch_size > max_patch:
        _fail("patch_size", cfg.patch_size,
              f"{cfg.patch_splitter} down-samples at most {max_patch}x (one halving per conv)")
    _check_finite("mask_ratio", cfg.mask_ratio)
    if not 0.0 <= cfg.mask_ratio < 1.0:
        _fail("mask_ratio", cfg.mask_ratio, "must be in [0, 1)")
    for name in ("tau", "v_threshold", "attention_v_threshold", "attention_scale",
                 "surrogate_alpha"):
        value = getattr(cfg, name)
        if name in inert:
            continue
        _check_finite(name, value)
        if value <= 0:
            _fail(name, value, "must be positive")
    if cfg.tau < 1.0:
        _fail("tau", cfg.tau, "must be at least 1 (the LIF decays by 1/tau per step)")
    if not cfg.blocks:
        _fail("blocks", [], "an architecture needs at least one block")
    if cfg.embed_dim % 8:
        _fail("embed_dim", cfg.embed_dim, "must be divisible by 8 (patch splitters use D/8)")
    if cfg.patch_splitter == "speds":
        if len(cfg.stage_depths) < 2 or any(d < 1 for d in cfg.stage_depths):
            _fail("stage_depths", list(cfg.stage_depths),
                  "speds needs two or more stages, each with at least one block")
        if sum(cfg.stage_depths) != cfg.depth:
            _fail("stage_depths", list(cfg.stage_depths),
                  f"must add up to the number of blocks ({cfg.depth})")
        if cfg.patch_size not in (4, 16):
            _fail("patch_size", cfg.patch_size, "speds supports 4 (CIFAR) or 16 (ImageNet)")
        if 2 ** (len(cfg.stage_depths) - 1) > cfg.patch_size:
            _fail("stage_depths", list(cfg.stage_depths),
                  f"each stage after the first halves the grid, more than patch_size "
                  f"{cfg.patch_size} allows")
        if cfg.embed_dim % (8 * 2 ** (len(cfg.stage_depths) - 1)):
            _fail("embed_dim", cfg.embed_dim, "must stay divisible by 8 in every speds stage")
    elif cfg.stage_depths:
        _fail("stage_depths", list(cfg.stage_depths), "only the speds splitter has stages")
    widths = cfg.block_widths()
    for i, b in enumerate(cfg.blocks):
        _validate_block(b, i, widths[i])


def _validate_block(b: BlockConfig, i: int, width: int) -> None:
    where = f"in block {i}"
    _check_choice(f"token_mixer {where}:", b.token_mixer, TOKEN_MIXERS)
    _check_choice(f"channel_mixer {where}:", b.channel_mixer, CHANNEL_MIXERS)
    if b.token_mixer in HEADED_TOKEN_MIXERS:
        _check_heads(b, i, width)
    _check_finite(f"mlp_ratio {where}:", b.mlp_ratio)
    if b.mlp_ratio <= 0 or (width * b.mlp_ratio) % 1:
        _fail(f"mlp_ratio {where}:", b.mlp_ratio,
              f"must be positive and make width {width} x ratio a whole number")
    _validate_experts(b.token_experts, "token_experts", b.token_mixer, EXPERT_TOKEN_MIXERS,
                      width, i)
    _validate_experts(b.channel_experts, "channel_experts", b.channel_mixer,
                      EXPERT_CHANNEL_MIXERS, width * b.mlp_ratio, i)


def _check_heads(b: BlockConfig, i: int, width: int) -> None:
    if isinstance(b.heads, bool) or not isinstance(b.heads, int) or b.heads < 1:
        _fail(f"heads in block {i}:", b.heads, "must be a positive integer")
    if width % b.heads:
        raise ArchValidationError(
            f"embed_dim {width} is not divisible by heads {b.heads} in block {i}"
        )


def _validate_experts(n, field_name, mixer, expert_mixers, width, i) -> None:
    if mixer in expert_mixers:
        if isinstance(n, bool) or not isinstance(n, int) or n < 2:
            raise ArchValidationError(
                f"{field_name} {n!r} is invalid in block {i}: {mixer} needs an integer of "
                "at least 2 experts"
            )
        if int(width) % n:
            raise ArchValidationError(
                f"width {int(width)} is not divisible by {field_name} {n} in block {i}"
            )
    elif n is not None:
        raise ArchValidationError(
            f"{field_name} {n!r} is invalid in block {i}: only {', '.join(expert_mixers)} "
            f"takes experts, this block uses {mixer}"
        )
