"""Fit a predictor across search spaces and judge it on the spaces it was not fitted on.

A predictor is used on spaces it has not seen, so a fitted one is judged leave one space
out: for each space, fit on the others and rank that space's architectures. Which proxies
to combine is itself chosen without looking at the held-out space (nested: the choice is
the one with the best mean leave-one-space-out tau over the other spaces), so each space's
figure is the one a user would get on a space new to the predictor.

Accuracy levels differ between spaces (an easy space trains to 80 %, a hard one to 60 %)
while a search only ranks within one space, so the regression is fitted on accuracies and
features centred per space (a fixed effect per space): the coefficients say how a proxy
orders architectures within a space, never how spaces differ. The candidate combinations
start from flops, AutoST's own proxy (Wang et al., ICML 2023): flops alone, flops with one
more proxy, and every proxy, each a ridge with its penalty chosen by leave-one-out
cross-validation; flops alone is the baseline every figure is compared with.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from autost.exceptions import PredictorError
from autost.proxies import get_proxy
from autost.proxies.predictor import Predictor, feature, uses_log
from autost.report.bootstrap import Estimate, bootstrap
from autost.report.calibrate import ALPHAS
from autost.report.correlation import kendall_tau, partial_kendall_tau

BASELINE = "flops"


@dataclass(frozen=True)
class SpaceData:
    """One space's trained architectures: proxy values (of the surrogate) and accuracy."""

    name: str
    arch_ids: list[str]
    values: dict[str, list[float]]  # proxy -> one value per architecture
    accuracy: np.ndarray

    def features(self, proxies: Sequence[str], lower=None, upper=None) -> np.ndarray:
        """One column per proxy (log10 for cost measures), clipped into [lower, upper]."""
        columns = []
        for j, proxy in enumerate(proxies):
            direction = get_proxy(proxy).direction
            x = np.array([feature(proxy, v, uses_log(proxy), direction)
                          for v in self.values[proxy]], dtype=float)
            low = np.nanmin(x[np.isfinite(x)]) if lower is None else lower[j]
            high = np.nanmax(x[np.isfinite(x)]) if upper is None else upper[j]
            columns.append(np.clip(x, low, high))
        return np.column_stack(columns)


def candidate_sets(proxies: Sequence[str]) -> list[tuple[str, ...]]:
    """The combinations tried: flops alone, flops and one other proxy, every proxy."""
    others = [p for p in proxies if p != BASELINE]
    return [(BASELINE,), *[(BASELINE, p) for p in others], (BASELINE, *others)]


Candidates = Callable[[Sequence[str]], list[tuple[str, ...]]]

#: How the proxies are picked, by name: ``choose`` (the built-in predictor's rule) picks by
#: leave-one-space-out tau among the candidate sets; the others fix the set in advance, to
#: judge what the choice itself is worth.
RULES: dict[str, Candidates] = {
    "choose": candidate_sets,
    "flops-or-one": lambda proxies: candidate_sets(proxies)[:-1],
    "flops": lambda proxies: [(BASELINE,)],
    "all": lambda proxies: [candidate_sets(proxies)[-1]],
}


def _fit(spaces: Sequence[SpaceData], proxies: Sequence[str]):
    """(coef on standardized features, mean, scale, lower, upper, alpha, intercept) of a
    ridge on per-space-centred features and accuracies of ``spaces``."""
    from sklearn.linear_model import RidgeCV

    raw = [s.features(proxies) for s in spaces]
    pooled = np.vstack(raw)
    finite = np.where(np.isfinite(pooled), pooled, np.nan)
    lower, upper = np.nanmin(finite, axis=0), np.nanmax(finite, axis=0)
    clipped = [np.clip(x, lower, upper) for x in raw]
    stacked = np.vstack(clipped)
    mean, scale = stacked.mean(axis=0), stacked.std(axis=0)
    scale[scale == 0] = 1.0
    x = np.vstack([(c - c.mean(axis=0)) / scale for c in clipped])
    y = np.concatenate([s.accuracy - s.accuracy.mean() for s in spaces])
    ridge = RidgeCV(alphas=ALPHAS, fit_intercept=False).fit(x, y)
    intercept = float(np.concatenate([s.accuracy for s in spaces]).mean())
    return (ridge.coef_, mean, scale, lower, upper, float(ridge.alpha_), intercept)


def _predict(fitted, space: SpaceData, proxies: Sequence[str]) -> np.ndarray:
    coef, mean, scale, lower, upper, _, intercept = fitted
    return intercept + ((space.features(proxies, lower, upper) - mean) / scale) @ coef


def loso_taus(spaces: Sequence[SpaceData], proxies: Sequence[str]) -> list[float]:
    """Per space, Kendall tau of the prediction by a ridge fitted on the other spaces."""
    taus = []
    for i, held in enumerate(spaces):
        rest = [s for j, s in enumerate(spaces) if j != i]
        taus.append(kendall_tau(_predict(_fit(rest, proxies), held, proxies), held.accuracy))
    return taus


def choose_proxies(spaces: Sequence[SpaceData], proxies: Sequence[str],
                   candidates: Candidates = candidate_sets) -> tuple[str, ...]:
    """The candidate set with the best mean leave-one-space-out tau over ``spaces`` (the
    only set where ``candidates`` gives one; flops where one space leaves nothing to
    cross-validate on)."""
    sets = candidates(proxies)
    if len(sets) == 1:
        return sets[0]
    if len(spaces) < 2:
        return (BASELINE,)
    scored = [(float(np.nanmean(loso_taus(spaces, c))), -len(c), c) for c in sets]
    return max(scored)[2]


@dataclass(frozen=True)
class HeldOutFigure:
    """How the predictor chosen and fitted without ``space`` ranks ``space``."""

    space: str
    n: int
    proxies: tuple[str, ...]
    tau: Estimate
    partial_tau: Estimate  # given flops
    flops_tau: Estimate
    naswot_tau: Estimate | None

    def to_dict(self) -> dict:
        def est(e):
            return None if e is None else {"value": e.value, "low": e.low, "high": e.high}
        return {"space": self.space, "n": self.n, "proxies": list(self.proxies),
                "tau": est(self.tau), "partial_tau_given_flops": est(self.partial_tau),
                "flops_tau": est(self.flops_tau), "naswot_tau": est(self.naswot_tau)}


def held_out_figures(spaces: Sequence[SpaceData], proxies: Sequence[str], seed: int = 0,
                     candidates: Candidates = candidate_sets) -> list[HeldOutFigure]:
    """Nested leave-one-space-out: per space, the proxies chosen on the other spaces, fitted
    on them, judged on this one (tau and partial tau given flops, bootstrap intervals over
    its architectures), beside flops' and naswot's own tau on it."""
    figures = []
    for i, held in enumerate(spaces):
        rest = [s for j, s in enumerate(spaces) if j != i]
        chosen = choose_proxies(rest, proxies, candidates)
        predicted = _predict(_fit(rest, chosen), held, chosen)
        flops = np.asarray(held.values[BASELINE], dtype=float)
        naswot = held.values.get("naswot")
        figures.append(HeldOutFigure(
            held.name, len(held.accuracy), chosen,
            bootstrap(kendall_tau, [predicted, held.accuracy], seed=seed),
            bootstrap(partial_kendall_tau, [predicted, held.accuracy, flops], seed=seed),
            bootstrap(kendall_tau, [flops, held.accuracy], seed=seed),
            None if naswot is None else bootstrap(kendall_tau, [naswot, held.accuracy],
                                                  seed=seed)))
    return figures


def fitted_taus(predictor: Predictor, spaces: Sequence[SpaceData]) -> list[dict]:
    """Per space, Kendall tau of the predictor fitted on every space (itself included)
    beside flops': the other half of "on no space, fitted or not, below flops" (the held-out
    half is :func:`held_out_figures`)."""
    rows = []
    for space in spaces:
        predicted = [predictor.predict({p: space.values[p][i] for p in predictor.proxies})
                     for i in range(len(space.accuracy))]
        rows.append({"space": space.name, "tau": kendall_tau(predicted, space.accuracy),
                     "flops_tau": kendall_tau(space.values[BASELINE], space.accuracy)})
    return rows


def fit_across_spaces(name: str, spaces: Sequence[SpaceData], proxies: Sequence[str], *,
                      dataset: str, epochs: int, score_settings: Mapping,
                      candidates: Candidates = candidate_sets) -> Predictor:
    """The predictor on the proxies chosen over every space, fitted on every space."""
    if len(spaces) < 2:
        raise PredictorError(f"a predictor across spaces needs trainings of at least 2 "
                             f"spaces, got {len(spaces)}; run autost fidelity on more spaces")
    chosen = choose_proxies(spaces, proxies, candidates)
    coef, mean, scale, lower, upper, alpha, intercept = _fit(spaces, chosen)
    n = sum(len(s.accuracy) for s in spaces)
    taus = loso_taus(spaces, chosen)
    return Predictor(
        name=name, dataset=dataset, epochs=int(epochs), proxies=tuple(chosen),
        directions=tuple(get_proxy(p).direction for p in chosen),
        log=tuple(uses_log(p) for p in chosen), lower=tuple(map(float, lower)),
        upper=tuple(map(float, upper)), mean=tuple(map(float, mean)),
        scale=tuple(map(float, scale)), coef=tuple(map(float, coef)), intercept=intercept,
        alpha=alpha, n_trainings=n, cv_folds=len(spaces),
        cv_kendall_tau=float(np.nanmean(taus)) if taus else math.nan,
        score_settings=dict(score_settings))


def spaces_from_trainings(storage, *, dataset: str, spaces: Sequence[str], proxies,
                          settings, epochs: int | None = None, log=lambda _: None
                          ) -> tuple[list[SpaceData], int, str]:
    """(one SpaceData per space of ``spaces`` holding trainings, epochs, surrogate): the
    architectures trained on ``dataset`` (seeds averaged; the surrogate and epochs most
    architectures have, see :func:`autost.report.calibrate.trained_architectures`), grouped
    by the space they were sampled from, with ``proxies`` scored under ``settings`` on that
    surrogate (cached in the database)."""
    from dataclasses import replace

    from autost.report.calibrate import proxy_table, trained_architectures

    arch_ids, accuracy, epochs, surrogate = trained_architectures(
        storage, dataset, epochs, settings.surrogate if settings.surrogate != "full" else None)
    settings = replace(settings, surrogate=surrogate)
    space_of = storage.candidate_spaces(arch_ids)
    found = []
    for space in spaces:
        index = [i for i, a in enumerate(arch_ids) if space_of.get(a) == space]
        if not index:
            raise PredictorError(f"the database holds no architecture of space {space!r} "
                                 f"trained on {dataset} through surrogate {surrogate}; run "
                                 f"autost fidelity --space {space} first")
        ids = [arch_ids[i] for i in index]
        log(f"{space}: {len(ids)} architectures")
        table = proxy_table(storage, ids, proxies, settings, log)
        found.append(SpaceData(space, ids, table, accuracy[index]))
    return found, epochs, surrogate
