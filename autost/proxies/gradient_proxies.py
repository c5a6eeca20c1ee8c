"""Gradient proxies on a real model at initialization: synflow, snip, grad_norm and zico.

The formulas and their spiking adaptation (surrogate gradient through the LIFs over T
steps, BatchNorm on batch statistics) are in :mod:`autost.proxies.gradients`, imported when
a score is computed so that the registry stays importable without torch. snip, grad_norm
and zico share one gradient pass over the labelled calibration batch; synflow needs no data.
None of them needs the rate pass.
"""

from autost.proxies.base import Proxy, register_proxy


class _GradientProxy(Proxy):
    direction = "max"
    unit = ""
    needs_data = True

    def needs_rate_pass(self, settings) -> bool:
        return False

    def runs_model(self, settings) -> bool:
        return True  # a gradient pass (synflow's on an all-ones image)


@register_proxy
class SynflowProxy(_GradientProxy):
    """log SynFlow (Tanaka et al., NeurIPS 2020): the l1 path norm of the network with
    absolute weights on an all-ones image, read as sum |w * dR/dw|; data-free, so it runs
    on the seeded model without a calibration batch."""

    name = "synflow"
    needs_data = False

    def compute(self, ctx) -> float:
        from autost.proxies.gradients import synflow_score

        cfg = ctx.cfg
        return synflow_score(ctx.fresh_model(), (cfg.in_channels, cfg.input_size,
                                                 cfg.input_size))


@register_proxy
class SnipProxy(_GradientProxy):
    """SNIP (Lee et al., ICLR 2019) as a network score (Abdelfattah et al., ICLR 2021):
    sum of |w * dL/dw| over the MAC-layer weights, L the cross-entropy of the calibration
    batch."""

    name = "snip"

    def compute(self, ctx) -> float:
        from autost.proxies.gradients import mean_gradients, scored_weights, snip_score

        return snip_score(scored_weights(ctx.gradient_model), mean_gradients(ctx.gradients))


@register_proxy
class GradNormProxy(_GradientProxy):
    """GradNorm (Abdelfattah et al., ICLR 2021): sum over MAC layers of ||dL/dw||_2."""

    name = "grad_norm"

    def compute(self, ctx) -> float:
        from autost.proxies.gradients import grad_norm_score, mean_gradients

        return grad_norm_score(mean_gradients(ctx.gradients))


@register_proxy
class ZicoProxy(_GradientProxy):
    """ZiCo (Li et al., ICLR 2023): per layer, log of the summed ratio of the mean absolute
    gradient to its standard deviation across mini-batches of the calibration batch."""

    name = "zico"

    def compute(self, ctx) -> float:
        from autost.proxies.gradients import zico_score

        return zico_score(ctx.gradients)
