"""The resolved run plan: LSH banding, schemas and ids decided once, picklable for workers."""

from __future__ import annotations

import pickle

import pytest

from curation.config import CurationConfig, SourceConfig
from curation.io.inputs import InputFile
from curation.plan import resolve_plan
from curation.scoring import DocumentScorer

SOURCE = SourceConfig(name="s", paths=("f.jsonl",))


def config(**sections) -> CurationConfig:
    return CurationConfig(sources=(SOURCE,), **sections)


def test_lsh_banding_is_derived_from_the_threshold_or_taken_as_given():
    assert (resolve_plan(config()).hasher.bands, resolve_plan(config()).hasher.rows) == (18, 5)
    unverified = resolve_plan(config(dedup={"verify": False})).hasher
    assert (unverified.bands, unverified.rows) == (16, 8)
    given = resolve_plan(config(dedup={"bands": 8, "rows": 4, "num_perm": 64})).hasher
    assert (given.num_perm, given.bands, given.rows) == (64, 8, 4)


def test_describe_records_what_was_resolved():
    plan = resolve_plan(config(quality={"scorers": {"gopher_quality": {"min_words": 3}}}))
    described = plan.describe()
    assert described["lsh"] == {"num_perm": 128, "bands": 18, "rows": 5, "threshold": 0.8}
    assert described["policy"]["synthetic"] == "tag"
    thresholds = described["quality_scorers"]
    assert thresholds["gopher_quality"]["min_words"] == 3
    assert thresholds["gopher_quality"]["max_words"] == 100_000  # defaults resolved too
    assert set(thresholds) == {
        "gopher_quality",
        "gopher_repetition",
        "c4_quality",
        "fineweb_quality",
    }


def test_metric_columns_follow_the_enabled_scorers():
    plan = resolve_plan(config(quality={"scorers": {"c4_quality": {"enabled": False}}}))
    assert plan.metric_fields
    assert not [name for name in plan.metric_fields if name.startswith("c4_quality__")]
    assert plan.schemas.corpus.field("quality").type.num_fields == len(plan.metric_fields)


def test_plan_survives_pickling_with_its_permutations():
    plan = resolve_plan(config())
    copy = pickle.loads(pickle.dumps(plan))
    assert copy == plan
    assert copy.hasher.signature("a b c d e f") == plan.hasher.signature("a b c d e f")


def test_scorer_uses_the_plans_hasher():
    # (a document that passes: rejected ones are not sketched)
    plan = resolve_plan(
        config(dedup={"num_perm": 32, "bands": 4, "rows": 8}, quality={"reject": False})
    )
    row = DocumentScorer(plan).score(
        {"id": "x", "text": "some words to hash here and there", "priority": 0}
    )
    assert len(row["_signature"]) == 32 * 4


def test_run_id_depends_on_config_and_listing_only():
    files = (InputFile(SOURCE, "f.jsonl", 10),)
    assert resolve_plan(config(), files).run_id == resolve_plan(config(), files).run_id
    assert resolve_plan(config(), files).run_id != resolve_plan(config(), ()).run_id
    other = config(dedup={"threshold": 0.7})
    assert resolve_plan(other, files).run_id != resolve_plan(config(), files).run_id


def test_fingerprint_covers_what_the_config_wrote():
    empty = config(quality={"scorers": {}})
    assert empty.fingerprint() == config().fingerprint()
    written = config(quality={"scorers": {"gopher_quality": {"min_words": 50}}})
    assert written.fingerprint() != config().fingerprint()


def test_plan_is_immutable():
    plan = resolve_plan(config())
    with pytest.raises(AttributeError):
        plan.run_id = "other"  # type: ignore[misc]
