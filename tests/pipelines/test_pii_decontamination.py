"""PII redaction and rejection, and benchmark decontamination, through ``curate run``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from curation.pii import find_pii
from pipelines.cli import main
from tests.paths import REPO
from tests.pipelines.helpers import read_rows, run_cli, sample_texts

EVALUATION_SET = REPO / "data" / "evaluation" / "science_qa_sample.jsonl"
QUESTION = json.loads(EVALUATION_SET.read_text().splitlines()[3])["question"]
PII = "Write to jane.doe@example.org or call +1 415-555-2671; the host is 192.0.2.17."


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    bodies = [text for text in sample_texts(40) if not find_pii(text)][:3]
    records = [
        {"id": "pii", "text": f"{bodies[0]}\n\n{PII}"},
        {"id": "quotes-benchmark", "text": f"{bodies[1]}\n\nQuiz: {QUESTION}"},
        {"id": "clean", "text": bodies[2]},
    ]
    path = tmp_path_factory.mktemp("inputs") / "docs.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def run(tmp: Path, inputs: Path, name: str, **sections: dict) -> Path:
    config = {
        "sources": [{"name": "docs", "paths": [str(inputs)], "license": "MIT"}],
        "quality": {"reject": False},
        **sections,
    }
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    out = tmp / name
    assert run_cli("--config", str(path), "--output", str(out)) == 0
    return out


def by_id(out: Path, kind: str) -> dict[str, dict]:
    return {row["id"]: row for row in read_rows(out, kind)}


@pytest.fixture(scope="module")
def redacted(tmp_path_factory, inputs) -> Path:
    tmp = tmp_path_factory.mktemp("redact")
    return run(
        tmp,
        inputs,
        "redact",
        pii={"policy": "redact"},
        decontamination={"paths": [str(EVALUATION_SET)]},
    )


def test_redaction_edits_the_text_and_records_counts_and_the_edit(redacted):
    corpus = by_id(redacted, "corpus")
    row = corpus["pii"]
    assert "jane.doe@example.org" not in row["text"] and "192.0.2.17" not in row["text"]
    assert row["text"].endswith(
        "Write to <EMAIL> or call <PHONE_NUMBER>; the host is <IP_ADDRESS>."
    )
    assert row["pii"] == {
        "email": 1,
        "iban": 0,
        "payment_card": 0,
        "ipv6": 0,
        "ipv4": 1,
        "phone": 1,
    }
    (edit,) = row["text_edits"]
    assert (edit["step"], edit["spans"], edit["chars_after"]) == (
        "pii_redaction",
        3,
        len(row["text"]),
    )
    assert row["text_bytes"] == len(row["text"].encode())
    clean = corpus["clean"]
    assert clean["text_edits"] is None and not any(clean["pii"].values())


def test_a_document_quoting_an_evaluation_item_is_rejected_naming_set_and_ngram(redacted):
    rejects = by_id(redacted, "rejects")
    assert set(rejects) == {"quotes-benchmark"}
    row = rejects["quotes-benchmark"]
    assert (row["reject_stage"], row["reject_reason"]) == ("decontamination", "contaminated")
    first_words = " ".join(QUESTION.lower().rstrip("?").split()[:13])
    assert row["reject_detail"] == f"set=science_qa_sample.jsonl ngram={first_words!r}"


def test_reject_policy_rejects_pii_without_editing(tmp_path, inputs):
    out = run(tmp_path, inputs, "reject", pii={"policy": "reject"})
    rejects = by_id(out, "rejects")
    assert set(rejects) == {"pii"}
    row = rejects["pii"]
    assert (row["reject_stage"], row["reject_reason"]) == ("pii", "pii")
    assert row["reject_detail"] == "email=1 ipv4=1 phone=1"
    assert PII in row["text"] and row["text_edits"] is None
    assert set(by_id(out, "corpus")) == {"quotes-benchmark", "clean"}


def test_default_run_has_no_pii_columns_and_keeps_everything(tmp_path, inputs):
    out = run(tmp_path, inputs, "default")
    assert len(by_id(out, "corpus")) == 3
    for shard in (out / "corpus").glob("part-*.parquet"):
        names = pq.read_schema(shard).names
        assert "pii" not in names and "text_edits" not in names


def test_inspect_shows_what_was_found_and_edited(redacted, capsys):
    assert main(["inspect", str(redacted), "--id", "pii"]) == 0
    shown = capsys.readouterr().out
    assert "  pii: email=1 ipv4=1 phone=1\n" in shown
    assert re.search(r"  text edits: pii_redaction \(3 spans, [\d,]+ -> [\d,]+ chars\)\n", shown)
