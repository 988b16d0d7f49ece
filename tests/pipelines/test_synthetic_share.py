"""The corpus synthetic share of a real run: both estimators, validated intervals, agreement, and
the launcher's word sample read back from the corpus shards."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from curation.synthetic import SyntheticScorer
from curation.synthetic.corpus_share import CHECKED_METHOD, SCORE_METHOD, WORD_METHOD
from curation.synthetic.word_share import WordReference, estimate_word_share
from pipelines import manifest, word_sample
from pipelines.output import CORPUS_DIR, count_shards, list_shards, read_json
from pipelines.report import _share_row
from pipelines.summary import _share_line
from tests.paths import SAMPLE_DIR
from tests.pipelines.helpers import read_rows, run_cli

SOURCES = {"dev": SAMPLE_DIR / "synthetic_dev.jsonl", "docs": SAMPLE_DIR / "python_docs.jsonl.gz"}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("synthetic_share")
    config = {
        "sources": [
            {"name": name, "paths": [str(path)], "license": "MIT"} for name, path in SOURCES.items()
        ],
        "quality": {"reject": False},
        "dedup": {"near": False},
    }
    (tmp / "run.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    assert run_cli("--config", str(tmp / "run.yaml"), "--output", str(tmp / "out")) == 0
    return tmp / "out"


def test_manifest_states_both_estimates_and_what_they_rest_on(out):
    share = read_json(str(out / "manifest.json"))["synthetic_share"]
    scored = [r for r in read_rows(out, "corpus") if r["synthetic_score"] is not None]
    assert "abstentions excluded" in share["scope"]
    assert share["validation"]["reported"] == CHECKED_METHOD
    assert "leave-one-domain-family-out" in share["validation"]["validation"]
    corpus = share["corpus"]
    assert corpus["n"] == len(scored)
    assert set(corpus["estimates"]) == {SCORE_METHOD, WORD_METHOD, CHECKED_METHOD}
    assert corpus["estimates"][WORD_METHOD]["n"] == len(scored)  # all English, under the cap
    for estimate in corpus["estimates"].values():
        assert estimate["low"] <= estimate["statistical_low"] <= estimate["share"]
        assert estimate["share"] <= estimate["statistical_high"] <= estimate["high"]
    assert corpus["agreement"] in ("agree", "disagree")
    if corpus["reliable"]:
        assert corpus["low"] <= corpus["share"] <= corpus["high"]
    else:
        assert corpus["share"] is None
    assert set(share["by_source"]) == {"dev", "docs"}
    assert set(share["by_language"]) == {"en"}
    assert share["by_language"]["en"]["n"] == len(scored)


def test_word_sample_is_bounded_and_nested(out, monkeypatch):
    shards = list_shards(str(out / CORPUS_DIR))
    counts = count_shards({CORPUS_DIR: shards}, synthetic_scores=True)
    reference = WordReference.load()
    full = word_sample.collect_word_sample(shards, counts, reference)
    eligible = sum(len(s) for (_, lang), s in counts.synthetic_scores.items() if lang == "en")
    assert len(full.select()) == eligible > 40
    monkeypatch.setattr(word_sample, "MAX_DOCUMENTS", 20)
    small = word_sample.collect_word_sample(shards, counts, reference)
    assert 5 <= len(small.select()) <= 40 < eligible
    for source in SOURCES:
        assert 5 <= len(small.select(source=source)) <= 40
    assert len(small.documents) < eligible  # only what some estimate needs was tokenised
    in_corpus_sample = {id(windows) for windows in small.select()}
    for source in SOURCES:  # nested: a source's sample holds its part of the corpus sample
        of_source = [d.windows for d in small.documents if d.source == source]
        mine = {id(windows) for windows in small.select(source=source)}
        assert {id(w) for w in of_source} & in_corpus_sample <= mine
    monkeypatch.setattr(word_sample, "MAX_DOCUMENTS", 0)  # batches where nothing is sampled
    assert word_sample.collect_word_sample(shards, counts, reference).documents == ()


def test_unreliable_share_is_said_not_printed():
    entry = {
        "share": None,
        "low": None,
        "high": None,
        "n": 300,
        "method": WORD_METHOD,
        "reliable": False,
        "agreement": "disagree",
        "note": "unreliable: the estimators disagree (score_mle: 60.0% (35.0%-75.0%); ...)",
        "estimates": {
            SCORE_METHOD: {"share": 0.6, "low": 0.35, "high": 0.75},
            WORD_METHOD: {"share": 0.05, "low": 0.0, "high": 0.2},
        },
    }
    assert _share_line(entry).startswith("unreliable: the estimators disagree")
    row = _share_row("src", entry, 10, [{"too_short": 2}])
    assert (row["kept documents"], row["abstained"]) == (10, 2)
    assert row["estimated share"] == "unreliable"
    assert row[SCORE_METHOD] == "60.0% (35.0% – 75.0%)"


def test_a_recurring_word_sample_is_estimated_once(out, monkeypatch):
    shards = list_shards(str(out / CORPUS_DIR))
    counts = count_shards({CORPUS_DIR: shards}, synthetic_scores=True)
    words = word_sample.collect_word_sample(shards, counts, WordReference.load())
    calls = []
    monkeypatch.setattr(
        manifest,
        "estimate_word_share",
        lambda windows: calls.append(windows) or estimate_word_share(windows),
    )
    share = manifest.synthetic_share(counts, words, SyntheticScorer().describe())
    # corpus, two sources, one language ("en" = the corpus sample): three distinct samples
    assert len(calls) == 1 + len(SOURCES)
    assert share["by_language"]["en"]["estimates"] == share["corpus"]["estimates"]
