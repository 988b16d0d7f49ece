"""What a document keeps of its input record besides the text: licence, creation time and
every other field.

- Field names in a source config (``text_field``, ``license_field``, ...) name a top-level key
  or, when there is no such key, a dotted path into nested objects (``metadata.license``).
- ``metadata``: every top-level field not mapped to a column, as canonical JSON text (keys
  sorted, no spaces, UTF-8; bytes decoded, other non-JSON values as strings, non-finite
  floats as the strings ``NaN``/``Infinity``/``-Infinity``; a record holding a lone UTF-16
  surrogate is written with ``\\u`` escapes), or null when there is none. JSON
  text reads the same in every tool (DuckDB ``json_extract``, pandas/polars ``json.loads``,
  ``datasets``) whatever fields each source has.
- ``created``: one UTC timestamp, parsed from ISO 8601 text (a date, a date and time, ``Z`` or
  an offset; naive times are taken as UTC) or a Unix time in seconds (milliseconds when it is
  above :data:`MILLISECONDS_ABOVE`); anything else is null. ``created_raw`` keeps the value as
  it was, as text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

#: Unix times above this are taken to be in milliseconds (1e11 s is the year 5138).
MILLISECONDS_ABOVE = 1e11
_MISSING = object()


def field_value(record: Mapping[str, Any], name: str) -> Any:
    """``record[name]``, or the value at the dotted path ``name``; None when absent."""
    if name in record:
        return record[name]
    value: Any = record
    for part in name.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part, _MISSING)
        if value is _MISSING:
            return None
    return value


def _json_ready(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, Mapping):
        return {str(key): _json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_ready(item) for item in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def metadata_json(record: Mapping[str, Any], mapped: set[str]) -> str | None:
    """The record's unmapped top-level fields as canonical JSON text (None if none)."""
    rest = {key: value for key, value in record.items() if key not in mapped}
    if not rest:
        return None
    ready = _json_ready(rest)
    text = json.dumps(ready, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (a JSON "\\ud800" escape): keep it escaped
        text = json.dumps(ready, sort_keys=True, separators=(",", ":"))
    return text


def parse_created(value: Any) -> datetime | None:
    """A UTC timestamp from ISO 8601 text, a Unix time or a datetime; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float):
        if not math.isfinite(value):
            return None
        seconds = value / 1000 if abs(value) > MILLISECONDS_ABOVE else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def created_raw(value: Any) -> str | None:
    """The creation value as it was, as text (None for a missing or structured value)."""
    if value is None or isinstance(value, Mapping | list):
        return None
    return value.isoformat() if isinstance(value, datetime | date) else str(value)
