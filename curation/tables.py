"""Arrow tables as shuffle elements: split by a label, and gather in a fixed order.

A batch that goes through a shuffle must own its buffers: pyarrow pickles a *slice* with the
whole buffers it views (measured with pyarrow 25: 10 rows sliced from 100,000 pickle to the
size of all 100,000), so every split here copies its rows with ``take``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def group_rows(labels: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """``(label, row indices)`` for each distinct label (ascending) of ``labels`` (one int
    per row); indices ascending."""
    if len(labels) == 0:
        return iter(())
    order = np.argsort(labels, kind="stable")
    found, starts = np.unique(labels[order], return_index=True)
    return zip(found.tolist(), np.split(order, starts[1:]), strict=True)


def split_by(table: pa.Table, labels: np.ndarray) -> Iterator[tuple[int, pa.Table]]:
    """``(label, rows)`` for each distinct label (ascending) of ``labels`` (one int per row);
    rows keep their order and own their buffers."""
    for label, rows in group_rows(labels):
        yield label, table.take(rows)


def concat_sorted(tables: Sequence[pa.Table], schema: pa.Schema, key: str) -> pa.Table:
    """``tables`` as one table sorted by the unique column ``key``, whatever order they came
    in (a runner delivers a group's elements in any order)."""
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    return table.take(pc.sort_indices(table[key]))
