"""A supervised combination of proxies: a ridge regression of accuracy on proxy values.

`autost calibrate` fits it on the trainings the database holds for one dataset
(:mod:`autost.report.calibrate`, with scikit-learn) and stores it by name; a search uses it
as the objective ``predicted``. What is stored is the closed form, not a pickle: per proxy
the transform (log10 for the positive cost measures, which span orders of magnitude), the
range seen in training (a new value is clipped into it, an infinite or NaN one goes to the
worse end), the standardization and the ridge coefficient. So a stored predictor is plain
JSON that any version can read, and predicting needs neither scikit-learn nor torch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from autost.proxies.direction import parse_direction, sign
from autost.wording import counted

# Proxies measured in these units are positive costs spanning orders of magnitude.
LOG_UNITS = ("params", "MACs", "SOPs", "mJ")


def uses_log(proxy: str) -> bool:
    """Whether ``proxy``'s values enter the predictor as log10."""
    from autost.proxies.base import get_proxy

    return get_proxy(proxy).unit in LOG_UNITS


def feature(proxy: str, value: float, log: bool, direction: str) -> float:
    """The predictor's input for one proxy value; NaN and the worse infinity map to -inf or
    +inf at the proxy's worse end (minimized proxies are worse when large)."""
    worse = -sign(direction) * math.inf
    if value is None or math.isnan(value):
        return worse
    if log:
        return math.log10(value) if value > 0 else -math.inf
    return value


@dataclass(frozen=True)
class Predictor:
    """A fitted predictor: predicted accuracy (percent) from proxy values.

    ``lower``/``upper`` bound every feature (the training range); ``mean``/``scale``
    standardize it; ``coef`` and ``intercept`` are the ridge regression's, ``alpha`` its
    penalty (chosen by cross-validation). ``cv_kendall_tau`` is Kendall's tau between the
    out-of-fold predictions and the accuracies over ``n_trainings`` architectures, in
    ``cv_folds`` folds. ``score_settings`` are the ScoreSettings the proxy values were
    computed with: a search must compute them the same way.
    """

    name: str
    dataset: str
    epochs: int
    proxies: tuple[str, ...]
    directions: tuple[str, ...]
    log: tuple[bool, ...]
    lower: tuple[float, ...]
    upper: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    alpha: float
    n_trainings: int
    cv_folds: int
    cv_kendall_tau: float
    score_settings: dict = field(default_factory=dict)

    def predict(self, values: Mapping[str, float]) -> float:
        """Predicted accuracy in percent for one architecture's proxy values."""
        total = self.intercept
        for j, proxy in enumerate(self.proxies):
            x = feature(proxy, values[proxy], self.log[j], self.directions[j])
            x = min(max(x, self.lower[j]), self.upper[j])
            total += self.coef[j] * (x - self.mean[j]) / self.scale[j]
        return total

    def predict_architecture(self, cfg) -> float:
        """Predicted accuracy of the candidate ``cfg``: its surrogate's proxies scored with
        the predictor's settings, then :meth:`predict` (needs torch, imported here)."""
        from autost.proxies.evaluate import score_architecture
        from autost.proxies.settings import ScoreSettings

        settings = ScoreSettings(**self.score_settings)
        return self.predict(score_architecture(cfg, self.proxies, settings).values)

    def outside_range(self, values: Mapping[str, float]) -> list[str]:
        """The proxies of ``values`` outside the range the predictor was fitted on (where
        :meth:`predict` clips them to the edge)."""
        return [proxy for j, proxy in enumerate(self.proxies)
                if not self.lower[j] <= feature(proxy, values[proxy], self.log[j],
                                                self.directions[j]) <= self.upper[j]]

    @property
    def surrogate(self) -> str:
        """The surrogate whose proxies the predictor reads (``full``: the candidate's)."""
        return self.score_settings.get("surrogate", "full")

    def describe(self) -> str:
        """One line for logs: what it combines, on what, and how well it ranks."""
        through = f", surrogate {self.surrogate}" if self.surrogate != "full" else ""
        return (f"predictor {self.name!r}: ridge on {', '.join(self.proxies)}, fitted on "
                f"{counted(self.n_trainings, 'training')} on {self.dataset} "
                f"({counted(self.epochs, 'epoch')}{through}); "
                f"cross-validated Kendall tau {self.cv_kendall_tau:+.3f} ({self.cv_folds} folds)")

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping) -> Predictor:
        tuples = ("proxies", "directions", "log", "lower", "upper", "mean", "scale", "coef")
        fields = {k: tuple(v) if k in tuples else v for k, v in data.items()}
        # Predictors fitted before directions were "max"/"min" hold "maximize"/"minimize".
        fields["directions"] = tuple(parse_direction(d) for d in fields["directions"])
        return cls(**fields)
