"""Check a submitted search or training before it is queued, with the CLI's messages.

A search is checked by building its plan exactly as ``autost search`` does (space,
budget, objectives, ceilings, sampler, rates) and against the study it would resume; an
uploaded space is parsed with tomllib and the space validator, never executed. A request
names spaces and studies, never a file path.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from autost.exceptions import InvalidSpaceError, StudyNotFoundError
from autost.service.errors import BadInput

MAX_SPACE_BYTES = 64 * 1024
UPLOAD_LABEL = "uploaded space"


class SearchRequest(BaseModel):
    """``POST /api/searches``: a named space or an uploaded space TOML, and the options of
    ``autost search``."""

    space: str | None = Field(None, description="a named space (GET /api/spaces)")
    space_toml: str | None = Field(None, description="the text of your own space file")
    budget: int = Field(description="COMPLETE trials the study should hold")
    objectives: list[str] | None = Field(None, examples=[["flops:max", "energy:min"]])
    constraints: dict[str, str | float] | None = Field(
        None, examples=[{"max_params": "12M"}],
        description="max_params, max_macs, max_energy_mj")
    sampler: str | None = None
    seed: int | None = None
    study: str | None = Field(None, description="study name (default: the space's)")
    rates: str | None = Field(None, description="prior (default) or init")
    submitter: str | None = Field(None, max_length=64, description="your name, for the "
                                                                  "job list")


class TrainingRequest(BaseModel):
    """``POST /api/trainings``: the options of ``autost train`` (datasets that need no
    folder: digits, synthetic, ...)."""

    study: str
    top: int = 5
    epochs: int = 5
    dataset: str = "digits"
    by: str | None = None
    ray_address: str | None = None
    batch_size: int = 64
    max_batches: int | None = None
    seed: int = 0
    submitter: str | None = Field(None, max_length=64)


def load_request_space(req: SearchRequest):
    """The SearchSpace a request names or uploads (InvalidSpaceError / UnknownSpaceError)."""
    from autost.space import list_spaces, load_space, parse_space

    if (req.space is None) == (req.space_toml is None):
        raise BadInput("give exactly one of space (a named space) or space_toml (the text "
                       "of a space file)")
    if req.space_toml is not None:
        if len(req.space_toml.encode()) > MAX_SPACE_BYTES:
            raise InvalidSpaceError(f"{UPLOAD_LABEL}: larger than {MAX_SPACE_BYTES // 1024} "
                                    "KiB; a space file is a few hundred lines at most")
        return parse_space(req.space_toml, label=UPLOAD_LABEL, source=UPLOAD_LABEL,
                           default_name="uploaded")
    if req.space not in list_spaces():
        raise BadInput(f"unknown space {req.space!r}; named spaces: "
                       f"{', '.join(list_spaces())} (or upload your own as space_toml)")
    return load_space(req.space)


def check_search(req: SearchRequest, storage) -> tuple[str, dict]:
    """(study name, job params) of a valid search request; AutostError (422) otherwise."""
    from autost.search.plan import SearchPlan, make_plan, reconcile
    from autost.search.study_names import check_study_name

    space = load_request_space(req)
    asked = make_plan(space, budget=req.budget, objectives=req.objectives,
                      constraints=req.constraints, sampler=req.sampler, seed=req.seed,
                      rates=req.rates)
    name = check_study_name(req.study or space.name)
    stored = _stored_attrs(storage, name)
    if stored is not None:
        given = {k for k in ("objectives", "constraints", "sampler", "seed", "rates")
                 if getattr(req, k) is not None}
        reconcile(SearchPlan.from_user_attrs(stored), asked, given)
    params = req.model_dump(exclude={"study", "submitter"}, exclude_none=True)
    if req.space_toml is not None:
        space.check(samples=20)
    return name, params


def check_training(req: TrainingRequest, storage) -> dict:
    """Job params of a valid training request (the study must exist and have candidates)."""
    from autost.data.catalog import ensure_dataset
    from autost.report import load_entries, top_entries

    for key, low in (("top", 1), ("epochs", 1), ("batch_size", 2), ("max_batches", 1)):
        value = getattr(req, key)
        if value is not None and value < low:
            raise BadInput(f"{key} {value} must be at least {low}")
    ensure_dataset(req.dataset)
    top_entries(load_entries(storage, req.study), req.by, req.top)
    return req.model_dump(exclude={"study", "submitter"}, exclude_none=True)


def _stored_attrs(storage, name: str) -> dict | None:
    from autost.storage import load_study

    try:
        return dict(load_study(storage, name).user_attrs)
    except StudyNotFoundError:
        return None

