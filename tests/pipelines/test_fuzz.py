"""The seeded fuzz corpus (tests/fuzz_corpus.py) end to end: no crash, nothing lost.

Every record of every source ends up kept or rejected with the specific reason the generator
planted, unreadable files are named in the manifest, the raw bytes kept are capped, and a
document under the size limit is stored whole while scorers see only its prefix.
The tiny-records file has 20,000 records; ``CURATE_SLOW_TESTS=1`` makes it 100,000.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections import Counter
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from pipelines.cli import main
from tests.fuzz_corpus import (
    DEFAULT_TINY_RECORDS,
    KEPT,
    LARGE_TEXT_BYTES,
    FuzzCorpus,
    large_text,
    write_config,
    write_fuzz_corpus,
)

TINY_RECORDS = 100_000 if os.environ.get("CURATE_SLOW_TESTS") == "1" else DEFAULT_TINY_RECORDS
IN_MEMORY = ["--runner=DirectRunner", "--direct_running_mode=in_memory"]
#: ``limits.max_raw_bytes`` and ``limits.max_scored_chars`` defaults (curation/config.py).
MAX_RAW_BYTES = 65_536
MAX_SCORED_CHARS = 100_000


def run(*args: str) -> tuple[int, str, str]:
    """``curate run ARGS`` in this process (in-memory DirectRunner): exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", *args, *IN_MEMORY])
    return code, out.getvalue(), err.getvalue()


def rows(out: Path, kind: str, columns: list[str] | None = None) -> list[dict]:
    if not (out / kind).exists() or not list((out / kind).glob("*.parquet")):
        return []
    return ds.dataset(out / kind, format="parquet").to_table(columns=columns).to_pylist()


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory) -> tuple[FuzzCorpus, Path, str]:
    """The fuzz corpus and its finished run: (corpus, OUT, printed summary)."""
    root = tmp_path_factory.mktemp("fuzz")
    corpus = write_fuzz_corpus(root / "corpus", seed=20240611, tiny_records=TINY_RECORDS)
    out = root / "out"
    code, summary, error = run("--config", str(corpus.config), "--output", str(out))
    assert code == 0, error
    return corpus, out, summary


def test_the_run_finishes(fuzz):
    _, out, _ = fuzz
    assert (out / "_SUCCESS").exists()
    assert not list(out.glob("_tmp-*"))


def test_every_record_has_its_planted_outcome_per_source_and_reason(fuzz):
    corpus, out, _ = fuzz
    found: dict[str, Counter] = {}
    for row in rows(out, "corpus", ["source"]):
        found.setdefault(row["source"], Counter())[KEPT] += 1
    for row in rows(out, "rejects", ["source", "reject_reason"]):
        found.setdefault(row["source"], Counter())[row["reject_reason"]] += 1
    assert found == corpus.expected


def test_manifest_counts_each_file_and_names_unreadable_ones(fuzz):
    corpus, out, _ = fuzz
    manifest = json.loads((out / "manifest.json").read_text())
    inputs = {Path(item["uri"]).name: item for item in manifest["inputs"]}
    assert set(inputs) == set(corpus.files)
    for name, expected in corpus.files.items():
        item = inputs[name]
        assert item["records"] == expected.records, name
        assert item["blank_lines"] == expected.blank_lines, name
        assert (item["error"] is not None) == expected.unreadable, name
    counts = manifest["counts"]
    assert counts["input_records"] == corpus.total_records
    assert counts["kept"] + counts["rejected"] == corpus.total_records
    for source, expected in corpus.expected.items():
        by_source = counts["by_source"][source]
        assert by_source["input_records"] == sum(expected.values())
        assert by_source["kept"] == expected[KEPT]
        assert by_source["license"] == f"fuzz-{source}"


def test_each_record_appears_once_with_its_own_line_number(fuzz):
    corpus, out, _ = fuzz
    columns = ["source_uri", "source_record"]
    numbers: dict[str, list[int]] = {}
    for row in rows(out, "corpus", columns) + rows(out, "rejects", columns):
        numbers.setdefault(Path(row["source_uri"]).name, []).append(row["source_record"])
    for name, expected in corpus.files.items():
        assert len(numbers[name]) == len(set(numbers[name])) == expected.records, name
    kept_ids = [row["id"] for row in rows(out, "corpus", ["id"])]
    assert len(kept_ids) == len(set(kept_ids))


def test_reject_rows_keep_capped_raw_bytes_and_a_detail(fuzz):
    _, out, _ = fuzz
    rejects = rows(out, "rejects", ["id", "reject_reason", "reject_detail", "raw"])
    assert all(row["raw"] is None or len(row["raw"]) <= MAX_RAW_BYTES for row in rejects)
    assert all(row["reject_detail"] for row in rejects)
    by_id = {row["id"]: row for row in rejects}
    huge = by_id["huge-20mb"]
    assert huge["reject_reason"] == "text_too_long"
    assert len(huge["raw"]) == MAX_RAW_BYTES
    assert huge["raw"].startswith(b'{"id": "huge-20mb", "text": "')
    nul = next(row for row in rejects if row["raw"] == b'{"id": "raw-nul", "text": "a\x00b"}')
    assert nul["reject_reason"] == "invalid_json"
    latin1 = next(row for row in rejects if row["raw"] and b"caf\xe9" in row["raw"])
    assert latin1["reject_reason"] == "invalid_utf8"


def test_large_document_is_stored_whole_and_scored_on_its_prefix(fuzz):
    corpus, out, _ = fuzz
    table = ds.dataset(out / "corpus", format="parquet").to_table(
        filter=ds.field("id") == "large-5mb"
    )
    (row,) = table.to_pylist()
    assert row["text_bytes"] == LARGE_TEXT_BYTES
    assert row["text"] == large_text(corpus)
    # English for the first 200,000 characters, German after: scorers saw only the English
    assert row["lang"] == "en"
    assert row["quality"]["gopher_quality__word_count"] <= MAX_SCORED_CHARS // 2


def test_odd_but_valid_documents_are_kept_verbatim(fuzz):
    _, out, _ = fuzz
    kept = {row["id"]: row["text"] for row in rows(out, "corpus", ["id", "text"])}
    assert "\x00tail" in kept["escaped-nul"]
    assert kept["emoji-pair"].endswith(" \U0001f600")
    assert kept["12345"] and kept["indented"] and kept["bom-first"]
    assert "other-field" in kept
    # a lone-surrogate id and a dict id are replaced by the derived source:file:record id
    derived = [key for key in kept if key.startswith("lines:") and "malformed.jsonl:" in key]
    assert len(derived) == 2


def test_summary_counts_unreadable_files(fuzz):
    corpus, _, summary = fuzz
    assert f"unreadable_file={len(corpus.unreadable)}" in summary


def test_summary_names_unreadable_files(fuzz):
    corpus, _, summary = fuzz
    for name in corpus.unreadable:
        assert name in summary


def test_byte_ranges_give_the_same_rows_as_whole_files(fuzz, tmp_path):
    """The malformed files read in 1 KiB ranges (split at line boundaries) give the same rows."""
    corpus, out, _ = fuzz
    config = write_config(corpus.root, tmp_path / "split.yaml", ["lines"], split_bytes=1024)
    split_out = tmp_path / "out"
    code, _, error = run("--config", str(config), "--output", str(split_out))
    assert code == 0, error
    manifest = json.loads((split_out / "manifest.json").read_text())
    assert max(item.get("ranges", 1) for item in manifest["inputs"]) > 1

    def lines_rows(directory: Path, kind: str) -> list[dict]:
        found = [row for row in rows(directory, kind) if row["source"] == "lines"]
        for row in found:
            del row["run_id"]
        return sorted(found, key=lambda row: (row["source_uri"], row["source_record"]))

    for kind in ("corpus", "rejects"):
        assert lines_rows(split_out, kind) == lines_rows(out, kind), kind


def test_a_huge_json_integer_is_one_invalid_json_record(tmp_path):
    source = tmp_path / "bigint"
    source.mkdir()
    lines = [
        json.dumps({"id": "before", "text": "the line before the huge number"}),
        '{"id": 1' + "0" * 5000 + ', "text": "an id too long for int()"}',
        json.dumps({"id": "after", "text": "the line after the huge number"}),
    ]
    (source / "bigint.jsonl").write_text("\n".join(lines) + "\n")
    config = write_config(tmp_path, tmp_path / "bigint.yaml", ["bigint"])
    code, _, error = run("--config", str(config), "--output", str(tmp_path / "out"))
    assert code == 0, error
    reasons = Counter(row["reject_reason"] for row in rows(tmp_path / "out", "rejects"))
    assert reasons == {"invalid_json": 1}
    assert {row["id"] for row in rows(tmp_path / "out", "corpus", ["id"])} == {"before", "after"}


def _unreadable_corpus(root: Path, policy: str | None) -> Path:
    source = root / "feed"
    source.mkdir(parents=True)
    (source / "good.jsonl").write_text(json.dumps({"id": "g", "text": "a readable record"}) + "\n")
    (source / "broken.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff\x07junk")
    config = write_config(root, root / "config.yaml", ["feed"])
    if policy is not None:
        config.write_text(config.read_text() + f"limits: {{on_unreadable: {policy}}}\n")
    return config


@pytest.mark.parametrize("policy, exit_code", [("fail", 1), ("continue", 0)])
def test_unreadable_file_policy_sets_the_exit_code(tmp_path, policy, exit_code):
    config = _unreadable_corpus(tmp_path, policy)
    code, _, error = run("--config", str(config), "--output", str(tmp_path / "out"))
    assert code == exit_code, error
    if policy == "fail":
        failures = [line for line in error.splitlines() if line.startswith("curate: run failed")]
        assert len(failures) == 1 and "broken.jsonl.gz" in failures[0]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    errors = {Path(item["uri"]).name: item["error"] for item in manifest["inputs"]}
    assert errors["good.jsonl"] is None and errors["broken.jsonl.gz"]
