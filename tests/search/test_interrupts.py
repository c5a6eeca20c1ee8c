"""Ctrl-C or SIGTERM during a search: held back around Optuna's storage calls, at once while
scoring."""

import os
import signal
import threading
import time

import pytest

from autost.search.interrupts import DeferredInterrupt

DEFAULTS = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL}


@pytest.fixture(autouse=True)
def default_handlers():
    """Python's own handlers, as in the CLI (Ray, started by other tests, installs its own)."""
    previous = {signum: signal.signal(signum, handler) for signum, handler in DEFAULTS.items()}
    yield
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def _send(signum: int) -> None:
    os.kill(os.getpid(), signum)
    time.sleep(0.05)  # the handler runs between bytecodes of the main thread


@pytest.mark.parametrize("signum", DEFAULTS)
def test_held_back_outside_allowed_blocks_until_checked(signum):
    with DeferredInterrupt() as interrupts:
        _send(signum)  # e.g. inside study.tell: nothing is raised here
        with pytest.raises(KeyboardInterrupt):
            interrupts.check()
        interrupts.check()  # raised once


@pytest.mark.parametrize("signum", DEFAULTS)
def test_raised_at_once_inside_an_allowed_block(signum):
    with DeferredInterrupt() as interrupts:
        reached = False
        with pytest.raises(KeyboardInterrupt), interrupts.allowed():
            _send(signum)
            reached = True
        assert not reached


def test_a_pending_interrupt_stops_the_next_allowed_block_before_it_starts():
    with DeferredInterrupt() as interrupts:
        _send(signal.SIGINT)
        with pytest.raises(KeyboardInterrupt), interrupts.allowed():
            pytest.fail("the block must not run")


def test_default_handlers_are_restored():
    with DeferredInterrupt():
        assert all(signal.getsignal(s) is not handler for s, handler in DEFAULTS.items())
    assert all(signal.getsignal(s) is handler for s, handler in DEFAULTS.items())


def test_a_custom_or_ignored_handler_is_kept():
    def custom(signum, frame):
        pass

    signal.signal(signal.SIGINT, custom)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    with DeferredInterrupt():
        assert signal.getsignal(signal.SIGINT) is custom
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN


def test_outside_the_main_thread_nothing_changes():
    installed = []

    def run():
        with DeferredInterrupt():
            installed.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert installed == [signal.default_int_handler]
