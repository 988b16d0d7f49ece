"""Joining decisions back to full documents and routing them to corpus or rejects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam

from transforms.tags import SplitByTag

CORPUS = "corpus"
REJECTED = "rejected"
_INTERNAL = ("_key", "_signature", "_rank", "_verdict", "priority")
_DECISION_COLUMNS = (
    "reject_stage",
    "reject_reason",
    "reject_detail",
    "duplicate_of",
    "dup_cluster_id",
    "dup_cluster_size",
)


def public_row(row: dict[str, Any], run_id: str) -> dict[str, Any]:
    """Drop internal fields and stamp the run id."""
    result = {name: value for name, value in row.items() if name not in _INTERNAL}
    result["run_id"] = run_id
    return result


class _ApplyDecision(beam.DoFn):
    def __init__(self, run_id: str) -> None:
        self._run_id = run_id

    def process(self, item: tuple[str, dict[str, list]]) -> Iterator[Any]:
        key, joined = item
        docs, decisions = joined["doc"], joined["decision"]
        if len(docs) != 1 or len(decisions) != 1:
            raise RuntimeError(
                f"record {key!r}: {len(docs)} documents and {len(decisions)} decisions, "
                "expected one of each"
            )
        row = public_row(docs[0], self._run_id)
        decision = decisions[0]
        for column in _DECISION_COLUMNS:
            if column in decision:
                row[column] = decision[column]
        yield (CORPUS if decision["kept"] else REJECTED), row


class ApplyDecisions(beam.PTransform):
    """(scored docs, decisions keyed by record key) -> {corpus: kept rows, rejected: rows}."""

    def __init__(self, run_id: str) -> None:
        super().__init__()
        self._run_id = run_id

    def expand(self, inputs):  # (scored, decisions); no annotation: Beam reads it as a type hint
        scored, decisions = inputs
        docs = scored | "DocsByKey" >> beam.Map(lambda doc: (doc["_key"], doc))
        return (
            {"doc": docs, "decision": decisions}
            | "JoinDecisions" >> beam.CoGroupByKey()
            | "Apply" >> beam.ParDo(_ApplyDecision(self._run_id))
            | "Route" >> SplitByTag([CORPUS, REJECTED])
        )
