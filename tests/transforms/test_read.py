"""Reading pieces: byte-range splitting loses and duplicates no record; stats merge per file."""

from __future__ import annotations

import hashlib
import json

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from curation.config import LimitsConfig, SourceConfig
from curation.io.inputs import FileStats, expand_source, read_piece
from curation.io.pieces import plan_pieces
from tests.transforms.beam_helpers import local_pipeline
from transforms.read import MergeFileStats, NumberedPieces
from transforms.runner_workarounds import SplitByTag
from transforms.storage import list_path, open_raw


def _lines(count: int) -> list[bytes]:
    """Records of varied length, some blank lines and one malformed line."""
    lines = []
    for i in range(count):
        if i % 17 == 5:
            lines.append(b"")
        elif i % 29 == 7:
            lines.append(b'{"id": "broken", "text": ')
        else:
            text = "word " * (1 + (i * 37) % 90)
            lines.append(json.dumps({"id": f"r{i}", "text": f"{i} {text}"}).encode())
    return lines


def _read(element):
    """The pipeline's read of one piece: rows tagged docs/rejects, then the piece's stats."""
    piece, first_line = element
    file = piece.file
    stats = FileStats(file.source.name, file.uri, file.size_bytes, start=file.start)
    for row in read_piece(open_raw, file, first_line, LimitsConfig(), stats):
        yield ("rejects" if "reject_reason" in row else "docs"), row
    yield "stats", stats.as_dict()


def run_read(path, split_bytes: int):
    source = SourceConfig(name="s", paths=(str(path),))
    pieces = plan_pieces(
        expand_source(source, list_path, open_raw)[0], split_bytes, target_shard_bytes=1 << 30
    )
    assert len(pieces) == (
        1 if split_bytes > path.stat().st_size else -(-path.stat().st_size // split_bytes)
    )
    expected = expected_rows(path)
    with local_pipeline() as pipeline:
        read = (
            pipeline
            | NumberedPieces(pieces, LimitsConfig().max_line_bytes)
            | beam.FlatMap(_read)
            | SplitByTag(["docs", "rejects", "stats"])
        )
        docs = read["docs"] | "DocKeys" >> beam.Map(lambda r: (r["source_record"], r["id"]))
        rejects = read["rejects"] | "RejKeys" >> beam.Map(
            lambda r: (r["source_record"], r["reject_reason"])
        )
        stats = (
            read["stats"]
            | MergeFileStats(pieces)
            | beam.Map(lambda s: (s["records"], s["sha256"], s["blank_lines"]))
        )
        assert_that(docs, equal_to(expected["docs"]), label="docs")
        assert_that(rejects, equal_to(expected["rejects"]), label="rejects")
        assert_that(stats, equal_to([expected["stats"]]), label="stats")


def expected_rows(path) -> dict:
    """Line-by-line reading of the file, the oracle for the split reads."""
    data = path.read_bytes()
    docs, rejects, blank = [], [], 0
    for number, line in enumerate(data.split(b"\n"), start=1):
        body = line.rstrip(b"\r")
        if number == len(data.split(b"\n")) and not body:
            break
        if not body.strip():
            blank += 1
        elif body.startswith(b'{"id": "broken"'):
            rejects.append((number, "invalid_json"))
        else:
            docs.append((number, json.loads(body)["id"]))
    stats = (len(docs) + len(rejects), hashlib.sha256(data).hexdigest(), blank)
    return {"docs": docs, "rejects": rejects, "stats": stats}


@pytest.mark.parametrize("trailing_newline", [True, False])
@pytest.mark.parametrize("split_bytes", [1024, 10_000_000])
def test_ranges_cover_every_line_once(tmp_path, split_bytes, trailing_newline):
    body = b"\n".join(_lines(400)) + (b"\n" if trailing_newline else b"")
    path = tmp_path / "big.jsonl"
    path.write_bytes(body)
    run_read(path, split_bytes)


def test_crlf_and_record_straddling_every_boundary(tmp_path):
    lines = [json.dumps({"id": f"x{i}", "text": "y" * (1000 + i)}).encode() for i in range(30)]
    path = tmp_path / "crlf.jsonl"
    path.write_bytes(b"\r\n".join(lines))
    run_read(path, split_bytes=1024)
