"""How a run's input is cut into pieces and the pieces grouped into output shards.

A *piece* is one input file or one byte range of a large JSONL file: the unit of reading and
scoring. Every piece is read, scored and written to a spill file by one worker; the spill
file holds the piece's rows with every score, in input order. The text then stays on disk:
only small digests are shuffled, and each output shard is assembled from the spill files of
its pieces at the end. Pieces and shards depend only on the file listing and the config, so
the output is the same on every runner and worker count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from curation.io.inputs import InputFile, split_into_ranges

#: With ``read.split_bytes: null`` the input is cut into about this many pieces, so even a
#: small run keeps every worker of a machine or small cluster busy...
AUTO_PIECES = 64
#: ...but no piece is smaller than this (per-piece overhead: a spill file, a task)...
MIN_AUTO_SPLIT_BYTES = 1 << 20
#: ...or larger than this (a worker holds at most one piece's row batch at a time).
MAX_AUTO_SPLIT_BYTES = 64 << 20


def auto_split_bytes(files: Sequence[InputFile]) -> int:
    """Byte-range size for ``read.split_bytes: null``: total input / 64, in [1 MiB, 64 MiB]."""
    total = sum(file.size_bytes for file in files)
    return min(MAX_AUTO_SPLIT_BYTES, max(MIN_AUTO_SPLIT_BYTES, total // AUTO_PIECES))


@dataclass(frozen=True)
class Piece:
    """One file or byte range, its position in the run and the output shard it goes to."""

    index: int
    file: InputFile
    shard: int


def plan_pieces(
    files: Sequence[InputFile], split_bytes: int | None, target_shard_bytes: int
) -> tuple[Piece, ...]:
    """Cut files into pieces of about ``split_bytes`` and group consecutive pieces into shards.

    ``split_bytes=None`` uses :func:`auto_split_bytes`.

    A shard takes consecutive pieces (in file order) while their input bytes stay within
    ``target_shard_bytes``; a piece larger than that (a big compressed or Parquet file) is a
    shard of its own. So a shard holds about ``target_shard_bytes`` of *input*; kept rows are
    fewer, rejects go to the shard's reject file.
    """
    split = split_bytes if split_bytes is not None else auto_split_bytes(files)
    parts = [part for file in files for part in split_into_ranges(file, split)]
    pieces, shard, shard_bytes = [], 0, 0
    for index, part in enumerate(parts):
        size = piece_bytes(part)
        if shard_bytes and shard_bytes + size > target_shard_bytes:
            shard, shard_bytes = shard + 1, 0
        shard_bytes += size
        pieces.append(Piece(index, part, shard))
    return tuple(pieces)


def piece_bytes(file: InputFile) -> int:
    """Input bytes of one piece: the range length, or the whole file."""
    return (file.end if file.end is not None else file.size_bytes) - file.start


def pieces_by_shard(pieces: Sequence[Piece]) -> dict[int, tuple[int, ...]]:
    """Shard -> indices of its pieces, in input order."""
    shards: dict[int, list[int]] = {}
    for piece in pieces:
        shards.setdefault(piece.shard, []).append(piece.index)
    return {shard: tuple(indices) for shard, indices in shards.items()}


#: Low bits of a record key that hold the row's position in its piece (up to 2^40 rows).
ORDINAL_BITS = 40


def piece_key(piece: int, ordinal: int) -> int:
    """Internal record key: the piece and the row's 0-based position in its spill file, as
    one integer (the piece in the high bits), so keys sort in input order and travel through
    shuffles as 8 bytes."""
    if not 0 <= ordinal < 1 << ORDINAL_BITS:
        raise ValueError(f"piece {piece}: row {ordinal} beyond {1 << ORDINAL_BITS} rows")
    return piece << ORDINAL_BITS | ordinal


def split_piece_key(key: int) -> tuple[int, int]:
    """(piece, ordinal) of a :func:`piece_key`."""
    return key >> ORDINAL_BITS, key & ((1 << ORDINAL_BITS) - 1)


def key_pieces(keys: np.ndarray) -> np.ndarray:
    """The piece of each record key (int64 array)."""
    return keys >> ORDINAL_BITS
