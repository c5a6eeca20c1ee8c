"""Pool processes end when the coordinator that started them dies, even by ``kill -9``;
whether a process of this machine is still alive; and whether this one may fork.

A pool process started through the forkserver is the forkserver's child, not the
coordinator's, so a parent-death signal (Linux ``prctl(PR_SET_PDEATHSIG)``) would fire only
when the forkserver dies, and the forkserver lives as long as any pool process holds its
pipe. After a ``kill -9`` of ``autost search --workers 2`` the forkserver, its resource
tracker and both pool processes (about 240 MB each) waited forever. So every pool process
watches the coordinator itself: a daemon thread waits on a pidfd of the coordinator (Linux
5.3 and later; elsewhere it polls the pid) and ends the process when the coordinator has
gone. The forkserver and the resource tracker then read EOF on their pipes and exit.
"""

from __future__ import annotations

import os
import select
import sys
import threading
import time

POLL_S = 1.0


def exit_with(pid: int) -> None:
    """End this process (exit status 1) as soon as process ``pid`` has exited."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:  # gone already
        os._exit(1)
    except (AttributeError, OSError):  # no pidfd on this platform or kernel: poll instead
        fd = None
    threading.Thread(target=_watch, args=(pid, fd), name="autost-lifeline", daemon=True).start()


def _watch(pid: int, fd: int | None) -> None:
    if fd is not None:
        select.select([fd], [], [])  # a pidfd becomes readable when its process exits
    else:
        while process_alive(pid):
            time.sleep(POLL_S)
    os._exit(1)


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine (a reused pid reads as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def can_fork() -> bool:
    """True on Linux (macOS's system libraries are not safe to fork, and Windows has no fork)
    when this process runs no other thread (a forked child would inherit its locks held)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1
