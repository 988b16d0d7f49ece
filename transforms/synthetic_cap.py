"""The ``cap`` synthetic policy in Beam (see :mod:`curation.synthetic.cap`).

Counts of kept documents per source come from a combiner; only the *flagged* kept documents
of a source are gathered on one worker (their ids and scores, not their text), which is the
part the cap has to rank.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam

from curation.decisions import Reason, Stage, rejected
from curation.dedup.resolve import Digest
from curation.synthetic.cap import FlaggedDoc, documents_to_drop


def _doc_info(digest: Digest) -> tuple[str, tuple[str, bool, float, str]]:
    score = digest.synthetic_score or 0.0
    return digest.key, (digest.source, digest.synthetic, score, digest.id)


def _kept_entries(item: tuple[str, dict[str, list]]) -> Iterator[tuple[str, Any]]:
    key, joined = item
    if joined["decision"] and joined["decision"][0]["kept"]:
        source, flagged, score, doc_id = joined["info"][0]
        yield source, (FlaggedDoc(key, doc_id, score) if flagged else None)


def _drops(item: tuple[str, dict[str, list]], max_share: float) -> Iterator[tuple[str, dict]]:
    source, joined = item
    kept = sum(joined["kept"])
    flagged = [doc for doc in joined["flagged"] if doc is not None]
    for doc in documents_to_drop(kept, flagged, max_share):
        detail = f"source {source}: synthetic_score={doc.score:.3f}, cap {max_share:.0%}"
        yield doc.key, rejected(doc.key, Stage.SYNTHETIC_CAP, Reason.SYNTHETIC_CAP, detail)


def _apply_drop(item: tuple[str, dict[str, list]]) -> tuple[str, dict]:
    key, joined = item
    return key, (joined["drop"] or joined["decision"])[0]


class CapSynthetic(beam.PTransform):
    """(digests, decisions keyed by record key) -> decisions with the cap applied."""

    def __init__(self, max_share: float) -> None:
        super().__init__()
        self._max_share = max_share

    def expand(self, inputs):  # (digests, decisions); no annotation: Beam reads it as a type hint
        digests, decisions = inputs
        info = digests | "DocInfo" >> beam.Map(_doc_info)
        kept = (
            {"info": info, "decision": decisions}
            | "JoinInfo" >> beam.CoGroupByKey()
            | "KeptBySource" >> beam.FlatMap(_kept_entries)
        )
        counts = kept | "One" >> beam.Map(lambda item: (item[0], 1)) | beam.CombinePerKey(sum)
        flagged = kept | "Flagged" >> beam.Filter(lambda item: item[1] is not None)
        drops = (
            {"kept": counts, "flagged": flagged}
            | "JoinSource" >> beam.CoGroupByKey()
            | "Drops" >> beam.FlatMap(_drops, self._max_share)
        )
        return (
            {"decision": decisions, "drop": drops}
            | "JoinDrops" >> beam.CoGroupByKey()
            | "Apply" >> beam.Map(_apply_drop)
        )
