"""Progress of a local run, shared through small files (no runner metrics needed).

Each worker process keeps a :class:`ProgressFile` and rewrites its own file at most once per
``interval`` seconds (write to a temporary name, then rename, so a reader never sees half a
number); :func:`total_progress` sums the files. Used only for runs on this machine: on cluster
runners workers do not share a file system with the launcher and nothing is written.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path


class ProgressFile:
    """A per-process document counter persisted to ``directory/<unique>.count``."""

    def __init__(self, directory: str, interval: float = 1.0) -> None:
        self._directory = Path(directory)
        self._path = self._directory / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.count"
        self._interval = interval
        self._count = 0
        self._written_at = 0.0

    def add(self, count: int = 1) -> None:
        self._count += count
        now = time.monotonic()
        if now - self._written_at >= self._interval:
            self.flush()
            self._written_at = now

    def flush(self) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        partial = self._path.with_suffix(".tmp")
        partial.write_text(str(self._count), encoding="ascii")
        partial.replace(self._path)


def total_progress(directory: str) -> int:
    """Sum of the counters in ``directory`` (0 when none has been written yet)."""
    total = 0
    for path in Path(directory).glob("*.count"):
        try:
            total += int(path.read_text(encoding="ascii") or 0)
        except (OSError, ValueError):
            continue  # replaced while reading: counted on the next poll
    return total
