"""Tables through files: what a producer writes is what its consumers read, batch by batch."""

from __future__ import annotations

import pyarrow as pa

from transforms.file_shuffle import parts_path, read_parts, write_parts

SCHEMA = pa.schema([("key", pa.int64()), ("shingles", pa.list_(pa.uint64()))])


def _table(keys: list[int]) -> pa.Table:
    return pa.table(
        {"key": keys, "shingles": [[k, k + 1] for k in keys]},
        schema=SCHEMA,
    )


def test_each_destination_reads_back_exactly_its_tables(tmp_path):
    first = parts_path(str(tmp_path), "step", 0)
    second = parts_path(str(tmp_path), "step", 1)
    written = write_parts(first, [(4, _table([1, 2])), (7, _table([])), (9, _table([3]))])
    written += write_parts(second, [(4, _table([10])), (9, _table([11, 12]))])
    assert [destination for destination, _ in written] == [4, 9, 4, 9]  # the empty one: none
    by_destination: dict[int, list] = {}
    for destination, address in written:
        by_destination.setdefault(destination, []).append(address)
    # Addresses arrive in any order; the table comes back in address order.
    assert read_parts(reversed(by_destination[4])) == _table([1, 2, 10])
    assert read_parts(by_destination[9]) == _table([3, 11, 12])


def test_a_producer_without_rows_writes_no_file(tmp_path):
    path = parts_path(str(tmp_path), "step", 3)
    assert write_parts(path, [(0, _table([]))]) == []
    assert not list(tmp_path.iterdir())


def test_a_retried_producer_rewrites_the_same_addresses_and_tables(tmp_path):
    path = parts_path(str(tmp_path), "step", 2)
    parts = [(1, _table([5, 6])), (2, _table([7]))]
    first = write_parts(path, parts)
    assert write_parts(path, parts) == first
    assert read_parts([address for _, address in first]) == _table([5, 6, 7])
