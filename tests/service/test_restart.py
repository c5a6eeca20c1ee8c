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
