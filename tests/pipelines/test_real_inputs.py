"""``curate run --input DIR`` on a folder as curators have them: mixed formats and codecs,
non-data files beside the data, a damaged archive, literal and odd file names."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from urllib.parse import unquote_to_bytes

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from pipelines.cli import main
from tests.pipelines.helpers import read_rows, run_cli, sample_texts

TEXTS = sample_texts(16)


def _jsonl(rows: list[dict]) -> bytes:
    return b"".join(json.dumps(row).encode() + b"\n" for row in rows)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("inputs") / "data"
    (root / "nested").mkdir(parents=True)
    (root / "README.md").write_text("# my corpus\nNot data.\n")
    (root / "LICENSE").write_text("CC-BY-4.0\n")
    (root / "config.yaml").write_text("name: corpus\n")
    (root / "_SUCCESS").write_text("")
    (root / "a.jsonl").write_bytes(_jsonl([{"id": f"a{i}", "text": TEXTS[i]} for i in range(3)]))
    zst = zstandard.ZstdCompressor(write_checksum=True)
    shard = [{"id": f"z{i}", "text": TEXTS[3 + i]} for i in range(3)]
    (root / "nested" / "b.jsonl.zst").write_bytes(zst.compress(_jsonl(shard)))
    table = pa.table({"id": [f"p{i}" for i in range(3)], "text": TEXTS[6:9]})
    pq.write_table(table, root / "c.parquet")
    bad_crc = bytearray(
        gzip.compress(_jsonl([{"id": f"g{i}", "text": TEXTS[9 + i]} for i in range(2)]))
    )
    bad_crc[-8] ^= 0xFF
    (root / "d.jsonl.gz").write_bytes(bytes(bad_crc))
    dolma = [
        {
            "id": f"dolma-{i}",
            "text": TEXTS[11 + i],
            "source": "wiki",
            "added": "2024-01-01T00:00:00Z",
            "created": "2023-05-01T00:00:00Z",
            "metadata": {"url": f"https://example.org/{i}", "license": "cc-by-sa-4.0"},
        }
        for i in range(3)
    ]
    (root / "e.json.gz").write_bytes(gzip.compress(_jsonl(dolma)))
    return root


@pytest.fixture(scope="module")
def run(folder, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "out"
    assert run_cli("--input", str(folder), "--output", str(out)) == 0
    return out


def test_only_data_files_are_read_and_the_rest_is_listed(run, folder):
    manifest = json.loads((run / "manifest.json").read_text())
    read = sorted(Path(item["uri"]).relative_to(folder).as_posix() for item in manifest["inputs"])
    assert read == ["a.jsonl", "c.parquet", "d.jsonl.gz", "e.json.gz", "nested/b.jsonl.zst"]
    skipped = {Path(item["uri"]).name: item["reason"] for item in manifest["skipped_inputs"]}
    assert set(skipped) == {"README.md", "LICENSE", "config.yaml", "_SUCCESS"}
    assert "not a data file" in skipped["README.md"]


def test_every_record_of_every_format_is_accounted_for(run):
    corpus, rejects = read_rows(run, "corpus"), read_rows(run, "rejects")
    ids = {row["id"] for row in corpus} | {row["id"] for row in rejects}
    expected = {f"a{i}" for i in range(3)} | {f"z{i}" for i in range(3)}
    expected |= {f"p{i}" for i in range(3)} | {f"dolma-{i}" for i in range(3)}
    assert expected <= ids
    manifest = json.loads((run / "manifest.json").read_text())
    counts = manifest["counts"]
    assert counts["input_records"] == counts["kept"] + counts["rejected"] == 3 + 3 + 3 + 3 + 3


def test_a_damaged_archive_publishes_nothing(run):
    assert not [
        row
        for row in read_rows(run, "corpus")
        if row["source_uri"].endswith(".gz") and "d.jsonl" in row["source_uri"]
    ]
    damaged = [row for row in read_rows(run, "rejects") if row["source_uri"].endswith("d.jsonl.gz")]
    assert [row["reject_reason"] for row in damaged] == ["corrupt_file"] * 2 + ["unreadable_file"]
    assert json.loads(damaged[0]["raw"])["id"] == "g0"


def test_a_path_naming_a_file_is_literal_not_a_glob(tmp_path):
    (tmp_path / "data[1].jsonl").write_bytes(_jsonl([{"id": "literal", "text": TEXTS[0]}]))
    (tmp_path / "data1.jsonl").write_bytes(_jsonl([{"id": "globbed", "text": TEXTS[1]}]))
    out = tmp_path / "out"
    assert run_cli("--input", str(tmp_path / "data[1].jsonl"), "--output", str(out)) == 0
    ids = {row["id"] for kind in ("corpus", "rejects") for row in read_rows(out, kind)}
    assert ids == {"literal"}


def test_any_bytes_in_a_file_name(tmp_path):
    """A name that is not UTF-8 is stored as its file:// URI, one text per file, mapped back
    to the bytes; a UTF-8 name that spells the old escape stays itself (on main both were
    'caf\\xff.jsonl', so the second file's record was rejected as a duplicate id)."""
    names = {b"caf\xff.jsonl": TEXTS[2], b"caf\\xff.jsonl": TEXTS[3]}
    (tmp_path / "in").mkdir()
    for name, text in names.items():
        (tmp_path / "in" / os.fsdecode(name)).write_bytes(_jsonl([{"text": text}]))
    out = tmp_path / "out"
    assert run_cli("--input", str(tmp_path / "in"), "--output", str(out)) == 0
    rows = read_rows(out, "corpus") + read_rows(out, "rejects")
    assert "duplicate_id" not in {row.get("reject_reason") for row in rows}
    found = {row["source_uri"]: row["text"] for row in rows}
    folder = os.fsencode(tmp_path / "in")
    assert found == {
        (tmp_path / "in" / os.fsdecode(b"caf\xff.jsonl")).as_uri(): TEXTS[2],
        str(tmp_path / "in" / "caf\\xff.jsonl"): TEXTS[3],
    }
    assert sorted(
        unquote_to_bytes(uri.removeprefix("file://")) if uri.startswith("file://") else uri.encode()
        for uri in found
    ) == sorted(folder + b"/" + name for name in names)


def test_fields_named_on_the_command_line(tmp_path, capsys):
    rows = [{"doc": f"r{i}", "content": TEXTS[i], "lic": "MIT" if i else None} for i in range(3)]
    (tmp_path / "in.jsonl").write_bytes(_jsonl(rows))
    out = tmp_path / "out"
    args = ["--input", str(tmp_path / "in.jsonl"), "--output", str(out), "--text-field", "content"]
    args += ["--id-field", "doc", "--license", "CC0-1.0", "--license-field", "lic"]
    assert run_cli(*args, "--source-name", "forum") == 0
    found = {row["id"]: row for row in read_rows(out, "corpus") + read_rows(out, "rejects")}
    assert set(found) == {"r0", "r1", "r2"}
    assert {row["source"] for row in found.values()} == {"forum"}
    assert found["r0"]["license"] == "CC0-1.0"  # no licence of its own: the source's
    assert found["r1"]["license"] == "MIT"


@pytest.mark.parametrize("case", ["readable", "private", "over the raw cap"])
def test_a_source_that_is_mostly_misread_says_what_its_records_hold(tmp_path, capsys, case):
    """Also where ``raw`` is not kept: a file only its owner may read, a record over
    ``limits.max_raw_bytes``."""
    padding = "x" * 70_000 if case == "over the raw cap" else ""
    rows = [{"id": f"r{i}", "content": TEXTS[i] + padding, "lang": "en"} for i in range(5)]
    (tmp_path / "in.jsonl").write_bytes(_jsonl(rows))
    (tmp_path / "in.jsonl").chmod(0o600 if case == "private" else 0o644)
    out = tmp_path / "out"
    assert run_cli("--input", str(tmp_path / "in.jsonl"), "--output", str(out)) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "5 of 5 records (100%) rejected missing_text" in error
    assert "the records have content, id, lang; did you mean 'content'?" in error
    assert len(read_rows(out, "rejects")) == 5  # the rejects are written all the same
    assert not (out / "_SUCCESS").exists()


def test_records_round_trip_with_every_field(tmp_path):
    records = [
        {
            "id": f"r{i}",
            "text": TEXTS[i],
            "created": created,
            "meta": {"license": lic, "tags": ["a", str(i)], "score": i / 2},
            "extra": None if i else "first",
        }
        for i, (created, lic) in enumerate(
            [("2023-05-01T12:00:00Z", "MIT"), (1682942400, None), ("not a date", "CC-BY-4.0")]
        )
    ]
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.jsonl").write_bytes(_jsonl(records))
    as_text = [dict(record, created=str(record["created"])) for record in records]
    pq.write_table(pa.Table.from_pylist(as_text), inputs / "b.parquet")
    out = tmp_path / "out"
    args = ["--input", str(inputs), "--output", str(out), "--created-field", "created"]
    assert run_cli(*args, "--license-field", "meta.license", "--license", "odc-by") == 0
    rows = read_rows(out, "corpus") + read_rows(out, "rejects")
    assert len(rows) == 6
    by_file = {(Path(row["source_uri"]).suffix, row["id"]): row for row in rows}
    for suffix in (".jsonl", ".parquet"):
        for record in records:
            row = by_file[(suffix, record["id"])]
            rest = {key: value for key, value in record.items() if key not in ("id", "text")}
            rest.pop("created")
            assert json.loads(row["metadata"]) == rest
            assert row["license"] == (record["meta"]["license"] or "odc-by")
            assert row["created_raw"] == str(record["created"])
    assert by_file[(".jsonl", "r0")]["created"].isoformat() == "2023-05-01T12:00:00+00:00"
    assert by_file[(".jsonl", "r1")]["created"] == by_file[(".jsonl", "r0")]["created"]
    assert by_file[(".parquet", "r2")]["created"] is None


def test_metadata_and_created_read_in_duckdb_pandas_polars_and_datasets(tmp_path, monkeypatch):
    record = {"text": TEXTS[0], "meta": {"license": "MIT", "n": 3}, "at": "2023-05-01T12:00:00Z"}
    (tmp_path / "in.jsonl").write_bytes(_jsonl([record]))
    out = tmp_path / "out"
    assert (
        run_cli(
            "--input", str(tmp_path / "in.jsonl"), "--output", str(out), "--created-field", "at"
        )
        == 0
    )
    shards = str(out / "*" / "part-*.parquet")
    found = duckdb.sql(
        f"SELECT json_extract_string(metadata, '$.meta.license') AS lic, "
        f"CAST(json_extract(metadata, '$.meta.n') AS INT) AS n, year(created) "
        f"FROM read_parquet('{shards}', union_by_name = true)"
    ).fetchall()
    assert found == [("MIT", 3, 2023)]
    paths = sorted(out.glob("*/part-*.parquet"))
    frame = pd.concat(pd.read_parquet(path) for path in paths)
    assert json.loads(frame["metadata"].iloc[0]) == {"meta": {"license": "MIT", "n": 3}}
    assert str(frame["created"].dtype) == "datetime64[us, UTC]"
    polars = pytest.importorskip("polars")
    table = polars.concat([polars.read_parquet(path) for path in paths], how="diagonal")
    assert table.schema["created"] == polars.Datetime("us", "UTC")
    assert table["metadata"].str.json_path_match("$.meta.license").to_list() == ["MIT"]
    for name in ("HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE"):
        monkeypatch.setenv(name, "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    datasets = pytest.importorskip("datasets")
    kind = paths[0].parent.name
    loaded = datasets.load_dataset(
        "parquet",
        data_files=[str(p) for p in paths if p.parent.name == kind],
        split="train",
        cache_dir=str(tmp_path / "cache"),
    )
    assert loaded.features["metadata"].dtype == "string"
    assert loaded.features["created"].dtype == "timestamp[us, tz=UTC]"
    assert json.loads(loaded["metadata"][0]) == {"meta": {"license": "MIT", "n": 3}}


def test_inspect_shows_per_record_licences_and_a_records_metadata(tmp_path, capsys):
    licences = ["MIT", None, "Apache-2.0"]
    records = [
        {"id": f"r{i}", "text": TEXTS[i], "lic": lic, "note": {"i": i}}
        for i, lic in enumerate(licences)
    ]
    (tmp_path / "in.jsonl").write_bytes(_jsonl(records))
    out = tmp_path / "out"
    args = ["--input", str(tmp_path / "in.jsonl"), "--output", str(out)]
    assert run_cli(*args, "--license-field", "lic", "--license", "odc-by") == 0
    capsys.readouterr()
    assert main(["inspect", str(out), "--json"]) == 0
    by_source = json.loads(capsys.readouterr().out)["by_source"]
    assert by_source["in"]["license"] == "Apache-2.0, MIT, odc-by"
    assert main(["inspect", str(out), "--id", "r0"]) == 0
    shown = capsys.readouterr().out
    assert "licence=MIT" in shown and 'metadata: {"note":{"i":0}}' in shown


def test_a_symlink_out_of_the_input_directory_is_skipped_unless_followed(tmp_path):
    secret = tmp_path / "elsewhere" / "secret.jsonl"
    secret.parent.mkdir()
    secret.write_bytes(_jsonl([{"id": "secret", "text": TEXTS[5]}]))
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "docs.jsonl").write_bytes(_jsonl([{"id": "mine", "text": TEXTS[6]}]))
    (inputs / "link.jsonl").symlink_to(secret)
    out = tmp_path / "out"
    assert run_cli("--input", str(inputs), "--output", str(out)) == 0
    ids = {row["id"] for kind in ("corpus", "rejects") for row in read_rows(out, kind)}
    assert ids == {"mine"}
    manifest = json.loads((out / "manifest.json").read_text())
    [skipped] = manifest["skipped_inputs"]
    assert skipped["uri"].endswith("link.jsonl") and "outside" in skipped["reason"]
    config = tmp_path / "follow.yaml"
    config.write_text(
        f"sources: [{{name: s, paths: ['{inputs}']}}]\nread: {{follow_symlinks: true}}\n"
    )
    followed = tmp_path / "followed"
    assert run_cli("--config", str(config), "--output", str(followed)) == 0
    ids = {row["id"] for kind in ("corpus", "rejects") for row in read_rows(followed, kind)}
    assert ids == {"mine", "secret"}


def test_raw_bytes_are_kept_only_from_inputs_everyone_may_read(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name, mode in (("open.jsonl", 0o644), ("private.jsonl", 0o600)):
        (inputs / name).write_bytes(b'{"id": "broken", "text": \n')
        (inputs / name).chmod(mode)
    out = tmp_path / "out"
    assert run_cli("--input", str(inputs), "--output", str(out), "--source-name", "s") in (0, 1)
    raw = {Path(row["source_uri"]).name: row["raw"] for row in read_rows(out, "rejects")}
    assert raw == {"open.jsonl": b'{"id": "broken", "text": ', "private.jsonl": None}


def test_brackets_in_input_and_output_names_are_literal(tmp_path, capsys):
    inputs = tmp_path / "in[1]"
    inputs.mkdir()
    (inputs / "docs.jsonl").write_bytes(_jsonl([{"id": "a", "text": TEXTS[7]}]))
    out = tmp_path / "out[2]"
    assert run_cli("--input", str(inputs), "--output", str(out)) == 0
    assert run_cli("--input", str(inputs), "--output", str(out), "--overwrite") == 0
    assert (out / "_SUCCESS").exists() and not (out / ".curate-lock").exists()
    assert {row["id"] for row in read_rows(out, "corpus") + read_rows(out, "rejects")} == {"a"}
    capsys.readouterr()
    assert main(["inspect", str(out)]) == 0
    assert "matches manifest" in capsys.readouterr().out
