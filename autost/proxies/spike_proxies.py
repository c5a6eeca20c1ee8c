"""Spike-pattern proxies on the LIF codes of the rate pass: sahd (SNASNet) and naswot.

The kernels import torch, so they are imported when a score is computed: the registry
itself stays importable without torch.
"""

from autost.proxies.base import Proxy, register_proxy


@register_proxy
class SahdProxy(Proxy):
    """log |det K-bar| of SNASNet's sparsity-aware Hamming kernel (Kim et al., ECCV 2022).

    Scored on one calibration batch (SNASNet averages two batches of 256); -inf when two
    images give identical codes in every layer (a silent network, for one).
    """

    name = "sahd"
    direction = "max"
    unit = ""
    needs_data = True

    def compute(self, ctx) -> float:
        from autost.proxies.kernels import log_abs_det, sahd_kernel

        return log_abs_det(sahd_kernel(ctx.rates.codes.values()))


@register_proxy
class NaswotProxy(Proxy):
    """log |det K| of NASWOT's Hamming kernel on the concatenated spike codes (11.2)."""

    name = "naswot"
    direction = "max"
    unit = ""
    needs_data = True

    def compute(self, ctx) -> float:
        from autost.proxies.kernels import log_abs_det, naswot_kernel

        return log_abs_det(naswot_kernel(ctx.rates.codes.values()))
