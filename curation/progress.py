"""Progress of a local run, shared through small files (no runner metrics needed).

Each worker process keeps a :class:`ProgressFile` per step and rewrites its own file at most
once per ``interval`` seconds (write to a temporary name, then rename, so a reader never sees
half a file); :func:`total_progress` sums the files' counters. Used only for runs on this
machine: on cluster runners workers do not share a file system with the launcher and nothing
is written.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import Counter
from pathlib import Path

#: Records (documents and reject rows) read and scored, counted as they go.
RECORDS = "records"
#: Pieces finished, and their input bytes and records: the basis of the total's estimate.
PIECES = "pieces"
PIECE_BYTES = "piece_bytes"
PIECE_RECORDS = "piece_records"
#: Documents scored (records that reach deduplication).
DOCUMENTS = "documents"
#: Documents that received their deduplication decision.
DECIDED = "decided"
#: Rows written to corpus and reject shards.
WRITTEN = "written"


class ProgressFile:
    """Per-process counters persisted to ``directory/<unique>.count`` as JSON."""

    def __init__(self, directory: str, interval: float = 1.0) -> None:
        self._directory = Path(directory)
        self._path = self._directory / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.count"
        self._interval = interval
        self._counts: Counter[str] = Counter()
        self._written_at = 0.0

    def add(self, counter: str, count: int = 1) -> None:
        self._counts[counter] += count
        now = time.monotonic()
        if now - self._written_at >= self._interval:
            self.flush()
            self._written_at = now

    def flush(self) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        partial = self._path.with_suffix(".tmp")
        partial.write_text(json.dumps(self._counts), encoding="ascii")
        partial.replace(self._path)


def total_progress(directory: str) -> Counter[str]:
    """Sum of the counters in ``directory`` (empty when none has been written yet)."""
    total: Counter[str] = Counter()
    for path in Path(directory).glob("*.count"):
        try:
            total.update(json.loads(path.read_text(encoding="ascii")))
        except (OSError, ValueError):
            continue  # replaced while reading: counted on the next poll
    return total
