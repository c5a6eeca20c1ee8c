"""Helpers of the service tests: the tiny study, a test client, waiting for a job."""

from __future__ import annotations

import time

TOKEN = "test-token-1234"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
STUDY = "tiny"
BUDGET = 12


def run_tiny_search(url: str, study: str = STUDY, budget: int = BUDGET) -> None:
    """The study every service test reads: a real search of autost-tiny, seed fixed."""
    import autost

    autost.search("autost-tiny", budget=budget, seed=3, study_name=study, storage=url,
                  progress=False)


def make_client(url: str, run_jobs: bool = False, slots: int = 1):
    from fastapi.testclient import TestClient

    from autost.service import create_app
    from autost.storage import open_storage

    return TestClient(create_app(open_storage(url), TOKEN, slots, run_jobs=run_jobs))


def wait_for_job(client, job_id: int, timeout: float = 120, until=None) -> dict:
    """Poll the job until it is finished (or ``until(job)`` holds)."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        if until(job) if until else job["status"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']}: {job}"
        time.sleep(0.3)
