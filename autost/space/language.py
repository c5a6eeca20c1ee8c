"""Parse and check a space file (TOML, read with tomllib, never evaluated as code).

Tables: ``[space]`` (name, description, dataset defaults), ``[fixed]`` (ArchConfig fields held
constant), ``[global]`` (choices drawn once per model), ``[stage]`` (choices drawn once per
stage of the hierarchical speds splitter), ``[block]`` (choices drawn once per block) and
``[constraints]`` (ceilings). Every key and value is checked here, so a sampled architecture
never fails ArchConfig validation; each error names the file, the table, the key and what is
allowed.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
import typing
from dataclasses import fields, replace

from autost.arch import ArchConfig
from autost.exceptions import ArchValidationError, InvalidSpaceError
from autost.quantity import parse_quantity
from autost.space.choice import (
    UNIT_KEYS,
    UNIT_KINDS,
    check_value,
    parse_choice,
)
from autost.space.space import (
    BLOCK_DEFAULTS,
    GLOBAL_READERS,
    MIXER_KEYS,
    SearchSpace,
    stage_widths,
)

TABLES = ("space", "fixed", "global", "stage", "block", "constraints")
DATASET_KEYS = ("input_size", "num_classes", "in_channels")
SPACE_KEYS = ("name", "description", "dataset", *DATASET_KEYS)
CONSTRAINT_KEYS = ("max_params", "max_macs", "max_energy_mj")
_TYPE_KINDS = {int: "int", float: "float", str: "str", bool: "bool"}

def _kind(hint) -> str:
    """The value kind of an ArchConfig field (``X | None`` fields take X in a space file)."""
    return _TYPE_KINDS[next(t for t in typing.get_args(hint) or (hint,) if t is not type(None))]


FIELD_KINDS = {
    f.name: "layout" if f.name == "stage_depths" else _kind(typing.get_type_hints(
        ArchConfig)[f.name])
    for f in fields(ArchConfig) if f.name not in ("blocks", "name", *DATASET_KEYS)
}
GLOBAL_KINDS = {**FIELD_KINDS, "depth": "int", "heads": "int", "mlp_ratio": "float"}
# Order in which global keys are drawn: the layout and width first, per-block sizes last.
_FIRST = ("stage_depths", "depth", "embed_dim", "patch_size", "timesteps", "patch_splitter",
          "residual", "mask_ratio")
GLOBAL_ORDER = (*_FIRST, *sorted(set(FIELD_KINDS) - set(_FIRST)), "heads", "mlp_ratio")
# A space's name, and so a study's (autost.search.study_names): letters, digits, -_.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def parse_space(text: str, *, label: str, source: str, default_name: str) -> SearchSpace:
    """Parse the text of a space file; ``label`` is how error messages name the file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InvalidSpaceError(f"{label}: not valid TOML: {e}") from e
    _check_keys(label, None, data, TABLES)
    for table, value in data.items():
        if not isinstance(value, dict):
            raise InvalidSpaceError(f"{label}: {table} must be a table, written [{table}]")
    head = data.get("space", {})
    _check_keys(label, "space", head, SPACE_KEYS)
    name = head.get("name", default_name)
    if not isinstance(name, str) or not NAME.match(name):
        raise InvalidSpaceError(f"{label}: [space] name {name!r} is not allowed; use letters, "
                                "digits, '-', '_' and '.'")
    for key in ("description", "dataset"):
        if not isinstance(head.get(key, ""), str):
            raise InvalidSpaceError(f"{label}: [space] {key} must be a string")
    dataset = {k: check_value(label, "space", k, "int", head[k]) for k in DATASET_KEYS
               if k in head}
    fixed, constants = _parse_fixed(label, data.get("fixed", {}))
    for key, value in constants.items():
        if key in data.get("global", {}):
            raise InvalidSpaceError(f"{label}: {key} is set in both [fixed] and [global]; "
                                    "keep one")
        data.setdefault("global", {})[key] = value
    space = SearchSpace(
        name=name, description=head.get("description", "").strip(), source=source,
        label=label, dataset={**({"dataset": head["dataset"]} if "dataset" in head else {}),
                              **dataset},
        fixed={**dataset, **fixed},
        global_choices=_parse_globals(label, data.get("global", {}), fixed),
        stage_choices=_parse_units(label, "stage", data.get("stage", {})),
        block_choices=_parse_units(label, "block", data.get("block", {})),
        constraints=_parse_constraints(label, data.get("constraints", {})),
        contextual=frozenset(),
        text=text,
    )
    _check_structure(space)
    space = replace(space, contextual=_divisibility(space))
    _probe(space)
    return space


def _check_keys(label, table, data: dict, allowed) -> None:
    for key in data:
        if key in allowed:
            continue
        if key in DATASET_KEYS:
            raise InvalidSpaceError(f"{label}: [{table}] {key} is a dataset default; set it "
                                    "in [space]")
        what = f"[{table}] unknown key" if table else "unknown table"
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise InvalidSpaceError(f"{label}: {what} {key!r}; {hint}allowed: {', '.join(allowed)}")


def _parse_fixed(label, table: dict) -> tuple[dict, dict]:
    """ArchConfig fields held constant, and depth / heads / mlp_ratio (global constants)."""
    _check_keys(label, "fixed", table, (*FIELD_KINDS, "depth", "heads", "mlp_ratio"))
    constants = {k: v for k, v in table.items() if k not in FIELD_KINDS}
    fixed = {}
    for key, raw in table.items():
        if key in constants:
            if isinstance(raw, list | dict):
                raise InvalidSpaceError(f"{label}: [fixed] {key} {raw!r} is not allowed; "
                                        "[fixed] takes one value, choices go in [global]")
            continue
        value = check_value(label, "fixed", key, FIELD_KINDS[key], raw)
        fixed[key] = [int(v) for v in value.split(",")] if key == "stage_depths" else value
    return fixed, constants


def _parse_globals(label, table: dict, fixed: dict) -> dict:
    _check_keys(label, "global", table, GLOBAL_ORDER)
    for key in table:
        if key in fixed:
            raise InvalidSpaceError(f"{label}: {key} is set in both [fixed] and [global]; "
                                    "keep one")
    return {key: parse_choice(label, "global", key, GLOBAL_KINDS[key], table[key],
                              conditional=False)
            for key in GLOBAL_ORDER if key in table}


def _parse_units(label, name: str, table: dict) -> dict:
    _check_keys(label, name, table, UNIT_KEYS)
    return {key: parse_choice(label, name, key, UNIT_KINDS[key], table[key], conditional=True)
            for key in UNIT_KEYS if key in table}


def _parse_constraints(label, table: dict) -> dict:
    _check_keys(label, "constraints", table, CONSTRAINT_KEYS)
    return {key: parse_quantity(raw, f"{label}: [constraints] {key}", InvalidSpaceError)
            for key, raw in table.items()}


def _check_structure(space: SearchSpace) -> None:
    """Cross-key rules: where each key may live, layout keys, experts and their mixers."""
    label, g = space.label, space.global_choices
    for key in ("heads", "mlp_ratio"):
        tables = [t for t, d in (("global", g), ("stage", space.stage_choices),
                                 ("block", space.block_choices)) if key in d]
        if len(tables) > 1:
            raise InvalidSpaceError(f"{label}: {key} is set in both [{tables[0]}] and "
                                    f"[{tables[1]}]; keep one")
    for key in space.stage_choices.keys() & space.block_choices.keys():
        raise InvalidSpaceError(f"{label}: {key} is set in both [stage] and [block]; keep one")
    splitters = set(space._global_values("patch_splitter"))
    if "speds" in splitters and len(splitters) > 1:
        raise InvalidSpaceError(f"{label}: [global] patch_splitter mixes speds with "
                                f"{', '.join(sorted(splitters - {'speds'}))}; speds has "
                                "stages, so give it a space file of its own")
    has_layout = "stage_depths" in g or "stage_depths" in space.fixed
    if space.is_hierarchical:
        if not has_layout or "depth" in g:
            raise InvalidSpaceError(f"{label}: the speds splitter needs stage_depths (blocks "
                                    "per stage) instead of depth, e.g. [[1, 1, 2], [1, 2, 3]] "
                                    "in [global] or [1, 1, 2] in [fixed]")
    else:
        if has_layout or space.stage_choices:
            raise InvalidSpaceError(f"{label}: stage_depths and [stage] need patch_splitter "
                                    "speds; other splitters have one stage, set depth instead")
        if "depth" not in g:
            raise InvalidSpaceError(f"{label}: [global] depth is required, e.g. depth = 4 or "
                                    "depth = {low = 2, high = 8}")
    _check_dependencies(space)


def _check_dependencies(space: SearchSpace) -> None:
    label = space.label
    needs = {"token_experts": ("token_mixer",), "heads": ("token_mixer",),
             "channel_experts": ("channel_mixer", "mlp_ratio")}
    for key, choice in space.stage_choices.items():
        for ref in (*(r for r, _ in choice.when), *needs.get(key, ())):
            if ref in space.block_choices:
                raise InvalidSpaceError(f"{label}: [stage] {key} depends on {ref}, which is "
                                        f"chosen per block; move {key} to [block]")
    for key, (mixer, expert_mixer) in (("token_experts", ("token_mixer", "emsa")),
                                       ("channel_experts", ("channel_mixer", "emsp"))):
        declared = key in space.stage_choices or key in space.block_choices
        offered = expert_mixer in space._possible(mixer)
        if offered and not declared:
            raise InvalidSpaceError(f"{label}: {mixer} may be {expert_mixer}, so {key} is "
                                    f"required in [block], e.g. {key} = [2, 4, 8]")
        if declared and not offered:
            raise InvalidSpaceError(f"{label}: {key} is set but {mixer} is never "
                                    f"{expert_mixer}; remove {key} or offer {expert_mixer}")
    read_by_mixers = [("global", k, c, GLOBAL_READERS[k]) for k, c in space.global_choices.items()
                      if k in GLOBAL_READERS]
    read_by_mixers += [(t, "heads", table["heads"], MIXER_KEYS["heads"][1]) for t, table in
                       (("stage", space.stage_choices), ("block", space.block_choices))
                       if "heads" in table]
    for table, key, choice, readers in read_by_mixers:
        if choice.is_choice and not space._possible("token_mixer") & set(readers):
            raise InvalidSpaceError(
                f"{label}: [{table}] {key} is chosen but no token mixer of this space reads it "
                f"(only {', '.join(readers)} do); remove {key} or offer one of them")


def _divisibility(space: SearchSpace) -> frozenset:
    """Find the keys whose choices do not divide every width they can meet.

    Those keys are suggested under width-qualified names with only the dividing choices.
    A width that no choice divides, or a fixed value that does not divide, is an error.
    """
    label, layouts = space.label, space.layouts()
    per_model, widths = set(), set()
    for embed_dim in space._global_values("embed_dim"):
        for layout in layouts:
            stage = stage_widths(embed_dim, len(layout))
            if stage[0] % 8 or stage[0] * 2 ** (len(layout) - 1) != embed_dim:
                stages = f" with {len(layout)} stages" if len(layout) > 1 else ""
                raise InvalidSpaceError(
                    f"{label}: embed_dim {embed_dim} is not allowed{stages}; it must be "
                    f"divisible by {8 * 2 ** (len(layout) - 1)}")
            per_model.add(math.gcd(*stage))
            widths.update(stage)
    ratios = _possible_values(space, "mlp_ratio")
    for w in sorted(widths):
        for r in sorted(ratios):
            if (w * r) % 1:
                raise InvalidSpaceError(f"{label}: mlp_ratio {r} is not allowed with width "
                                        f"{w}; width x mlp_ratio must be a whole number")
    hidden = {int(w * r) for w in widths for r in ratios}
    contextual = set()
    for key, contexts in (("heads", widths), ("token_experts", widths),
                          ("channel_experts", hidden)):
        table, choice = _find(space, key)
        if table == "global":
            contexts = per_model
        fixed = set(_possible_values(space, key)) - set(choice.values if choice else ())
        for value in sorted(v for v in fixed if v is not None):
            bad = sorted(c for c in contexts if c % value)
            if bad:
                raise InvalidSpaceError(
                    f"{label}: {key} {value} (the value used where {key} is not chosen) does "
                    f"not divide width {bad[0]}; declare {key} choices that divide it")
        if choice is None or all(c % v == 0 for c in contexts for v in choice.values):
            continue
        for c in sorted(contexts):
            if not any(c % v == 0 for v in choice.values):
                raise InvalidSpaceError(
                    f"{label}: [{table}] {key}: no choice divides width {c}; offer a "
                    f"divisor of {c} (choices: {', '.join(map(str, choice.values))})")
        contextual.add(key)
    return frozenset(contextual)


def _find(space: SearchSpace, key):
    for table, choices in (("global", space.global_choices), ("stage", space.stage_choices),
                           ("block", space.block_choices)):
        if key in choices:
            return table, choices[key]
    return None, None


def _possible_values(space: SearchSpace, key) -> set:
    table, choice = _find(space, key)
    if table == "global":
        return set(choice.values)
    return space._possible(key) if key in BLOCK_DEFAULTS else set()


class _Probe:
    """Draws the first offered value of every parameter, or the value given for its name."""

    def __init__(self, overrides: dict):
        self.overrides = overrides

    def categorical(self, name, values):
        return self.overrides.get(name, values[0])

    def integer(self, name, low, high, step):
        return self.overrides.get(name, low)


def _probe(space: SearchSpace) -> None:
    """Build one architecture per declared value, so a bad value fails here, named."""
    probes = [(None, None, None)]
    for table, prefix in ((space.global_choices, ""), (space.stage_choices, "stage0."),
                          (space.block_choices, "block0.")):
        probes += [(prefix + key, key, v) for key, c in table.items() if c.is_choice
                   and key not in space.contextual for v in c.values]
    for name, key, value in probes:
        try:
            space._build(_Probe({name: value} if name else {}))
        except ArchValidationError as e:
            where = f"{key} {value!r}" if name else "the first choice of every key"
            raise InvalidSpaceError(f"{space.label}: {where} gives an invalid "
                                    f"architecture: {e}") from e
