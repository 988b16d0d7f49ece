"""The pipeline's own stages over a PCollection of dicts (the Beam API, docs/api.md).

Dicts become rows as a reader's records do (:func:`curation.io.records.mapping_to_row`), are
cut into pieces by a hash of their id (Arrow tables through the shuffle, one per batch and
piece), and each piece is then scored and spilled like a file's
(:func:`transforms.score.score_and_spill`), deduplicated on its digests, and assembled with
its decisions back into rows: dicts with the columns of the corpus or reject Parquet files.
Rows are sorted within a piece before they get their record keys, so the result does not
depend on the input's order or bundling.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash
from apache_beam.io.filesystems import FileSystems

from curation.api import api_source
from curation.decision_batches import DECISION_SCHEMA
from curation.io.assemble import assemble_piece
from curation.io.records import mapping_to_row
from curation.io.schema import rows_to_table
from curation.io.spill import spill_row_groups
from curation.plan import RunPlan
from curation.scoring import DedupScorer, DocumentScorer
from curation.tables import split_by
from transforms.dedup import DeduplicateDigests, dedup_partitions
from transforms.repeated import piece_removal
from transforms.runner_workarounds import BatchElementsSafely, SplitByTag
from transforms.score import DIGESTS, SPILLED, document_scorer, score_and_spill
from transforms.storage import (
    delete_file,
    open_raw,
    segments_path,
    signatures_path,
    spill_path,
)
from transforms.synthetic_cap import CapSynthetic
from transforms.write import GatherShards, shard_inputs

CORPUS = "corpus"
REJECTS = "rejects"
SPILL_DIR = "spill"
#: Rows per batch on their way into pieces.
BATCH_ROWS = 2_000
#: Reject columns a row that has not been rejected leaves empty.
_REJECT_KEYS = ("reject_stage", "reject_reason", "reject_detail", "duplicate_of", "raw")


def is_row(obj: Any) -> bool:
    """True for a row a stage of this API made (it has the scoring columns), so a later
    stage takes it as it is instead of as a user's document."""
    return isinstance(obj, dict) and "content_hash" in obj and "source_uri" in obj


def as_row(obj: Any, plan: RunPlan) -> dict[str, Any]:
    """A row of this API as it is, anything else as a user's document."""
    if is_row(obj):
        return obj
    return mapping_to_row(obj, api_source(plan.config), plan.config.limits.max_text_bytes)


def split_by_id(table: pa.Table, parts: int) -> Iterator[tuple[int, pa.Table]]:
    """``(part, rows)`` of ``table`` split by the xxh64 of each row's ``id`` modulo ``parts``
    (the same document always lands in the same part, whatever the batch)."""
    ids = table["id"].to_pylist()
    part_of = np.fromiter(
        (xxhash.xxh64_intdigest(doc_id.encode("utf-8")) % parts for doc_id in ids),
        np.int64,
        len(ids),
    )
    return split_by(table, part_of)


def _by_piece(batch: list[Any], plan: RunPlan, pieces: int) -> Iterator[tuple[int, pa.Table]]:
    return split_by_id(
        rows_to_table([as_row(obj, plan) for obj in batch], plan.schemas.rejects), pieces
    )


def _piece_rows(tables: Iterable[pa.Table], plan: RunPlan) -> list[dict[str, Any]]:
    """A piece's rows in a fixed order (id, text, metadata), not yet rejected ones without
    reject keys, with their source's priority (for keeper ranks)."""
    table = pa.concat_tables(list(tables))
    order = pc.sort_indices(
        table, [("id", "ascending"), ("text", "ascending"), ("metadata", "ascending")]
    )
    rows = table.take(order).to_pylist()
    priority = api_source(plan.config).priority
    for row in rows:
        if row["reject_reason"] is None:
            for key in _REJECT_KEYS:
                del row[key]
        row["priority"] = priority
    return rows


class _ScorePieceFn(beam.DoFn):
    """(piece, row tables) -> ``(DIGESTS, table)`` and ``(SPILLED, (piece, piece))``."""

    def __init__(self, plan: RunPlan, spill_dir: str, full: bool) -> None:
        self._plan = plan
        self._spill_dir = spill_dir
        self._full = full
        self._scorer: DocumentScorer | DedupScorer | None = None

    def setup(self) -> None:
        self._scorer = document_scorer(self._plan) if self._full else DedupScorer(self._plan)

    def process(self, item: tuple[int, Iterable[pa.Table]]) -> Iterator[tuple[str, Any]]:
        piece, tables = item
        rows = _piece_rows(tables, self._plan)
        assert self._scorer is not None
        digests = score_and_spill(rows, piece, self._scorer, self._plan, self._spill_dir)
        if len(digests):
            yield DIGESTS, digests.table()
        yield SPILLED, (piece, piece)  # each piece is a shard of its own


class _AssembleRowsFn(beam.DoFn):
    """A piece's spill file and decisions -> ``(CORPUS | REJECTS, row dict)``; the piece's
    spill and signatures files are deleted once read."""

    def __init__(self, plan: RunPlan, spill_dir: str) -> None:
        self._schemas = plan.schemas
        self._spill_dir = spill_dir
        self._repeated = plan.config.dedup.repeated

    def process(
        self, item: tuple[tuple[int, None], Iterable[tuple[str, Any]]]
    ) -> Iterator[tuple[str, Any]]:
        inputs = shard_inputs(item)
        for piece in sorted(inputs.spilled):
            path = spill_path(self._spill_dir, piece)
            removal = piece_removal(self._repeated, inputs.repeated, self._spill_dir, piece)
            with open_raw(path) as spill:
                for corpus, rejects in assemble_piece(
                    spill_row_groups(spill),
                    inputs.decisions.get(piece, DECISION_SCHEMA.empty_table()),
                    self._schemas.corpus,
                    self._schemas.rejects,
                    removal.apply if removal is not None else None,
                ):
                    for row in corpus.to_pylist():
                        yield CORPUS, row
                    for row in rejects.to_pylist():
                        yield REJECTS, row
            delete_file(path)
            delete_file(signatures_path(self._spill_dir, piece))
            if self._repeated is not None:
                delete_file(segments_path(self._spill_dir, piece))


class CurateDicts(beam.PTransform):
    """Dicts -> ``{CORPUS: rows, REJECTS: rows}`` through the pipeline's stages.

    ``full``: score every document and apply the per-document rules, deduplicate, cap
    synthetic text (the whole pipeline); otherwise only deduplicate (rows scored by an
    earlier stage keep their scores). ``pieces``: how many pieces the documents are cut into
    (the parallelism of scoring and dedup).
    """

    def __init__(self, plan: RunPlan, pieces: int, full: bool = True) -> None:
        super().__init__()
        if pieces < 1:
            raise ValueError(f"pieces must be >= 1, got {pieces}")
        self._plan = plan
        self._pieces = pieces
        self._full = full

    def expand(self, docs: beam.PCollection) -> dict[str, beam.PCollection]:
        plan, pieces = self._plan, self._pieces
        spill_dir = FileSystems.join(plan.work_dir, SPILL_DIR)
        scored = (
            docs
            | "Batch" >> BatchElementsSafely(BATCH_ROWS)
            | "ByPiece" >> beam.FlatMap(_by_piece, plan, pieces)
            | "GroupPieces" >> beam.GroupByKey()
            | "ScoreSpill" >> beam.ParDo(_ScorePieceFn(plan, spill_dir, self._full))
            | "SplitScored" >> SplitByTag([DIGESTS, SPILLED])
        )
        digests = scored[DIGESTS]
        partitions = dedup_partitions(pieces)
        decisions = digests | "Dedup" >> DeduplicateDigests(
            plan.config.dedup, plan.hasher, partitions, spill_dir
        )
        cap = plan.policy.synthetic_cap
        if self._full and cap is not None:
            decisions = (digests, decisions) | "CapSynthetic" >> CapSynthetic(cap)
        repeated = plan.config.dedup.repeated
        counting = None if repeated is None else (repeated, spill_dir, partitions)
        return (
            (decisions, scored[SPILLED])
            | "Gather" >> GatherShards(np.arange(pieces), counting)
            | "Assemble" >> beam.ParDo(_AssembleRowsFn(plan, spill_dir))
            | "SplitRows" >> SplitByTag([CORPUS, REJECTS])
        )
