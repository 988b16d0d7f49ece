"""The ``curate`` CLI on a small corpus built here: contract, exit codes, determinism."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from pipelines.cli import main
from tests.paths import REPO
from tests.pipelines.helpers import read_rows, run_cli, sample_texts


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Two JSONL files (one gzip) with a duplicate, a near-duplicate and junk lines."""
    root = tmp_path_factory.mktemp("corpus")
    texts = sample_texts(10)
    lines = [json.dumps({"id": f"a{i}", "text": texts[i]}) for i in range(6)]
    lines.append(json.dumps({"id": "z-copy", "text": texts[2]}))  # exact duplicate of a2
    words = texts[3].split()
    near = " ".join(words[:10] + ["inserted"] + words[10:])
    lines.append(json.dumps({"id": "z-near", "text": near}))
    lines += ['{"id": "bad", "text": ', json.dumps({"id": "empty", "text": "  "}), ""]
    (root / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    more = [json.dumps({"text": texts[6 + i]}) for i in range(3)]
    more.append(json.dumps({"id": "a0", "text": texts[9]}))  # id already used in a.jsonl
    (root / "b.jsonl.gz").write_bytes(gzip.compress(("\n".join(more) + "\n").encode()))
    config = {
        "sources": [
            {"name": "a", "paths": [str(root / "a.jsonl")], "license": "CC0-1.0"},
            {"name": "b", "paths": [str(root / "b.jsonl.gz")], "license": "MIT"},
        ],
        "quality": {"reject": False},
    }
    (root / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def finished_run(corpus, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    assert run_cli("--config", str(corpus / "config.yaml"), "--output", str(out)) == 0
    return out


def test_every_record_is_kept_or_rejected_with_a_reason(finished_run):
    corpus_rows = read_rows(finished_run, "corpus")
    rejects = read_rows(finished_run, "rejects")
    assert len(corpus_rows) + len(rejects) == 14
    reasons = {row["id"]: row["reject_reason"] for row in rejects}
    assert reasons["empty"] == "empty_text"
    assert reasons["z-copy"] == "exact_duplicate"
    assert "invalid_json" in reasons.values()
    assert "duplicate_id" in reasons.values()
    by_id = {row["id"]: row for row in rejects}
    assert by_id["z-copy"]["duplicate_of"] == "a2"
    kept = {row["id"]: row for row in corpus_rows}
    pair = {"a3", "z-near"}
    (winner,) = pair & set(kept)
    (loser,) = pair - {winner}
    assert by_id[loser]["reject_reason"] == "near_duplicate"
    assert by_id[loser]["duplicate_of"] == winner
    assert kept[winner]["quality_score"] >= by_id[loser]["quality_score"]
    invalid = next(row for row in rejects if row["reject_reason"] == "invalid_json")
    assert invalid["raw"] == b'{"id": "bad", "text": '


def test_manifest_counts_match_the_shards(finished_run):
    manifest = json.loads((finished_run / "manifest.json").read_text())
    assert (finished_run / "_SUCCESS").exists()
    for kind in ("corpus", "rejects"):
        for shard in manifest["outputs"][kind]:
            rows = pq.ParquetFile(finished_run / shard["path"]).metadata.num_rows
            assert rows == shard["rows"] > 0
    counts = manifest["counts"]
    assert counts["input_records"] == counts["kept"] + counts["rejected"] == 14
    for source in counts["by_source"].values():
        assert source["input_records"] == source["kept"] + source["rejected"]
    assert manifest["dedup_parameters"]["bands"] * manifest["dedup_parameters"]["rows"] <= 128
    inputs = {Path(item["uri"]).name: item for item in manifest["inputs"]}
    assert sorted(inputs) == ["a.jsonl", "b.jsonl.gz"]
    a_file = Path(inputs["a.jsonl"]["uri"])
    assert inputs["a.jsonl"]["sha256"] == hashlib.sha256(a_file.read_bytes()).hexdigest()
    assert inputs["a.jsonl"]["records"] == 10 and inputs["a.jsonl"]["blank_lines"] == 1


def test_kept_rows_carry_provenance_and_scores(finished_run):
    rows = {row["id"]: row for row in read_rows(finished_run, "corpus")}
    row = rows["a2"]
    assert row["source_uri"].endswith("a.jsonl") and row["source_record"] == 3
    assert row["license"] == "CC0-1.0"
    assert row["lang"] == "en" and row["lang_score"] > 0.8
    assert row["dup_cluster_size"] == 2 and row["dup_cluster_id"] == "a2"
    assert row["run_id"].startswith("run-")
    assert len(row["content_hash"]) == 64
    derived = [key for key in rows if key.startswith("b:")]
    assert len(derived) == 3, "records without id get source:file:record ids"


def test_output_that_is_not_empty_is_refused(finished_run, capsys):
    assert (
        run_cli("--input", str(finished_run / "manifest.json"), "--output", str(finished_run)) == 2
    )
    error = capsys.readouterr().err.strip()
    assert "not empty" in error and len(error.splitlines()) == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["--input", "/nonexistent/x.jsonl"], "matches no file"),
        (["--config", "/nonexistent.yaml"], "cannot read config"),
        (["--no-such-flag=1"], "unknown option --no-such-flag"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(tmp_path, capsys, args, message):
    assert run_cli(*args, "--output", str(tmp_path / "o")) == 2
    error = capsys.readouterr().err.strip()
    assert message in error and len(error.splitlines()) == 1


#: Runs ``curate run`` in a fresh interpreter; prints its exit code and whether Beam was loaded.
_RUN_AND_REPORT_BEAM = """
import sys
from pipelines.cli import main
code = main(["run", "--config", sys.argv[1], "--output", sys.argv[2]])
print(code, "apache_beam" in sys.modules)
"""


def test_a_bad_config_fails_before_beam_is_loaded(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("sources: 3\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _RUN_AND_REPORT_BEAM, str(config), str(tmp_path / "out")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["2", "False"]
    assert "sources" in done.stderr and not (tmp_path / "out").exists()


def test_same_rows_with_two_worker_processes(corpus, finished_run, tmp_path):
    out = tmp_path / "out2"
    code = main(
        [
            "run",
            "--config",
            str(corpus / "config.yaml"),
            "--output",
            str(out),
            "--runner=DirectRunner",
            "--direct_running_mode=multi_processing",
            "--direct_num_workers=2",
        ]
    )
    assert code == 0
    for kind in ("corpus", "rejects"):
        first = sorted((finished_run / kind).glob("*.parquet"))
        second = sorted((out / kind).glob("*.parquet"))
        assert [p.name for p in first] == [p.name for p in second]
        for a, b in zip(first, second, strict=True):
            assert a.read_bytes() == b.read_bytes(), f"{kind}/{a.name} differs"


def test_console_script_runs(finished_run):
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "inspect", str(finished_run), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout)
    assert report["kept"] + report["rejected"] == 14


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.startswith("curate ")
