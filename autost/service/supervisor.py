"""Start queued jobs in worker processes, at most ``slots`` at a time, and watch them.

Each job runs ``python -m autost.service.runner JOB_ID`` (a fresh interpreter: no state of
the server leaks into a search). The storage URL goes through the environment, never the
command line, so no password shows in ``ps``. A job process dies with the server: it asks
the kernel for SIGTERM when its parent dies (Linux's parent-death signal) and watches its
parent besides, and SIGTERM stops a search the way it stops ``autost search``.

Every running job holds this server's lease, renewed every :data:`BEAT_S` seconds. On
start and then with every beat the supervisor recovers the jobs of servers that are gone
(searches queued again, trainings marked interrupted), never those of a live server on the
same database; on a clean stop it stops its own jobs and recovers them the same way.
"""

from __future__ import annotations

import collections
import logging
import os
import signal
import subprocess
import sys
import threading
import time

from autost.storage.jobs import (
    Server,
    beat,
    cancel_queued,
    claim_next,
    get_job,
    recover_jobs,
    update_job,
)

log = logging.getLogger("autost.service")
STORAGE_ENV = "AUTOST_JOB_STORAGE"
PARENT_ENV = "AUTOST_JOB_PARENT"
TAIL_LINES = 60
STOP_WAIT_S = 30
BEAT_S = 5.0
GRACE_S = 30.0  # six missed beats: the server is gone


class _Running:
    """One job process and the last lines it printed (after those of an earlier attempt)."""

    def __init__(self, job_id: int, process: subprocess.Popen, earlier: str) -> None:
        self.job_id = job_id
        self.process = process
        self.lines: collections.deque[str] = collections.deque(
            earlier.splitlines() if earlier else (), maxlen=TAIL_LINES)
        self.cancelled = False
        self.dirty = False
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            self.dirty = True

    def tail(self) -> str:
        self.dirty = False
        return "\n".join(self.lines)


class Supervisor:
    """The job queue's dispatcher: one thread that starts, watches and reaps job processes."""

    def __init__(self, storage, slots: int, poll_s: float = 0.3) -> None:
        self.storage = storage
        self.slots = slots
        self.poll_s = poll_s
        self._running: dict[int, _Running] = {}
        self.server = Server.this_process()
        self._next_beat = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="autost-jobs", daemon=True)

    def start(self) -> None:
        # a gone server of this host may have had this process's pid: its jobs count too
        self._recover(own=True)
        self._recover()
        self._thread.start()

    def _recover(self, own: bool = False) -> None:
        for job in recover_jobs(self.storage.engine, self.server, GRACE_S, own=own):
            log.warning("job %d (%s) was running when its server stopped: %s", job.id,
                        job.kind, "queued again" if job.kind == "search" else "interrupted")

    def _beat(self) -> None:
        """Renew this server's leases and take back those of gone servers, every BEAT_S."""
        if time.monotonic() < self._next_beat:
            return
        self._next_beat = time.monotonic() + BEAT_S
        beat(self.storage.engine, self.server)
        self._recover()

    def stop(self) -> None:
        """Stop every job process (SIGTERM, as Ctrl-C would) and leave their jobs to be
        resumed at the next start."""
        self._stop.set()
        self._thread.join()

    def cancel(self, job_id: int) -> str | None:
        """Cancel a queued job at once, or SIGTERM a running one; return the job's status
        after the request (None: no such job)."""
        if cancel_queued(self.storage.engine, job_id):
            return "cancelled"
        running = self._running.get(job_id)
        if running is not None:
            running.cancelled = True
            running.process.send_signal(signal.SIGTERM)
            return "cancelling"
        job = get_job(self.storage.engine, job_id)
        return None if job is None else job.status

    # -- the dispatcher thread: the job processes' parent -------------------------------

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._reap()
                self._beat()
                self._start_queued()
            except Exception:  # noqa: BLE001 - the queue must outlive one bad database call
                log.exception("job dispatcher")
            self._stop.wait(self.poll_s)
        self._shutdown()

    def _start_queued(self) -> None:
        while len(self._running) < self.slots:
            job = claim_next(self.storage.engine, self.server)
            if job is None:
                return
            env = {**os.environ, STORAGE_ENV: self.storage.url, PARENT_ENV: str(os.getpid()),
                   "PYTHONUNBUFFERED": "1"}
            process = subprocess.Popen(
                [sys.executable, "-m", "autost.service.runner", str(job.id)], env=env,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, errors="replace", start_new_session=True)
            update_job(self.storage.engine, job.id, pid=process.pid)
            self._running[job.id] = _Running(job.id, process, job.log_tail)
            log.info("job %d (%s of %s) started, pid %d", job.id, job.kind, job.study_name,
                     process.pid)

    def _reap(self) -> None:
        for job_id, running in list(self._running.items()):
            if running.process.poll() is None:
                if running.dirty:
                    update_job(self.storage.engine, job_id, log_tail=running.tail())
                continue
            self._finish(job_id, running)
            del self._running[job_id]

    def _finish(self, job_id: int, running: _Running) -> None:
        code = running.process.returncode
        running.reader.join(timeout=5)
        status = "cancelled" if running.cancelled else "done" if code == 0 else "failed"
        values = {"status": status, "pid": None, "log_tail": running.tail()}
        if status == "failed" and get_job(self.storage.engine, job_id).error is None:
            values["error"] = f"the job process exited with code {code}"
        update_job(self.storage.engine, job_id, **values)
        log.info("job %d %s", job_id, status)

    def _shutdown(self) -> None:
        """SIGTERM every job, wait for them, record how they ended; jobs stopped here are
        recovered like those of a killed server (searches queued again)."""
        for running in self._running.values():
            if running.process.poll() is None:
                running.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_S
        for job_id, running in self._running.items():
            try:
                running.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                running.process.kill()
                running.process.wait()
            if running.cancelled or running.process.returncode == 0:
                self._finish(job_id, running)
            else:
                running.reader.join(timeout=5)
                update_job(self.storage.engine, job_id, log_tail=running.tail())
        self._running.clear()
        recover_jobs(self.storage.engine, self.server, GRACE_S, own=True)
