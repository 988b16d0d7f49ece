"""Incremental dedup: earlier corpora as references that new documents are deduplicated against.

A curate output writes an *index* beside its corpus (``OUT/index/part-*.parquet``,
:data:`INDEX_SCHEMA`): for each kept document, and each document rejected as an exact or near
duplicate of one (they link new documents to the kept ones as in one run over both), its id,
whether it was kept, content hash, LSH band hashes and exact shingle set, with the MinHash
parameters in the file's metadata, so a later run with the same parameters reads it instead of
rescoring the text. Any other Parquet corpus with a text column
(or an index of other parameters, through its corpus) is indexed on the fly
(:func:`index_of_texts`).

A later run adds each reference file's documents to its dedup as nodes of a *reference piece*
(a piece number after the run's own) whose ranks sort before every document of the run
(:func:`reference_ranks`), so every exact or near-duplicate group that holds a reference
document keeps it, and names it in ``duplicate_of``. Reference documents take no id step and
their own decisions are dropped: they are never removed or rewritten.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from curation.dedup.minhash import MinHasher
from curation.dedup.normalize import content_hash_of_folded, fold_case
from curation.io.pieces import key_pieces, piece_key
from curation.io.spill import encode_signatures, shingle_sets_array

INDEX_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("kept", pa.bool_()),  # kept by its run (else a duplicate of a kept document)
        ("content_hash", pa.binary()),  # sha256 of the normalised text (curation.dedup.normalize)
        ("band_hashes", pa.list_(pa.uint64())),  # one per band; none without shingles
        ("shingles", pa.list_(pa.uint64())),  # sorted distinct 64-bit shingle hashes
    ]
)
#: Key of the index files' Parquet metadata that holds the parameters they were made with.
INDEX_PARAMETERS_KEY = b"curate.dedup"
#: Sorts before every rank of a run's own documents (:func:`curation.dedup.resolve.rank_key`
#: never starts with it): a duplicate group that holds a reference document keeps it.
_REFERENCE_RANK_PREFIX = "\x00"


def index_parameters(hasher: MinHasher) -> dict[str, int]:
    """What an index's band hashes and shingle sets depend on: reusable only when equal."""
    return {
        "num_perm": hasher.num_perm,
        "bands": hasher.bands,
        "rows": hasher.rows,
        "ngram": hasher.word_ngram,
        "char_ngram": hasher.char_ngram,
    }


def index_metadata(hasher: MinHasher, run_id: str) -> dict[bytes, bytes]:
    """Parquet key-value metadata of an index file written by run ``run_id``."""
    value = {"run_id": run_id, **index_parameters(hasher)}
    return {INDEX_PARAMETERS_KEY: json.dumps(value, sort_keys=True).encode("utf-8")}


def read_index_metadata(metadata: Mapping[bytes, bytes] | None) -> dict | None:
    """The parameters and run id an index file records, or None for a file that is not one."""
    raw = (metadata or {}).get(INDEX_PARAMETERS_KEY)
    return json.loads(raw) if raw else None


def index_of_texts(ids: Sequence[str], texts: Sequence[str], hasher: MinHasher) -> pa.Table:
    """An index (:data:`INDEX_SCHEMA`) of documents given by id and text."""
    hashes, bands, sets = [], [], []
    for text in texts:
        folded = fold_case(text)
        signature, shingle_set = hasher.sketch_of_folded(folded)
        hashes.append(bytes.fromhex(content_hash_of_folded(folded)))
        bands.append(hasher.band_hashes(signature))
        sets.append(shingle_set)
    columns = {
        "id": pa.array(ids, pa.string()),
        "kept": pa.array([True] * len(ids), pa.bool_()),
        "content_hash": pa.array(hashes, pa.binary()),
        "band_hashes": pa.array(bands, pa.list_(pa.uint64())),
        "shingles": shingle_sets_array(sets),
    }
    return pa.table(columns, schema=INDEX_SCHEMA)


@dataclass(frozen=True)
class ReferenceFile:
    """One file of a reference: an index file, or a Parquet corpus file indexed on the fly."""

    path: str
    #: Name of the reference in ``reject_detail``: the run id of a curate output, else its path.
    run: str
    #: None for an index file; else the column holding the text (and ``id_column`` the ids,
    #: None: ``<path>#<row>``).
    text_column: str | None = None
    id_column: str | None = None


def reference_ranks(ids: Sequence[str], kept: Sequence[bool], reference: int) -> list[str]:
    """Keeper ranks of the documents of the ``reference``-th reference file: before every
    rank of the run's own documents, earlier references first, then documents their run
    kept, then by id."""
    return [
        f"{_REFERENCE_RANK_PREFIX}{reference:06d}{0 if was_kept else 1}\x1f{doc_id}"
        for doc_id, was_kept in zip(ids, kept, strict=True)
    ]


def reference_nodes(index: pa.Table, piece: int, reference: int, width: int) -> tuple:
    """``(eligible, signatures file)`` of a reference file's index as the dedup step's
    eligible documents of ``piece`` (``curation.dedup.resolve.ELIGIBLE_COLUMNS``) and that
    piece's signatures file (``width``: signature bytes; the index stores no signatures, so
    they are all ones, which ``curation.dedup.resolve.plausible`` takes as unknown)."""
    count = index.num_rows
    keys = [piece_key(piece, ordinal) for ordinal in range(count)]
    ids = index["id"].to_pylist()
    ranks = reference_ranks(ids, index["kept"].to_pylist(), reference)
    eligible = pa.table(
        {
            "key": pa.array(keys, pa.int64()),
            "id": index["id"],
            "content_hash": index["content_hash"],
            "rank": pa.array(ranks, pa.string()),
            "band_hashes": index["band_hashes"],
        }
    )
    shingles = index["shingles"].combine_chunks()
    offsets = shingles.offsets.to_numpy()
    values = shingles.values.to_numpy()
    sets = [values[offsets[row] : offsets[row + 1]] for row in range(count)]
    signatures = [b"\xff" * width] * count
    return eligible, encode_signatures(keys, ranks, signatures, sets, width)


def reference_detail(detail: str, run: str | None) -> str:
    """``reject_detail`` of a document rejected as a copy of a reference document."""
    return detail if run is None else f"{detail}; reference_run={run}"


def keeper_runs(keys: np.ndarray, runs: Mapping[int, str]) -> list[str | None]:
    """The reference run of each keeper's record key (None: a document of this run)."""
    return [runs.get(piece) for piece in key_pieces(keys).tolist()]
