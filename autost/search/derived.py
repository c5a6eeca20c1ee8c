"""Objectives computed from proxy values: rank aggregates and a calibrated predictor.

A plain objective is one proxy's value. Two others combine several:

- ``zico+synflow+flops`` (any two or more registered proxies joined by ``+``): AZ-NAS's
  label-free sum of log ranks (:mod:`autost.proxies.combine`). A rank needs a population;
  a search ranks each candidate against a fixed reference sample: REFERENCE_SIZE
  architectures drawn uniformly from the space with REFERENCE_SEED, scored like every
  candidate (and cached like them). The value of an architecture then depends only on the
  space, the proxies and the score settings, never on the order of the search, so it can
  be told to Optuna once and reused from the cache by any study.
- ``predicted``: the accuracy predicted by a predictor (:mod:`autost.proxies.predictor`),
  built in or fitted with ``autost calibrate``, named by ``--predictor``. Its inputs are
  the proxies of each candidate's surrogate, scored under the predictor's own settings
  exactly as it was calibrated (:class:`PredictorInputs`); the search's other objectives
  stay on the full-size candidate.

The stored scores stay the proxies' own; only the values told to Optuna are combined.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from autost.exceptions import SearchConfigError, SearchError, UnknownSettingError, unknown_name
from autost.proxies.combine import aggregate_parts, rank_against

PREDICTED = "predicted"
REFERENCE_SIZE = 32
REFERENCE_SEED = 0
REFERENCE_TRIES = 20  # draws per wanted reference architecture before taking fewer
SURROGATE_CHECK_DRAWS = 200  # samples whose surrogate must build before a search starts
RANGE_WINDOW = 50  # candidates whose predictor inputs are checked against the fitted range
RANGE_SHARE = 0.1  # share of them outside the range above which the search warns


def objective_inputs(name: str) -> tuple[str, ...]:
    """The proxies of the full-size candidate an objective is computed from (``predicted``
    reads none: its inputs are its surrogate's, see :class:`PredictorInputs`)."""
    if name == PREDICTED:
        return ()
    return aggregate_parts(name) or (name,)


def check_objective_name(name: str) -> None:
    """A registered proxy, ``predicted``, or two or more distinct proxies joined by ``+``."""
    from autost.proxies import list_proxies

    parts = aggregate_parts(name)
    if parts is None:
        if name != PREDICTED and name not in list_proxies():
            raise unknown_name("objective proxy", name, [*list_proxies(), PREDICTED],
                               UnknownSettingError)
        return
    if len(parts) < 2 or "" in parts or len(set(parts)) < len(parts):
        raise SearchConfigError(f"objective {name!r} is malformed; join two or more distinct "
                                "proxies with '+', e.g. zico+synflow+flops")
    for part in parts:
        if part not in list_proxies():
            raise unknown_name("proxy", part, list_proxies(), UnknownSettingError)


def load_predictor(storage, name: str):
    """The built-in predictor ``name``, else the one stored as ``name`` in ``storage`` (None:
    built-in ones only); SearchConfigError naming the known ones if there is none."""
    from autost.proxies.builtin import builtin_names, load_builtin

    if name in builtin_names():
        return load_builtin(name)
    predictor = storage.get_predictor(name) if storage is not None else None
    if predictor is not None:
        return predictor
    known = [*builtin_names(), *(storage.predictor_names() if storage is not None else [])]
    if not known:
        where = f" nor in {storage.masked_url}" if storage is not None else ""
        raise SearchConfigError(
            f"unknown predictor {name!r}: none is built in{where}; fit one with autost "
            f"calibrate --dataset DATASET --name {name}")
    raise unknown_name("predictor", name, known, SearchConfigError)


def predictor_attrs(predictor) -> dict:
    """What a study records of its predictor: enough to check it is still the same one."""
    import hashlib
    import json

    digest = hashlib.sha256(json.dumps(predictor.to_dict(), sort_keys=True).encode())
    return {"name": predictor.name, "proxies": list(predictor.proxies),
            "cv_kendall_tau": predictor.cv_kendall_tau, "digest": digest.hexdigest()[:16]}


def plan_predictor(storage, plan):
    """The Predictor a plan's objective ``predicted`` uses (None without one), checked to be
    the one the study started with."""
    if not plan.predictor:
        return None
    predictor = load_predictor(storage, plan.predictor["name"])
    if predictor_attrs(predictor)["digest"] != plan.predictor["digest"]:
        raise SearchError(
            f"predictor {predictor.name!r} was refitted after the study started, so its values "
            "would not compare with the study's; give a new --study NAME")
    return predictor


def check_surrogate(space, predictor, draws: int = SURROGATE_CHECK_DRAWS) -> None:
    """Refuse a predictor whose surrogate cannot be built for candidates of ``space``: the
    first of ``draws`` seeded samples that fails names the dimension."""
    from autost.surrogate import SurrogateError, get_surrogate

    surrogate = get_surrogate(predictor.score_settings.get("surrogate", "full"))
    rng = random.Random(REFERENCE_SEED)
    for _ in range(draws):
        try:
            surrogate.apply(space.sample(rng))
        except SurrogateError as e:
            raise SearchConfigError(f"predictor {predictor.name!r} cannot score space "
                                    f"{space.name!r}: {e}") from e


class PredictorInputs:
    """A candidate's predictor inputs: its surrogate's proxies under the predictor's score
    settings, read from the database or scored (and stored) here; and the range check.

    The range check counts, over the first RANGE_WINDOW candidates, those with an input
    outside the predictor's fitted range (where it extrapolates by clipping); above
    RANGE_SHARE of them it says so once, naming the input and the count.
    """

    def __init__(self, storage, predictor, config_of: Callable[[str], object]) -> None:
        from autost.proxies import ScoreSettings

        self.storage, self.predictor, self.config_of = storage, predictor, config_of
        self.settings = ScoreSettings(**predictor.score_settings)
        self._memo: dict[str, dict] = {}
        self._seen = 0
        self._outside: dict[str, int] = {}
        self._warning: str | None = None
        self._warned = False

    def values(self, arch_id: str) -> dict[str, float]:
        """The proxies the predictor reads, of ``arch_id``'s surrogate."""
        from autost.storage.score_sets import complete_scores

        if arch_id not in self._memo:
            values, _ = complete_scores(self.storage, self.config_of(arch_id),
                                        self.predictor.proxies, self.settings)
            self._memo[arch_id] = values
            self._check_range(values)
        return self._memo[arch_id]

    def predict(self, arch_id: str) -> float:
        return self.predictor.predict(self.values(arch_id))

    def _check_range(self, values: dict[str, float]) -> None:
        if self._seen >= RANGE_WINDOW:
            return
        self._seen += 1
        for proxy in self.predictor.outside_range(values):
            self._outside[proxy] = self._outside.get(proxy, 0) + 1
        worst = max(self._outside, key=self._outside.get, default=None)
        if (self._warning is None and worst is not None
                and self._outside[worst] > RANGE_SHARE * RANGE_WINDOW):
            self._warning = (
                f"predictor {self.predictor.name!r}: {self._outside[worst]} of the first "
                f"{self._seen} candidates have {worst} outside the range it was fitted on, "
                "where it predicts the edge value; fit it on trainings of this space (autost "
                "fidelity, then autost calibrate)")

    def new_warning(self) -> str | None:
        """The range warning, the first time it is asked for after it arose; else None."""
        if self._warning is None or self._warned:
            return None
        self._warned = True
        return self._warning


def reference_sample(space, size: int = REFERENCE_SIZE, seed: int = REFERENCE_SEED) -> list:
    """``size`` distinct architectures drawn uniformly from ``space`` (fewer if it has fewer)."""
    rng = random.Random(seed)
    found = {}
    for _ in range(size * REFERENCE_TRIES):
        cfg = space.sample(rng)
        found.setdefault(cfg.arch_id, cfg)
        if len(found) == size:
            break
    return list(found.values())


def objective_functions(objectives, predicted: Callable[[str], float] | None,
                        reference: Callable[[], dict]) -> list:
    """One function per objective, from (a candidate's proxy values, its arch_id) to the
    value told.

    ``reference()`` gives the reference sample's proxy values (called once, only when an
    aggregate needs it); ``predicted(arch_id)`` is the objective ``predicted`` (or None).
    """
    from autost.proxies import get_proxy

    functions, columns = [], None
    for objective in objectives:
        parts = aggregate_parts(objective.name)
        if objective.name == PREDICTED:
            functions.append(lambda values, arch_id: predicted(arch_id))
        elif parts is not None:
            if columns is None:
                columns = reference()
            ref = {p: columns[p] for p in parts}
            directions = {p: get_proxy(p).direction for p in parts}
            functions.append(lambda values, arch_id, ref=ref, d=directions:
                             rank_against(ref, values, d))
        else:
            functions.append(lambda values, arch_id, name=objective.name: values[name])
    return functions
