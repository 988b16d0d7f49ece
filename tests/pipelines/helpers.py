"""Running ``curate run`` in this process and reading what it wrote."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq

from pipelines.cli import main
from tests.paths import SAMPLE_DIR

IN_MEMORY = ("--runner=DirectRunner", "--direct_running_mode=in_memory")


def run_cli(*args: str) -> int:
    """``curate run ARGS`` on the in-memory DirectRunner; returns the exit code."""
    return main(["run", *args, *IN_MEMORY])


def read_rows(out: Path, kind: str) -> list[dict]:
    """Every row of ``OUT/<kind>/part-*.parquet``, in shard order."""
    rows = []
    for path in sorted((out / kind).glob("part-*.parquet")):
        rows.extend(pq.read_table(path).to_pylist())
    return rows


def sample_texts(count: int) -> list[str]:
    """Distinct real English documents from the sample corpus (no planted copies among them)."""
    with gzip.open(SAMPLE_DIR / "python_docs.jsonl.gz", "rt", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return [row["text"] for row in rows[:count]]
