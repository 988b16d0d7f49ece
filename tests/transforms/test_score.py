"""ScorePieces: read, score and spill each piece; digests, file stats and markers out."""

from __future__ import annotations

import json

import apache_beam as beam
import numpy as np
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.util import assert_that, equal_to

from curation.config import CurationConfig, SourceConfig
from curation.io.inputs import expand_source
from curation.io.pieces import piece_key
from curation.io.spill import Signatures
from curation.plan import resolve_plan
from tests.transforms.beam_helpers import local_pipeline
from transforms.read import NumberedPieces
from transforms.score import DIGESTS, FILE_STATS, SPILLED, ScorePieces
from transforms.storage import list_path, open_raw, read_bytes, signatures_path, spill_path

ENGLISH = (
    "The city council met on Tuesday evening to discuss the new budget for the public library. "
    "Members agreed to extend the opening hours on weekends, and the reading room will be "
    "renovated next spring with funds raised by the local community over the last three years. "
    "Residents who attended the meeting asked for more children's books and a quiet study area."
)
GERMAN = (
    "Der Stadtrat hat am Dienstagabend über den neuen Haushalt der öffentlichen Bibliothek "
    "beraten. Die Mitglieder einigten sich darauf, die Öffnungszeiten am Wochenende zu "
    "verlängern, und der Lesesaal wird im nächsten Frühjahr renoviert."
)


def test_score_pieces_spills_every_row_and_emits_digests_of_documents(tmp_path):
    lines = [
        json.dumps({"id": "en", "text": ENGLISH}),
        '{"id": "broken", ',
        json.dumps({"id": "de", "text": GERMAN}),
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n")
    config = CurationConfig(
        sources=(SourceConfig(name="s", paths=(str(tmp_path / "in.jsonl"),)),),
        language={"allowed": ["en"]},
        quality={"reject": False},
    )
    plan = resolve_plan(config, *expand_source(config.sources[0], list_path, open_raw))
    spill_dir = str(tmp_path / "spill")
    with local_pipeline() as pipeline:
        scored = (
            pipeline
            | NumberedPieces(plan.pieces, config.limits.max_line_bytes)
            | ScorePieces(plan, spill_dir)
        )
        digests = scored[DIGESTS] | "Digests" >> beam.Map(
            lambda table: table.select(["key", "id", "verdict_reason"]).to_pylist()
        )
        assert_that(
            digests,
            equal_to(
                [
                    [
                        {"key": piece_key(0, 0), "id": "en", "verdict_reason": None},
                        {
                            "key": piece_key(0, 2),
                            "id": "de",
                            "verdict_reason": "language_not_allowed",
                        },
                    ]
                ]
            ),
            label="digests",
        )
        stats = scored[FILE_STATS] | "Stats" >> beam.Map(lambda s: s["records"])
        assert_that(stats, equal_to([3]), label="stats")
        assert_that(scored[SPILLED], equal_to([(0, 0)]), label="spilled")

    table = pq.read_table(spill_path(spill_dir, 0))
    assert table.schema == plan.schemas.spill
    rows = table.to_pylist()
    assert [row["_key"] for row in rows] == [piece_key(0, n) for n in range(3)]
    assert [row["reject_reason"] for row in rows] == [None, "invalid_json", None]
    assert [row["lang"] for row in rows] == ["en", None, "de"]
    assert {row["run_id"] for row in rows} == {plan.run_id}
    assert rows[0]["text"] == ENGLISH and 0.0 <= rows[0]["quality_score"] <= 1.0
    assert rows[2]["synthetic_signals"] is not None
    # the signatures file holds the documents no per-document rule rejected
    signatures = Signatures(read_bytes(signatures_path(spill_dir, 0)))
    assert signatures.of(np.array([piece_key(0, 0)])).tobytes() == plan.hasher.signature(ENGLISH)
    assert signatures.ranks(np.array([piece_key(0, 0)])).to_pylist()[0].endswith("en")
    with pytest.raises(KeyError):
        signatures.of(np.array([piece_key(0, 2)]))
