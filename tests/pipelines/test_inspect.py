"""``curate inspect`` on a real run of the tiny corpus: summary, manifest check and options."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipelines.cli import main
from tests.tiny_corpus import (
    EXPECTED_KEPT,
    EXPECTED_REJECTS,
    FORUM_LICENSE,
    FORUM_RECORDS,
    NEWS_RECORDS,
)


@pytest.fixture(scope="module")
def out(tiny_out) -> Path:
    return tiny_out


def inspect(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["inspect", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def inspect_json(capsys, *args: str) -> dict:
    code, stdout, stderr = inspect(capsys, *args, "--json")
    assert code == 0, stderr
    return json.loads(stdout)


def test_run_json_prints_the_counts(tiny_run):
    counts = json.loads(tiny_run.stdout)
    assert counts["input_records"] == NEWS_RECORDS + FORUM_RECORDS
    assert counts["kept"] == EXPECTED_KEPT
    assert counts["rejected_by_reason"] == EXPECTED_REJECTS


def test_summary_reads_the_shards_and_matches_the_manifest(out, capsys):
    code, stdout, stderr = inspect(capsys, str(out))
    assert code == 0
    assert "MISMATCH" not in stderr
    assert "matches manifest" in stdout
    assert f"kept: {EXPECTED_KEPT} documents" in stdout
    assert "near_dedup   near_duplicate" in stdout
    assert FORUM_LICENSE in stdout
    report = inspect_json(capsys, str(out))
    assert report["check"]["mismatches"] == []
    assert report["kept"] == EXPECTED_KEPT
    assert report["kept_text_bytes"] > 0
    by_reason = {r["reason"]: r["records"] for r in report["rejected_by_stage_and_reason"]}
    assert by_reason == EXPECTED_REJECTS
    assert [r["stage"] for r in report["rejected_by_stage_and_reason"]] == [
        "read",
        "quality",
        "exact_dedup",
        "near_dedup",
    ]
    news = report["by_source"]["news"]
    assert (news["license"], news["input_records"]) == ("cc-by-4.0", NEWS_RECORDS)
    assert report["by_source"]["forum"]["license"] == FORUM_LICENSE
    assert {k: v["documents"] for k, v in report["by_language"].items()} == {"en": 14, "de": 6}


def test_a_manifest_that_disagrees_is_reported_loudly(out, tmp_path, capsys):
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["counts"]["kept"] += 1
    manifest["counts"]["kept_languages"]["de"] -= 1
    (copy / "manifest.json").write_text(json.dumps(manifest))
    code, stdout, stderr = inspect(capsys, str(copy))
    assert code == 1
    problems = stderr.strip().splitlines()
    assert len(problems) == 2
    assert all(line.startswith("MISMATCH: ") for line in problems)
    assert "counts.kept" in stderr
    assert "manifest check FAILED" in stdout
    (copy / "_SUCCESS").unlink()
    code, _, stderr = inspect(capsys, str(copy))
    assert code == 1
    assert stderr.strip().splitlines()[-1].startswith("INCOMPLETE: ")


def test_a_shard_directory_or_a_single_shard_can_be_inspected(out, capsys):
    report = inspect_json(capsys, str(out / "rejects"))
    assert report["selection"] == "shards"
    assert report["rejected"] == sum(EXPECTED_REJECTS.values())
    assert report["kept"] == 0
    assert report["check"]["mismatches"] == []
    shard = next((out / "corpus").glob("part-*.parquet"))
    report = inspect_json(capsys, str(shard))
    assert report["kept"] == EXPECTED_KEPT
    assert report["check"]["manifest"] == str(out / "manifest.json")


def test_where_filters_with_duckdb_sql(out, capsys):
    report = inspect_json(capsys, str(out), "--where", "lang = 'de'", "--sample", "10")
    assert report["matches"]["count"] == 6
    assert {row["id"] for row in report["sample"]} == {f"f{i}" for i in range(6)}
    report = inspect_json(
        capsys,
        str(out),
        "--where",
        "lang = 'en' AND synthetic_score > 0.9 AND quality.c4_quality__sentence_count >= 5",
        "--columns",
        "id,synthetic_score",
        "--sample",
        "10",
    )
    assert sorted(row["id"] for row in report["sample"]) == ["s0", "s1", "s2", "s3"]
    assert all(set(row) == {"id", "synthetic_score"} for row in report["sample"])


@pytest.mark.parametrize(
    "args",
    [
        ("--where", "lang = = 'de'"),
        ("--where", "no_such_column > 1"),
        ("--columns", "id,no_such_column"),
        ("--where", "1=1; DROP TABLE corpus"),
    ],
)
def test_bad_where_or_columns_is_a_one_line_usage_error(out, capsys, args):
    code, stdout, stderr = inspect(capsys, str(out), *args)
    assert code == 2
    assert stdout == ""
    assert len(stderr.strip().splitlines()) == 1
    assert stderr.startswith("curate: error: --")


def test_without_a_query_only_the_summary_is_printed(out, capsys):
    code, stdout, _ = inspect(capsys, str(out))
    assert code == 0
    assert "per language (kept)" in stdout
    assert " rows" not in stdout and "  - id=" not in stdout
    assert "sample" not in inspect_json(capsys, str(out))


@pytest.mark.parametrize(
    "query",
    [
        ("--where", "lang = 'de'"),
        ("--columns", "id,lang"),
        ("--rejects",),
        ("--sample", "2"),
        ("--id", "f0"),
    ],
)
def test_a_query_prints_only_its_answer(out, capsys, query):
    """Each query prints its answer alone: none of the summary's lines."""
    code, stdout, stderr = inspect(capsys, str(out), *query)
    assert code == 0, stderr
    summary_lines = {line for line in inspect(capsys, str(out))[1].splitlines() if line.strip()}
    assert not summary_lines & set(stdout.splitlines())
    if query[0] != "--id":
        assert stdout.splitlines()[0].endswith(" (seed 0)")
        report = inspect_json(capsys, str(out), *query)
        assert set(report) == {"path", "matches", "sample"}


def test_sample_is_deterministic_per_seed(out, capsys):
    def ids(seed: str) -> list[str]:
        report = inspect_json(capsys, str(out), "--sample", "5", "--seed", seed)
        return [row["id"] for row in report["sample"]]

    assert ids("1") == ids("1")
    assert ids("1") != ids("2")
    assert len(ids("3")) == 5


def test_rejects_sample_shows_reasons_and_raw_bytes(out, capsys):
    report = inspect_json(capsys, str(out), "--rejects", "--where", "reject_stage = 'read'")
    (row,) = report["sample"]
    assert row["reject_reason"] == "invalid_json"
    assert row["raw"] == '{"id": "junk", "text": '
    assert row["source_record"] == FORUM_RECORDS
    code, stdout, _ = inspect(capsys, str(out), "--rejects", "--sample", "5")
    assert code == 0
    assert "reject_reason=exact_duplicate" in stdout


def test_id_shows_the_full_record_and_its_kept_copy(out, capsys):
    (found,) = inspect_json(capsys, str(out), "--id", "n3")
    record = found["record"]
    assert found["kind"] == "rejects"
    assert (record["reject_stage"], record["reject_reason"]) == ("near_dedup", "near_duplicate")
    assert record["source_uri"].endswith("news.jsonl")
    assert record["source_record"] == 4
    assert record["quality"]["gopher_quality__word_count"] > 50
    assert record["synthetic_signals"]["n_words"] > 50
    assert found["keeper"]["id"] == record["duplicate_of"] == "n-near"
    assert found["keeper"]["dup_cluster_size"] == 2
    code, stdout, _ = inspect(capsys, str(out), "--id", "n3")
    assert code == 0
    assert "REJECTED at near_dedup: near_duplicate" in stdout
    assert "beside the kept copy n-near:" in stdout
    assert "gopher_repetition__dup_10gram_char_frac" in stdout
    (kept,) = inspect_json(capsys, str(out), "--id", "f0")
    assert kept["kind"] == "corpus" and kept["keeper"] is None


def test_unknown_id_or_path_fails(out, tmp_path, capsys):
    code, _, stderr = inspect(capsys, str(out), "--id", "nope")
    assert code == 1
    assert "no record with id 'nope'" in stderr
    code, _, stderr = inspect(capsys, str(tmp_path))
    assert code == 2
    assert "no curate output" in stderr


def test_a_folder_of_runs_or_of_other_folders_is_not_one_selection(out, tmp_path, capsys):
    """Only shards in a shard directory or its ``column=value`` partitions are selected: a
    folder holding two runs is not read as one corpus of their corpus and reject shards."""
    for name in ("run-a", "run-b"):
        shutil.copytree(out, tmp_path / name)
    code, _, stderr = inspect(capsys, str(tmp_path))
    assert code == 2 and "no curate output" in stderr
    corpus = tmp_path / "run-a" / "corpus"
    (corpus / "backup").mkdir()
    shutil.copy(next(corpus.glob("part-*.parquet")), corpus / "backup")
    report = inspect_json(capsys, str(tmp_path / "run-a"))
    assert report["kept"] == EXPECTED_KEPT and report["check"]["mismatches"] == []


def test_relative_paths_are_checked_like_absolute_ones(out, capsys, monkeypatch):
    monkeypatch.chdir(out.parent)
    shard = sorted((out / "corpus").glob("part-*.parquet"))[0]
    for relative in (out.name, f"{out.name}/corpus", f"{out.name}/corpus/{shard.name}"):
        code, stdout, stderr = inspect(capsys, relative)
        assert code == 0, stderr
        assert "matches manifest" in stdout.splitlines()[0]
