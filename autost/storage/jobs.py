"""The ``autost_jobs`` table: searches and trainings queued by ``autost serve``.

A job moves queued -> running -> done | failed | cancelled. Claiming the next queued job
is one conditional UPDATE, so two dispatchers never start the same job. A server that
was killed leaves its jobs ``running``; :func:`recover_jobs` at the next start marks them
interrupted and queues searches again (a search resumes to its budget like any rerun).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from autost.storage.models import Job

KINDS = ("search", "training")
STATUSES = ("queued", "running", "done", "failed", "cancelled", "interrupted")
FINISHED = ("done", "failed", "cancelled", "interrupted")
LOG_TAIL_CHARS = 4000


@dataclass(frozen=True)
class JobRow:
    """One job as stored; ``params`` are the submitted options (no storage URL)."""

    id: int
    kind: str
    status: str
    study_name: str
    params: dict
    submitted_by: str
    attempts: int
    pid: int | None
    log_tail: str
    result: dict | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    def to_dict(self) -> dict:
        return {
            "id": self.id, "kind": self.kind, "status": self.status,
            "study_name": self.study_name, "params": self.params,
            "submitted_by": self.submitted_by, "attempts": self.attempts,
            "log_tail": self.log_tail, "result": self.result, "error": self.error,
            "created_at": _iso(self.created_at), "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
        }


def add_job(engine, kind: str, study_name: str, params: dict, submitted_by: str) -> int:
    """Queue a job; return its id."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    job = Job(kind=kind, status="queued", study_name=study_name, params=params,
              submitted_by=submitted_by[:255], attempts=0, log_tail="")
    with Session(engine) as session, session.begin():
        session.add(job)
        session.flush()
        return job.id


def get_job(engine, job_id: int) -> JobRow | None:
    with Session(engine) as session:
        job = session.get(Job, job_id)
        return None if job is None else _row(job)


def list_jobs(engine, status: str | None = None, limit: int = 100) -> list[JobRow]:
    """Jobs, newest first, optionally of one status."""
    query = sa.select(Job).order_by(Job.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Job.status == status)
    with Session(engine) as session:
        return [_row(j) for j in session.scalars(query)]


def claim_next(engine) -> JobRow | None:
    """Mark the oldest queued job running and return it (None when the queue is empty)."""
    with Session(engine) as session:
        for job_id in session.scalars(sa.select(Job.id).where(Job.status == "queued")
                                      .order_by(Job.id).limit(5)):
            done = session.execute(
                sa.update(Job).where(Job.id == job_id, Job.status == "queued")
                .values(status="running", started_at=_now(), finished_at=None,
                        attempts=Job.attempts + 1))
            session.commit()
            if done.rowcount == 1:
                return _row(session.get(Job, job_id, populate_existing=True))
    return None


def update_job(engine, job_id: int, **values) -> None:
    """Set columns of one job (``status`` to a finished one also stamps ``finished_at``)."""
    if values.get("status") in FINISHED:
        values.setdefault("finished_at", _now())
    if "log_tail" in values:
        values["log_tail"] = values["log_tail"][-LOG_TAIL_CHARS:]
    with engine.begin() as connection:
        connection.execute(sa.update(Job).where(Job.id == job_id).values(**values))


def cancel_queued(engine, job_id: int) -> bool:
    """Cancel a job that has not started; False when it is no longer queued."""
    with engine.begin() as connection:
        done = connection.execute(
            sa.update(Job).where(Job.id == job_id, Job.status == "queued")
            .values(status="cancelled", finished_at=_now()))
        return done.rowcount == 1


def recover_jobs(engine) -> list[JobRow]:
    """After a server stopped without finishing its jobs: searches left ``running`` are
    queued again, trainings are marked ``interrupted``; return the jobs found running."""
    found = list_jobs(engine, status="running", limit=10_000)
    for job in found:
        note = f"{job.log_tail}\ninterrupted: the server stopped while this job ran".strip()
        if job.kind == "search":
            update_job(engine, job.id, status="queued", pid=None, log_tail=note + "; queued "
                       "again, the search resumes to its budget")
        else:
            update_job(engine, job.id, status="interrupted", pid=None, log_tail=note)
    return found


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _row(job: Job) -> JobRow:
    return JobRow(job.id, job.kind, job.status, job.study_name, dict(job.params),
                  job.submitted_by, job.attempts, job.pid, job.log_tail or "", job.result,
                  job.error, job.created_at, job.started_at, job.finished_at)
