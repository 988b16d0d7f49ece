"""Digests in columns: what dedup and the synthetic cap need of the scored documents, no text.

A piece's digests are one Arrow table (:data:`DIGEST_SCHEMA`): identity, origin, content hash,
keeper rank, per-document verdict, synthetic flag and LSH band hashes. A document that a
per-document rule rejected (it has a verdict) never takes part in dedup beyond claiming its
id, so its content hash, rank and band hashes are left null. The MinHash signatures, exact
shingle sets (and the ranks again) stay in the piece's signatures file
(:mod:`curation.io.spill`), read back only for the documents that share an LSH bucket.
Digests are then cut by a hash of the id and of the content into *partitions*, one table per
(piece, partition), so a runner's shuffles hold a few arrays per batch instead of Python
objects per document.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import xxhash

from curation.dedup.minhash import MinHasher
from curation.io.spill import encode_signatures

#: A string that repeats within a piece (its file, its source): stored once per batch.
_REPEATED = pa.dictionary(pa.int32(), pa.string())

DIGEST_SCHEMA = pa.schema(
    [
        ("key", pa.int64()),  # internal record key (curation.io.pieces.piece_key)
        ("id", pa.string()),
        ("source", _REPEATED),
        ("uri", _REPEATED),
        ("record", pa.int64()),
        ("content_hash", pa.binary()),  # sha256 (curation.dedup.normalize); null with a verdict
        ("rank", pa.string()),  # sorts in keeper order; unique per id; null with a verdict
        ("verdict_stage", pa.string()),  # per-document rejection (a Verdict), if any
        ("verdict_reason", pa.string()),
        ("verdict_detail", pa.string()),
        ("synthetic", pa.bool_()),
        ("synthetic_score", pa.float64()),
        ("band_hashes", pa.list_(pa.uint64())),  # one per band; none without shingles or verdict
    ]
)


class PieceDigests:
    """The digests and signatures of one piece's scored rows, collected column by column."""

    def __init__(self, hasher: MinHasher) -> None:
        self._hasher = hasher
        self._columns: dict[str, list] = {name: [] for name in DIGEST_SCHEMA.names}
        # keys, ranks, signatures and shingle sets of the documents without a verdict
        self._signed: tuple[list[int], list[str], list[bytes], list[np.ndarray]] = (
            [],
            [],
            [],
            [],
        )

    def add(self, doc: Mapping[str, Any]) -> None:
        """Add a scored row (as :class:`~curation.scoring.DocumentScorer` returns it, with
        ``_key``); rows come in key order."""
        verdict = doc["_verdict"]
        eligible = verdict is None
        values = (
            doc["_key"],
            doc["id"],
            doc["source"],
            doc["source_uri"],
            doc["source_record"],
            bytes.fromhex(doc["content_hash"]) if eligible else None,
            doc["_rank"] if eligible else None,
            *(verdict or (None, None, None)),
            bool(doc.get("synthetic")),
            doc.get("synthetic_score"),
            self._hasher.band_hashes(doc["_signature"]) if eligible else None,
        )
        for column, value in zip(self._columns.values(), values, strict=True):
            column.append(value)
        if eligible:
            names = ("_key", "_rank", "_signature", "_shingles")
            for column, name in zip(self._signed, names, strict=True):
                column.append(doc[name])

    def __len__(self) -> int:
        return len(self._columns["key"])

    def table(self) -> pa.Table:
        return pa.Table.from_pydict(self._columns, schema=DIGEST_SCHEMA)

    def signatures_file(self) -> bytes:
        """The piece's signatures file (:func:`~curation.io.spill.encode_signatures`) of its
        documents without a verdict."""
        return encode_signatures(*self._signed, width=self._hasher.num_perm * 4)


def digest_table(docs: Iterable[Mapping[str, Any]], hasher: MinHasher) -> pa.Table:
    """The digests of scored rows, in key order (:meth:`PieceDigests.add`)."""
    digests = PieceDigests(hasher)
    for doc in docs:
        digests.add(doc)
    return digests.table()


def id_partitions(digests: pa.Table, count: int) -> np.ndarray:
    """The id partition (``0 .. count - 1``) of each row: records sharing an id share one."""
    ids = digests["id"].to_pylist()
    return np.fromiter(
        (xxhash.xxh64_intdigest(doc_id.encode("utf-8")) % count for doc_id in ids),
        np.int64,
        len(ids),
    )


def content_partitions(table: pa.Table, count: int) -> np.ndarray:
    """The content partition (``0 .. count - 1``) of each row, from the first 8 bytes of its
    content hash: exact copies share one."""
    hashes = table["content_hash"].to_pylist()
    return np.fromiter(
        (int.from_bytes(digest[:8], "big") % count for digest in hashes), np.int64, len(hashes)
    )
