"""Ctrl-C or SIGTERM in a command that trains (train, fidelity, reproduce scatter): the
trainings this run stored, one line each, what a rerun does, exit 130; never click's
"Aborted!"."""

import os
import signal
import subprocess
import sys
import time

import click
import pytest
from click.testing import CliRunner

from autost.cli.interrupted import RERUN, reporting_stored_trainings
from autost.storage import open_storage

A, B, C = "a" * 64, "b" * 64, "c" * 64


def _command(storage, stop):
    @click.command()
    def trains():
        with reporting_stored_trainings(storage, RERUN):
            storage.add_training(B, dataset="synthetic", epochs=3, seed=0, status="ok",
                                 accuracy=41.25, epochs_run=1)
            storage.add_training(C, dataset="synthetic", epochs=3, seed=1, status="failed",
                                 error="RuntimeError: boom", epochs_run=0)
            stop()
            click.echo("not reached")
    return trains


def _raise_interrupt():
    raise KeyboardInterrupt


@pytest.mark.parametrize("stop", [_raise_interrupt,
                                  lambda: os.kill(os.getpid(), signal.SIGTERM)],
                         ids=["ctrl-c", "sigterm"])
def test_the_trainings_of_this_run_are_listed_and_the_exit_is_130(tmp_path, stop):
    storage = open_storage(f"sqlite:///{tmp_path / 'db.sqlite'}")
    storage.add_training(A, dataset="synthetic", epochs=3, seed=0, status="ok", accuracy=50.0)
    before = signal.getsignal(signal.SIGTERM)  # SIG_DFL, or Ray's where a test started Ray
    result = CliRunner().invoke(_command(storage, stop), [])
    assert result.exit_code == 130
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Interrupted: 2 trainings finished and stored by this run:",
        "  bbbbbbbbbbbb on synthetic, seed 0, 1 of 3 epochs: 41.2 % (stopped by ASHA)",
        "  cccccccccccc on synthetic, seed 1, 0 of 3 epochs: failed (RuntimeError: boom)",
        "run the same command again to go on: it reuses every stored score and training",
    ]
    assert signal.getsignal(signal.SIGTERM) is before  # handlers given back
    storage.close()


@pytest.mark.slow
def test_ctrl_c_in_fidelity_lists_what_it_stored(tmp_path):
    """A real ``autost fidelity`` on Ray, Ctrl-C after its first training is stored."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    command = [sys.executable, "-m", "autost", "fidelity", "--space", "stmixer", "--preset",
               "test", "-n", "12", "--out", str(tmp_path / "out"), "--storage", url]
    err = tmp_path / "stderr.txt"
    with open(err, "w") as stderr:
        process = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=stderr,
                                   start_new_session=True)
        deadline = time.monotonic() + 600
        while "\ntrained " not in err.read_text():
            assert process.poll() is None, err.read_text()
            assert time.monotonic() < deadline, err.read_text()
            time.sleep(0.2)
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        out, _ = process.communicate(timeout=120)
    text = err.read_text()
    assert process.returncode == 130, text
    assert out == b"" and "Aborted!" not in text and "Traceback" not in text
    stored = open_storage(url).trainings()
    tail = text.splitlines()[-len(stored) - 2:]
    assert len(stored) >= 1
    assert tail[0] == f"Interrupted: {len(stored)} training{'s' * (len(stored) > 1)} finished " \
                      "and stored by this run:"
    assert [line.split()[0] for line in tail[1:-1]] == [t.arch_id[:12] for t in stored]
    assert tail[-1] == RERUN
