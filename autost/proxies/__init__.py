"""Training-free proxies behind one interface, and the scoring entry point.

``list_proxies()`` / ``get_proxy(name)`` give the registered proxies (params, flops, sops,
energy, breakeven_rate; the gradient proxies synflow, snip, grad_norm, zico; the spike-code
kernels sahd, naswot); ``score_architecture(cfg, proxies, settings)`` computes them for one
architecture. The contract of a proxy is the docstring of :class:`Proxy`. The registry and
the settings import without torch; ``score_architecture`` and ``ScoringContext`` import it
on first use.
"""

from autost.lazy import lazy_attributes
from autost.proxies import (  # noqa: F401  (register the proxies)
    cost_proxies,
    gradient_proxies,
    spike_proxies,
)
from autost.proxies.base import Proxy, get_proxy, list_proxies, register_proxy
from autost.proxies.settings import COST_MODEL_VERSION, ScoreResult, ScoreSettings

_LAZY = {name: "autost.proxies.evaluate" for name in ("score_architecture", "ScoringContext")}

__all__ = [
    "COST_MODEL_VERSION",
    "Proxy",
    "ScoreResult",
    "ScoreSettings",
    "get_proxy",
    "list_proxies",
    "register_proxy",
    *_LAZY,
]
__getattr__ = lazy_attributes(__name__, _LAZY)
