"""Proxies read from the cost model: params, flops (AutoST's proxy), sops and energy."""

from autost.proxies.base import Proxy, register_proxy


@register_proxy
class ParamsProxy(Proxy):
    """Number of parameters used in forward (exact, counted on the meta device)."""

    name = "params"
    direction = "min"
    unit = "params"
    needs_data = False

    def compute(self, ctx) -> float:
        return float(ctx.cost.params)


@register_proxy
class FlopsProxy(Proxy):
    """MACs per image over T, every matrix product included: AutoST's ranking proxy.

    AutoST (Wang et al., ICASSP 2024; arXiv 2307.00293, its evolution.py) ranks candidates by FLOPs
    within a parameter window, higher first; its counter (syops) misses the attention
    products, autost's does not.
    """

    name = "flops"
    direction = "max"
    unit = "MACs"
    needs_data = False

    def compute(self, ctx) -> float:
        return float(ctx.cost.macs_total)


@register_proxy
class SopsProxy(Proxy):
    """Synaptic operations per image over T: rate x MACs per non-encoding MAC layer."""

    name = "sops"
    direction = "min"
    unit = "SOPs"
    needs_data = True

    def needs_rate_pass(self, settings) -> bool:
        return settings.rates == "init"

    def runs_model(self, settings) -> bool:
        return self.needs_rate_pass(settings)  # prior rates: the cost model alone

    def compute(self, ctx) -> float:
        return float(ctx.energy.sops)


@register_proxy
class EnergyProxy(SopsProxy):
    """Energy per image in mJ under the settings' energy model: ``compute``, e_mac x dense
    encoding MACs + e_ac x SOPs (Spikformer, Zhou et al., ICLR 2023, appendix C.2;
    :mod:`autost.cost.energy`), or ``memory``, that plus data movement
    (:mod:`autost.cost.memory`)."""

    name = "energy"
    unit = "mJ"

    def compute(self, ctx) -> float:
        if ctx.settings.energy_model == "memory":
            return float(ctx.memory.energy_mj)
        return float(ctx.energy.energy_mj)


@register_proxy
class BreakevenRateProxy(Proxy):
    """The mean spike rate below which the candidate costs less energy than its quantized
    twin, the same network with ceil(log2(T+1))-bit activations run once (Yan et al.,
    arXiv 2409.08290), under the settings' energy model (:mod:`autost.cost.memory`).

    Needs no rates: the spiking network's energy is affine in a rate given to every layer.
    Higher is better for the spiking network; below 0 it costs more even when silent.
    """

    name = "breakeven_rate"
    direction = "max"
    unit = "rate"
    needs_data = False

    def compute(self, ctx) -> float:
        rate = ctx.memory.breakeven_rate
        return float("nan") if rate is None else float(rate)
