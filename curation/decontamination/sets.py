"""Reading an evaluation set's texts: JSONL, Parquet or plain text, by the file's name.

- ``*.jsonl``, ``*.json``, ``*.ndjson``: one JSON value per line; a record's text is every
  string in it (nested objects and lists included, in order) joined by newlines, so a
  question, its choices and its answer form one text.
- ``*.parquet``: one record per row, its text every string column's value, as for JSONL.
- anything else: UTF-8 plain text, one record per line.

A file that cannot be read this way raises :class:`EvaluationSetError` (one line).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

_JSON_SUFFIXES = (".jsonl", ".json", ".ndjson")


class EvaluationSetError(ValueError):
    """An evaluation set that cannot be read, as one line naming the file."""


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _record_text(record: Any) -> str:
    return "\n".join(_strings(record))


@contextmanager
def _utf8(stream: IO[bytes]) -> Iterator[io.TextIOWrapper]:
    """``stream`` decoded as UTF-8; the caller keeps ``stream`` (and closes it)."""
    text = io.TextIOWrapper(stream, encoding="utf-8")
    try:
        yield text
    finally:
        text.detach()


def _jsonl(name: str, stream: IO[bytes]) -> Iterator[str]:
    with _utf8(stream) as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    yield _record_text(json.loads(line))
                except ValueError as error:
                    detail = f"{name}: line {number}: not JSON ({error})"
                    raise EvaluationSetError(detail) from None


def _parquet(name: str, stream: IO[bytes]) -> Iterator[str]:
    try:
        table = pq.read_table(stream)
    except (pa.ArrowException, OSError) as error:
        raise EvaluationSetError(f"{name}: not a Parquet file ({error})") from None
    yield from map(_record_text, table.to_pylist())


def _plain(name: str, stream: IO[bytes]) -> Iterator[str]:
    try:
        with _utf8(stream) as lines:
            yield from lines
    except UnicodeDecodeError as error:
        raise EvaluationSetError(f"{name}: not UTF-8 text ({error})") from None


def evaluation_texts(name: str, stream: IO[bytes]) -> Iterator[str]:
    """The texts of the evaluation set file ``name`` (its path), read from ``stream``."""
    lowered = name.lower()
    if lowered.endswith(_JSON_SUFFIXES):
        return _jsonl(name, stream)
    if lowered.endswith(".parquet"):
        return _parquet(name, stream)
    return _plain(name, stream)
