"""Ctrl-C during a search: held back around Optuna's storage calls, at once while scoring."""

import os
import signal
import threading
import time

import pytest

from autost.study.interrupts import DeferredInterrupt


@pytest.fixture(autouse=True)
def python_default_sigint():
    """Python's own handler, as in the CLI (Ray, started by other tests, installs its own)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def _ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.05)  # the handler runs between bytecodes of the main thread


def test_held_back_outside_allowed_blocks_until_checked():
    with DeferredInterrupt() as interrupts:
        _ctrl_c()  # e.g. inside study.tell: nothing is raised here
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
        interrupts.check()  # raised once


def test_raised_at_once_inside_an_allowed_block():
    with DeferredInterrupt() as interrupts:
        reached = False
        with pytest.raises(KeyboardInterrupt), interrupts.allowed():
            _ctrl_c()
            reached = True
        assert not reached


def test_a_pending_interrupt_stops_the_next_allowed_block_before_it_starts():
    with DeferredInterrupt() as interrupts:
        _ctrl_c()
        with pytest.raises(KeyboardInterrupt), interrupts.allowed():
            pytest.fail("the block must not run")


def test_python_default_handler_is_restored():
    with DeferredInterrupt():
        assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_outside_the_main_thread_nothing_changes():
    installed = []

    def run():
        with DeferredInterrupt():
            installed.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert installed == [signal.default_int_handler]
