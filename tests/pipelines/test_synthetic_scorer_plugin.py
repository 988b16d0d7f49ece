"""``curate run`` with a scorer plug-in (``synthetic.scorer``): its scores and flags in the
corpus, a document it fails on rejected, the manifest's share resting on the word estimate
only, the report naming it, and a class outside the interface stopping the run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pipelines.cli import main
from pipelines.output import read_json
from tests.pipelines.helpers import read_rows, run_cli, sample_texts

PLUGINS = "tests.curation.synthetic.scorer_plugins"
SCORER = f"{PLUGINS}:MarkerShare"
MARKED = " It is a testament to the crucial tapestry of ideas we delve into."


def _config(tmp: Path, synthetic: dict) -> Path:
    docs = [{"id": f"doc{i}", "text": text} for i, text in enumerate(sample_texts(6))]
    docs += [
        {"id": "marked", "text": sample_texts(7)[6] + MARKED * 8},
        {"id": "boom", "text": sample_texts(8)[7] + " boom"},
    ]
    (tmp / "docs.jsonl").write_text("".join(json.dumps(doc) + "\n" for doc in docs))
    config = {
        "sources": [{"name": "s", "paths": [str(tmp / "docs.jsonl")], "license": "MIT"}],
        "quality": {"reject": False},
        "synthetic": synthetic,
    }
    (tmp / "run.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return tmp / "run.yaml"


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("scorer_plugin")
    config = _config(tmp, {"scorer": {"class": SCORER, "args": {"scale": 20.0}}})
    assert run_cli("--config", str(config), "--output", str(tmp / "out")) == 0
    return tmp / "out"


def test_the_plugins_scores_and_flags_are_the_corpus_columns(out):
    corpus = {row["id"]: row for row in read_rows(out, "corpus")}
    assert set(corpus) == {f"doc{i}" for i in range(6)} | {"marked"}
    marked = corpus["marked"]
    assert marked["synthetic"] is True and marked["synthetic_score"] > 0.5
    assert marked["synthetic_signals"]["score_high"] == pytest.approx(
        min(1.0, marked["synthetic_score"] + 0.1)
    )
    assert marked["synthetic_signals"]["n_words"] > 30  # the shipped signals stay
    for name in (f"doc{i}" for i in range(6)):
        assert corpus[name]["synthetic"] is False and corpus[name]["synthetic_score"] < 0.5


def test_a_document_the_plugin_fails_on_is_rejected_with_the_error(out):
    (boom,) = read_rows(out, "rejects")
    assert (boom["id"], boom["reject_stage"], boom["reject_reason"]) == (
        "boom",
        "plugin",
        "plugin:markers.error",
    )
    assert boom["reject_detail"] == "score: RuntimeError: kaboom"
    assert boom["synthetic_signals"]["abstain_reason"] == "scorer_error"


def test_a_batch_scorer_gets_the_documents_a_batch_at_a_time_with_the_same_result(out, tmp_path):
    log = tmp_path / "batches.txt"
    scorer = {"class": f"{PLUGINS}:BatchMarkerShare", "args": {"scale": 20.0, "log": str(log)}}
    config = _config(tmp_path, {"scorer": scorer})
    assert run_cli("--config", str(config), "--output", str(tmp_path / "out")) == 0
    batched = {row["id"]: row["synthetic_score"] for row in read_rows(tmp_path / "out", "corpus")}
    assert batched == {row["id"]: row["synthetic_score"] for row in read_rows(out, "corpus")}
    (boom,) = read_rows(tmp_path / "out", "rejects")
    assert (boom["id"], boom["reject_reason"]) == ("boom", "plugin:batch_markers.error")
    sizes = [int(n) for n in log.read_text().split()]
    assert sum(sizes) == 8 and max(sizes) == 3  # every document asked, 3 at a time


def test_the_manifest_names_the_scorer_and_reports_only_the_word_estimate(out):
    share = read_json(str(out / "manifest.json"))["synthetic_share"]
    assert share["scorer"] == {
        "scorer": SCORER,
        "languages": ["en", "fr"],
        "min_words": 5,
        "threshold": 0.5,
    }
    corpus = share["corpus"]
    assert corpus["n"] == 7 and corpus["method"] == "word_mixture"
    assert set(corpus["estimates"]) == {"word_mixture"}
    assert corpus["agreement"] == "not_compared" and corpus["reliable"]
    assert corpus["note"].startswith("only word_mixture applies")


def test_the_report_and_the_dataset_card_name_the_scorer_plugin(out):
    assert main(["report", str(out)]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f"scorer plug-in <code>{SCORER}</code>" in html
    card = (out / "README.md").read_text(encoding="utf-8")
    assert f"Scored by the scorer plug-in `{SCORER}`; only documents in en, fr of" in card
    assert "word_mixture)**" in card


def test_a_scorer_without_a_threshold_stops_the_run_before_anything_is_written(tmp_path, capsys):
    scorer = {"class": f"{PLUGINS}:PlainProbability"}
    config = _config(tmp_path, {"scorer": scorer})
    assert run_cli("--config", str(config), "--output", str(tmp_path / "out")) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert "synthetic.scorer: PlainProbability.threshold must be a number in [0, 1]" in line
    assert not (tmp_path / "out").exists()
