"""ScoreSettings and ScoreResult: what scoring takes and gives, torch-free and picklable."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from pathlib import Path

from autost.cost.constants import E_AC_PJ, E_MAC_PJ, SCORING_RATE_SOURCES
from autost.cost.hardware import (
    DEFAULT_ENERGY_MODEL,
    DEFAULT_HARDWARE,
    WEIGHT_REUSE,
    check_energy_model,
    check_weight_reuse,
    get_hardware,
)
from autost.exceptions import AutostError, CalibrationError, unknown_name
from autost.surrogate import FULL, get_surrogate

# Bump when counting rules, rate conventions or proxy formulas change: it is part of the
# settings key, so cached scores of an older cost model are not reused.
COST_MODEL_VERSION = 3


@dataclass(frozen=True)
class ScoreSettings:
    """How to score: rate source, calibration data, seed, energy constants (pJ), the energy
    model (``compute``, or ``memory`` with a hardware set and weight reuse of
    :mod:`autost.cost.hardware`) and the surrogate.

    ``surrogate`` names the map (:mod:`autost.surrogate`) applied to a candidate before it is
    scored: ``full`` scores the candidate itself; any other scores its surrogate, stored under the
    candidate's arch_id (the key says which surrogate). ``dataset`` (and ``data_dir``, its folder;
    None: the dataset's default place) gives the calibration images and labels of the data-
    dependent proxies: score on the dataset the architectures are studied on, since firing rates
    and gradients depend on the images.
    """

    rates: str = "init"
    dataset: str = "digits"
    batch_size: int = 16
    seed: int = 0
    e_mac_pj: float = E_MAC_PJ
    e_ac_pj: float = E_AC_PJ
    data_dir: str | None = None
    surrogate: str = FULL
    energy_model: str = DEFAULT_ENERGY_MODEL
    hardware: str = DEFAULT_HARDWARE
    weight_reuse: str = WEIGHT_REUSE[0]

    def __post_init__(self) -> None:
        get_surrogate(self.surrogate)
        if self.rates not in SCORING_RATE_SOURCES:
            raise unknown_name("rate source", self.rates, SCORING_RATE_SOURCES)
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) \
                or self.batch_size < 2:
            raise CalibrationError(f"batch_size {self.batch_size!r} is invalid: the spike-"
                                   "code kernels compare images, use at least 2")
        for name in ("e_mac_pj", "e_ac_pj"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value <= 0:
                raise AutostError(f"{name} {value!r} is invalid: give a positive energy in pJ")
            object.__setattr__(self, name, float(value))
        if self.data_dir is not None:
            object.__setattr__(self, "data_dir", str(Path(self.data_dir).expanduser().resolve()))
        check_energy_model(self.energy_model)
        get_hardware(self.hardware)
        check_weight_reuse(self.weight_reuse)

    def key(self) -> str:
        """Canonical key of the one stored score set per architecture under these settings,
        e.g. ``cost3/init/digits/b16/s0/mac4.6/ac0.9``; a data folder adds ``/dir`` and 12
        hex digits of the SHA-256 of its absolute path, a surrogate ``/sur-NAME`` (none for
        ``full``), the memory energy model ``/memory-HARDWARE-REUSE`` (none for compute): keys
        stored before surrogates and energy models existed keep their meaning."""
        key = (f"cost{COST_MODEL_VERSION}/{self.rates}/{self.dataset}/b{self.batch_size}"
               f"/s{self.seed}/mac{self.e_mac_pj!r}/ac{self.e_ac_pj!r}")
        if self.data_dir is not None:
            key += "/dir" + hashlib.sha256(self.data_dir.encode()).hexdigest()[:12]
        if self.surrogate != FULL:
            key += f"/sur-{self.surrogate}"
        if self.energy_model != DEFAULT_ENERGY_MODEL:
            key += f"/{self.energy_model}-{self.hardware}-{self.weight_reuse}"
        return key

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
