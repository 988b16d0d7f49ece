"""Pieces and shards: byte ranges grouped into shards by input bytes; keys sort in input order."""

from __future__ import annotations

from curation.config import SourceConfig
from curation.io.formats import FileFormat
from curation.io.inputs import InputFile
from curation.io.pieces import (
    auto_split_bytes,
    piece_key,
    pieces_by_shard,
    plan_pieces,
    split_piece_key,
)

JSONL = SourceConfig(name="s", paths=("x",))
GZ = SourceConfig(name="g", paths=("y",))


def test_consecutive_pieces_fill_shards_up_to_the_target():
    files = [InputFile(JSONL, "a.jsonl", 1_000), InputFile(JSONL, "b.jsonl", 250)]
    pieces = plan_pieces(files, split_bytes=300, target_shard_bytes=600)
    assert [(p.file.uri, p.file.start, p.shard) for p in pieces] == [
        ("a.jsonl", 0, 0),
        ("a.jsonl", 300, 0),
        ("a.jsonl", 600, 1),
        ("a.jsonl", 900, 1),  # 100 bytes
        ("b.jsonl", 0, 2),  # 300 + 100 + 250 > 600
    ]
    assert [p.index for p in pieces] == list(range(5))
    assert pieces_by_shard(pieces) == {0: (0, 1), 1: (2, 3), 2: (4,)}


def test_a_piece_larger_than_the_target_is_a_shard_of_its_own():
    gzip = FileFormat("jsonl", "gzip")
    files = [InputFile(GZ, "a.jsonl.gz", 5_000, gzip), InputFile(GZ, "b.jsonl.gz", 10, gzip)]
    pieces = plan_pieces(files, split_bytes=300, target_shard_bytes=600)
    assert [p.shard for p in pieces] == [0, 1]


def test_piece_keys_round_trip_and_sort_in_input_order():
    keys = [piece_key(piece, ordinal) for piece in (0, 2, 10) for ordinal in (0, 9, 10, 123)]
    assert sorted(keys) == keys
    assert [split_piece_key(key) for key in keys][5] == (2, 9)


def test_automatic_split_size_spreads_inputs_within_bounds():
    assert auto_split_bytes([InputFile(JSONL, "a", 1_000)]) == 1 << 20
    assert auto_split_bytes([InputFile(JSONL, "a", 640 << 20)]) == 10 << 20
    assert auto_split_bytes([InputFile(JSONL, "a", 100 << 30)]) == 64 << 20
    pieces = plan_pieces([InputFile(JSONL, "a", 640 << 20)], None, 256 << 20)
    assert len(pieces) == 64
    assert [p.shard for p in pieces] == [n // 25 for n in range(64)]
