"""Piece checkpoints: what ``curate run --resume`` needs to reuse a piece scored by a run that
was killed or crashed.

A piece is finished when its spill file, signatures file and digests file
(:func:`digests_name`) are closed; its checkpoint file is written after them, so a
checkpoint that parses names a piece whose files are whole. It records the plan it was made
for (:meth:`curation.plan.RunPlan.fingerprint`), the sha256 of the input bytes the piece was
read from (:func:`piece_checksum`) and the piece's file stats, so a resumed run can emit
exactly what scoring the piece again would have emitted without reading it again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import IO, Any

from curation.io.compression import CHUNK_BYTES
from curation.io.inputs import InputFile


def digests_name(piece: int) -> str:
    """File name of a piece's digests table, beside its spill file."""
    return f"piece-{piece:07d}.digests.arrow"


#: How a checkpoint's file name ends.
CHECKPOINT_SUFFIX = ".done.json"


def checkpoint_name(piece: int) -> str:
    """File name of a piece's checkpoint, written last."""
    return f"piece-{piece:07d}{CHECKPOINT_SUFFIX}"


def piece_checksum(open_file: Callable[[str], IO[bytes]], file: InputFile) -> str | None:
    """Hex sha256 of the input bytes a piece's records depend on, or None if the file cannot
    be opened (the piece is then one ``unreadable_file`` reject).

    That is the whole file, or for a byte range ``[start, end)`` the byte before ``start``
    (it decides whether the range starts inside a line) through the end of the line that
    ``end`` falls in (a range reads past ``end`` to finish its last line,
    :func:`curation.io.inputs.range_lines`).
    """
    digest = hashlib.sha256()
    try:
        stream = open_file(file.uri)
    except OSError:
        return None
    with stream:
        stream.seek(max(file.start - 1, 0))
        remaining = None if file.end is None else file.end - max(file.start - 1, 0)
        while remaining is None or remaining > 0:
            chunk = stream.read(CHUNK_BYTES if remaining is None else min(remaining, CHUNK_BYTES))
            if not chunk:
                return digest.hexdigest()
            digest.update(chunk)
            if remaining is not None:
                remaining -= len(chunk)
        while chunk := stream.readline(CHUNK_BYTES):  # the rest of the line crossing ``end``
            digest.update(chunk)
            if chunk.endswith(b"\n"):
                break
    return digest.hexdigest()


@dataclass(frozen=True)
class PieceCheckpoint:
    """A finished piece: the plan it belongs to, its input checksum and its file stats."""

    piece: int
    plan: str
    checksum: str | None
    stats: dict[str, Any]

    def encode(self) -> bytes:
        return json.dumps(asdict(self), sort_keys=True).encode("utf-8")

    @classmethod
    def decode(cls, data: bytes) -> PieceCheckpoint | None:
        """The checkpoint in ``data``, or None when it is not one (cut short by a kill)."""
        try:
            checkpoint = cls(**json.loads(data.decode("utf-8")))
        except (ValueError, TypeError):
            return None
        return checkpoint if isinstance(checkpoint.piece, int) else None
