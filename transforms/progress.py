"""Counting rows for the launcher's progress line (local runs, :mod:`curation.progress`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import apache_beam as beam

from curation.progress import ProgressFile


class CountProgress(beam.DoFn):
    """Adds ``rows_of(element)`` to the worker's ``counter`` in ``directory``; emits nothing
    (a side branch: the data path is untouched)."""

    def __init__(self, directory: str, counter: str, rows_of: Callable[[Any], int]) -> None:
        self._directory = directory
        self._counter = counter
        self._rows_of = rows_of
        self._progress: ProgressFile | None = None

    def setup(self) -> None:
        self._progress = ProgressFile(self._directory)

    def process(self, element: Any) -> None:
        assert self._progress is not None
        self._progress.add(self._counter, self._rows_of(element))

    def finish_bundle(self) -> None:
        assert self._progress is not None
        self._progress.flush()


def table_rows(table: Any) -> int:
    """Rows of an Arrow table (a decisions batch)."""
    return int(table.num_rows)


def shard_rows(entry: tuple[str, Any]) -> int:
    """Rows of a written shard, from its ``(kind, stats)`` entry."""
    return int(entry[1]["rows"])
