"""The ``cap`` synthetic policy in Beam (see :mod:`curation.synthetic.cap`).

Per piece (a piece is one source's), the kept documents are counted and the flagged kept
ones listed (their keys, ids and scores, not their text); only those lists of a source are
gathered on one worker, which is the part the cap has to rank. Decisions stay tables keyed by
piece throughout.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import apache_beam as beam
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from curation.decision_batches import DECISION_SCHEMA, by_piece, decision_table
from curation.decisions import Reason, Stage, rejected
from curation.io.pieces import split_piece_key
from curation.synthetic.cap import FlaggedDoc, documents_to_drop
from curation.tables import concat_sorted

#: What the cap needs of a flagged document.
_FLAGGED_COLUMNS = ["key", "id", "synthetic_score"]


def _flagged(digests: pa.Table) -> tuple[int, tuple[str, pa.Table]]:
    """``(piece, (source, its flagged documents))`` of one piece's digests."""
    piece = split_piece_key(digests["key"][0].as_py())[0]
    source = digests["source"][0].as_py()
    return piece, (source, digests.filter(digests["synthetic"]).select(_FLAGGED_COLUMNS))


def _kept_by_source(item: tuple[int, dict[str, list]]) -> Iterator[tuple[str, tuple]]:
    """One piece's ``(source, (kept documents, flagged kept documents))``."""
    _, joined = item
    (source, flagged), *_ = joined["info"]
    decisions = concat_sorted(joined["decision"], DECISION_SCHEMA, "_key")
    kept_keys = decisions["_key"].filter(decisions["kept"])
    flagged_kept = flagged.filter(pc.is_in(flagged["key"], kept_keys))
    yield source, (len(kept_keys), flagged_kept)


def _drops(
    item: tuple[str, Iterable[tuple[int, pa.Table]]], max_share: float
) -> Iterator[tuple[int, pa.Table]]:
    source, counts = item
    counts = list(counts)
    rows = pa.concat_tables([flagged for _, flagged in counts]).to_pylist()
    flagged = [FlaggedDoc(row["key"], row["id"], row["synthetic_score"] or 0.0) for row in rows]
    kept = sum(count for count, _ in counts)
    drops = [
        rejected(
            doc.key,
            Stage.SYNTHETIC_CAP,
            Reason.SYNTHETIC_CAP,
            f"source {source}: synthetic_score={doc.score:.3f}, cap {max_share:.0%}",
        )
        for doc in documents_to_drop(kept, flagged, max_share)
    ]
    return by_piece(decision_table(drops))


def _apply_drops(item: tuple[int, dict[str, list]]) -> pa.Table:
    _, joined = item
    decisions = concat_sorted(joined["decision"], DECISION_SCHEMA, "_key")
    drops = concat_sorted(joined["drop"], DECISION_SCHEMA, "_key")
    dropped = np.isin(decisions["_key"].to_numpy(), drops["_key"].to_numpy())
    kept = decisions.filter(pa.array(~dropped))
    return concat_sorted([kept, drops], DECISION_SCHEMA, "_key")


class CapSynthetic(beam.PTransform):
    """(digest tables, decision tables) -> decision tables (one per piece), the cap applied."""

    def __init__(self, max_share: float) -> None:
        super().__init__()
        self._max_share = max_share

    def expand(self, inputs):  # (digests, decisions); no annotation: Beam reads it as a type hint
        digests, decisions = inputs
        decisions = decisions | "ByPiece" >> beam.FlatMap(by_piece)
        info = digests | "Flagged" >> beam.Map(_flagged)
        drops = (
            {"info": info, "decision": decisions}
            | "JoinInfo" >> beam.CoGroupByKey()
            | "KeptBySource" >> beam.FlatMap(_kept_by_source)
            | "GroupSources" >> beam.GroupByKey()
            | "Drops" >> beam.FlatMap(_drops, self._max_share)
        )
        return (
            {"decision": decisions, "drop": drops}
            | "JoinDrops" >> beam.CoGroupByKey()
            | "Apply" >> beam.Map(_apply_drops)
        )
