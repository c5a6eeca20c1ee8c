"""Fit a supervised proxy combination on the trainings the database holds for one dataset.

The architectures trained on the dataset (successful trainings that ran their whole budget,
not those ASHA stopped early; one surrogate and one epoch budget, those most architectures
were trained with unless the caller names them; accuracies of several seeds averaged) are
scored by the chosen proxies under the settings a search would use, on the surrogate that
was trained (:mod:`autost.surrogate`: a search then scores each candidate's surrogate the
same way; scores come from the database's cache when present, and new ones are stored
there), and a
ridge regression of accuracy on the standardized proxy values is fitted with scikit-learn.
Its quality is the Kendall tau between out-of-fold predictions and accuracy (k-fold
cross-validation, shuffled with a fixed seed): a combiner is worth what it predicts for
architectures it has not seen. The penalty is chosen by an inner cross-validation
(RidgeCV's efficient leave-one-out), so the outer tau stays honest.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from autost.exceptions import PredictorError, unknown_name
from autost.proxies import ScoreSettings, get_proxy, list_proxies
from autost.proxies.predictor import Predictor, feature, uses_log
from autost.report.correlation import kendall_tau
from autost.storage.score_sets import complete_scores
from autost.storage.training_stops import ran_its_budget
from autost.wording import counted

MIN_TRAININGS = 10  # below this, a 5-fold tau has folds of one or two architectures
CV_FOLDS = 5
CV_SEED = 0
ALPHAS = tuple(10.0 ** k for k in range(-3, 4))
Log = Callable[[str], None]


def calibrate(storage, *, dataset: str, name: str, proxies: Sequence[str] | None = None,
              epochs: int | None = None, surrogate: str | None = None,
              settings: ScoreSettings | None = None, replace: bool = False,
              log: Log = lambda _: None) -> Predictor:
    """Fit the predictor ``name`` on ``dataset``'s trainings, store it and return it.

    ``proxies`` default to every registered proxy; ``settings`` to a search's defaults
    (prior rates) with calibration images from ``dataset``; their surrogate is the one the
    trainings used. Refuses, before scoring or writing anything, an existing or built-in
    name (unless ``replace``), an unknown proxy and fewer than MIN_TRAININGS trained
    architectures.
    """
    from dataclasses import replace as with_changes

    from autost.proxies.builtin import builtin_names

    proxies = tuple(dict.fromkeys(proxies or list_proxies()))
    for proxy in proxies:
        if proxy not in list_proxies():
            raise unknown_name("proxy", proxy, list_proxies())
    if name in builtin_names():
        raise PredictorError(f"predictor {name!r} is built in; give another --name")
    if not replace and name in storage.predictor_names():
        raise PredictorError(f"predictor {name!r} already exists in {storage.masked_url}; give "
                          "another --name, or --replace to refit it")
    arch_ids, accuracy, epochs, surrogate = trained_architectures(storage, dataset, epochs,
                                                                  surrogate)
    settings = with_changes(settings or ScoreSettings(rates="prior", dataset=dataset),
                            surrogate=surrogate)
    log(f"{counted(len(arch_ids), 'architecture')} trained on {dataset} for "
        f"{counted(epochs, 'epoch')} (surrogate {surrogate}); scoring "
        f"{', '.join(proxies)}")
    table = proxy_table(storage, arch_ids, proxies, settings, log)
    predictor = fit_predictor(name, dataset, epochs, table, accuracy, settings)
    storage.put_predictor(predictor, replace=True)
    return predictor


def trained_architectures(storage, dataset: str, epochs: int | None,
                          surrogate: str | None = None
                          ) -> tuple[list[str], np.ndarray, int, str]:
    """(arch_ids, mean accuracy per architecture, epochs, surrogate) of ``dataset``'s
    trainings; ``epochs`` and ``surrogate`` None take those most architectures have."""
    rows = [r for r in storage.trainings() if r.dataset == dataset and r.status == "ok"
            and ran_its_budget(r) and r.accuracy is not None and math.isfinite(r.accuracy)]
    if surrogate is None:
        per_surrogate = Counter(s for s, _ in {(r.surrogate, r.arch_id) for r in rows})
        surrogate = max(per_surrogate, key=lambda s: (per_surrogate[s], s), default="full")
    rows = [r for r in rows if r.surrogate == surrogate]
    if epochs is None and rows:
        per_budget = Counter(e for e, _ in {(r.epochs, r.arch_id) for r in rows})
        epochs = max(per_budget, key=lambda e: (per_budget[e], e))
    by_arch = defaultdict(list)
    for r in rows:
        if r.epochs == epochs:
            by_arch[r.arch_id].append(r.accuracy)
    known = storage.get_candidates(list(by_arch))
    arch_ids = sorted(a for a in by_arch if a in known)
    if len(arch_ids) < MIN_TRAININGS:
        budget = f" for {counted(epochs, 'epoch')}" if epochs is not None else ""
        through = f" through surrogate {surrogate}" if surrogate != "full" else ""
        raise PredictorError(
            f"the database holds {counted(len(arch_ids), 'architecture')} trained on "
            f"{dataset}{budget}{through}; "
            f"a predictor needs at least {MIN_TRAININGS}: train more (autost train, or "
            "autost reproduce scatter) and calibrate again")
    return arch_ids, np.array([np.mean(by_arch[a]) for a in arch_ids]), epochs, surrogate


def proxy_table(storage, arch_ids: Sequence[str], proxies: Sequence[str],
                settings: ScoreSettings, log: Log) -> dict[str, list[float]]:
    """Proxy values of every architecture: stored scores, completed with the proxies the
    database lacks (see :mod:`autost.storage.score_sets`)."""
    configs = storage.get_candidates(arch_ids)
    values = {}
    for i, arch_id in enumerate(arch_ids, 1):
        values[arch_id], scored = complete_scores(storage, configs[arch_id], proxies, settings)
        if scored:
            log(f"scored {i}/{len(arch_ids)} by {', '.join(scored)}: "
                f"{configs[arch_id].summary()}")
    return {p: [float(values[a][p]) for a in arch_ids] for p in proxies}


def feature_matrix(table: dict[str, list[float]]
                   ) -> tuple[np.ndarray, tuple[float, ...], tuple[float, ...]]:
    """(features, lower, upper): one column per proxy of ``table`` (log10 for the cost
    measures, non-finite values at the proxy's worse end), clipped into its finite range."""
    columns, lower, upper = [], [], []
    for proxy, values in table.items():
        direction = get_proxy(proxy).direction
        x = np.array([feature(proxy, v, uses_log(proxy), direction) for v in values])
        finite = x[np.isfinite(x)]
        if len(finite) == 0:
            raise PredictorError(f"proxy {proxy} is not finite for any trained "
                                 "architecture; leave it out of --proxies")
        lower.append(float(finite.min()))
        upper.append(float(finite.max()))
        columns.append(np.clip(x, lower[-1], upper[-1]))
    return np.column_stack(columns), tuple(lower), tuple(upper)


def _ridge():
    from sklearn.linear_model import RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), RidgeCV(alphas=ALPHAS))


def out_of_fold(features: np.ndarray, accuracy: np.ndarray) -> tuple[np.ndarray, int]:
    """(predictions, folds): each architecture's accuracy predicted by a ridge fitted on the
    other folds (k-fold, shuffled with CV_SEED), so no prediction has seen its own label."""
    from sklearn.model_selection import KFold, cross_val_predict

    folds = min(CV_FOLDS, len(accuracy))
    predicted = cross_val_predict(_ridge(), features, accuracy,
                                  cv=KFold(folds, shuffle=True, random_state=CV_SEED))
    return predicted, folds


def predict_other(train: np.ndarray, accuracy: np.ndarray, test: np.ndarray) -> np.ndarray:
    """Accuracy of the ``test`` rows predicted by a ridge fitted on the ``train`` rows (one
    feature matrix's rows: what a predictor calibrated on other architectures gives)."""
    return _ridge().fit(train, accuracy).predict(test)


def fit_predictor(name: str, dataset: str, epochs: int, table: dict[str, list[float]],
                  accuracy: np.ndarray, settings: ScoreSettings) -> Predictor:
    """Ridge regression of accuracy on the standardized features of ``table``."""
    proxies = tuple(table)
    features, lower, upper = feature_matrix(table)
    predicted, folds = out_of_fold(features, accuracy)
    tau = kendall_tau(predicted, accuracy)
    if math.isnan(tau):
        raise PredictorError(f"the proxies {', '.join(proxies)} or the accuracies do not "
                                   "vary across the trained architectures; nothing to fit")
    model = _ridge().fit(features, accuracy)
    scaler, ridge = model[0], model[1]
    return Predictor(
        name=name, dataset=dataset, epochs=int(epochs), proxies=proxies,
        directions=tuple(get_proxy(p).direction for p in proxies),
        log=tuple(uses_log(p) for p in proxies), lower=lower, upper=upper,
        mean=tuple(map(float, scaler.mean_)), scale=tuple(map(float, scaler.scale_)),
        coef=tuple(map(float, ridge.coef_)), intercept=float(ridge.intercept_),
        alpha=float(ridge.alpha_), n_trainings=len(accuracy), cv_folds=folds,
        cv_kendall_tau=tau, score_settings=settings.to_dict(),
    )
