"""Training-free proxies behind one interface, and the scoring entry point.

``list_proxies()`` / ``get_proxy(name)`` give the registered proxies (params, flops, sops,
energy, sahd, naswot); ``score_architecture(cfg, proxies, settings)`` computes them for one
architecture. The contract of a proxy is the docstring of :class:`Proxy`.
"""

from autost.proxies import cost_proxies, spike_proxies  # noqa: F401  (register the proxies)
from autost.proxies.base import Proxy, get_proxy, list_proxies, register_proxy
from autost.proxies.scoring import (
    COST_MODEL_VERSION,
    ScoreResult,
    ScoreSettings,
    ScoringContext,
    score_architecture,
)

__all__ = [
    "COST_MODEL_VERSION",
    "Proxy",
    "ScoreResult",
    "ScoreSettings",
    "ScoringContext",
    "get_proxy",
    "list_proxies",
    "register_proxy",
    "score_architecture",
]
