"""One run at a time per warehouse: an exclusive lock file beside the DuckDB file.

DuckDB allows one writing process per file, and two runs of different years would each hold
the file for minutes. The command line takes the lock before it plans, and the warehouse
resource takes it for any run Dagster launches (sensor, schedule, UI); a second comer gets
one line saying who holds it since when. The lock is an flock, so a killed run releases it.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# Locks this process holds, by lock path: a run started by the command line re-enters the
# command line's own lock when its warehouse resource starts.
_HELD: dict[Path, int] = {}


class RunInProgress(Exception):
    """Another run holds the warehouse; the message says which and since when."""


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(f"{warehouse.name}.run.lock")


def _holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        holder = {}
    what = holder.get("what", "a run")
    since = holder.get("since", "an unknown time")
    pid = holder.get("pid")
    return f"{what} is in progress since {since}" + (f" (process {pid})" if pid else "")


@contextmanager
def holding_warehouse(warehouse: Path, what: str) -> Iterator[None]:
    """Hold the warehouse's run lock for the block; RunInProgress when another process has it."""
    path = lock_path(Path(warehouse)).resolve()
    if path in _HELD:
        _HELD[path] += 1
        try:
            yield
        finally:
            _HELD[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise RunInProgress(f"{_holder(path)}; try again later") from None
    since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    os.ftruncate(descriptor, 0)
    os.write(descriptor, json.dumps({"what": what, "since": since, "pid": os.getpid()}).encode())
    _HELD[path] = 1
    try:
        yield
    finally:
        del _HELD[path]
        os.ftruncate(descriptor, 0)
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)
