"""SearchPlan: everything that defines a study, kept in the study's user attrs.

A worker on another machine rebuilds the plan from those attrs alone, and a rerun of
``autost search`` checks its options against them. The keys are those of
autost.storage.optuna_tables.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from pathlib import Path

from autost.cost.constants import SCORING_RATE_SOURCES
from autost.cost.hardware import DEFAULT_ENERGY_MODEL, check_energy_model
from autost.exceptions import SearchConfigError
from autost.search.derived import PREDICTED, objective_inputs, predictor_attrs
from autost.search.objectives import (
    DEFAULT_OBJECTIVES,
    Constraint,
    Objective,
    build_constraints,
    chosen_objectives,
    parse_objectives,
)
from autost.search.samplers import DEFAULT_SAMPLER, check_sampler
from autost.space.registry import is_shipped
from autost.storage.optuna_tables import (
    BUDGET_ATTR,
    CONSTRAINTS_ATTR,
    OBJECTIVES_ATTR,
    PREDICTOR_ATTR,
    RATES_ATTR,
    SAMPLER_ATTR,
    SCORE_SETTINGS_ATTR,
    SEED_ATTR,
    SPACE_ATTR,
    SPACE_SOURCE_ATTR,
    SPACE_TEXT_ATTR,
)

# Literature rates need no forward pass (~1 ms per candidate beside a 5-30 ms cost pass);
# rates measured at initialization cost seconds per candidate on a CPU.
DEFAULT_RATES = "prior"
# Attrs that must agree between a rerun's options and the stored study.
_IDENTITY = (SPACE_ATTR, OBJECTIVES_ATTR, CONSTRAINTS_ATTR, RATES_ATTR, PREDICTOR_ATTR)
# Attrs a rerun may change (recorded in the study by each run).
RUN_ATTRS = (BUDGET_ATTR, SAMPLER_ATTR, SEED_ATTR)


@dataclass(frozen=True)
class SearchPlan:
    """The settings of one study; ``space_source`` is what load_space reads (name or path);
    ``space_text`` the text of a space that is not a named one (an uploaded space, a file),
    so that a worker on any machine rebuilds the same space."""

    space: str
    space_source: str
    objectives: tuple[Objective, ...]
    constraints: tuple[Constraint, ...]
    sampler: str
    seed: int
    budget: int
    score_settings: dict
    predictor: dict | None = None  # name, proxies, digest and tau of the predictor used
    space_text: str | None = None

    @property
    def rates(self) -> str:
        """The rate source of the score settings (also a study attr of its own)."""
        return self.score_settings["rates"]

    @property
    def energy_model(self) -> str:
        """What the objective energy counts (score settings; compute where unsaid)."""
        return self.score_settings.get("energy_model", DEFAULT_ENERGY_MODEL)

    @property
    def directions(self) -> list[str]:
        return [o.study_direction for o in self.objectives]

    @property
    def proxies(self) -> tuple[str, ...]:
        """Proxies of the full-size candidate to compute: the objectives' (an aggregate's
        parts; the predictor's inputs are its surrogate's, scored apart), then those the
        ceilings read."""
        names = [p for o in self.objectives for p in objective_inputs(o.name)]
        return tuple(dict.fromkeys(names + [c.proxy for c in self.constraints]))

    def settings(self):
        from autost.proxies import ScoreSettings

        return ScoreSettings(**self.score_settings)

    def settings_key(self) -> str:
        """Key of the score sets the study reads and completes (ScoreSettings.key())."""
        return self.settings().key()

    def user_attrs(self) -> dict:
        extra = {PREDICTOR_ATTR: dict(self.predictor)} if self.predictor else {}
        if self.space_text is not None:
            extra[SPACE_TEXT_ATTR] = self.space_text
        return extra | {
            SPACE_ATTR: self.space,
            SPACE_SOURCE_ATTR: self.space_source,
            OBJECTIVES_ATTR: [o.spec for o in self.objectives],
            CONSTRAINTS_ATTR: {c.name: c.ceiling for c in self.constraints},
            SAMPLER_ATTR: self.sampler,
            SEED_ATTR: self.seed,
            RATES_ATTR: self.rates,
            BUDGET_ATTR: self.budget,
            SCORE_SETTINGS_ATTR: dict(self.score_settings),
        }

    @classmethod
    def from_user_attrs(cls, attrs: dict) -> SearchPlan:
        missing = [k for k in (SPACE_ATTR, OBJECTIVES_ATTR, SAMPLER_ATTR, SEED_ATTR, RATES_ATTR)
                   if k not in attrs]
        if missing:
            raise SearchConfigError(
                f"the study has no autost settings ({', '.join(missing)} missing in its user "
                "attrs), so it was not made by `autost search`; give another --study NAME"
            )
        return cls(
            space=attrs[SPACE_ATTR],
            space_source=attrs.get(SPACE_SOURCE_ATTR, attrs[SPACE_ATTR]),
            objectives=parse_objectives(attrs[OBJECTIVES_ATTR]),
            constraints=build_constraints({}, attrs.get(CONSTRAINTS_ATTR, {})),
            sampler=check_sampler(attrs[SAMPLER_ATTR]),
            seed=int(attrs[SEED_ATTR]),
            budget=int(attrs.get(BUDGET_ATTR, 0)),
            score_settings=dict(attrs.get(SCORE_SETTINGS_ATTR) or {"rates": attrs[RATES_ATTR]}),
            predictor=attrs.get(PREDICTOR_ATTR),
            space_text=attrs.get(SPACE_TEXT_ATTR),
        )

    def load_space(self):
        """The study's SearchSpace: parsed from the stored text, else loaded by source."""
        from autost.space import load_space, parse_space

        if self.space_text is None:
            return load_space(self.space_source)
        return parse_space(self.space_text, label=f"space {self.space} (stored with the study)",
                           source=self.space_source, default_name=self.space)


def make_plan(space, *, budget: int, objectives=None, constraints=None, sampler=None,
              seed=None, rates=None, space_arg: str | None = None, dataset: str | None = None,
              data_dir: str | None = None, predictor=None,
              energy_model: str | None = None) -> SearchPlan:
    """A plan from options; None means the default (see DEFAULT_* in this package).

    ``dataset``/``data_dir``: calibration images of the data-dependent proxies (default
    digits). ``predictor``: the Predictor of the objective ``predicted`` (it scores its
    inputs with its own settings; these settings are the full-size candidate's).
    ``energy_model``: what ``energy`` counts (autost.cost.hardware.ENERGY_MODELS; None:
    compute, which the settings of existing studies leave unsaid).
    """
    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 1:
        raise SearchConfigError(f"budget {budget!r} must be a positive number of trials")
    if objectives is None and predictor is None:
        objectives, predictor, _ = chosen_objectives(space, None, None)
    parsed = parse_objectives(objectives or DEFAULT_OBJECTIVES)
    score_settings = _score_settings(parsed, rates, dataset, data_dir, predictor)
    if energy_model is not None and check_energy_model(energy_model) != DEFAULT_ENERGY_MODEL:
        score_settings["energy_model"] = energy_model
    source = space.name
    if space_arg is not None and Path(space_arg).suffix == ".toml":
        source = str(Path(space_arg).expanduser().resolve())
    return SearchPlan(
        space=space.name,
        space_source=source,
        objectives=parsed,
        constraints=build_constraints(space.constraints, constraints or {}),
        sampler=check_sampler(sampler or DEFAULT_SAMPLER),
        seed=random.SystemRandom().randrange(2**31) if seed is None else int(seed),
        budget=budget,
        score_settings=score_settings,
        predictor=predictor_attrs(predictor) if predictor is not None else None,
        space_text=None if is_shipped(space) else space.text,
    )


def _score_settings(objectives, rates, dataset, data_dir, predictor) -> dict:
    """Score settings of a new plan's full-size candidates, from the options."""
    predicted = any(o.name == PREDICTED for o in objectives)
    if predicted != (predictor is not None):
        raise SearchConfigError(
            "the objective predicted needs --predictor NAME (fit one with autost calibrate)"
            if predicted else "--predictor is read by the objective predicted only; add "
            "--objective predicted:max")
    rates = rates or DEFAULT_RATES
    if rates not in SCORING_RATE_SOURCES:
        raise SearchConfigError(
            f"rates {rates!r} must be one of {', '.join(SCORING_RATE_SOURCES)}")
    given = {"dataset": dataset, "data_dir": data_dir}
    return {"rates": rates} | {k: v for k, v in given.items() if v is not None}



def reconcile(stored: SearchPlan, asked: SearchPlan, given: set[str]) -> SearchPlan:
    """The plan a rerun uses: the stored one, with the new budget and any sampler or seed given.

    ``given`` names the options the caller set explicitly; one that defines the study
    (space, objectives, ceilings, rates) and differs from the stored value is an error,
    because the study's trials would no longer be comparable.
    """
    stored_attrs, asked_attrs = stored.user_attrs(), asked.user_attrs()
    clash = [k for k in _IDENTITY
             if (k in given or k == "space") and stored_attrs.get(k) != asked_attrs.get(k)]
    if "energy_model" in given and stored.energy_model != asked.energy_model:
        clash.append("energy_model")
        stored_attrs["energy_model"], asked_attrs["energy_model"] = (stored.energy_model,
                                                                     asked.energy_model)
    if clash:
        detail = "; ".join(f"{k}: study has {stored_attrs.get(k)!r}, asked "
                           f"{asked_attrs.get(k)!r}"
                           for k in clash)
        raise SearchConfigError(
            f"the existing study was made with other settings ({detail}); rerun with the "
            "study's settings or give a new --study NAME"
        )
    keep = {k: getattr(asked, k) for k in ("sampler", "seed") if k in given}
    return replace(stored, budget=asked.budget, **keep)

