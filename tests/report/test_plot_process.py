"""The report's plot drawn by a forked process: the same PNG, its errors as one ReportError,
and no process left behind."""

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from autost.exceptions import ReportError
from autost.lifeline import can_fork
from autost.report.entries import load_entries
from autost.report.pareto import pareto_front
from autost.report.plot import plot_front
from autost.report.plot_process import background_plot


def _front(storage):
    return pareto_front(load_entries(storage, "demo"), ["flops:max", "energy:min"])


def test_the_forked_plot_is_the_plot_drawn_here(scored_study, tmp_path):
    storage, _ = scored_study
    front = _front(storage)  # its entries read their architectures from the database
    here = plot_front(front, tmp_path / "here.png")
    with background_plot(fork=True) as plotter:  # pytest may run helper threads
        assert len(multiprocessing.active_children()) == 1
        plotter.send(front, tmp_path / "forked.png")
        drawn = plotter.result()
    assert drawn == tmp_path / "forked.png"
    assert drawn.read_bytes() == here.read_bytes()
    assert multiprocessing.active_children() == []


def test_a_plot_that_cannot_be_written_is_the_report_error_of_plot_front(scored_study,
                                                                          tmp_path):
    storage, _ = scored_study
    path = tmp_path / "missing" / "pareto.png"
    with pytest.raises(ReportError) as here:
        plot_front(_front(storage), path)
    with pytest.raises(ReportError) as forked, background_plot(fork=True) as plotter:
        plotter.send(_front(storage), path)
        plotter.result()
    assert str(forked.value) == str(here.value) == (
        f"cannot write '{path}': No such file or directory; check the folder exists and is "
        "writable")
    assert multiprocessing.active_children() == []


def test_an_error_before_the_plot_ends_the_drawing_process():
    with pytest.raises(RuntimeError), background_plot(fork=True):
        raise RuntimeError("the study could not be read")
    assert multiprocessing.active_children() == []


def test_ctrl_c_is_left_to_the_report(scored_study, tmp_path, capfd):
    """Ctrl-C reaches the whole process group; the report handles it, the child must not
    print a traceback of its own or die."""
    storage, _ = scored_study
    with background_plot(fork=True) as plotter:
        (child,) = multiprocessing.active_children()
        time.sleep(0.5)  # the child is importing or waiting, past any start-up
        os.kill(child.pid, signal.SIGINT)
        child.join(0.5)
        assert child.is_alive()
        plotter.send(_front(storage), tmp_path / "forked.png")
        assert plotter.result().is_file()
    assert "Traceback" not in capfd.readouterr().err


def test_a_killed_child_leaves_the_plot_to_the_report(scored_study, tmp_path):
    storage, _ = scored_study
    here = plot_front(_front(storage), tmp_path / "here.png")
    for send_first in (False, True):
        path = tmp_path / f"after-kill-{send_first}.png"
        with background_plot(fork=True) as plotter:
            (child,) = multiprocessing.active_children()
            if send_first:
                plotter.send(_front(storage), path)
            child.kill()
            child.join()
            if not send_first:
                plotter.send(_front(storage), path)
            assert plotter.result() == path
        assert path.read_bytes() == here.read_bytes()


def test_beside_another_thread_the_plot_is_drawn_here(scored_study, tmp_path):
    storage, _ = scored_study
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork()
        with background_plot() as plotter:
            assert multiprocessing.active_children() == []
            plotter.send(_front(storage), tmp_path / "here.png")
            assert plotter.result().is_file()
    finally:
        stop.set()
        other.join()


def test_the_report_command_draws_through_the_fork(scored_study, tmp_path):
    storage, _ = scored_study
    out = tmp_path / "rep"
    done = subprocess.run([sys.executable, "-m", "autost", "report", "--study", "demo",
                           "--storage", storage.url, "--out", str(out)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout.splitlines()[2] == str(out / "pareto.png")
    assert (out / "pareto.png").read_bytes() == plot_front(
        _front(storage), tmp_path / "here.png").read_bytes()
