"""The report's plot, drawn by a forked process while the report reads the study.

On a 10,000-trial study a report spends about 0.6 s importing matplotlib and 0.3 s drawing
the front, and about 0.7 s reading the study and writing its tables; neither half needs the
other until the front is known. So :func:`background_plot` forks at the start of a report:
the child imports matplotlib while the parent reads, then draws the front the parent sends
it while the parent writes the other files. On two cores that takes the import off the
report's wall time. Off Linux, or where other threads run (forking them is unsafe), the
plot is drawn in this process and nothing else changes.

The child only draws: it never touches the database, it leaves Ctrl-C to the parent, and it
ends when the parent closes its end of the pipe, so it cannot outlive the report.
"""

from __future__ import annotations

import multiprocessing
import signal
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from autost.exceptions import ReportError
from autost.lifeline import can_fork

JOIN_TIMEOUT_S = 10.0


class _InlinePlot:
    """Draws in this process when asked (no fork)."""

    def send(self, front, path) -> None:
        from autost.report.plot import plot_front

        self._path = plot_front(front, path)

    def result(self) -> Path:
        return self._path


class _ForkedPlot:
    """Hands the front to the forked child and waits for its answer; draws here instead
    if the child is gone (killed, say), so that a report never loses its plot to it."""

    def __init__(self, connection) -> None:
        self._connection = connection
        self._job: tuple | None = None

    def send(self, front, path) -> None:
        self._job = (front, Path(path))
        try:
            self._connection.send((_without_architectures(front), self._job[1]))
        except OSError:  # the child is gone: result() draws here
            self._connection.close()

    def result(self) -> Path:
        front, path = self._job
        try:
            error = self._connection.recv()
        except (EOFError, OSError):
            from autost.report.plot import plot_front

            return plot_front(front, path)
        if error is not None:
            raise ReportError(error)
        return path


def _without_architectures(front):
    """The front with its entries' architecture mappings dropped: they read the database
    (which cannot be pickled) and a PNG needs only the scores and trial numbers."""
    bare = {id(e): replace(e, archs={}) for e in front.candidates}
    return replace(front, candidates=list(bare.values()),
                   members=[bare[id(e)] for e in front.members])


@contextmanager
def background_plot(fork: bool | None = None):
    """Yield a plotter: ``send(front, path)`` starts drawing the front to the PNG file
    ``path`` (:func:`autost.report.plot.plot_front`), ``result()`` waits for it and returns
    the path, raising the drawing's ReportError. ``fork`` defaults to
    :func:`~autost.lifeline.can_fork`."""
    if not (can_fork() if fork is None else fork):
        yield _InlinePlot()
        return
    context = multiprocessing.get_context("fork")
    mine, theirs = context.Pipe()
    child = context.Process(target=_draw_when_asked, args=(theirs, mine), daemon=True)
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)  # the child is born ignoring
    try:  # Ctrl-C, which is the parent's to handle: no traceback of the child's
        child.start()
    finally:
        signal.signal(signal.SIGINT, interrupt)
    theirs.close()
    try:
        yield _ForkedPlot(mine)
    finally:
        mine.close()  # the child, waiting or done, sees the end of the pipe
        child.join(JOIN_TIMEOUT_S)
        if child.is_alive():
            child.kill()
            child.join()


def _draw_when_asked(connection, parents_end) -> None:
    """The child: import the plotting stack now, then draw the one front it is sent."""
    parents_end.close()  # so the parent's exit, however it happens, ends the wait below
    from autost.report.export import import_matplotlib
    from autost.report.plot import plot_front

    import_matplotlib()
    try:
        front, path = connection.recv()
    except EOFError:
        return
    error = None
    try:
        plot_front(front, path)
    except ReportError as e:
        error = str(e)
    except Exception as e:  # noqa: BLE001 - the parent reports it as one error line
        error = f"cannot draw {str(path)!r}: {type(e).__name__}: {e}"
    try:
        connection.send(error)
    except OSError:  # the parent stopped on an error of its own and no longer listens
        pass
