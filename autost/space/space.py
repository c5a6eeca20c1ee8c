"""SearchSpace: a parsed space file that turns Optuna trials or a random source into ArchConfigs.

Parameters are named ``depth``, ``embed_dim``, ``stage_depths`` ("1,1,2"), ``heads`` (model
wide), ``stage1.token_mixer``, ``block3.heads`` and so on. Every name always carries the same
choices, as Optuna's samplers require. Where some choices of ``heads`` or an expert count do
not divide the width they land on, the name carries that width (``block3.heads@192``) and
offers only the dividing choices, so no sampled architecture fails divisibility. Blocks
beyond the sampled depth, and keys whose condition does not hold, are not suggested.
"""

from __future__ import annotations

import math
import random
from dataclasses import MISSING, dataclass, field, fields
from itertools import product

from autost.arch import (
    EXPERT_CHANNEL_MIXERS,
    EXPERT_TOKEN_MIXERS,
    HEADED_TOKEN_MIXERS,
    MIXER_SETTINGS,
    TOKEN_MIXERS,
    ArchConfig,
    BlockConfig,
)
from autost.exceptions import ArchValidationError, InvalidSpaceError

BLOCK_DEFAULTS = {f.name: f.default for f in fields(BlockConfig)}
ARCH_DEFAULTS = {f.name: f.default for f in fields(ArchConfig) if f.default is not MISSING}
# Global keys that shape the blocks; the others are plain ArchConfig fields.
STRUCTURE_KEYS = ("stage_depths", "depth", "embed_dim", "heads", "mlp_ratio")
# Block keys chosen only where the block's mixer reads them: (the mixer key, those mixers).
MIXER_KEYS = {"token_experts": ("token_mixer", EXPERT_TOKEN_MIXERS),
              "channel_experts": ("channel_mixer", EXPERT_CHANNEL_MIXERS),
              "heads": ("token_mixer", HEADED_TOKEN_MIXERS)}
# Global keys read only by some token mixers: drawn after the blocks, and only when a block's
# token mixer reads them (a setting no block reads does not change the network).
GLOBAL_READERS = {"heads": HEADED_TOKEN_MIXERS, **MIXER_SETTINGS}


def stage_widths(embed_dim: int, n_stages: int) -> list[int]:
    """Width of every stage, as ArchConfig computes it (the last stage is embed_dim wide)."""
    return [embed_dim // 2 ** (n_stages - 1 - s) for s in range(n_stages)]


def layout_of(value) -> tuple[int, ...]:
    """A stage layout from its parameter value "1,1,2" or a list of block counts."""
    return tuple(int(v) for v in value.split(",")) if isinstance(value, str) else tuple(value)


class _TrialChooser:
    def __init__(self, trial):
        self.trial = trial

    def categorical(self, name, values):
        return self.trial.suggest_categorical(name, list(values))

    def integer(self, name, low, high, step):
        return self.trial.suggest_int(name, low, high, step=step)


class _RandomChooser:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def categorical(self, name, values):
        return self.rng.choice(values)

    def integer(self, name, low, high, step):
        return self.rng.randrange(low, high + 1, step)


@dataclass(frozen=True, eq=False)
class SearchSpace:
    """A named, declarative space of spiking transformers (one TOML file).

    ``global_choices`` are drawn once per model, ``stage_choices`` once per stage (speds
    only) and ``block_choices`` once per block, each in the order of UNIT_KEYS. ``fixed``
    holds the ArchConfig fields held constant, dataset defaults included. ``contextual``
    names the keys suggested under width-qualified names (see the module docstring).
    ``constraints`` are ceilings: ``max_params`` (parameters), ``max_macs`` (MACs per image
    summed over time steps, ``macs_total``) and ``max_energy_mj`` (mJ per image).
    """

    name: str
    description: str
    source: str
    label: str
    dataset: dict
    fixed: dict
    global_choices: dict
    stage_choices: dict
    block_choices: dict
    constraints: dict
    contextual: frozenset
    text: str = field(default="", repr=False, compare=False)  # the space file, as read

    # -- drawing architectures -------------------------------------------------------------

    def suggest(self, trial) -> ArchConfig:
        """Draw an architecture from an Optuna trial (calls trial.suggest_*)."""
        return self._build(_TrialChooser(trial))

    def sample(self, rng: random.Random) -> ArchConfig:
        """Draw an architecture uniformly: every suggested parameter uniform over its choices."""
        return self._build(_RandomChooser(rng))

    def _build(self, chooser) -> ArchConfig:
        arch = dict(self.fixed)
        base = dict(BLOCK_DEFAULTS)
        for key, choice in self.global_choices.items():
            if key not in GLOBAL_READERS:
                (base if key == "mlp_ratio" else arch)[key] = self._pick(chooser, key, choice)
        layout = self._layout(arch)
        widths = stage_widths(arch.get("embed_dim", ARCH_DEFAULTS["embed_dim"]), len(layout))
        blocks = []
        for s, (n_blocks, width) in enumerate(zip(layout, widths, strict=True)):
            stage = self._pick_unit(chooser, f"stage{s}", self.stage_choices, base, width)
            for _ in range(n_blocks):
                name = f"block{len(blocks)}"
                blocks.append(self._pick_unit(chooser, name, self.block_choices, stage, width))
        mixers = {b["token_mixer"] for b in blocks}
        for key, readers in GLOBAL_READERS.items():
            if key in self.global_choices and mixers & set(readers):
                context = self._widths_gcd(arch) if key == "heads" else None
                value = self._pick(chooser, key, self.global_choices[key], context)
                if key == "heads":
                    blocks = [dict(b, heads=value) for b in blocks]
                else:
                    arch[key] = value
        return ArchConfig(blocks=tuple(BlockConfig(**b) for b in blocks), **arch)

    def _layout(self, arch: dict) -> tuple[int, ...]:
        """Pop depth / stage_depths from ``arch``; return the blocks per stage."""
        depth = arch.pop("depth", None)
        if self.is_hierarchical:
            arch["stage_depths"] = layout_of(arch["stage_depths"])
            return arch["stage_depths"]
        return (depth,)

    def _pick_unit(self, chooser, prefix, table, known, width) -> dict:
        known = dict(known)
        for key, choice in table.items():
            suffix, values = self._offered(key, choice, known, width)
            known[key] = self._draw(chooser, f"{prefix}.{key}", choice, suffix, values)
        return known

    def _pick(self, chooser, name, choice, context=None):
        suffix, values = "", choice.values
        if context is not None and choice.key in self.contextual:
            suffix, values = f"@{context}", _dividing(choice.values, context)
        return self._draw(chooser, name, choice, suffix, values)

    @staticmethod
    def _draw(chooser, name, choice, suffix, values):
        if suffix is None or len(values) == 1:
            return values[0]
        if choice.is_range and not suffix:
            return chooser.integer(name, values[0], values[-1], choice.step)
        return chooser.categorical(name + suffix, values)

    def _offered(self, key, choice, known, width) -> tuple[str | None, tuple]:
        """Name suffix ("" plain, "@<width>", None if not suggested) and values offered here."""
        if key in MIXER_KEYS:
            mixer_key, mixers = MIXER_KEYS[key]
            if known[mixer_key] not in mixers:
                return None, (None,)
        if not choice.applies(known):
            return None, (known[key] if choice.default is None else choice.default,)
        if key not in self.contextual:
            return "", choice.values
        context = int(width * known["mlp_ratio"]) if key == "channel_experts" else width
        return f"@{context}", _dividing(choice.values, context)

    def check(self, samples: int = 200, seed: int = 0) -> None:
        """Sample ``samples`` architectures; raise InvalidSpaceError if one fails validation."""
        rng = random.Random(seed)
        for i in range(samples):
            try:
                self.sample(rng)
            except ArchValidationError as e:
                raise InvalidSpaceError(
                    f"{self.label}: sample {i} (seed {seed}) is not a valid architecture: {e}"
                ) from e

    # -- structure ---------------------------------------------------------------------------

    @property
    def is_hierarchical(self) -> bool:
        """True for the speds splitter, whose blocks are grouped in stages of halving width."""
        return self._global_values("patch_splitter")[0] == "speds"

    def _global_values(self, key) -> tuple:
        if key in self.global_choices:
            return self.global_choices[key].values
        return (self.fixed.get(key, ARCH_DEFAULTS.get(key)),)

    def layouts(self) -> list[tuple[int, ...]]:
        """Every blocks-per-stage layout the space can produce."""
        if self.is_hierarchical:
            return [layout_of(v) for v in self._global_values("stage_depths")]
        return [(d,) for d in self._global_values("depth")]

    def _widths_gcd(self, arch: dict) -> int:
        n_stages = len(layout_of(arch["stage_depths"])) if self.is_hierarchical else 1
        embed_dim = arch.get("embed_dim", ARCH_DEFAULTS["embed_dim"])
        return math.gcd(*stage_widths(embed_dim, n_stages))

    def _possible(self, key) -> set:
        """Every value a block key can take in some block (defaults included)."""
        choice = self.stage_choices.get(key) or self.block_choices.get(key)
        if choice is None:
            return {BLOCK_DEFAULTS[key]}
        fallback = {choice.default if choice.default is not None else BLOCK_DEFAULTS[key]}
        return set(choice.values) | (fallback if choice.when else set())

    def condition(self, key, choice) -> str:
        """Whether a unit key is suggested "always", "never" or "sometimes" (conditions)."""
        terms = list(choice.when)
        if key in MIXER_KEYS:
            terms.append(MIXER_KEYS[key])
        status = "always"
        for ref, allowed in terms:
            possible = self._possible(ref)
            if not possible & set(allowed):
                return "never"
            if not possible <= set(allowed):
                status = "sometimes"
        return status

    def global_condition(self, key) -> str:
        """Whether a global key is suggested "always", "never" or "sometimes": a key of
        GLOBAL_READERS only in models with a token mixer that reads it."""
        if key not in GLOBAL_READERS:
            return "always"
        possible = self._possible("token_mixer")
        readers = possible & set(GLOBAL_READERS[key])
        return "never" if not readers else "always" if readers == possible else "sometimes"

    def is_finite(self) -> bool:
        """True when every trial suggests the same parameters, so GridSampler can list the space.

        Spaces with a depth or stage-count choice, conditional keys or width-qualified names
        are finite too, but their parameter set varies per trial; for them this is False.
        """
        items = [*self.global_choices.items(), *self._unit_items()]
        if any(self._suggested(k, c) for k, c in items if k in self.contextual):
            return False
        if any(c.is_choice and self.global_condition(k) == "sometimes"
               for k, c in self.global_choices.items()):
            return False
        for table, counts in ((self.stage_choices, {len(lay) for lay in self.layouts()}),
                              (self.block_choices, {sum(lay) for lay in self.layouts()})):
            for key, choice in table.items():
                status = self.condition(key, choice)
                if choice.is_choice and (status == "sometimes" or
                                         (status == "always" and len(counts) > 1)):
                    return False
        return True

    def grid(self) -> dict[str, list] | None:
        """The search space for optuna.samplers.GridSampler, or None where not is_finite()."""
        if not self.is_finite():
            return None
        out = {k: list(c.values) for k, c in self.global_choices.items() if c.is_choice}
        layout = self.layouts()[0]
        for prefix, table, count in (("stage", self.stage_choices, len(layout)),
                                     ("block", self.block_choices, sum(layout))):
            for i in range(count):
                out.update({f"{prefix}{i}.{k}": list(c.values) for k, c in table.items()
                            if self._suggested(k, c)})
        return out

    def _unit_items(self):
        return [*self.stage_choices.items(), *self.block_choices.items()]

    def _suggested(self, key, choice) -> bool:
        return choice.is_choice and self.condition(key, choice) != "never"

    def size(self) -> int:
        """Number of distinct architectures (distinct arch_ids) in the space.

        A global key of GLOBAL_READERS multiplies only the models with a token mixer that
        reads it. Token mixers are grouped by the set of those keys they read; for every
        set of groups, inclusion-exclusion counts the models whose blocks use exactly those
        groups, and the keys the groups read multiply that count.
        """
        others = math.prod(len(c.values) for k, c in self.global_choices.items()
                           if k not in STRUCTURE_KEYS and k not in GLOBAL_READERS)
        total = 0
        for layout, embed_dim, ratio in product(self.layouts(), self._global_values("embed_dim"),
                                                self._global_values("mlp_ratio")):
            base = dict(BLOCK_DEFAULTS, mlp_ratio=ratio or BLOCK_DEFAULTS["mlp_ratio"])
            widths = stage_widths(embed_dim, len(layout))
            choices = {k: len(_dividing(c.values, math.gcd(*widths))) if k == "heads"
                       else len(c.values)
                       for k, c in self.global_choices.items() if k in GLOBAL_READERS}
            group = {m: frozenset(k for k in choices if m in GLOBAL_READERS[k])
                     for m in TOKEN_MIXERS}
            within = {used: self._count_blocks(layout, widths, base,
                                               {m for m, g in group.items() if g in used})
                      for used in _subsets(set(group.values()))}
            for used in within:
                exact = sum((-1) ** (len(used) - len(sub)) * within[sub]
                            for sub in _subsets(used))
                total += exact * math.prod(choices[k] for k in set().union(*used))
        return total * others

    def _count_blocks(self, layout, widths, base, mixers: set) -> int:
        """Block assignments of one layout whose token mixers are all among ``mixers``."""
        count = 1
        for n_blocks, width in zip(layout, widths, strict=True):
            count *= sum(sum(o["token_mixer"] in mixers
                             for o in self._unit_options(self.block_choices, known, width))
                         ** n_blocks
                         for known in self._unit_options(self.stage_choices, base, width))
        return count

    def _unit_options(self, table, known, width) -> list[dict]:
        """Every assignment of a stage's or block's keys, given the values already known."""
        options = [dict(known)]
        for key, choice in table.items():
            options = [dict(opt, **{key: v}) for opt in options
                       for v in self._offered(key, choice, opt, width)[1]]
        return options

    def num_parameters(self) -> int:
        """Most Optuna parameters one trial can suggest."""
        n = sum(c.is_choice for c in self.global_choices.values())
        for table, count in ((self.stage_choices, max(len(x) for x in self.layouts())),
                             (self.block_choices, max(sum(x) for x in self.layouts()))):
            n += count * sum(self._suggested(k, c) for k, c in table.items())
        return n

    def describe(self) -> dict:
        """JSON-able summary: fixed fields, every parameter with its choices, size, grid."""
        params = []
        for scope, table, template in (("model", self.global_choices, "{}"),
                                       ("stage", self.stage_choices, "stage{{s}}.{}"),
                                       ("block", self.block_choices, "block{{i}}.{}")):
            for key, choice in table.items():
                if not choice.is_choice:
                    continue
                entry = {"name": template.format(key), "scope": scope,
                         "kind": "int" if choice.is_range else "categorical",
                         **choice.describe()}
                if choice.when and choice.default is None:
                    entry["default"] = BLOCK_DEFAULTS[key]
                if key in MIXER_KEYS:
                    ref, mixers = MIXER_KEYS[key]
                    listed = dict(choice.when).get(ref, mixers)
                    entry["when"] = {**entry.get("when", {}),
                                     ref: [m for m in mixers if m in listed]}
                elif scope == "model" and self.global_condition(key) == "sometimes":
                    entry["when"] = {"token_mixer": list(GLOBAL_READERS[key])}
                if key in self.contextual:
                    entry["name"] += "@{width}"
                    entry["divides"] = ("hidden width" if key == "channel_experts"
                                        else "model width" if scope == "model" else "width")
                params.append(entry)
        constant = {prefix + k: c.values[0] for prefix, table in
                    (("", self.global_choices), ("stage.", self.stage_choices),
                     ("block.", self.block_choices))
                    for k, c in table.items() if not c.is_choice}
        return {
            "name": self.name, "description": self.description, "source": self.source,
            "dataset": dict(self.dataset), "fixed": {**self.fixed, **constant},
            "parameters": params, "constraints": dict(self.constraints),
            "num_parameters": self.num_parameters(), "size": self.size(),
            "finite": self.is_finite(),
        }


def _subsets(groups) -> list[frozenset]:
    """Every subset of a set of groups, as frozensets."""
    items = sorted(groups, key=sorted)
    return [frozenset(g for g, bit in zip(items, bits, strict=True) if bit)
            for bits in product((0, 1), repeat=len(items))]


def _dividing(values, context: int) -> tuple:
    return tuple(v for v in values if context % v == 0)
