"""Score one architecture by a list of proxies: the function every search worker calls.

:func:`score_architecture` is a pure function of picklable arguments with a picklable
result, so it runs in process pools. It does the least work the proxies need: the cost
pass always (meta device, no data); the rate pass (a seeded real model and one calibration
batch) only when a proxy needs data with these settings.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from functools import cached_property, lru_cache

import torch

from autost.arch import ArchConfig
from autost.cost import (
    CostReport,
    EnergyReport,
    RateReport,
    count_costs,
    estimate_energy,
    measure_rates,
    prior_rates,
)
from autost.cost.hardware import get_hardware
from autost.cost.memory import MemoryEnergyReport, layer_traffic, memory_energy
from autost.exceptions import AutostError, BuildError
from autost.proxies.base import get_proxy
from autost.proxies.settings import ScoreResult, ScoreSettings
from autost.surrogate import get_surrogate


class ScoringContext:
    """Reports of one architecture under one settings, each computed on first use."""

    def __init__(self, cfg: ArchConfig, settings: ScoreSettings, rate_pass: bool):
        self.cfg, self.settings, self.rate_pass = cfg, settings, rate_pass

    @cached_property
    def cost(self) -> CostReport:
        return _built(lambda: count_costs(self.cfg), self.cfg)

    @cached_property
    def _model(self):
        """The model seeded with ``settings.seed`` (the caller's RNG kept); never run."""
        from autost.models import create_model

        s, cfg = self.settings, self.cfg
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(s.seed)
            with torch.device("cpu"):
                return _built(lambda: create_model(cfg, mask_seed=s.seed), cfg)

    def fresh_model(self):
        """A copy of the seeded model as built: every pass starts from the same weights and
        the same spike-mask draws, whichever passes ran before."""
        return copy.deepcopy(self._model)

    @cached_property
    def calibration(self) -> tuple[torch.Tensor, torch.Tensor]:
        """The calibration images [B, C, H, W] and their labels [B]."""
        s, cfg = self.settings, self.cfg
        return _calibration_sample(s.dataset, cfg.input_size, cfg.in_channels, s.batch_size,
                                   s.seed, s.data_dir)

    @cached_property
    def rates(self) -> RateReport:
        """The rate pass on the seeded model and the calibration images."""
        return _built(lambda: measure_rates(self.fresh_model(), self.calibration[0]), self.cfg)

    @cached_property
    def gradient_model(self):
        """The model the gradient pass ran on (its weights are what SNIP multiplies)."""
        return self.fresh_model()

    @cached_property
    def gradients(self) -> list[list[torch.Tensor]]:
        """Per mini-batch of the calibration batch, the loss gradients of the MAC weights."""
        from autost.proxies.gradients import minibatch_gradients

        images, labels = self.calibration
        return _built(lambda: minibatch_gradients(self.gradient_model, images, labels),
                      self.cfg)

    @cached_property
    def sop_rates(self) -> dict[str, float] | None:
        """The settings' rates of the non-encoding MAC layers; None if they would need an
        unrun pass."""
        if self.settings.rates == "prior":
            return prior_rates(self.cost)
        return self.rates.sop_rates() if self.rate_pass else None

    @cached_property
    def energy(self) -> EnergyReport | None:
        """SOPs and energy with the settings' rates; None if they would need an unrun pass."""
        s = self.settings
        if self.sop_rates is None:
            return None
        return estimate_energy(self.cost, self.sop_rates, rate_source=s.rates,
                               e_mac_pj=s.e_mac_pj, e_ac_pj=s.e_ac_pj)

    @cached_property
    def memory(self) -> MemoryEnergyReport:
        """The settings' energy model with its quantized twin and break-even rate (the
        compute model: arithmetic only); layer energies need the settings' rates."""
        s = self.settings
        return memory_energy(layer_traffic(self.cost), self.sop_rates,
                             get_hardware(s.hardware), timesteps=self.cost.timesteps,
                             weight_reuse=s.weight_reuse, e_ac_pj=s.e_ac_pj,
                             e_mac_pj=s.e_mac_pj, movement=s.energy_model == "memory")


def _built(make, cfg: ArchConfig):
    """Run ``make``; a crash of torch or of the builder becomes a BuildError."""
    try:
        return make()
    except AutostError:
        raise
    except (RuntimeError, ValueError, TypeError, IndexError) as e:
        raise BuildError(f"architecture {cfg.summary()} could not be built and run: {e}; "
                         "check its sizes against the builder's rules") from e


@lru_cache(maxsize=8)
def _calibration_sample(dataset, input_size, in_channels, batch_size, seed, data_dir
                        ) -> tuple[torch.Tensor, torch.Tensor]:
    from autost.data.datasets import calibration_sample

    return calibration_sample(dataset, input_size, in_channels, batch_size, seed,
                              data_dir=data_dir)


def score_architecture(cfg: ArchConfig, proxies: Sequence[str],
                       settings: ScoreSettings | None = None,
                       seconds: dict[str, float] | None = None) -> ScoreResult:
    """Compute every proxy in ``proxies`` for ``cfg`` (see :class:`ScoreResult`).

    With a surrogate in ``settings`` the proxies are those of the candidate's surrogate
    (:mod:`autost.surrogate`), reported under the candidate's arch_id.

    ``seconds``, when given, receives the wall time of each step in order: ``cost pass``,
    then each proxy; a proxy that is the first to need a shared pass (the rate pass, the
    gradient pass of snip, grad_norm and zico) is charged for it.
    Raises UnknownNameError for an unknown proxy, ArchValidationError or BuildError for an
    architecture that cannot be built (SurrogateError where its surrogate cannot be),
    DatasetError for unusable calibration data.
    """
    settings = settings or ScoreSettings()
    seconds = {} if seconds is None else seconds
    chosen = [get_proxy(name) for name in dict.fromkeys(proxies)]
    scored = get_surrogate(settings.surrogate).apply(cfg)
    ctx = ScoringContext(scored, settings, any(p.needs_rate_pass(settings) for p in chosen))
    started = time.perf_counter()
    cost = ctx.cost
    seconds["cost pass"] = time.perf_counter() - started
    values = {"params": float(cost.params), "macs_per_step": float(cost.macs_per_step),
              "macs_total": float(cost.macs_total),
              "elementwise_ops_total": float(cost.elementwise_ops_total)}
    for proxy in chosen:
        started = time.perf_counter()
        values[proxy.name] = proxy.compute(ctx)
        seconds[proxy.name] = time.perf_counter() - started
    energy = ctx.energy
    rates = ctx.rates if ctx.rate_pass else None
    return ScoreResult(
        arch_id=cfg.arch_id, values=values,
        rate_source=energy.rate_source if energy is not None else "none",
        layers=layer_rows(cost, energy, rates,
                          ctx.memory if settings.energy_model == "memory" else None),
        flags=list(rates.flags) if rates is not None else [],
    )


def layer_rows(cost: CostReport, energy: EnergyReport | None, rates: RateReport | None,
               memory: MemoryEnergyReport | None = None) -> list[dict]:
    """JSON-able rows of the layers with parameters or MACs, with rates and energy shares
    and, under the memory model, each layer's compute, data-movement and twin energy."""
    by_name = {layer.name: layer for layer in energy.layers} if energy is not None else {}
    moved = ({layer.name: layer for layer in memory.layers}
             if memory is not None and energy is not None else {})
    rows = []
    for layer in cost.layers:
        if not layer.params and not layer.macs_per_step:
            continue
        row = {"name": layer.name, "kind": layer.kind, "role": layer.role,
               "output_shape": list(layer.output_shape), "params": layer.params,
               "macs_per_step": layer.macs_per_step, "macs_total": layer.macs_total}
        if layer.name in by_name:
            e = by_name[layer.name]
            row.update(rate=e.rate, sops=e.sops, energy_share=energy.share(layer.name))
        if layer.name in moved:
            m = moved[layer.name]
            row.update(compute_pj=m.compute_pj, movement_pj=m.movement_pj, twin_pj=m.twin_pj)
        if rates is not None and layer.name in rates.layers:
            measured = rates.layers[layer.name]
            row.update(input_rate=measured.rate, input_mean=measured.mean)
        rows.append(row)
    return rows
