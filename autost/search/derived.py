"""Objectives computed from proxy values: rank aggregates and a calibrated predictor.

A plain objective is one proxy's value. Two others combine several:

- ``zico+synflow+flops`` (any two or more registered proxies joined by ``+``): AZ-NAS's
  label-free sum of log ranks (:mod:`autost.proxies.combine`). A rank needs a population;
  a search ranks each candidate against a fixed reference sample: REFERENCE_SIZE
  architectures drawn uniformly from the space with REFERENCE_SEED, scored like every
  candidate (and cached like them). The value of an architecture then depends only on the
  space, the proxies and the score settings, never on the order of the search, so it can
  be told to Optuna once and reused from the cache by any study.
- ``predicted``: the accuracy predicted by a predictor fitted with ``autost calibrate``
  (:mod:`autost.proxies.predictor`), named by ``--predictor``.

The stored scores stay the proxies' own; only the values told to Optuna are combined.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from autost.exceptions import SearchConfigError, SearchError, UnknownSettingError, unknown_name
from autost.proxies.combine import aggregate_parts, rank_against

PREDICTED = "predicted"
REFERENCE_SIZE = 32
REFERENCE_SEED = 0
REFERENCE_TRIES = 20  # draws per wanted reference architecture before taking fewer


def objective_inputs(name: str, predictor_proxies: Sequence[str] = ()) -> tuple[str, ...]:
    """The proxies an objective is computed from."""
    if name == PREDICTED:
        return tuple(predictor_proxies)
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
    """The predictor stored as ``name``; SearchConfigError naming the known ones if none."""
    predictor = storage.get_predictor(name)
    if predictor is not None:
        return predictor
    known = storage.predictor_names()
    if not known:
        raise SearchConfigError(
            f"unknown predictor {name!r}: {storage.masked_url} holds no predictor; fit one "
            f"with autost calibrate --dataset DATASET --name {name}")
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


def objective_functions(objectives, predictor, reference: Callable[[], dict]) -> list:
    """One function per objective, from a candidate's proxy values to the value told.

    ``reference()`` gives the reference sample's proxy values (called once, only when an
    aggregate needs it); ``predictor`` is the Predictor of ``predicted`` (or None).
    """
    from autost.proxies import get_proxy

    functions, columns = [], None
    for objective in objectives:
        parts = aggregate_parts(objective.name)
        if objective.name == PREDICTED:
            functions.append(predictor.predict)
        elif parts is not None:
            if columns is None:
                columns = reference()
            ref = {p: columns[p] for p in parts}
            directions = {p: get_proxy(p).direction for p in parts}
            functions.append(lambda values, ref=ref, d=directions: rank_against(ref, values, d))
        else:
            functions.append(lambda values, name=objective.name: values[name])
    return functions
