"""Score one architecture by a list of proxies: the function every search worker calls.

:func:`score_architecture` is a pure function of picklable arguments with a picklable
result, so it runs in process pools. It does the least work the proxies need: the cost
pass always (meta device, no data); the rate pass (a seeded real model and one calibration
batch) only when a proxy needs data with these settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
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
from autost.exceptions import AutostError, BuildError, CalibrationError, unknown_name
from autost.proxies.base import get_proxy

# Bump when counting rules, rate conventions or proxy formulas change: it is part of the
# settings key, so cached scores of an older cost model are not reused.
COST_MODEL_VERSION = 1
SETTINGS_RATES = ("init", "prior")


@dataclass(frozen=True)
class ScoreSettings:
    """How to score: rate source, calibration data, seed and energy constants (pJ)."""

    rates: str = "init"
    dataset: str = "digits"
    batch_size: int = 16
    seed: int = 0
    e_mac_pj: float = 4.6
    e_ac_pj: float = 0.9

    def __post_init__(self) -> None:
        if self.rates not in SETTINGS_RATES:
            raise unknown_name("rate source", self.rates, SETTINGS_RATES)
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) \
                or self.batch_size < 2:
            raise CalibrationError(f"batch_size {self.batch_size!r} is invalid: the spike-"
                                   "code kernels compare images, use at least 2")
        for name in ("e_mac_pj", "e_ac_pj"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value <= 0:
                raise AutostError(f"{name} {value!r} is invalid: give a positive energy in pJ")
            object.__setattr__(self, name, float(value))

    def key(self) -> str:
        """Canonical cache key, e.g. ``cost1/init/digits/b16/s0/mac4.6/ac0.9``."""
        return (f"cost{COST_MODEL_VERSION}/{self.rates}/{self.dataset}/b{self.batch_size}"
                f"/s{self.seed}/mac{self.e_mac_pj!r}/ac{self.e_ac_pj!r}")

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ScoreResult:
    """Proxy values (plus params, MACs and element-wise totals), per-layer rows, flags.

    ``rate_source`` is the source of the rates behind SOPs and energy: ``init``,
    ``prior``, or ``none`` when no rates were needed (the per-layer rows then carry none).
    """

    arch_id: str
    values: dict[str, float]
    rate_source: str
    layers: list[dict] = field(repr=False)
    flags: list[str]

    def to_dict(self) -> dict:
        return {"arch_id": self.arch_id, "values": self.values,
                "rate_source": self.rate_source, "layers": self.layers, "flags": self.flags}


class ScoringContext:
    """Reports of one architecture under one settings, each computed on first use."""

    def __init__(self, cfg: ArchConfig, settings: ScoreSettings, rate_pass: bool):
        self.cfg, self.settings, self.rate_pass = cfg, settings, rate_pass

    @cached_property
    def cost(self) -> CostReport:
        return _built(lambda: count_costs(self.cfg), self.cfg)

    @cached_property
    def rates(self) -> RateReport:
        """The rate pass on a model seeded with ``settings.seed`` (the caller's RNG kept)."""
        s, cfg = self.settings, self.cfg
        batch = _calibration_batch(s.dataset, cfg.input_size, cfg.in_channels, s.batch_size,
                                   s.seed)
        from autost.models import create_model

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(s.seed)
            with torch.device("cpu"):
                model = _built(lambda: create_model(cfg, mask_seed=s.seed), cfg)
            return _built(lambda: measure_rates(model, batch), cfg)

    @cached_property
    def energy(self) -> EnergyReport | None:
        """SOPs and energy with the settings' rates; None if they would need an unrun pass."""
        s = self.settings
        if s.rates == "prior":
            rates = prior_rates(self.cost)
        elif self.rate_pass:
            rates = self.rates.sop_rates()
        else:
            return None
        return estimate_energy(self.cost, rates, rate_source=s.rates, e_mac_pj=s.e_mac_pj,
                               e_ac_pj=s.e_ac_pj)


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
def _calibration_batch(dataset, input_size, in_channels, batch_size, seed) -> torch.Tensor:
    from autost.train.datasets import calibration_batch

    return calibration_batch(dataset, input_size, in_channels, batch_size, seed)


def score_architecture(cfg: ArchConfig, proxies: Sequence[str],
                       settings: ScoreSettings | None = None) -> ScoreResult:
    """Compute every proxy in ``proxies`` for ``cfg`` (see :class:`ScoreResult`).

    Raises UnknownNameError for an unknown proxy, ArchValidationError or BuildError for an
    architecture that cannot be built, DatasetError for unusable calibration data.
    """
    settings = settings or ScoreSettings()
    chosen = [get_proxy(name) for name in dict.fromkeys(proxies)]
    ctx = ScoringContext(cfg, settings, any(p.needs_rate_pass(settings) for p in chosen))
    cost = ctx.cost
    values = {"params": float(cost.params), "macs_per_step": float(cost.macs_per_step),
              "macs_total": float(cost.macs_total),
              "elementwise_ops_total": float(cost.elementwise_ops_total)}
    for proxy in chosen:
        values[proxy.name] = proxy.compute(ctx)
    energy = ctx.energy
    rates = ctx.rates if ctx.rate_pass else None
    return ScoreResult(
        arch_id=cfg.arch_id, values=values,
        rate_source=energy.rate_source if energy is not None else "none",
        layers=layer_rows(cost, energy, rates),
        flags=list(rates.flags) if rates is not None else [],
    )


def layer_rows(cost: CostReport, energy: EnergyReport | None,
               rates: RateReport | None) -> list[dict]:
    """JSON-able rows of the layers with parameters or MACs, with rates and energy shares."""
    by_name = {layer.name: layer for layer in energy.layers} if energy is not None else {}
    total_pj = sum(layer.energy_pj for layer in by_name.values())
    rows = []
    for layer in cost.layers:
        if not layer.params and not layer.macs_per_step:
            continue
        row = {"name": layer.name, "kind": layer.kind, "role": layer.role,
               "output_shape": list(layer.output_shape), "params": layer.params,
               "macs_per_step": layer.macs_per_step, "macs_total": layer.macs_total}
        if layer.name in by_name:
            e = by_name[layer.name]
            row.update(rate=e.rate, sops=e.sops,
                       energy_share=e.energy_pj / total_pj if total_pj else 0.0)
        if rates is not None and layer.name in rates.layers:
            measured = rates.layers[layer.name]
            row.update(input_rate=measured.rate, input_mean=measured.mean)
        rows.append(row)
    return rows
