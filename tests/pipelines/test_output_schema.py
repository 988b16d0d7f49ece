"""The shards' schema as a data engineer reads it: counts are integers, the synthetic score's
top features a list of structs, and every shard names its run, schema version and config."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from curation.io.schema import (
    CONFIG_SHA256_KEY,
    RUN_ID_KEY,
    SCHEMA_VERSION,
    SCHEMA_VERSION_KEY,
)

COUNTS = (
    "gopher_quality__word_count",
    "gopher_quality__stop_word_count",
    "c4_quality__sentence_count",
    "c4_quality__lorem_ipsum_lines",
    "c4_quality__curly_bracket_lines",
)
TOP_FEATURES = pa.list_(pa.struct([("feature", pa.string()), ("contribution", pa.float64())]))


def _shards(out: Path) -> list[Path]:
    shards = sorted(out.glob("*/part-*.parquet"))
    assert {path.parent.name for path in shards} == {"corpus", "rejects"}
    return shards


def test_counts_are_integers_and_top_features_a_list_of_structs(tiny_out):
    for shard in _shards(tiny_out):
        schema = pq.read_schema(shard)
        quality = schema.field("quality").type
        for name in COUNTS:
            assert quality.field(name).type == pa.int64(), name
        assert quality.field("gopher_quality__mean_word_length").type == pa.float64()
        signals = schema.field("synthetic_signals").type
        assert signals.field("n_words").type == pa.int64()
        assert signals.field("top_features").type == TOP_FEATURES
    rows = pq.read_table(_shards(tiny_out)[0], columns=["lang", "synthetic_signals"]).to_pylist()
    scored = [r["synthetic_signals"]["top_features"] for r in rows if r["lang"] == "en"]
    assert scored and all(len(top) == 3 for top in scored)
    assert all(isinstance(item["contribution"], float) for top in scored for item in top)


def test_every_shard_carries_run_id_schema_version_and_config_hash(tiny_out):
    manifest = json.loads((tiny_out / "manifest.json").read_text())
    expected = {
        RUN_ID_KEY: manifest["run_id"],
        SCHEMA_VERSION_KEY: str(SCHEMA_VERSION),
        CONFIG_SHA256_KEY: manifest["config_sha256"],
    }
    for shard in _shards(tiny_out):
        metadata = {
            key.decode(): value.decode()
            for key, value in pq.read_metadata(shard).metadata.items()
            if key.startswith(b"curate.")
        }
        assert metadata == expected, shard
