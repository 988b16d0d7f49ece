"""Diversity figures on crafted token streams, the shard-independent sample, and the
run-over-run rules."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from curation.diversity.compare import MIN_SAMPLE_TOKENS, compare_runs
from curation.diversity.figures import distinct_n, mattr, sample_figures, top_types
from curation.diversity.sample import ShardSampler, smallest


def test_distinct_n_and_mattr_on_known_streams():
    assert distinct_n(["a", "b", "a", "b"], 1) == 0.5
    assert distinct_n(["a", "b", "a", "b"], 2) == pytest.approx(2 / 3)
    assert distinct_n([], 1) is None
    # windows of 2 over a b a c: {a b} {b a} {a c} -> every window has 2 types
    assert mattr(["a", "b", "a", "c"], window=2) == 1.0
    assert mattr(["a", "a", "a", "b"], window=2) == pytest.approx((1 / 2 + 1 / 2 + 1) / 3)
    assert top_types(["b", "a", "b", "c", "a"], 2) == {"a", "b"}


def test_repetitive_text_scores_lower_than_varied_text():
    rng = random.Random(0)
    varied = " ".join(f"w{rng.randrange(5000)}" for _ in range(3000))
    bland = " ".join(f"w{rng.randrange(50)}" for _ in range(3000))
    figures = sample_figures({"varied": [("0", "a", varied)], "bland": [("1", "b", bland)]})[
        "by_source"
    ]
    for name in ("distinct_1", "distinct_2", "mattr", "rare_token_mass"):
        assert figures["bland"][name] < figures["varied"][name], name


def _table(rows: list[tuple[str, str, str, str]]) -> pa.Table:
    names = ["source", "content_hash", "id", "text"]
    return pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})


def test_bottom_k_sample_is_the_same_for_any_sharding():
    rng = random.Random(1)
    rows = [
        (rng.choice("xy"), f"{rng.getrandbits(64):016x}", f"id{i}", f"t{i}") for i in range(500)
    ]
    whole = ShardSampler(count=20)
    whole.add(_table(rows))
    shards = []
    for start in range(0, 500, 70):
        sampler = ShardSampler(count=20)
        for chunk in range(start, min(start + 70, 500), 25):
            sampler.add(_table(rows[chunk : min(chunk + 25, start + 70)]))
        shards.append(sampler.samples())
    for source in "xy":
        merged = smallest([shard.get(source, []) for shard in shards], 20)
        assert merged == whole.samples()[source]
        assert merged == sorted((h, i, t) for s, h, i, t in rows if s == source)[:20]


def _run(share: float, low: float, high: float, rare: float, tokens: int = MIN_SAMPLE_TOKENS):
    figures = {
        "sample_tokens": tokens,
        "rare_token_mass": rare,
        "synthetic_share": {"share": share, "low": low, "high": high},
    }
    return {"corpus": figures, "by_source": {"feed": figures}}


def test_flags_beyond_the_thresholds_only():
    base = _run(0.02, 0.01, 0.04, 0.30)
    assert compare_runs([("a", base), ("b", _run(0.03, 0.015, 0.05, 0.28))]).flags == ()
    flags = compare_runs([("a", base), ("b", base), ("c", _run(0.09, 0.06, 0.12, 0.21))]).flags
    assert "feed: synthetic share rose from 2.0% to 9.0% since a" in flags
    assert "feed: rare-token mass fell 30% (0.3 -> 0.21) since b" in flags
    # a rise inside overlapping intervals is noise, not a flag
    assert compare_runs([("a", base), ("b", _run(0.06, 0.03, 0.10, 0.30))]).flags == ()
    # too small a sample: shown, not flagged
    small = compare_runs(
        [("a", _run(0.02, 0.01, 0.04, 0.30, 10)), ("b", _run(0.02, 0.01, 0.04, 0.1, 10))]
    )
    assert small.flags == ()
    assert small.values["feed"]["rare-token mass"] == [0.30, 0.1]
