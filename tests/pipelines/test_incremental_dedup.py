"""Incremental dedup: a corpus curated in two halves, the second against the first, removes the
same cross-half duplicates as one run over both; reference documents are never touched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from tests.paths import REPO
from tests.pipelines.helpers import read_rows, run_cli, sample_texts

TEXTS = sample_texts(30)


def _edited(text: str, *positions: int) -> str:
    """``text`` with the words at ``positions`` replaced (each costs about 1 % of Jaccard)."""
    words = text.split()
    for position in positions:
        words[position] = f"changed{position}"
    return " ".join(words)


#: Half A: 20 originals, an exact and a near copy within the half.
HALF_A = {f"a-{n:02d}": TEXTS[n] for n in range(20)} | {
    "a-20": TEXTS[0].upper(),
    "a-21": _edited(TEXTS[1], 50),
}
#: Half B: 10 new originals and copies of A's documents (exact, near, of a kept document and of
#: one A rejected), and a near copy within B.
HALF_B = {f"b-{n:02d}": TEXTS[20 + n] for n in range(10)} | {
    "b-10": _edited(TEXTS[2], 100),
    "b-11": TEXTS[3].lower(),
    "b-12": _edited(HALF_A["a-21"], 150),
    "b-13": _edited(TEXTS[20], 60),
    "b-14": TEXTS[0],
}


def _write(directory: Path, name: str, docs: dict[str, str]) -> Path:
    path = directory / f"{name}.jsonl"
    lines = (json.dumps({"id": doc_id, "text": text}) for doc_id, text in docs.items())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _config(tmp: Path, name: str, paths: list[Path]) -> Path:
    config = {
        "sources": [{"name": p.stem, "paths": [str(p)]} for p in paths],
        "quality": {"reject": False},
        "dedup": {"keep_policy": ["id"]},  # half A's ids come first: A wins, as a reference
    }
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _decisions(out: Path) -> dict[str, tuple]:
    rows = [dict(row, kept=True) for row in read_rows(out, "corpus")]
    rows += [dict(row, kept=False) for row in read_rows(out, "rejects")]
    return {
        row["id"]: (row["kept"], row.get("reject_reason"), row.get("duplicate_of")) for row in rows
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("incremental")
    half_a, half_b = _write(tmp, "a", HALF_A), _write(tmp, "b", HALF_B)
    names = ("both", "first", "second", "first-unindexed", "second-from-text")
    outs = {name: tmp / name for name in names}
    both = _config(tmp, "both", [half_a, half_b])
    assert run_cli("--config", str(both), "--output", str(outs["both"])) == 0
    first = _config(tmp, "first", [half_a])
    assert run_cli("--config", str(first), "--output", str(outs["first"]), "--write-index") == 0
    assert run_cli("--config", str(first), "--output", str(outs["first-unindexed"])) == 0
    second = _config(tmp, "second", [half_b])
    for out, reference in (("second", "first"), ("second-from-text", "first-unindexed")):
        against = ["--dedup-against", str(outs[reference])]
        assert run_cli("--config", str(second), "--output", str(outs[out]), *against) == 0
    return outs


def test_second_half_against_the_first_decides_as_one_run_over_both(runs):
    both, second = _decisions(runs["both"]), _decisions(runs["second"])
    assert set(second) == set(HALF_B)
    assert {doc_id: both[doc_id] for doc_id in HALF_B} == second
    assert second["b-10"] == (False, "near_duplicate", "a-02")
    assert second["b-11"] == (False, "exact_duplicate", "a-03")
    assert second["b-12"] == (False, "near_duplicate", "a-01")  # through a-21, a reject of A
    assert second["b-13"] == (False, "near_duplicate", "b-00")
    assert second["b-14"] == (False, "exact_duplicate", "a-00")
    assert sum(kept for kept, _, _ in second.values()) == 10


def test_rejects_name_the_reference_run(runs):
    run_id = (runs["first"] / "_SUCCESS").read_text().strip()
    details = {row["id"]: row["reject_detail"] for row in read_rows(runs["second"], "rejects")}
    assert details["b-10"].startswith("jaccard=0.9")
    for doc_id in ("b-10", "b-11", "b-12", "b-14"):
        assert details[doc_id].endswith(f"; reference_run={run_id}")
    assert "reference_run" not in details["b-13"]


def test_an_output_holds_the_index_a_later_run_reads(runs):
    index = pa.concat_tables(
        pq.read_table(path) for path in sorted((runs["first"] / "index").glob("*.parquet"))
    )
    kept = dict(zip(index["id"].to_pylist(), index["kept"].to_pylist(), strict=True))
    # kept documents and their duplicates; 20 originals + a-20 and a-21 (copies)
    assert kept == {f"a-{n:02d}": n < 20 for n in range(22)}
    assert index.schema.metadata[b"curate.dedup"]


def test_an_output_without_an_index_is_indexed_from_its_text(runs):
    assert not (runs["first-unindexed"] / "index").exists()  # output.index is off by default
    assert (runs["first"] / "index").is_dir()
    assert _decisions(runs["second-from-text"]) == _decisions(runs["second"])


def test_a_parquet_corpus_is_indexed_on_the_fly(runs, tmp_path):
    table = pa.table({"id": ["p-1"], "text": [TEXTS[25]]})
    pq.write_table(table, tmp_path / "other.parquet")
    config = _config(tmp_path, "b", [_write(tmp_path, "b", {"z-1": _edited(TEXTS[25], 40)})])
    out = tmp_path / "out"
    against = ["--dedup-against", str(tmp_path / "other.parquet")]
    assert run_cli("--config", str(config), "--output", str(out), *against) == 0
    assert _decisions(out) == {"z-1": (False, "near_duplicate", "p-1")}


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("nowhere", "no curate output (_SUCCESS) and no .parquet file there"),
        ("untexted.parquet", "no string column 'text'"),
    ],
)
def test_a_bad_reference_is_one_line_and_exit_2_before_anything_is_written(
    tmp_path, capsys, reference, message
):
    pq.write_table(pa.table({"body": ["some words"]}), tmp_path / "untexted.parquet")
    config = _config(tmp_path, "b", [_write(tmp_path, "b", {"z-1": TEXTS[0]})])
    out = tmp_path / "out"
    against = ["--dedup-against", str(tmp_path / reference)]
    assert run_cli("--config", str(config), "--output", str(out), *against) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("curate: error: dedup.reference") and message in error
    assert len(error.splitlines()) == 1
    assert not out.exists()


def test_the_same_decisions_on_a_dask_cluster(runs, tmp_path):
    pytest.importorskip("distributed")
    from scripts.dask_cluster import running_processes, start_cluster, stop_cluster

    out = tmp_path / "dask"
    config = _config(tmp_path, "second", [_write(tmp_path, "b", HALF_B)])
    cluster = start_cluster(workers=2, threads=1, log_dir=tmp_path / "logs", cwd=str(REPO))
    try:
        command = [sys.executable, "-m", "pipelines.cli", "run", "--config", str(config)]
        command += ["--output", str(out), "--dedup-against", str(runs["first"])]
        command += ["--runner=DaskRunner", f"--dask_client_address={cluster.address}"]
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    finally:
        stop_cluster(cluster)
        assert running_processes(cluster) == []
    assert done.returncode == 0, done.stderr[-3000:]
    assert _decisions(out) == _decisions(runs["second"])
