"""Job routes: submit a search or a training (token needed), list, show and cancel jobs.

A submitted job is a row in ``autost_jobs``; the server's supervisor starts it when a slot
is free. Cancelling a running search stops it the way SIGTERM stops ``autost search``:
its running trials are failed at once and everything it wrote stays.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from autost.service.api import reply
from autost.service.auth import require_token, submitter
from autost.service.errors import BadInput, NotFound
from autost.service.submissions import (
    SearchRequest,
    TrainingRequest,
    check_search,
    check_training,
)
from autost.storage.jobs import STATUSES, add_job, get_job, list_jobs

router = APIRouter(prefix="/api")


def job_or_404(storage, job_id: int):
    job = get_job(storage.engine, job_id)
    if job is None:
        raise NotFound(f"no job {job_id}; GET /api/jobs lists them")
    return job


@router.post("/searches", status_code=202, dependencies=[Depends(require_token)],
             summary="Queue a search (autost search)")
def submit_search(request: Request, body: SearchRequest):
    storage = request.app.state.storage
    study, params = check_search(body, storage)
    job_id = add_job(storage.engine, "search", study, params, submitter(request, body.submitter))
    return _queued(storage, job_id)


@router.post("/trainings", status_code=202, dependencies=[Depends(require_token)],
             summary="Queue a brief training of a study's top candidates (autost train)")
def submit_training(request: Request, body: TrainingRequest):
    storage = request.app.state.storage
    params = check_training(body, storage)
    job_id = add_job(storage.engine, "training", body.study, params,
                     submitter(request, body.submitter))
    return _queued(storage, job_id)


@router.get("/jobs", summary="Jobs, newest first")
def jobs(request: Request, status: str | None = None, limit: int = 100):
    if status is not None and status not in STATUSES:
        raise BadInput(f"status {status!r} is not one of {', '.join(STATUSES)}")
    return reply({"jobs": [j.to_dict() for j in
                           list_jobs(request.app.state.storage.engine, status, limit)]})


@router.get("/jobs/{job_id}", summary="One job with its log tail")
def job(request: Request, job_id: int):
    return reply(job_or_404(request.app.state.storage, job_id).to_dict())


@router.delete("/jobs/{job_id}", dependencies=[Depends(require_token)],
               summary="Cancel a job (a running search stops as on SIGTERM)")
def cancel(request: Request, job_id: int):
    storage = request.app.state.storage
    job_or_404(storage, job_id)
    status = request.app.state.supervisor.cancel(job_id)
    return reply({"id": job_id, "status": status})


def _queued(storage, job_id: int):
    """202 Accepted with the new job and where to watch it."""
    response = reply(get_job(storage.engine, job_id).to_dict())
    response.status_code = 202
    response.headers["Location"] = f"/api/jobs/{job_id}"
    return response
