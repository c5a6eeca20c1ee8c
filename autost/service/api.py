"""Read-only JSON routes: studies, trials, Pareto fronts, candidates, spaces and presets.

Every number comes from the functions the commands call: ``top`` is what ``autost results
top --json`` prints, ``pareto`` what ``autost pareto --json`` prints, a candidate
what ``autost results show --json`` prints (with units added).
"""

from __future__ import annotations

import json
from functools import lru_cache

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from autost.exceptions import ReportError
from autost.report import pareto_front, render, top_entries
from autost.report.entries import is_finite_score
from autost.report.scores import score_info
from autost.service import studies
from autost.service.errors import NotFound
from autost.tables import jsonable

router = APIRouter(prefix="/api")
MAX_CLOUD = 20_000


def reply(obj) -> JSONResponse:
    """Strict JSON of ``obj`` (non-finite floats as null, the encoding the CLI uses)."""
    return JSONResponse(jsonable(obj))


def study_reply(request: Request, name: str, key, build) -> Response:
    """``build(entries)`` as JSON, encoded once per reading of the study (see StudyCache)."""
    body = cache(request).memo(name, key, lambda e: json.dumps(
        jsonable(build(e)), allow_nan=False, separators=(",", ":")).encode())
    return Response(body, media_type="application/json")


def trial_page(request: Request, name: str, **query) -> dict:
    """:func:`studies.list_trials` on the study's cached trial entries."""
    entries = cache(request).memo(name, "trial_entries", studies.trial_entries)
    return studies.list_trials(cache(request).get(name), entries=entries, **query)


def cache(request: Request) -> studies.StudyCache:
    return request.app.state.studies


def study_names(storage) -> list[str]:
    import optuna

    return sorted(optuna.get_all_study_names(storage.optuna_storage()))


@router.get("/studies", summary="Every study with its plan and progress")
def list_studies(request: Request):
    storage = request.app.state.storage
    return reply({"storage": storage.masked_url,
                  "studies": [studies.summary(cache(request).get(n))
                              for n in study_names(storage)]})


@router.get("/studies/{name}", summary="One study: plan (space, objectives, constraints, "
            "sampler, seed, budget) and progress")
def get_study(request: Request, name: str):
    return study_reply(request, name, "summary", studies.summary)


@router.get("/studies/{name}/trials", summary="Trials, filtered, sorted and paged")
def list_trials(request: Request, name: str, state: str | None = None,
                mixer: str | None = None,
                score: str | None = Query(None, description="filter by this score's range"),
                low: float | None = None, high: float | None = None,
                sort: str | None = Query(None, description="NAME[:max|min]; default trial "
                                                           "number"),
                offset: int = 0, limit: int = 50,
                feasible_first: bool = Query(False, description="feasible COMPLETE trials "
                                                                "first (as results top)")):
    query = {"state": state, "mixer": mixer, "score": score, "low": low, "high": high,
             "sort": sort, "offset": offset, "limit": limit, "feasible_first": feasible_first}
    return study_reply(request, name, ("trials", *query.values()),
                       lambda e: trial_page(request, name, **query))


@router.get("/studies/{name}/top", summary="The k best feasible candidates (autost results "
            "top)")
def top(request: Request, name: str, k: int = 10, by: str | None = None):
    return study_reply(request, name, ("top", k, by), lambda e: _top(e, k, by))


def _top(entries, k: int, by: str | None) -> dict:
    objective, best = top_entries(entries, by, k)
    shown = [objective, *(o for o in entries.objectives if o.name != objective.name)]
    doc = json.loads(render(best, shown, "json", title=entries.study_name))
    doc["feasible"] = len(entries.complete([objective]))
    return doc


@router.get("/studies/{name}/pareto", summary="The Pareto front of two or three scores "
            "(autost pareto), and optionally other candidates to plot around it")
def pareto(request: Request, name: str,
           objective: list[str] = Query([], description="NAME:max|min, repeat (default: the "
                                                        "study's objectives)"),
           cloud: int = Query(0, description="also return up to this many candidates off "
                                             "the front, evenly spread")):
    if len(objective) > 3:
        raise ReportError(f"a front over {len(objective)} scores cannot be drawn; "
                          "give two or three objectives")
    if not 0 <= cloud <= MAX_CLOUD:
        raise ReportError(f"cloud {cloud} must be between 0 and {MAX_CLOUD}")
    return study_reply(request, name, ("pareto", tuple(objective), cloud),
                       lambda e: _pareto(e, objective, cloud))


def _pareto(entries, objectives: list[str], cloud: int) -> dict:
    front = pareto_front(entries, objectives)
    doc = json.loads(render(front.members, front.objectives, "json", title=entries.study_name))
    doc["candidates"] = len(front.candidates)
    # feasible candidates left out because a chosen score is not stored for them (accuracy
    # before a training), which a page must say rather than drop them silently
    doc["feasible"] = len(entries.entries)
    lacking = {o.name: sum(not is_finite_score(e.scores.get(o.name)) for e in entries.entries)
               for o in front.objectives}
    doc["lacking"] = {name: n for name, n in lacking.items() if n}
    on_front = {id(e) for e in front.members}
    rest = [e for e in front.candidates if id(e) not in on_front]
    step = max(1, -(-len(rest) // cloud)) if cloud else 0
    doc["cloud"] = [{"trial": e.trial, "arch_id": e.arch_id, "summary": e.summary,
                     "scores": {o.name: e.scores[o.name] for o in front.objectives}}
                    for e in (rest[::step] if cloud else [])]
    return doc


@router.get("/candidates/{arch_id}", summary="One architecture: ArchConfig, every score "
            "with unit and rate source, per-layer costs, trainings (autost results show)")
def candidate(request: Request, arch_id: str):
    return reply(describe(request.app.state.storage, arch_id))


def describe(storage, arch_id: str) -> dict:
    """``autost results show --json`` plus the unit of every score."""
    from autost.report.candidate import describe_candidate

    if not arch_id or any(c not in "0123456789abcdefABCDEF" for c in arch_id):
        raise NotFound(f"no candidate with arch_id {arch_id!r}; an arch_id is hexadecimal "
                       "(copy one from /api/studies/NAME/top)")
    info = describe_candidate(storage, arch_id)
    units = {n: score_info(n).unit for s in info["scores"] for n in s["values"]}
    return {**info, "units": units}


@router.get("/spaces", summary="Named search spaces (autost spaces list)")
def spaces():
    return reply(_space_rows())


@router.get("/spaces/{name}", summary="One named space (autost spaces show)")
def space(name: str):
    from autost.space import list_spaces, load_space

    if name not in list_spaces():
        raise NotFound(f"no named space {name!r}; named spaces: {', '.join(list_spaces())}")
    return reply(load_space(name).describe())


@router.get("/presets", summary="Published preset models (autost models list)")
def presets():
    return reply(_preset_rows())


def warm() -> None:
    """Compute the space and preset listings once, at start: every preset is built (on the
    meta device) to count its parameters, seconds with torch's import, which no request
    should wait for."""
    _space_rows()
    _preset_rows()


@lru_cache(maxsize=1)
def _space_rows() -> list[dict]:
    from autost.space import space_rows

    return space_rows()


@lru_cache(maxsize=1)
def _preset_rows() -> list[dict]:
    from autost.models import preset_rows

    return preset_rows()
