"""Turning raw input records into documents or rejects.

A *document* and a *reject* are plain ``dict`` rows whose keys are columns of the output schema
(:mod:`curation.io.schema`), so they travel through any Beam runner without custom coders.
Every record read becomes exactly one of the two: nothing is dropped silently.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curation.config import SourceConfig
from curation.decisions import Reason, Stage
from curation.io.provenance import created_raw, field_value, metadata_json, parse_created

#: Ends a ``missing_text`` reject's detail, followed by the record's field names as a JSON list
#: (longest text first, at most :data:`MAX_LISTED_FIELDS`): names only, so a misread source
#: is diagnosed even where ``raw`` is not kept (private inputs, records over the cap).
FIELDS_NOTE = "; the record has fields "
MAX_LISTED_FIELDS = 32


def fields_note(record: dict[str, Any]) -> str:
    """:data:`FIELDS_NOTE` and the record's field names, the one holding the longest text
    first (non-text values last, ties by name)."""

    def length(name: str) -> int:
        value = record[name]
        return len(value) if isinstance(value, str) else -1

    names = sorted(record, key=lambda name: (-length(name), name))[:MAX_LISTED_FIELDS]
    return FIELDS_NOTE + json.dumps(names)


def listed_fields(detail: str | None) -> list[str]:
    """The field names :func:`fields_note` wrote into a reject detail ([] when none)."""
    if not detail or FIELDS_NOTE not in detail:
        return []
    try:
        names = json.loads(detail.split(FIELDS_NOTE, 1)[1])
    except ValueError:
        return []
    return [name for name in names if isinstance(name, str)] if isinstance(names, list) else []


def printable_uri(uri: str) -> str:
    """``uri`` as valid UTF-8 text for outputs, ids and the manifest, one text per file.

    A local file name whose bytes are not UTF-8 (kept by Python as lone surrogates) is written
    as its absolute ``file://`` URI (RFC 8089: every byte outside unreserved ASCII
    percent-encoded, ``file:///data/caf%FF.jsonl``), which no other input can be (Beam serves
    no ``file://`` paths); ``urllib.parse.unquote_to_bytes`` gives the name's bytes back.
    Other names are written as given. (Object store keys are UTF-8: a non-UTF-8 one, which
    can only come from the command line, gets ``\\xNN`` escapes in messages.)
    """
    if not has_lone_surrogate(uri):
        return uri
    if "://" in uri:
        return uri.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return Path(os.path.abspath(uri)).as_uri()


@dataclass(frozen=True)
class RecordOrigin:
    """Where a record came from: the source config, the file (:func:`printable_uri`) and the
    1-based record number."""

    source: SourceConfig
    uri: str
    record: int


def _base_row(origin: RecordOrigin) -> dict[str, Any]:
    return {
        "source": origin.source.name,
        "source_uri": origin.uri,
        "source_record": origin.record,
        "license": origin.source.license,
    }


def derived_id(origin: RecordOrigin) -> str:
    """Deterministic id for records without one: ``source:file:record``."""
    return f"{origin.source.name}:{origin.uri}:{origin.record}"


def make_reject(
    origin: RecordOrigin,
    stage: str,
    reason: str,
    detail: str | None = None,
    raw: bytes | None = None,
    max_raw_bytes: int = 0,
    record_id: str | None = None,
) -> dict[str, Any]:
    """A reject row for a record that never became a document."""
    row = _base_row(origin)
    row.update(
        id=record_id or derived_id(origin),
        reject_stage=stage,
        reject_reason=reason,
        reject_detail=detail,
        raw=raw[:max_raw_bytes] if raw is not None and max_raw_bytes else None,
    )
    return row


def _scalar_to_str(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


def has_lone_surrogate(text: str) -> bool:
    """True when ``text`` cannot be encoded as UTF-8 (JSON ``\\ud800`` escapes decode to these)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def record_to_row(
    obj: Any, origin: RecordOrigin, raw: bytes | None, max_text_bytes: int, max_raw_bytes: int
) -> dict[str, Any]:
    """Validate one decoded record and return a document row or a reject row.

    ``raw`` is the record's original bytes (kept, capped, in rejects so nothing is lost).
    """
    source = origin.source

    def reject(reason: str, detail: str, record_id: str | None = None) -> dict[str, Any]:
        return make_reject(
            origin, Stage.VALIDATE, reason, detail, raw, max_raw_bytes, record_id=record_id
        )

    if not isinstance(obj, dict):
        return reject(Reason.NOT_AN_OBJECT, f"record is a JSON {type(obj).__name__}")
    record_id = _id_text(field_value(obj, source.id_field))
    text = field_value(obj, source.text_field)
    if text is None:
        state = "null" if source.text_field in obj else "absent"
        detail = f"field {source.text_field!r} is {state}{fields_note(obj)}"
        return reject(Reason.MISSING_TEXT, detail, record_id)
    if not isinstance(text, str):
        kind = type(text).__name__
        return reject(Reason.NON_STRING_TEXT, f"field {source.text_field!r} is {kind}", record_id)
    if has_lone_surrogate(text):
        return reject(Reason.INVALID_UTF8, "text contains a lone UTF-16 surrogate", record_id)
    if not text.strip():
        return reject(Reason.EMPTY_TEXT, "text is empty or whitespace only", record_id)
    size = len(text.encode("utf-8"))
    if size > max_text_bytes:
        return reject(
            Reason.TEXT_TOO_LONG, f"text is {size} bytes, limit {max_text_bytes}", record_id
        )
    row = _base_row(origin)
    url = _text_or_none(_optional_field(obj, source.url_field))
    created = _optional_field(obj, source.created_field)
    license_ = _text_or_none(_optional_field(obj, source.license_field))
    created_text = _text_or_none(created_raw(created))
    stored = {  # a value its column cannot hold (null, a list or object) stays in metadata
        source.id_field: record_id,
        source.url_field: url,
        source.created_field: created_text,
        source.license_field: license_ or None,
    }
    mapped = {source.text_field} | {name for name, value in stored.items() if value is not None}
    try:
        metadata = metadata_json(obj, mapped)
    except RecursionError:  # json.loads accepts a little deeper nesting than this walk
        detail = "nested too deeply to keep its fields"
        return make_reject(
            origin, Stage.READ, Reason.INVALID_JSON, detail, raw, max_raw_bytes, record_id
        )
    row.update(
        id=record_id or derived_id(origin),
        text=text,
        url=url,
        created=parse_created(created),
        created_raw=created_text,
        metadata=metadata,
        priority=source.priority,
    )
    if license_:
        row["license"] = license_
    return row


def _id_text(value: Any) -> str | None:
    """A record id as text: strings and numbers; ``true``/``false``, ``NaN`` and
    ``Infinity`` are no id (the record gets a derived one)."""
    if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return _text_or_none(value)


def _optional_field(record: dict[str, Any], name: str | None) -> Any:
    return None if name is None else field_value(record, name)


def _text_or_none(value: Any) -> str | None:
    """A scalar as text; None for missing or structured values and for text that is not
    valid Unicode (a JSON ``\\ud800`` escape)."""
    text = _scalar_to_str(value)
    return None if text is None or has_lone_surrogate(text) else text


def parse_json_line(
    line: bytes, origin: RecordOrigin, max_text_bytes: int, max_raw_bytes: int
) -> dict[str, Any]:
    """One JSONL line (without its newline) to a document or reject row."""
    try:
        decoded = line.decode("utf-8-sig" if origin.record == 1 else "utf-8")
    except UnicodeDecodeError as error:
        return make_reject(origin, Stage.READ, Reason.INVALID_UTF8, str(error), line, max_raw_bytes)
    try:
        obj = json.loads(decoded)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, int too long, nesting
        return make_reject(
            origin, Stage.READ, Reason.INVALID_JSON, str(error)[:200], line, max_raw_bytes
        )
    return record_to_row(obj, origin, line, max_text_bytes, max_raw_bytes)
