"""Repeated paragraphs and lines (``dedup.repeated``) through ``curate run``: planted
boilerplate is cut from the kept documents it is repeated in, each cut recorded so the input
text can be rebuilt, documents left too short rejected; the same shards on DaskRunner; off by
default."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from curation.config import RepeatedConfig
from pipelines.cli import main
from tests.paths import REPO
from tests.pipelines.helpers import read_rows, run_cli, sample_texts

BANNER = "We use cookies to improve your experience. By continuing you accept our cookie policy."
FOOTER = "Home | Documentation | Downloads | Community | Contact us | Privacy"
#: In exactly ``max_documents`` documents: not more, so never removed.
SHARED = "This page was last edited by the documentation team of the project."
MAX_DOCUMENTS = 5
TEXTS = [text.strip() for text in sample_texts(24)]
RECORDS = (
    {f"banner-{n:02d}": f"{BANNER}\n\n{TEXTS[n]}\n\n{FOOTER}\n" for n in range(12)}
    | {f"shared-{n:02d}": f"{TEXTS[n]}\n\n{SHARED}" for n in range(12, 12 + MAX_DOCUMENTS)}
    | {f"plain-{n:02d}": TEXTS[n] for n in range(12 + MAX_DOCUMENTS, 24)}
    | {"mostly-boilerplate": f"{BANNER}\n\nSee the tutorial for more.\n\n{FOOTER}"}
    # an exact copy of a banner document: rejected by exact dedup, so not counted twice
    | {"copy-of-banner-00": f"{BANNER}\n\n{TEXTS[0]}\n\n{FOOTER}\n"}
)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("inputs") / "docs.jsonl"
    lines = (json.dumps({"id": key, "text": text}) + "\n" for key, text in RECORDS.items())
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _config(tmp: Path, inputs: Path, name: str, **dedup: object) -> Path:
    config = {
        "sources": [{"name": "docs", "paths": [str(inputs)], "license": "MIT"}],
        "quality": {"reject": False},
        "dedup": dedup,
        # several pieces and shards, so counts are merged across shards and buckets
        "read": {"split_bytes": 4096},
        "output": {"target_shard_bytes": 8192},
    }
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


REPEATED = {"unit": "paragraph", "max_documents": MAX_DOCUMENTS, "min_words": 20}


@pytest.fixture(scope="module")
def removed(tmp_path_factory, inputs) -> Path:
    tmp = tmp_path_factory.mktemp("repeated")
    out = tmp / "out"
    config = _config(tmp, inputs, "repeated", repeated=REPEATED)
    assert run_cli("--config", str(config), "--output", str(out)) == 0
    return out


def _by_id(out: Path, kind: str) -> dict[str, dict]:
    return {row["id"]: row for row in read_rows(out, kind)}


def _cut(text: str, spans: list[dict]) -> str:
    parts, position = [], 0
    for span in spans:
        parts.append(text[position : span["start"]])
        position = span["end"]
    return "".join(parts) + text[position:]


def test_repeated_paragraphs_are_cut_and_every_cut_recorded(removed):
    corpus = _by_id(removed, "corpus")
    for n in range(12):
        row = corpus[f"banner-{n:02d}"]
        original = RECORDS[row["id"]]
        assert row["text"] == f"{TEXTS[n]}\n"
        assert _cut(original, row["repeated_spans"]) == row["text"]
        assert row["text_edits"] == [
            {
                "step": "repeated_paragraphs",
                "spans": 2,
                "chars_before": len(original),
                "chars_after": len(row["text"]),
            }
        ]
        assert row["text_bytes"] == len(row["text"].encode("utf-8"))


def test_segments_in_at_most_max_documents_and_plain_documents_stay(removed):
    corpus = _by_id(removed, "corpus")
    for key, text in RECORDS.items():
        if key.startswith(("shared-", "plain-")):
            row = corpus[key]
            assert row["text"] == text
            assert row["text_edits"] is None and row["repeated_spans"] is None


def test_a_document_left_too_short_is_rejected_with_its_text(removed):
    rejects = _by_id(removed, "rejects")
    assert set(rejects) == {"mostly-boilerplate", "copy-of-banner-00"}
    row = rejects["mostly-boilerplate"]
    assert (row["reject_stage"], row["reject_reason"]) == ("repeated_content", "repeated_content")
    assert row["reject_detail"].startswith("2 of 3 paragraphs in more than 5 documents; 5 words")
    assert row["text"] == RECORDS["mostly-boilerplate"] and row["text_edits"] is None
    assert rejects["copy-of-banner-00"]["reject_reason"] == "exact_duplicate"


def test_manifest_counts_the_reason_and_every_record(removed):
    counts = json.loads((removed / "manifest.json").read_text())["counts"]
    assert counts["input_records"] == len(RECORDS) == counts["kept"] + counts["rejected"]
    assert counts["rejected_by_reason"] == {"exact_duplicate": 1, "repeated_content": 1}


def test_off_by_default_no_column_and_nothing_cut(tmp_path, inputs):
    out = tmp_path / "out"
    assert run_cli("--config", str(_config(tmp_path, inputs, "default")), "--output", str(out)) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert "repeated" not in manifest["config"]["dedup"]
    for shard in (out / "corpus").glob("part-*.parquet"):
        names = pq.read_schema(shard).names
        assert "repeated_spans" not in names and "text_edits" not in names
    corpus = _by_id(out, "corpus")
    assert corpus["banner-03"]["text"] == RECORDS["banner-03"]
    assert "mostly-boilerplate" in corpus


def test_the_cli_flag_sets_the_unit(tmp_path, inputs):
    out = tmp_path / "out"
    config = _config(tmp_path, inputs, "lines", repeated={**REPEATED, "unit": "paragraph"})
    assert run_cli("--config", str(config), "--output", str(out), "--remove-repeated", "line") == 0
    manifest = json.loads((out / "manifest.json").read_text())
    expected = RepeatedConfig(**{**REPEATED, "unit": "line"}).model_dump(mode="json")
    assert manifest["config"]["dedup"]["repeated"] == expected
    row = _by_id(out, "corpus")["banner-05"]
    assert row["text_edits"][0]["step"] == "repeated_lines"
    assert _cut(RECORDS["banner-05"], row["repeated_spans"]) == row["text"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--remove-repeated", "sentence"], "argument --remove-repeated: invalid choice"),
        ([], "dedup.repeated.max_documents: Input should be greater than or equal to 1"),
    ],
)
def test_bad_values_are_one_line_and_exit_2_before_anything_is_written(
    tmp_path, inputs, capsys, args, message
):
    config = _config(tmp_path, inputs, "bad", repeated={"max_documents": 0})
    out = tmp_path / "out"
    flags = ["--config", str(config)] if not args else ["--input", str(inputs)]
    assert main(["run", *flags, "--output", str(out), *args]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and message in error
    assert not out.exists()


def _shard_digests(out: Path) -> dict[str, str]:
    return {
        str(path.relative_to(out)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.glob("*/part-*.parquet"))
    }


def test_the_same_shards_on_a_dask_cluster(removed, tmp_path, inputs):
    pytest.importorskip("distributed")
    from scripts.dask_cluster import running_processes, start_cluster, stop_cluster

    out = tmp_path / "dask"
    config = _config(tmp_path, inputs, "repeated", repeated=REPEATED)
    cluster = start_cluster(workers=2, threads=1, log_dir=tmp_path / "logs", cwd=str(REPO))
    try:
        command = [sys.executable, "-m", "pipelines.cli", "run", "--config", str(config)]
        command += ["--output", str(out), "--runner=DaskRunner"]
        command += [f"--dask_client_address={cluster.address}", "--dask_npartitions=2"]
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    finally:
        stop_cluster(cluster)
        assert running_processes(cluster) == []
    assert done.returncode == 0, done.stderr[-3000:]
    assert _shard_digests(out) == _shard_digests(removed)
    assert _shard_digests(out)  # there are shards to compare
