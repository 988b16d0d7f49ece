"""Incremental dedup in Beam: reference corpora in, a run's index out.

:class:`ReadReferences` turns each reference file (:class:`~curation.dedup.reference.ReferenceFile`)
into the eligible-document table of its reference piece, writing that piece's signatures file
(ranks and shingle sets) to the spill directory as scoring does for the run's own pieces.
:class:`WriteIndex` writes the run's own index: one Parquet file per piece of its kept
documents (and their exact and near duplicates): ids, content hashes, band hashes and shingle
sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import apache_beam as beam
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from curation.decision_batches import DECISION_SCHEMA, by_piece
from curation.decisions import Reason
from curation.dedup.minhash import MinHasher
from curation.dedup.reference import (
    INDEX_SCHEMA,
    ReferenceFile,
    index_metadata,
    index_of_texts,
    reference_nodes,
)
from curation.io.pieces import split_piece_key
from curation.io.spill import Signatures
from curation.tables import concat_sorted
from transforms.storage import create, open_raw, read_bytes, signatures_path


def _index_of(file: ReferenceFile, hasher: MinHasher) -> pa.Table:
    """A reference file's index: read, or computed from its text column."""
    with open_raw(file.path) as handle:
        if file.text_column is None:
            return pq.read_table(handle, columns=INDEX_SCHEMA.names).cast(INDEX_SCHEMA)
        columns = [file.text_column] + ([file.id_column] if file.id_column else [])
        table = pq.read_table(handle, columns=columns)
    texts = table[file.text_column].to_pylist()
    if file.id_column:
        ids = [str(value) for value in table[file.id_column].to_pylist()]
    else:
        ids = [f"{file.path}#{row}" for row in range(len(texts))]
    present = [row for row, text in enumerate(texts) if isinstance(text, str)]
    return index_of_texts([ids[row] for row in present], [texts[row] for row in present], hasher)


class _ReferencePieceFn(beam.DoFn):
    def __init__(
        self, files: tuple[ReferenceFile, ...], first_piece: int, hasher: MinHasher, spill_dir: str
    ) -> None:
        self._files = files
        self._first_piece = first_piece
        self._hasher = hasher
        self._spill_dir = spill_dir

    def process(self, reference: int) -> Iterator[pa.Table]:
        piece = self._first_piece + reference
        index = _index_of(self._files[reference], self._hasher)
        eligible, signatures = reference_nodes(index, piece, reference, self._hasher.num_perm * 4)
        with create(signatures_path(self._spill_dir, piece)) as handle:
            handle.write(signatures)
        if eligible.num_rows:
            yield eligible


class ReadReferences(beam.PTransform):
    """Reference files -> one eligible-document table per reference piece (pieces numbered
    from ``first_piece``), their signatures files written to ``spill_dir``."""

    def __init__(
        self, files: tuple[ReferenceFile, ...], first_piece: int, hasher: MinHasher, spill_dir: str
    ) -> None:
        super().__init__()
        self._fn = _ReferencePieceFn(files, first_piece, hasher, spill_dir)
        self._count = len(files)

    def expand(self, pipeline: beam.pvalue.PBegin) -> beam.PCollection:
        return (
            pipeline
            | "ReferenceFiles" >> beam.Create(range(self._count))
            | "SpreadReferences" >> beam.Reshuffle()
            | "ReferencePieces" >> beam.ParDo(self._fn)
        )


#: Rejects indexed with the kept documents: their copies (:mod:`curation.dedup.reference`).
_DUPLICATES = pa.array([Reason.EXACT_DUPLICATE, Reason.NEAR_DUPLICATE], pa.string())


def index_name(piece: int) -> str:
    """File name of a piece's index file."""
    return f"index-{piece:07d}.parquet"  # pipelines.output.INDEX_PATTERN


def _piece_of_digests(table: pa.Table) -> Iterator[tuple[int, pa.Table]]:
    if table.num_rows:
        yield split_piece_key(table["key"][0].as_py())[0], table


def _decisions_by_piece(table: pa.Table) -> Iterator[tuple[int, pa.Table]]:
    return by_piece(table)


class _WriteIndexFn(beam.DoFn):
    def __init__(self, spill_dir: str, index_dir: str, hasher: MinHasher, run_id: str) -> None:
        self._spill_dir = spill_dir
        self._index_dir = index_dir
        self._metadata = index_metadata(hasher, run_id)

    def process(self, item: tuple[int, Mapping[str, Iterable[pa.Table]]]) -> Iterator[str]:
        piece, joined = item
        decisions = concat_sorted(list(joined["decisions"]), DECISION_SCHEMA, "_key")
        indexed = decisions.filter(
            pc.or_(decisions["kept"], pc.is_in(decisions["reject_reason"], _DUPLICATES))
        )
        if indexed.num_rows == 0:
            return
        digests = pa.concat_tables(list(joined["digests"])).sort_by("key")
        rows = digests.filter(pc.is_in(digests["key"], indexed["_key"]))
        kept = pc.is_in(rows["key"], indexed.filter(indexed["kept"])["_key"])
        signatures = Signatures(read_bytes(signatures_path(self._spill_dir, piece)))
        index = pa.table(
            {
                "id": rows["id"],
                "kept": kept,
                "content_hash": rows["content_hash"],
                "band_hashes": rows["band_hashes"],
                "shingles": signatures.shingles(rows["key"].to_numpy()),
            },
            schema=INDEX_SCHEMA.with_metadata(self._metadata),
        )
        path = f"{self._index_dir.rstrip('/')}/{index_name(piece)}"
        with create(path) as handle:
            pq.write_table(index, handle, compression="zstd")
        yield path


class WriteIndex(beam.PTransform):
    """(digest tables per piece, decision tables) -> the run's index files (their paths)."""

    def __init__(self, spill_dir: str, index_dir: str, hasher: MinHasher, run_id: str) -> None:
        super().__init__()
        self._fn = _WriteIndexFn(spill_dir, index_dir, hasher, run_id)

    def expand(self, inputs):  # (digests, decisions); no annotation: Beam reads it as a hint
        digests, decisions = inputs
        keyed = {
            "digests": digests | "DigestsByPiece" >> beam.FlatMap(_piece_of_digests),
            "decisions": decisions | "DecisionsByPiece" >> beam.FlatMap(_decisions_by_piece),
        }
        return (
            keyed | "JoinByPiece" >> beam.CoGroupByKey() | "WriteIndexFiles" >> beam.ParDo(self._fn)
        )
