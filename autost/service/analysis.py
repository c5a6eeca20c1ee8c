"""The study page's analyses, as optuna-dashboard and NNI show them: the optimization
history, parameter importance, parallel coordinates of the architectures, accuracy
against each proxy where trainings exist, and the trial table as CSV.

Each reads the study through the server's cache (:class:`autost.service.studies.
StudyCache`), so a page that polls costs one reading per change of the study. Parameter
importance is Optuna's own evaluator (fANOVA, Hutter et al., ICML 2014) on the study's
feasible COMPLETE trials.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from autost.exceptions import ReportError
from autost.report.entries import is_finite_score
from autost.service import studies
from autost.service.api import study_reply, trial_page
from autost.tables import csv_text, jsonable

router = APIRouter(prefix="/api")
MIN_IMPORTANCE_TRIALS = 4


def feasible(entries) -> list[tuple]:
    """(row, Entry) of the feasible COMPLETE trials, in trial order."""
    return [(r, e) for r, e in studies.trial_entries(entries)
            if studies.state_of(r) == "COMPLETE"]


@router.get("/studies/{name}/history", summary="Each objective per feasible trial and the "
            "best so far (the optimization history)")
def history(request: Request, name: str):
    return study_reply(request, name, "history", _history)


def _history(entries) -> dict:
    done = feasible(entries)
    series = {}
    for objective in entries.objectives:
        values = [e.scores.get(objective.name) for _, e in done]
        best, running = None, []
        for v in values:
            if is_finite_score(v) and (best is None or (v > best if objective.maximize
                                                         else v < best)):
                best = v
            running.append(best)
        series[objective.spec] = {"values": values, "best": running}
    return {"trials": [r.number for r, _ in done], "series": series}


@router.get("/studies/{name}/parallel", summary="Depth, width, time steps, mixers and the "
            "objectives of every feasible trial (parallel coordinates)")
def parallel(request: Request, name: str):
    return study_reply(request, name, "parallel", _parallel)


def _parallel(entries) -> dict:
    done = [(r, e) for r, e in feasible(entries) if r.arch is not None]
    return {"trials": [r.number for r, _ in done],
            "depth": [r.arch.depth for r, _ in done],
            "width": [r.arch.embed_dim for r, _ in done],
            "timesteps": [r.arch.timesteps for r, _ in done],
            "mixers": ["+".join(studies.mixers(r)) for r, _ in done],
            "objectives": {o.spec: [e.scores.get(o.name) for _, e in done]
                           for o in entries.objectives}}


@router.get("/studies/{name}/importance", summary="Parameter importance for one objective "
            "(Optuna's fANOVA evaluator)")
def importance(request: Request, name: str, objective: str | None = None):
    return study_reply(request, name, ("importance", objective),
                       lambda e: _importance(request, e, objective))


def _importance(request: Request, entries, spec: str | None) -> dict:
    import optuna

    from autost.storage import load_study

    objective = entries.resolve([spec] if spec else [])[0]
    values = {r.number: e.scores.get(objective.name) for r, e in feasible(entries)}
    study = load_study(request.app.state.storage, entries.study_name)
    trials = [t for t in study.get_trials(deepcopy=False)
              if is_finite_score(values.get(t.number))]
    if len(trials) < MIN_IMPORTANCE_TRIALS:
        raise ReportError(f"parameter importance needs {MIN_IMPORTANCE_TRIALS} feasible "
                          f"complete trials with {objective.name}; study "
                          f"{entries.study_name!r} has {len(trials)}")
    optuna.logging.set_verbosity(optuna.logging.WARNING)  # no line per in-memory study
    single = optuna.create_study(direction=objective.study_direction)
    single.add_trials([optuna.trial.create_trial(params=t.params, distributions=t.distributions,
                                                 value=values[t.number]) for t in trials])
    scores = optuna.importance.get_param_importances(
        single, evaluator=optuna.importance.FanovaImportanceEvaluator(seed=0))
    return {"objective": objective.spec, "trials": len(trials),
            "importance": [{"param": p, "importance": v} for p, v in scores.items()]}


@router.get("/studies/{name}/accuracy", summary="Accuracy of trained candidates against each "
            "stored proxy score")
def accuracy(request: Request, name: str):
    return study_reply(request, name, "accuracy", _accuracy)


def _accuracy(entries) -> dict:
    trained = [e for e in entries.entries if is_finite_score(e.scores.get("accuracy"))]
    names = sorted({n for e in trained for n, v in e.scores.items()
                    if n != "accuracy" and is_finite_score(v)})
    return {"names": names, "points": [
        {"trial": e.trial, "arch_id": e.arch_id, "summary": e.summary,
         "accuracy": e.scores["accuracy"], "scores": {n: e.scores.get(n) for n in names}}
        for e in trained]}


@router.get("/studies/{name}/trials.csv", summary="The trial table as CSV, with the same "
            "filters and sort as /trials (every matching row)")
def trials_csv(request: Request, name: str, state: str | None = None,
               mixer: str | None = None, score: str | None = None,
               low: float | None = None, high: float | None = None,
               sort: str | None = None, feasible_first: bool = False):
    query = {"state": state, "mixer": mixer, "score": score, "low": low, "high": high,
             "sort": sort, "feasible_first": feasible_first}
    rows, offset, total = [], 0, 1
    while offset < total:
        page = trial_page(request, name, offset=offset, limit=studies.MAX_PAGE, **query)
        rows, offset, total = rows + page["rows"], offset + studies.MAX_PAGE, page["total"]
    names = sorted({n for r in rows for n in r["scores"]})
    records = [{"trial": r["trial"], "state": r["state"], "arch_id": r["arch_id"] or "",
                "summary": r["summary"], **{n: r["scores"].get(n) for n in names},
                "rate_source": r["rate_source"] or ""} for r in rows]
    filename = re.sub(r"[^A-Za-z0-9._-]", "_", name) + "-trials.csv"
    return Response(csv_text(jsonable(records), ["trial", "state"]), media_type="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
