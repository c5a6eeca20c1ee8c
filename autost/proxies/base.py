"""The Proxy interface and the registry of proxies by name."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from autost.exceptions import unknown_name
from autost.proxies.direction import DIRECTIONS

if TYPE_CHECKING:
    from autost.proxies.evaluate import ScoringContext
    from autost.proxies.settings import ScoreSettings


class Proxy:
    """A training-free score of one architecture. Subclasses set the class attributes and
    implement :meth:`compute`; :func:`register_proxy` makes them available by name.

    Attributes:
        name: registry name, also the key of the value in ``ScoreResult.values``.
        direction: ``"max"`` or ``"min"``, the direction a search optimizes the
            value by default: cost measures (params, sops, energy) are minimized; the
            scores used to rank candidates by expected accuracy (flops as AutoST uses it,
            sahd, naswot) are maximized.
        unit: unit of the value (``"MACs"``, ``"mJ"``, ...); ``""`` for a unitless score.
        needs_data: True when the value needs a calibration batch through a real model
            (the rate pass, or the gradient pass over images and labels) with the default
            settings. A proxy without data loads no dataset; params and flops build no
            weights at all, synflow runs a real model on an all-ones image.
            :meth:`needs_rate_pass` says whether the rate pass is what it needs, per
            settings.
        deterministic: the same architecture, settings (seed) and batch give the same float
            bit for bit.

    ``compute(ctx)`` returns the value as a float. ``ctx`` (a ScoringContext) computes the
    cost report, rate report and energy report lazily and shares them between proxies, so
    one architecture is built and run at most once whatever proxies are asked for.
    """

    name: ClassVar[str]
    direction: ClassVar[str]
    unit: ClassVar[str]
    needs_data: ClassVar[bool]
    deterministic: ClassVar[bool] = True

    def needs_rate_pass(self, settings: ScoreSettings) -> bool:
        """Whether these settings need the rate pass for this proxy."""
        return self.needs_data

    def runs_model(self, settings: ScoreSettings) -> bool:
        """Whether these settings build and run a real model for this proxy (a rate,
        gradient or spike-code pass); False: the cost model alone gives it, in milliseconds
        on the meta device."""
        return self.needs_data

    def compute(self, ctx: ScoringContext) -> float:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, direction={self.direction!r})"


_REGISTRY: dict[str, type[Proxy]] = {}


def register_proxy(cls: type[Proxy]) -> type[Proxy]:
    """Class decorator: register ``cls`` under ``cls.name``."""
    if cls.direction not in DIRECTIONS:
        raise ValueError(f"proxy {cls.name!r}: direction must be 'max' or 'min', not "
                         f"{cls.direction!r}")
    _REGISTRY[cls.name] = cls
    return cls


def list_proxies() -> list[str]:
    """Names of every registered proxy, in registration order."""
    return list(_REGISTRY)


def get_proxy(name: str) -> Proxy:
    """The proxy registered as ``name``; UnknownNameError suggests the closest names."""
    try:
        return _REGISTRY[name]()
    except KeyError:
        raise unknown_name("proxy", name, _REGISTRY) from None
