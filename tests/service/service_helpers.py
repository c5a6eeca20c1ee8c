"""Helpers of the service tests: the tiny study, a test client, waiting for a job."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

TOKEN = "test-token-1234"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
STUDY = "tiny"
BUDGET = 12


def run_tiny_search(url: str, study: str = STUDY, budget: int = BUDGET) -> None:
    """The study every service test reads: a real search of autost-tiny, seed fixed, on the
    cost-only objectives flops and energy (no forward pass: fast, and the same numbers as
    ``autost score --rates prior``)."""
    import autost

    autost.search("autost-tiny", budget=budget, seed=3, study_name=study, storage=url,
                  objectives=["flops:max", "energy:min"], progress=False)


def make_client(url: str, run_jobs: bool = False, slots: int = 1, private: bool = False):
    from fastapi.testclient import TestClient

    from autost.service import create_app
    from autost.storage import open_storage

    return TestClient(create_app(open_storage(url), TOKEN, slots, run_jobs=run_jobs,
                                 private=private))


def wait_for_job(client, job_id: int, timeout: float = 120, until=None) -> dict:
    """Poll the job until it is finished (or ``until(job)`` holds)."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/jobs/{job_id}").json()
        if until(job) if until else job["status"] not in ("queued", "running"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']}: {job}"
        time.sleep(0.3)


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``autost serve`` in a subprocess, spoken to over HTTP; port 0 takes a free one (the
    port comes from the line the server prints first)."""

    def __init__(self, url: str, port: int = 0, options: tuple[str, ...] = ()) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autost", "serve", "--port", str(port), "--storage", url,
             *options], env={**os.environ, "AUTOST_TOKEN": TOKEN}, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        self.first_line = self.process.stdout.readline()
        bound = re.match(r"autost serve: http://\S+:(\d+)/ ", self.first_line)
        assert bound, self.first_line + self.process.stdout.read()
        self.base = f"http://127.0.0.1:{bound.group(1)}"
        deadline = time.monotonic() + 120
        while True:
            try:
                self.get("/api/jobs")
                return
            except urllib.error.HTTPError:  # it answers (401 from a private server)
                return
            except OSError:
                assert self.process.poll() is None, self.process.stdout.read()
                assert time.monotonic() < deadline, "the server did not answer in 120 s"
                time.sleep(0.2)

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.base + path, timeout=60) as r:
            return json.loads(r.read())

    def post(self, path: str, body: dict) -> dict:
        request = urllib.request.Request(
            self.base + path, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(request, timeout=60) as r:
            return json.loads(r.read())

    def wait(self, job_id: int, until, timeout: float = 300) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(f"/api/jobs/{job_id}")
            if until(job):
                return job
            assert time.monotonic() < deadline, job
            time.sleep(0.2)

    def complete(self, study: str) -> int:
        try:
            return self.get(f"/api/studies/{study}")["progress"]["complete"]
        except urllib.error.HTTPError:
            return 0
