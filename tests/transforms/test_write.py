"""WriteShards: shards assembled from spill files, input order, no empty files, stable bytes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import apache_beam as beam
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.util import assert_that, equal_to

from curation.decision_batches import decision_table
from curation.decisions import Decision, kept, rejected
from curation.io.pieces import piece_key
from curation.io.spill import SpillWriter
from tests.curation.io.test_assemble import small_schemas
from tests.transforms.beam_helpers import local_pipeline
from transforms.storage import create, spill_path
from transforms.write import GatherShards, ShardLayout, WriteShards

SCHEMAS = small_schemas(("id", pa.string()), ("source_record", pa.int64()))


def spill(directory: Path, piece: int, rows: int, read_rejects: tuple[int, ...] = ()) -> None:
    writer = SpillWriter(create(spill_path(str(directory), piece)), SCHEMAS.spill)
    for ordinal in range(rows):
        row = {"id": f"p{piece}-{ordinal}", "source_record": ordinal + 1}
        row["_key"] = piece_key(piece, ordinal)
        if ordinal in read_rejects:
            row.update(reject_stage="read", reject_reason="invalid_json")
        writer.add(row)
    writer.close()


def decision(piece: int, ordinal: int, keep: bool) -> Decision:
    key = piece_key(piece, ordinal)
    if keep:
        return kept(key, None, 1)
    return rejected(key, "near_dedup", "near_duplicate", None, duplicate_of="p0-0")


def batches(decisions: list[Decision], size: int) -> list:
    """Decision tables of ``size`` decisions each, across pieces and shards, as dedup emits
    them."""
    return [
        decision_table(decisions[start : start + size]) for start in range(0, len(decisions), size)
    ]


def write(tmp_path: Path, shards: dict[int, tuple[int, ...]], decisions, workers=1) -> Path:
    out = tmp_path / f"out-{workers}"
    layout = ShardLayout(str(tmp_path / "spill"), shards, str(out / "corpus"), str(out / "rej"))
    markers = [(shard, piece) for shard, pieces in shards.items() for piece in pieces]
    with local_pipeline(workers) as pipeline:
        _ = (
            pipeline | "Decisions" >> beam.Create(batches(decisions, 7)),
            pipeline | "Markers" >> beam.Create(markers),
        ) | WriteShards(layout, SCHEMAS, "zstd")
    return out


def digests(directory: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.glob("part-*.parquet"))
    }


def test_rows_in_input_order_routed_by_decision(tmp_path):
    spill(tmp_path / "spill", 0, 3, read_rejects=(1,))
    spill(tmp_path / "spill", 1, 2)
    decisions = [decision(0, 0, True), decision(0, 2, False), decision(1, 0, True)]
    decisions.append(decision(1, 1, True))
    out = write(tmp_path, {0: (0, 1)}, list(reversed(decisions)))
    corpus = pq.ParquetFile(out / "corpus" / "part-00000.parquet")
    assert corpus.schema_arrow == SCHEMAS.corpus
    assert corpus.metadata.row_group(0).column(0).compression == "ZSTD"
    assert corpus.read().column("id").to_pylist() == ["p0-0", "p1-0", "p1-1"]
    rejects = pq.read_table(out / "rej" / "part-00000.parquet")
    assert rejects.schema == SCHEMAS.rejects
    assert rejects.column("id").to_pylist() == ["p0-1", "p0-2"]
    assert rejects.column("reject_reason").to_pylist() == ["invalid_json", "near_duplicate"]


def test_shard_without_kept_rows_writes_no_corpus_file(tmp_path):
    spill(tmp_path / "spill", 0, 1)
    spill(tmp_path / "spill", 1, 1)
    decisions = [decision(0, 0, False), decision(1, 0, True)]
    out = write(tmp_path, {0: (0,), 1: (1,)}, decisions)
    assert sorted(p.name for p in (out / "corpus").iterdir()) == ["part-00001.parquet"]
    assert sorted(p.name for p in (out / "rej").iterdir()) == ["part-00000.parquet"]


def test_same_input_gives_identical_bytes_with_other_worker_count(tmp_path):
    for piece in range(6):
        spill(tmp_path / "spill", piece, 50, read_rejects=(7,))
    decisions = [
        decision(piece, ordinal, ordinal % 3 != 0)
        for piece in range(6)
        for ordinal in range(50)
        if ordinal != 7
    ]
    shards = {0: (0, 1), 1: (2, 3), 2: (4, 5)}
    one = write(tmp_path, shards, decisions, workers=1)
    two = write(tmp_path, shards, list(reversed(decisions)), workers=2)
    assert digests(one / "corpus") == digests(two / "corpus")
    assert digests(one / "rej") == digests(two / "rej")
    assert len(digests(one / "corpus")) == 3


def test_document_without_decision_fails_the_run(tmp_path):
    spill(tmp_path / "spill", 0, 2)
    with pytest.raises(Exception, match="no decision"):
        write(tmp_path, {0: (0,)}, [decision(0, 0, True)])


def test_gather_keys_every_shard_once_per_part():
    """Each part of a shard (the writer's corpus and rejects files) is its own key, so the
    parts of one shard can be written by different workers."""
    decisions = [decision(0, 0, True), decision(1, 0, False)]
    with local_pipeline() as pipeline:
        gathered = (
            pipeline | "Decisions" >> beam.Create(batches(decisions, 7)),
            pipeline | "Markers" >> beam.Create([(0, 0), (1, 1)]),
        ) | GatherShards(np.array([0, 1]), parts=("corpus", "rejects"))
        assert_that(
            gathered | beam.Keys(),
            equal_to([(0, "corpus"), (0, "rejects"), (1, "corpus"), (1, "rejects")]),
        )
