"""One key of a space file: the values it may take and when it is chosen.

A key is written as a scalar (held constant), a list (categorical choice), an integer range
``{low, high, step}``, or a table ``{choices = [...], when = {...}, default = ...}`` whose
``when`` names the block keys that must take one of the listed values for the key to be
chosen; otherwise ``default`` (or the BlockConfig default) is used.
"""

from __future__ import annotations

from dataclasses import dataclass

from autost.arch import (
    ATTENTION_ORDERS,
    CHANNEL_MIXERS,
    PATCH_SPLITTERS,
    RESIDUALS,
    SURROGATES,
    TOKEN_MIXERS,
)
from autost.exceptions import InvalidSpaceError

# Keys whose values are names, with the names allowed.
ALLOWED_NAMES = {
    "patch_splitter": PATCH_SPLITTERS,
    "residual": RESIDUALS,
    "attention_order": ATTENTION_ORDERS,
    "surrogate": SURROGATES,
    "token_mixer": TOKEN_MIXERS,
    "channel_mixer": CHANNEL_MIXERS,
}
# Block keys, in the order they are chosen inside one stage or block.
UNIT_KEYS = ("token_mixer", "channel_mixer", "heads", "mlp_ratio", "token_experts",
             "channel_experts")
UNIT_KINDS = {"token_mixer": "str", "channel_mixer": "str", "heads": "int",
              "mlp_ratio": "float", "token_experts": "experts", "channel_experts": "experts"}
WHEN_KEYS = ("token_mixer", "channel_mixer")



@dataclass(frozen=True)
class Choice:
    """The values of one key, in file order; ``step`` is set for an integer range."""

    key: str
    values: tuple
    step: int | None = None
    when: tuple[tuple[str, tuple[str, ...]], ...] = ()
    default: object = None

    @property
    def is_range(self) -> bool:
        return self.step is not None

    @property
    def is_choice(self) -> bool:
        """True when the key is suggested (more than one value), not held constant."""
        return len(self.values) > 1

    def applies(self, known: dict) -> bool:
        """Whether the ``when`` condition holds for the block values chosen so far."""
        return all(known.get(key) in allowed for key, allowed in self.when)

    def describe(self) -> dict:
        out: dict = {"choices": list(self.values)}
        if self.is_range:
            out = {"low": self.values[0], "high": self.values[-1], "step": self.step}
        if self.when:
            out["when"] = {key: list(allowed) for key, allowed in self.when}
            out["default"] = self.default
        return out


def check_value(label: str, table: str, key: str, kind: str, value):
    """Return ``value`` normalized for its kind, or raise naming the key and allowed values."""
    where = f"{label}: [{table}] {key} {value!r} is not allowed"
    if kind == "str":
        allowed = ALLOWED_NAMES.get(key)
        if not isinstance(value, str) or (allowed and value not in allowed):
            choose = ", ".join(allowed) if allowed else "a string"
            raise InvalidSpaceError(f"{where}; choose from {choose}")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise InvalidSpaceError(f"{where}; write true or false")
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidSpaceError(f"{where}; {key} takes numbers")
        return float(value)
    if kind == "layout":
        ok = isinstance(value, list) and len(value) >= 2 and all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in value)
        if not ok:
            raise InvalidSpaceError(
                f"{where}; a stage layout is a list of two or more positive block counts, "
                "such as [1, 1, 2]"
            )
        return ",".join(str(v) for v in value)
    least = 2 if kind == "experts" else 1
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise InvalidSpaceError(f"{where}; {key} takes integers of at least {least}")
    return value


def parse_choice(label: str, table: str, key: str, kind: str, raw, *, conditional: bool):
    """Turn the raw TOML value of one key into a Choice (see the module docstring)."""
    if isinstance(raw, dict):
        return _parse_table(label, table, key, kind, raw, conditional=conditional)
    if kind == "layout":
        if not isinstance(raw, list) or not raw or not all(isinstance(v, list) for v in raw):
            raise InvalidSpaceError(
                f"{label}: [{table}] {key} {raw!r} is not allowed; write a list of stage "
                "layouts such as [[1, 1, 2], [1, 2, 3]] (a single layout goes in [fixed])"
            )
    values = raw if isinstance(raw, list) else [raw]
    return Choice(key, _check_values(label, table, key, kind, values))


def _check_values(label, table, key, kind, values) -> tuple:
    if not values:
        raise InvalidSpaceError(f"{label}: [{table}] {key} is an empty list; give at least "
                                "one value")
    checked = tuple(check_value(label, table, key, kind, v) for v in values)
    duplicates = sorted({str(v) for v in checked if checked.count(v) > 1})
    if duplicates:
        raise InvalidSpaceError(
            f"{label}: [{table}] {key} lists {', '.join(duplicates)} more than once; "
            "list each value once"
        )
    return checked


def _parse_table(label, table, key, kind, raw: dict, *, conditional: bool) -> Choice:
    allowed = ["choices", "low", "high", "step", *(["when", "default"] if conditional else [])]
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise InvalidSpaceError(
            f"{label}: [{table}] {key} has unknown field {unknown[0]!r}; "
            f"allowed fields: {', '.join(allowed)}"
        )
    has_range = any(k in raw for k in ("low", "high", "step"))
    if has_range == ("choices" in raw):
        raise InvalidSpaceError(
            f"{label}: [{table}] {key} needs either choices = [...] or low and high "
            "(and optional step)"
        )
    if has_range:
        values, step = _parse_range(label, table, key, kind, raw), raw.get("step", 1)
    else:
        if not isinstance(raw["choices"], list):
            raise InvalidSpaceError(f"{label}: [{table}] {key} choices must be a list")
        values, step = _check_values(label, table, key, kind, raw["choices"]), None
    when = _parse_when(label, table, key, raw.get("when"))
    default = None
    if "default" in raw:
        if not when:
            raise InvalidSpaceError(
                f"{label}: [{table}] {key} has a default but no when; a default is the "
                "value used where the when condition does not hold"
            )
        default = check_value(label, table, key, kind, raw["default"])
    return Choice(key, values, step, when, default)


def _parse_range(label, table, key, kind, raw) -> tuple:
    if kind not in ("int", "experts"):
        raise InvalidSpaceError(
            f"{label}: [{table}] {key} cannot be a range; ranges are for integer keys, "
            "write a list of choices instead"
        )
    missing = [k for k in ("low", "high") if k not in raw]
    if missing:
        raise InvalidSpaceError(f"{label}: [{table}] {key} range needs {missing[0]}")
    low, high = (check_value(label, table, key, kind, raw[k]) for k in ("low", "high"))
    step = raw.get("step", 1)
    if isinstance(step, bool) or not isinstance(step, int) or step < 1:
        raise InvalidSpaceError(f"{label}: [{table}] {key} step {step!r} must be a positive "
                                "integer")
    if high < low or (high - low) % step:
        raise InvalidSpaceError(
            f"{label}: [{table}] {key} range low {low}, high {high}, step {step} is not "
            "allowed; need low <= high and high - low a multiple of step"
        )
    return tuple(range(low, high + 1, step))


def _parse_when(label, table, key, raw) -> tuple:
    if raw is None:
        return ()
    if key in ("token_experts", "channel_experts"):
        raise InvalidSpaceError(
            f"{label}: [{table}] {key} takes no when; it is chosen exactly where the mixer "
            "takes experts (emsa for token_experts, emsp for channel_experts)"
        )
    earlier = WHEN_KEYS[: UNIT_KEYS.index(key)] if key in WHEN_KEYS else WHEN_KEYS
    if not isinstance(raw, dict) or not raw:
        raise InvalidSpaceError(
            f"{label}: [{table}] {key} when must be a table such as "
            "{token_mixer = [\"ssa\"]}"
        )
    when = []
    for ref, allowed in raw.items():
        if ref not in earlier:
            choose = ", ".join(earlier) if earlier else "nothing (it is chosen first)"
            raise InvalidSpaceError(
                f"{label}: [{table}] {key} when refers to {ref!r}; it may refer to {choose}"
            )
        names = tuple(allowed) if isinstance(allowed, list) else (allowed,)
        for name in names:
            if name not in ALLOWED_NAMES[ref]:
                raise InvalidSpaceError(
                    f"{label}: [{table}] {key} when {ref} {name!r} is not allowed; "
                    f"choose from {', '.join(ALLOWED_NAMES[ref])}"
                )
        when.append((ref, names))
    return tuple(when)
