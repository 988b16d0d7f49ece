"""Piece checksums cover exactly the bytes a piece's records come from; a checkpoint cut short
by a kill reads as none."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from curation.config import SourceConfig
from curation.io.checkpoint import PieceCheckpoint, piece_checksum
from curation.io.inputs import InputFile

LINES = b"".join(b'{"id": "%d", "text": "line number %d"}\n' % (n, n) for n in range(20))


def _range(path: Path, start: int, end: int | None) -> InputFile:
    source = SourceConfig(name="s", paths=[str(path)])
    return InputFile(source, str(path), path.stat().st_size, start=start, end=end)


def _checksum_after_change(path: Path, file: InputFile, position: int) -> str | None:
    data = bytearray(LINES)
    data[position] = ord("X") if data[position] != ord("X") else ord("Y")
    path.write_bytes(bytes(data))
    return piece_checksum(_open, file)


def _open(path: str):
    return open(path, "rb")  # noqa: SIM115 (closed by piece_checksum)


@pytest.fixture
def jsonl(tmp_path) -> Path:
    path = tmp_path / "lines.jsonl"
    path.write_bytes(LINES)
    return path


def test_a_range_checksum_covers_the_byte_before_it_and_its_last_line(jsonl):
    first_line_end = LINES.index(b"\n") + 1
    start, end = first_line_end + 5, len(LINES) // 2  # starts inside line 2
    file = _range(jsonl, start, end)
    original = piece_checksum(_open, file)
    last_line_end = LINES.index(b"\n", end) + 1
    for position in (start - 1, start, end - 1, end, last_line_end - 1):
        assert _checksum_after_change(jsonl, file, position) != original, position
    for position in (start - 2, last_line_end, len(LINES) - 2):
        assert _checksum_after_change(jsonl, file, position) == original, position


def test_a_whole_file_checksum_covers_every_byte(jsonl):
    file = _range(jsonl, 0, None)
    original = piece_checksum(_open, file)
    assert _checksum_after_change(jsonl, file, len(LINES) - 2) != original


def test_an_unopenable_file_has_no_checksum(tmp_path):
    missing = InputFile(SourceConfig(name="s", paths=["x"]), str(tmp_path / "gone"), 10)
    assert piece_checksum(_open, missing) is None
    assert piece_checksum(_open, replace(missing, start=2, end=5)) is None


def test_a_checkpoint_round_trips_and_a_cut_one_is_none():
    checkpoint = PieceCheckpoint(3, "plan", "sum", {"records": 4, "error": None})
    data = checkpoint.encode()
    assert PieceCheckpoint.decode(data) == checkpoint
    assert PieceCheckpoint.decode(data[: len(data) // 2]) is None
    assert PieceCheckpoint.decode(b"") is None
