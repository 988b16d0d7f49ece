"""Tables as shuffle elements: splits own their rows, gathering sorts."""

from __future__ import annotations

import pickle

import numpy as np
import pyarrow as pa

from curation.tables import concat_sorted, split_by

SCHEMA = pa.schema([("key", pa.int64()), ("text", pa.string())])


def test_split_by_label_keeps_row_order_and_copies_rows():
    table = pa.table({"key": np.arange(100_000), "text": ["x" * 20] * 100_000}, schema=SCHEMA)
    labels = np.arange(100_000) % 7
    labels[:3] = 9
    parts = list(split_by(table, labels))
    assert [label for label, _ in parts] == [0, 1, 2, 3, 4, 5, 6, 9]
    assert parts[-1][1]["key"].to_pylist() == [0, 1, 2]
    assert parts[0][1]["key"].to_pylist()[:2] == [7, 14]
    assert sum(part.num_rows for _, part in parts) == table.num_rows
    # a part pickles to its own size, not to the size of the table it came from
    assert len(pickle.dumps(parts[-1][1])) < len(pickle.dumps(table)) / 100


def test_concat_sorted_is_independent_of_delivery_order():
    parts = [pa.table({"key": [5, 1], "text": ["e", "a"]}, schema=SCHEMA)]
    parts.append(pa.table({"key": [3], "text": ["c"]}, schema=SCHEMA))
    for order in (parts, parts[::-1]):
        assert concat_sorted(order, SCHEMA, "key")["text"].to_pylist() == ["a", "c", "e"]
    assert concat_sorted([], SCHEMA, "key").schema == SCHEMA
