"""``curate inspect``: counts per source, language and reject reason, and sample documents."""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipelines.manifest import list_shards

_SAMPLE_COLUMNS = ["id", "source", "source_uri", "source_record", "lang", "synthetic_score", "text"]


def _read(directory: str, columns: list[str]) -> pa.Table | None:
    tables = []
    for path in list_shards(directory):
        with FileSystems.open(path) as handle:
            tables.append(pq.read_table(handle, columns=columns))
    return pa.concat_tables(tables) if tables else None


def _counter(table: pa.Table | None, column: str) -> dict[str, int]:
    if table is None:
        return {}
    counts = Counter(value if value is not None else "null" for value in table[column].to_pylist())
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def inspect_output(path: str, sample: int = 3, seed: int = 0, as_json: bool = False) -> str:
    corpus = _read(FileSystems.join(path, "corpus"), _SAMPLE_COLUMNS)
    rejects = _read(FileSystems.join(path, "rejects"), ["source", "reject_reason"])
    report: dict[str, Any] = {
        "kept": 0 if corpus is None else corpus.num_rows,
        "rejected": 0 if rejects is None else rejects.num_rows,
        "kept_by_source": _counter(corpus, "source"),
        "kept_by_language": _counter(corpus, "lang"),
        "rejected_by_reason": _counter(rejects, "reject_reason"),
        "samples": [],
    }
    if corpus is not None and sample > 0:
        rows = corpus.to_pylist()
        picked = random.Random(seed).sample(rows, min(sample, len(rows)))
        for row in sorted(picked, key=lambda r: r["id"]):
            row["text"] = row["text"][:300]
            report["samples"].append(row)
    if as_json:
        return json.dumps(report, indent=2, ensure_ascii=False)
    lines = [f"{path}: kept {report['kept']}, rejected {report['rejected']}"]
    for title in ("kept_by_source", "kept_by_language", "rejected_by_reason"):
        items = ", ".join(f"{k}={v}" for k, v in report[title].items())
        lines.append(f"  {title.replace('_', ' ')}: {items}")
    for row in report["samples"]:
        lines.append(
            f"  - {row['id']} [{row['source']} {row['source_uri']}:{row['source_record']}, "
            f"lang={row['lang']}] {row['text'][:120]!r}"
        )
    return "\n".join(lines)
