"""Tasks whose runs can be counted from outside the worker (imported by the worker process)."""

from __future__ import annotations

import os
import signal
import time


def _append(path: str, line: str) -> None:
    # One write on an O_APPEND descriptor: lines from two workers never interleave.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def mark(*, path: str, marker: str, seconds: float) -> None:
    """Log "start MARKER", work for a while, log "done MARKER"."""
    _append(path, f"start {marker}")
    time.sleep(seconds)
    _append(path, f"done {marker}")


def die(*, path: str, marker: str) -> None:
    """Log "start MARKER", then kill the worker outright, as the kernel's OOM killer would."""
    _append(path, f"start {marker}")
    os.kill(os.getpid(), signal.SIGKILL)
