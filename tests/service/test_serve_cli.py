"""``autost serve`` on the command line: refusing to open up without a token or to serve a
database that is not there, the port it took, its exit codes, --help."""

import pytest
from click.testing import CliRunner
from service_helpers import Server, alive

from autost.cli import main


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.7", "::"])
def test_public_host_without_a_token_refuses_to_start(host, monkeypatch):
    monkeypatch.delenv("AUTOST_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["serve", "--host", host])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        f"Error: --host {host} opens the server beyond this machine; set AUTOST_TOKEN to a "
        "secret token first (writes need it)")


def test_serve_help_names_every_option():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--storage", "--jobs", "--private", "--new"):
        assert option in result.output
    assert "127.0.0.1" in result.output and "8642" in result.output


def test_no_database_here_is_an_error_unless_new(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: no results database at {tmp_path / 'autost.db'}; run `autost search` here "
        "first, or give --storage with the URL the search used; or pass --new to serve a "
        "new, empty one"]
    assert list(tmp_path.iterdir()) == []


def test_a_taken_port_is_one_error_line(db_url):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port), "--storage", db_url])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: cannot listen on 127.0.0.1 port {port}: Address already in use; choose "
        "another --port (0 takes a free one) or --host"]


@pytest.mark.slow
@pytest.mark.parametrize("stop, code", [("SIGTERM", 0), ("SIGINT", 130)])
def test_port_0_prints_the_port_taken_and_a_signal_ends_with_a_code(db_url, stop, code):
    import signal

    server = Server(db_url)  # --port 0
    assert not server.base.endswith(":0")
    assert server.first_line.endswith("1 job at a time, reads open)\n")
    assert server.get("/api/jobs") == {"jobs": []}
    server.process.send_signal(getattr(signal, stop))
    assert server.process.wait(timeout=60) == code
    assert server.process.stdout.read() == ""  # no traceback, no uvicorn log


@pytest.mark.slow
def test_sigterm_stops_a_running_search_job_and_exits_0(db_url):
    import signal

    from autost.storage import open_storage
    from autost.storage.jobs import get_job

    server = Server(db_url)
    job_id = server.post("/api/searches", {"space": "autost-tiny", "budget": 400,
                                           "study": "stopped", "seed": 1})["id"]
    server.wait(job_id, lambda j: server.complete("stopped") >= 2)
    runner = get_job(open_storage(db_url).engine, job_id).pid
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=90) == 0
    assert not alive(runner)
    job = get_job(open_storage(db_url).engine, job_id)
    assert job.status == "queued" and job.pid is None  # resumed by the next start
