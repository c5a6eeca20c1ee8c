"""Directions of optimization in one vocabulary: ``"max"`` and ``"min"``.

The spec ``flops:max`` writes them; an Objective, every proxy's ``direction`` and every
function that orders values by a direction hold them. Input may also spell them the way
Optuna does ("maximize", "minimize", in any case): :func:`parse_direction` reads both.
:func:`optuna_direction` and :func:`direction_of` are the one mapping to and from Optuna's
``StudyDirection``.
"""

from __future__ import annotations

MAX, MIN = "max", "min"
DIRECTIONS = (MAX, MIN)
# The members of optuna.study.StudyDirection, lower-case: what create_study(directions=...)
# takes as strings.
_OPTUNA = {MAX: "maximize", MIN: "minimize"}
_SPELLINGS = {**{d: d for d in DIRECTIONS}, **{name: d for d, name in _OPTUNA.items()}}


def parse_direction(text: str) -> str | None:
    """``"max"`` or ``"min"`` for any spelling of them (max, maximize, MIN, ...), else None."""
    return _SPELLINGS.get(str(text).strip().lower())


def sign(direction: str) -> float:
    """+1.0 for ``max`` and -1.0 for ``min``: the factor that makes larger values better."""
    if direction == MAX:
        return 1.0
    if direction == MIN:
        return -1.0
    raise ValueError(f"direction must be 'max' or 'min', not {direction!r}")


def optuna_direction(direction: str) -> str:
    """Optuna's name of ``direction``: "maximize" or "minimize"."""
    sign(direction)
    return _OPTUNA[direction]


def direction_of(study_direction) -> str:
    """The direction of an ``optuna.study.StudyDirection`` or of its name (MAXIMIZE or
    MINIMIZE, as Optuna's ``study_directions`` table stores it)."""
    name = getattr(study_direction, "name", study_direction)
    direction = parse_direction(name)
    if direction is None:
        raise ValueError(f"study direction {name} is neither MAXIMIZE nor MINIMIZE")
    return direction
