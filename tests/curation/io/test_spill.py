"""Spill files read row group by row group, and signatures files looked up by record key."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pytest

from curation.io.spill import (
    SPILL_BATCH_ROWS,
    Signatures,
    SpillWriter,
    encode_signatures,
    spill_row_groups,
)

SCHEMA = pa.schema([("_key", pa.int64()), ("text", pa.string())])


class _Stream(io.BytesIO):
    def close(self) -> None:
        self.data = self.getvalue()
        super().close()


def test_spill_row_groups_give_back_every_row_in_batches():
    stream = _Stream()
    writer = SpillWriter(stream, SCHEMA)
    rows = 2 * SPILL_BATCH_ROWS + 5
    for key in range(rows):
        writer.add({"_key": key, "text": f"t{key}"})
    writer.close()
    groups = list(spill_row_groups(io.BytesIO(stream.data)))
    assert [group.num_rows for group in groups] == [SPILL_BATCH_ROWS, SPILL_BATCH_ROWS, 5]
    assert pa.concat_tables(groups)["_key"].to_pylist() == list(range(rows))


def test_signatures_ranks_and_shingles_are_found_by_key_in_any_order():
    signatures = [np.arange(k, k + 8, dtype=np.uint32).tobytes() for k in (10, 20, 30)]
    shingles = [np.arange(k, dtype=np.uint64) * 3 for k in (2, 0, 5)]
    encoded = encode_signatures([4, 9, 12], ["r4", "r9", "r12"], signatures, shingles, 32)
    found = Signatures(encoded)
    assert found.shingles(np.array([12, 9, 4])).to_pylist() == [
        [0, 3, 6, 9, 12],
        [],
        [0, 3],
    ]
    matrix = found.of(np.array([12, 4, 12]))
    assert matrix.dtype == np.uint32 and matrix.shape == (3, 8)
    assert [row.tobytes() for row in matrix] == [signatures[2], signatures[0], signatures[2]]
    assert found.ranks(np.array([9, 4])).to_pylist() == ["r9", "r4"]
    with pytest.raises(KeyError, match="record key 5"):
        found.of(np.array([4, 5]))
    with pytest.raises(KeyError, match="record key 13"):
        found.ranks(np.array([13]))


def test_a_piece_without_documents_has_an_empty_signatures_file():
    empty = Signatures(encode_signatures([], [], [], [], 512))
    assert empty.of(np.array([], dtype=np.int64)).shape == (0, 128)
