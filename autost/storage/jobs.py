"""The ``autost_jobs`` table: searches and trainings queued by ``autost serve``.

A job moves queued -> running -> done | failed | cancelled. Claiming the next queued job
is one conditional UPDATE, so two dispatchers never start the same job. A running job
holds a lease, the :class:`Server` that runs it and that server's last heartbeat, as the
search's trials do: several servers can share one database, and a server recovers only the
jobs of a server that is gone (its beat older than the grace period, or, on the same host,
its process no longer there). :func:`recover_jobs` marks those interrupted and queues
searches again (a search resumes to its budget like any rerun).
"""

from __future__ import annotations

import os
import socket
import time
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
class Server:
    """The server process that holds the leases of the jobs it runs."""

    host: str
    pid: int

    @classmethod
    def this_process(cls) -> Server:
        return cls(socket.gethostname(), os.getpid())

    def is_gone(self, beat: float | None, grace_s: float) -> bool:
        """Whether the server ``self`` sees holding a lease (``self`` is the lease's) with the
        last ``beat`` has stopped: no beat for ``grace_s``, or no such process here."""
        if beat is None or time.time() - beat > grace_s:
            return True
        return self.host == socket.gethostname() and not _process_exists(self.pid)


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


def claim_next(engine, server: Server) -> JobRow | None:
    """Mark the oldest queued job running under ``server``'s lease and return it (None when
    the queue is empty)."""
    with Session(engine) as session:
        for job_id in session.scalars(sa.select(Job.id).where(Job.status == "queued")
                                      .order_by(Job.id).limit(5)):
            done = session.execute(
                sa.update(Job).where(Job.id == job_id, Job.status == "queued")
                .values(status="running", started_at=_now(), finished_at=None,
                        attempts=Job.attempts + 1, server_host=server.host,
                        server_pid=server.pid, server_beat=time.time()))
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


def beat(engine, server: Server) -> None:
    """Renew the leases of every job ``server`` runs."""
    with engine.begin() as connection:
        connection.execute(sa.update(Job).where(
            Job.status == "running", Job.server_host == server.host,
            Job.server_pid == server.pid).values(server_beat=time.time()))


def recover_jobs(engine, server: Server, grace_s: float, own: bool = False) -> list[JobRow]:
    """Take back the running jobs of servers that are gone (``own``: those of ``server``
    instead, which has stopped them, or has just started where a gone server of this host
    had the same pid): searches are queued again, trainings marked ``interrupted``; return
    the jobs taken, as they were found."""
    with Session(engine) as session:
        running = session.scalars(sa.select(Job).where(Job.status == "running")).all()
        lapsed = [_row(j) for j in running if _lapsed(j, server, grace_s, own)]
    return [job for job in lapsed if _take_back(engine, job)]


def _lapsed(job: Job, server: Server, grace_s: float, own: bool) -> bool:
    """Whether ``server`` may take ``job`` back (see :func:`recover_jobs`)."""
    holder = Server(job.server_host or "", job.server_pid or 0)
    if holder == server:
        return own
    return not own and holder.is_gone(job.server_beat, grace_s)


def _take_back(engine, job: JobRow) -> bool:
    """Queue a running search again or mark a training interrupted, unless another server
    took it back first (then False)."""
    note = f"{job.log_tail}\ninterrupted: the server stopped while this job ran".strip()
    values = ({"status": "queued", "log_tail": note + "; queued again, the search resumes "
                                                      "to its budget"}
              if job.kind == "search" else
              {"status": "interrupted", "log_tail": note, "finished_at": _now()})
    values["log_tail"] = values["log_tail"][-LOG_TAIL_CHARS:]
    with engine.begin() as connection:
        done = connection.execute(
            sa.update(Job).where(Job.id == job.id, Job.status == "running",
                                 Job.attempts == job.attempts)
            .values(pid=None, server_host=None, server_pid=None, server_beat=None, **values))
    return done.rowcount == 1


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _row(job: Job) -> JobRow:
    return JobRow(job.id, job.kind, job.status, job.study_name, dict(job.params),
                  job.submitted_by, job.attempts, job.pid, job.log_tail or "", job.result,
                  job.error, job.created_at, job.started_at, job.finished_at)
