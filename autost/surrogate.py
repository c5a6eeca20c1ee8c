"""Surrogates: the smaller network that stands for a candidate when a CPU trains or scores it.

A full-size candidate takes GPU-hours to train, so the fidelity study, ``autost train
--surrogate`` and the predictors built on them train and score a surrogate instead: a named,
deterministic map from a candidate's ArchConfig to a smaller one. The name is recorded with
every training (``TrainSettings.surrogate``), score set (``ScoreSettings.surrogate``) and
predictor fitted on them, always under the full-size candidate's arch_id, so

- a predictor computes its features on each candidate's surrogate exactly as it was
  calibrated, while cost objectives (params, flops, sops, energy) stay on the full size;
- a surrogate's training is the candidate's training under that recipe (no second arch_id).

``keep8`` is the CPU surrogate (the fidelity ``cpu`` preset's and the built-in predictor's):
it keeps every dimension a space searches (depth, time steps, the mixers of every block,
heads, MLP ratios, expert counts) and shrinks only what is no search dimension (the input to
8x8 with patch size 4, 4 tokens) and the width, divided by 4, so every width order is kept.
``keep16`` is the same at 16x16 (16 tokens): three to four times the cost of a training,
and on the same 120 architectures its predictor ranked held-out spaces no better.
``trunc16`` is the shrink earlier versions used (the first 4 blocks, T <= 2): it erases
depth beyond 4 and time steps beyond 2, and stays only so that trainings stored with it keep
their meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from autost.arch import ArchConfig
from autost.exceptions import ArchValidationError, unknown_name

FULL = "full"


class SurrogateError(ArchValidationError):
    """A candidate has no surrogate of that kind (a width that does not divide, heads that
    no longer divide the shrunk width)."""


@dataclass(frozen=True)
class Surrogate:
    """Input ``input_size`` with ``patch_size`` (None keeps the candidate's), ``embed_dim``
    divided by ``width_divisor``, at most ``max_blocks`` blocks (None keeps all; a
    hierarchical config keeps its stages) and ``max_timesteps`` time steps (None keeps T)."""

    name: str
    description: str
    input_size: int | None = None
    patch_size: int | None = None
    width_divisor: int = 1
    max_blocks: int | None = None
    max_timesteps: int | None = None

    def apply(self, cfg: ArchConfig, num_classes: int | None = None) -> ArchConfig:
        """The surrogate of ``cfg`` with ``num_classes`` outputs (None keeps the candidate's).

        Raises SurrogateError naming the dimension that cannot be shrunk.
        """
        changes: dict = {}
        if num_classes is not None:
            changes["num_classes"] = num_classes
        if self.name == FULL:
            return cfg.replace(**changes) if changes else cfg
        changes["embed_dim"] = cfg.embed_dim // self.width_divisor
        if self.input_size is not None:
            changes.update(input_size=self.input_size, patch_size=self.patch_size)
        if self.max_timesteps is not None:
            changes["timesteps"] = min(cfg.timesteps, self.max_timesteps)
        if self.max_blocks is not None and not cfg.stage_depths:
            changes["blocks"] = cfg.blocks[:self.max_blocks]
        try:
            return cfg.replace(**changes)
        except ArchValidationError as e:
            raise SurrogateError(f"surrogate {self.name!r} cannot shrink {cfg.summary()}: "
                                 f"{e}; choose another surrogate") from e


SURROGATES = {s.name: s for s in (
    Surrogate(FULL, "the candidate as it is"),
    Surrogate("keep16", "16x16 input, patch 4 (16 tokens), a quarter of the width; every "
              "block, time step, mixer, head count, MLP ratio and expert count kept",
              input_size=16, patch_size=4, width_divisor=4),
    Surrogate("keep8", "8x8 input, patch 4 (4 tokens), a quarter of the width; every "
              "block, time step, mixer, head count, MLP ratio and expert count kept",
              input_size=8, patch_size=4, width_divisor=4),
    Surrogate("trunc16", "16x16 input, patch 4, a quarter of the width, the first 4 blocks, "
              "T <= 2 (earlier CPU shrink; erases depth and time steps)",
              input_size=16, patch_size=4, width_divisor=4, max_blocks=4, max_timesteps=2),
)}


def get_surrogate(name: str) -> Surrogate:
    """The registered surrogate ``name``; UnknownNameError suggesting the known ones."""
    if name not in SURROGATES:
        raise unknown_name("surrogate", name, SURROGATES)
    return SURROGATES[name]
