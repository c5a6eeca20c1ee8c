"""kill -9 of a real ``autost serve`` while a search job runs; the restarted server finds
the job, marks it interrupted, queues it again and the search resumes to its budget."""

import signal
import time

import optuna
import pytest
from service_helpers import Server, alive, free_port

from autost.storage import open_storage
from autost.storage.jobs import get_job

BUDGET = 40


@pytest.mark.slow
def test_kill_9_during_a_search_job_then_restart_resumes_to_budget(db_url):
    port = free_port()
    server = Server(db_url, port)
    job_id = server.post("/api/searches", {"space": "autost-tiny", "budget": BUDGET,
                                           "study": "killed", "seed": 5})["id"]
    server.wait(job_id, lambda j: server.complete("killed") >= 3)
    runner = get_job(open_storage(db_url).engine, job_id).pid
    assert runner is not None and alive(runner)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    deadline = time.monotonic() + 20
    while alive(runner):  # the job process follows its server
        assert time.monotonic() < deadline, "the job process outlived its server"
        time.sleep(0.1)
    left = get_job(open_storage(db_url).engine, job_id)
    assert left.status == "running"  # nobody was left to record anything else

    server = Server(db_url, port)
    try:
        job = server.wait(job_id, lambda j: j["status"] not in ("queued", "running"))
        assert job["status"] == "done", job
        assert job["attempts"] == 2
        assert "interrupted: the server stopped while this job ran" in job["log_tail"]
        assert f"study killed: {BUDGET}/{BUDGET} complete" in job["log_tail"]
        assert server.complete("killed") == BUDGET
    finally:
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=60) == 0
    trials = optuna.load_study(study_name="killed", storage=open_storage(db_url)
                               .optuna_storage()).get_trials(deepcopy=False)
    states = [t.state.name for t in trials]
    assert states.count("COMPLETE") == BUDGET and "RUNNING" not in states


@pytest.mark.slow
@pytest.mark.postgres
def test_two_servers_on_one_postgresql_database_never_run_a_job_twice(postgres_url):
    """Server B starts while server A runs a search job: B leaves it alone, through its start
    and several beats of A's lease; once A is killed, B takes the job over."""
    from sqlalchemy.orm import Session

    from autost.storage.models import Job

    engine = open_storage(postgres_url).engine

    def lease(job_id):
        with Session(engine) as session:
            job = session.get(Job, job_id)
            return job.status, job.attempts, job.pid, job.server_pid, job.server_beat

    first = Server(postgres_url)
    job_id = first.post("/api/searches", {"space": "autost-tiny", "budget": 400,
                                          "study": "shared", "seed": 5})["id"]
    first.wait(job_id, lambda j: first.complete("shared") >= 2)
    status, attempts, runner, holder, beat = lease(job_id)
    assert (status, attempts, holder) == ("running", 1, first.process.pid)
    second = Server(postgres_url)
    try:
        beats = {beat}
        while len(beats) < 3:  # A beat twice since B started, and B checked the leases
            time.sleep(0.5)
            now = lease(job_id)
            assert now[:4] == ("running", 1, runner, first.process.pid), now
            beats.add(now[4])
        assert alive(runner)
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()
        job = second.wait(job_id, lambda j: j["attempts"] == 2 and j["status"] == "running")
        assert "interrupted: the server stopped while this job ran" in job["log_tail"]
        assert lease(job_id)[3] == second.process.pid
    finally:
        second.process.send_signal(signal.SIGTERM)
        assert second.process.wait(timeout=90) == 0
