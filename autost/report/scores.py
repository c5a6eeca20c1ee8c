"""Score names and their units, for reports.

Units follow the cost model: ``flops`` are MACs (one multiply-accumulate = 1) per image,
summed over all T time steps (= ``macs_total``); ``sops`` are synaptic operations per
image; ``energy`` is mJ per image; ``params`` a count; ``sahd`` and ``naswot`` are unitless;
``accuracy`` is trained top-1 in percent. A score not listed here is shown without unit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ScoreInfo:
    """How to show one score: raw unit, display divisor, label and unit of scaled values."""

    unit: str
    scale: float
    label: str
    shown: str  # unit of a value divided by scale, e.g. "M MACs per image, total over T"


def _millions(name: str, unit: str) -> ScoreInfo:
    return ScoreInfo(unit, 1e6, f"{name}: {unit} (M)", f"M {unit}")


def _plain(name: str, unit: str) -> ScoreInfo:
    return ScoreInfo(unit, 1.0, f"{name}: {unit}" if unit else name, unit)


SCORES = {
    "params": ScoreInfo("count", 1e6, "params (M)", "M"),
    "flops": _millions("flops", "MACs per image, total over T"),
    "macs_total": _millions("macs_total", "MACs per image, total over T"),
    "macs_per_step": _millions("macs_per_step", "MACs per image per time step"),
    "elementwise_ops_total": _millions("elementwise_ops_total",
                                       "element-wise ops per image, total over T"),
    "sops": _millions("sops", "SOPs per image, total over T"),
    "energy": _plain("energy", "mJ per image"),
    "sahd": _plain("sahd", ""),
    "naswot": _plain("naswot", ""),
    "accuracy": ScoreInfo("%", 1.0, "accuracy (%)", "%"),
}
SCORE_ORDER = tuple(SCORES)  # order of score columns after the objectives


def score_info(name: str) -> ScoreInfo:
    return SCORES.get(name) or _plain(name, "")


def raw_header(name: str) -> str:
    """Column name of a raw (unscaled) value, e.g. "energy [mJ per image]"."""
    unit = score_info(name).unit
    return f"{name} [{unit}]" if unit else name
