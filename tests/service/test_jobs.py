"""Jobs through the API: a search runs in a worker process to exactly its budget, cancel
stops it like SIGTERM, and a server that stopped leaves its jobs to be resumed."""

import os
import signal

import optuna
import pytest
from service_helpers import AUTH, STUDY, alive, make_client, wait_for_job

from autost.storage import open_storage
from autost.storage.jobs import (
    Server,
    add_job,
    beat,
    claim_next,
    get_job,
    recover_jobs,
    update_job,
)


def _trials(url: str, study: str) -> dict[str, int]:
    trials = optuna.load_study(study_name=study, storage=open_storage(url).optuna_storage()
                               ).get_trials(deepcopy=False)
    states: dict[str, int] = {}
    for t in trials:
        states[t.state.name] = states.get(t.state.name, 0) + 1
    return states


def test_search_job_runs_to_exactly_its_budget(db_url):
    with make_client(db_url, run_jobs=True) as client:
        r = client.post("/api/searches", headers=AUTH, json={
            "space": "autost-tiny", "budget": 5, "study": "fresh", "seed": 11,
            "objectives": ["params:min", "energy:min"], "submitter": "ada"})
        assert r.status_code == 202 and r.json()["status"] == "queued"
        job = wait_for_job(client, r.json()["id"])
        assert job["status"] == "done", job
        assert job["submitted_by"] == "ada@testclient" and job["attempts"] == 1
        assert job["result"]["complete"] == 5 and job["result"]["budget"] == 5
        assert "study fresh: 5/5 complete" in job["log_tail"]
        study = client.get("/api/studies/fresh").json()
        assert study["progress"]["complete"] == 5 and study["plan"]["seed"] == 11
        assert study["plan"]["objectives"] == ["params:min", "energy:min"]
        # a second job on the same study with a larger budget adds only what is missing
        r = client.post("/api/searches", headers=AUTH,
                        json={"space": "autost-tiny", "budget": 7, "study": "fresh"})
        job = wait_for_job(client, r.json()["id"])
        assert job["status"] == "done" and job["result"]["run"]["complete"] == 2
    assert _trials(db_url, "fresh") == {"COMPLETE": 7}


def test_uploaded_space_runs_as_its_own_study(db_url):
    text = """
[space]
name = "upload"
input_size = 32
num_classes = 10
in_channels = 3
[fixed]
patch_splitter = "sps"
patch_size = 4
timesteps = 1
[global]
depth = 1
embed_dim = [64, 128]
heads = 4
mlp_ratio = 2
[block]
token_mixer = ["ssa", "stm"]
channel_mixer = "mlp"
"""
    with make_client(db_url, run_jobs=True) as client:
        r = client.post("/api/searches", headers=AUTH,
                        json={"space_toml": text, "budget": 4, "sampler": "grid"})
        assert r.json()["study_name"] == "upload"
        job = wait_for_job(client, r.json()["id"])
        assert job["status"] == "done", job
        top = client.get("/api/studies/upload/top", params={"k": 10}).json()
        assert sorted(row["summary"] for row in top["rows"]) == sorted(
            f"L1 D{d} T1 sps [{m}/mlp]" for d in (64, 128) for m in ("ssa", "stm"))


def test_cancel_stops_a_running_search_like_sigterm(db_url):
    with make_client(db_url, run_jobs=True) as client:
        r = client.post("/api/searches", headers=AUTH, json={
            "space": "autost-tiny", "budget": 400, "study": "long", "rates": "init"})
        job_id = r.json()["id"]
        wait_for_job(client, job_id, until=lambda j: "long" in _studies(client) and
                     client.get("/api/studies/long").json()["progress"]["complete"] >= 1)
        r = client.delete(f"/api/jobs/{job_id}", headers=AUTH)
        assert r.json() == {"id": job_id, "status": "cancelling"}
        job = wait_for_job(client, job_id, timeout=60)
        assert job["status"] == "cancelled", job
        assert "stopped by SIGTERM" in job["log_tail"]
        again = client.delete(f"/api/jobs/{job_id}", headers=AUTH)
        assert again.json() == {"id": job_id, "status": "cancelled"}
    states = _trials(db_url, "long")
    assert "RUNNING" not in states and 1 <= states["COMPLETE"] < 400
    reasons = {t.user_attrs.get("fail_reason") for t in optuna.load_study(
        study_name="long", storage=open_storage(db_url).optuna_storage()).trials
        if t.state.name == "FAIL"}
    assert reasons <= {"search interrupted"}


def _studies(client) -> list[str]:
    return [s["name"] for s in client.get("/api/studies").json()["studies"]]


def test_queued_job_is_cancelled_at_once(client):
    r = client.post("/api/searches", headers=AUTH, json={"space": "autost-tiny", "budget": 3})
    job_id = r.json()["id"]
    assert client.delete(f"/api/jobs/{job_id}", headers=AUTH).json() == {
        "id": job_id, "status": "cancelled"}
    job = client.get(f"/api/jobs/{job_id}").json()
    assert job["status"] == "cancelled" and job["finished_at"] is not None
    assert client.delete("/api/jobs/77", headers=AUTH).status_code == 404
    listed = client.get("/api/jobs", params={"status": "cancelled"}).json()["jobs"]
    assert [j["id"] for j in listed] == [job_id]
    assert client.get("/api/jobs", params={"status": "odd"}).status_code == 422


def test_recovery_takes_only_the_jobs_of_servers_that_are_gone(db_url):
    """Leases: a job of a live server (here or elsewhere, beating) stays; a job of a server
    whose beat is older than the grace period, or whose process on this host is gone, is
    taken back (a search queued again, a training interrupted), once."""
    import subprocess
    import time

    engine = open_storage(db_url).engine
    me = Server.this_process()
    ended = subprocess.Popen(["true"])
    ended.wait()
    servers = {"live elsewhere": Server("other-host", 4242),
               "silent elsewhere": Server("gone-host", 4242),
               "dead here": Server(me.host, ended.pid), "me": me}
    jobs = {}
    for name, server in servers.items():
        jobs[name] = add_job(engine, "search", STUDY, {"space": "autost-tiny", "budget": 12},
                             name)
        assert claim_next(engine, server).id == jobs[name]
        update_job(engine, jobs[name], pid=123, log_tail="half way")
    training = add_job(engine, "training", STUDY, {"top": 1}, "b")
    claim_next(engine, servers["silent elsewhere"])
    for job_id in (jobs["silent elsewhere"], training):
        update_job(engine, job_id, server_beat=time.time() - 31)
    taken = recover_jobs(engine, me, grace_s=30)
    assert sorted(j.id for j in taken) == sorted(
        [jobs["silent elsewhere"], jobs["dead here"], training])
    search = get_job(engine, jobs["silent elsewhere"])
    assert search.status == "queued" and search.pid is None
    assert search.log_tail.startswith("half way\ninterrupted: the server stopped")
    assert get_job(engine, training).status == "interrupted"
    for name in ("live elsewhere", "me"):
        assert get_job(engine, jobs[name]).status == "running"
    assert recover_jobs(engine, me, grace_s=30) == []
    beat(engine, me)
    assert [j.id for j in recover_jobs(engine, me, grace_s=30, own=True)] == [jobs["me"]]
    assert get_job(engine, jobs["live elsewhere"]).status == "running"


def test_job_process_dies_with_its_parent(tmp_path):
    """The runner's parent-death signal: a child of a killed process gets SIGTERM."""
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import sys, time; "
        "from autost.service.runner import die_with_parent; "
        "die_with_parent(int(sys.argv[1])); print(flush=True); time.sleep(60)', "
        "str(os.getpid())], stdout=sys.stdout)\n"
        "print(child.pid, flush=True)\ntime.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    parent.stdout.readline()  # the child has set its parent-death signal
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and alive(child):
        time.sleep(0.1)
    assert not alive(child)


@pytest.mark.slow
def test_training_job_trains_the_top_candidate_and_stores_its_accuracy(db_url):
    with make_client(db_url, run_jobs=True) as client:
        r = client.post("/api/trainings", headers=AUTH, json={
            "study": STUDY, "top": 1, "epochs": 1, "dataset": "synthetic", "batch_size": 8,
            "max_batches": 2})
        assert r.status_code == 202, r.text
        job = wait_for_job(client, r.json()["id"], timeout=300)
        assert job["status"] == "done", job
        (trained,) = job["result"]["trainings"]
        best = client.get(f"/api/studies/{STUDY}/top", params={"k": 1}).json()["rows"][0]
        assert trained["arch_id"] == best["arch_id"] and trained["status"] == "ok"
        candidate = client.get(f"/api/candidates/{best['arch_id']}").json()
        (stored,) = candidate["trainings"]
        assert stored["accuracy"] == trained["accuracy"] and stored["dataset"] == "synthetic"
        assert best["scores"]["accuracy"] == trained["accuracy"]
