"""``curate inspect``: read a curated output back, summarise it and check it against the manifest.

``PATH`` is a run directory, a shard directory (``OUT/corpus``, ``OUT/rejects``) or one shard,
on any Beam FileSystems path. The shards are exposed to DuckDB as the tables ``corpus`` and
``rejects`` (local shards are scanned lazily through ``pyarrow.dataset``; remote ones are read
into memory), which serves the summary, ``--where`` filters, samples and ``--id`` look-ups.
Counts always come from the shards; for a whole run they are compared with ``manifest.json``
and every difference is reported as one ``MISMATCH:`` line.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from curation.config import ConfigError
from curation.decisions import STAGE_ORDER
from curation.io.inputs import jsonable
from curation.io.records import has_lone_surrogate
from curation.io.schema import REJECT_COLUMNS, corpus_schema
from pipelines.output import (
    CORPUS_DIR,
    KINDS,
    MANIFEST_FILE,
    REJECTS_DIR,
    SUCCESS_FILE,
    OutputCounts,
    count_shards,
    is_partition_dir,
    list_shards,
    parquet_rows,
    read_json,
    shard_sizes,
)
from pipelines.terminal import printable, printable_json

#: Columns shown for sample rows when ``--columns`` is not given.
DEFAULT_COLUMNS = {
    CORPUS_DIR: (
        "id",
        "source",
        "source_uri",
        "source_record",
        "lang",
        "quality_score",
        "synthetic_score",
        "dup_cluster_size",
        "text",
    ),
    REJECTS_DIR: (
        "id",
        "source",
        "source_uri",
        "source_record",
        "reject_stage",
        "reject_reason",
        "reject_detail",
        "duplicate_of",
        "text",
        "raw",
    ),
}
#: Rows shown by a query (``--where``, ``--columns``, ``--rejects``) without ``--sample``.
DEFAULT_SAMPLE = 3
#: Characters of ``text`` (and of ``raw``) shown in the human-readable output.
PREVIEW_CHARS = 300
_REJECT_NAMES = {name for name, _ in REJECT_COLUMNS}


#: DuckDB settings of every inspect and report connection (see :class:`Shards`): no file, URL,
#: extension or secret access; no temporary directory (``""`` turns spilling to disk off: an
#: in-memory database would spill into ``./.tmp`` of the current directory).
_CONFINED = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "allow_community_extensions": False,
    "allow_persistent_secrets": False,
    "temp_directory": "",
}


class InspectFailed(RuntimeError):
    """A requested record does not exist in the output."""


@dataclass(frozen=True)
class Selection:
    """What ``PATH`` names: the shards of each kind and the run directory, when known."""

    path: str
    shards: dict[str, list[str]]
    root: str | None  # run directory holding manifest.json, None when there is none
    whole_run: bool  # True when every shard of the run is selected

    @property
    def manifest(self) -> dict[str, Any] | None:
        if self.root is None:
            return None
        return read_json(FileSystems.join(self.root, MANIFEST_FILE))

    @property
    def finished(self) -> bool:
        return self.root is not None and FileSystems.exists(
            FileSystems.join(self.root, SUCCESS_FILE)
        )


def _is_run_dir(path: str) -> bool:
    return FileSystems.exists(FileSystems.join(path, MANIFEST_FILE)) or any(
        list_shards(FileSystems.join(path, kind)) for kind in KINDS
    )


def _kind_of(shard: str) -> str:
    with FileSystems.open(shard) as handle:
        names = pq.ParquetFile(handle).schema_arrow.names
    return REJECTS_DIR if "reject_reason" in names else CORPUS_DIR


def locate(path: str) -> Selection:
    """Resolve ``path`` (a local one relative to the current directory); raises
    :class:`ConfigError` when it holds no curate output."""
    if "://" not in path:
        path = os.path.abspath(path)  # shard paths are compared with the manifest's
    path = path.rstrip("/") or "/"
    if _is_run_dir(path):
        shards = {kind: list_shards(FileSystems.join(path, kind)) for kind in KINDS}
        return Selection(path, shards, path, whole_run=True)
    if path.endswith(".parquet") and FileSystems.exists(path):
        paths = [path]
        parent = FileSystems.split(path)[0]
    else:
        paths = list_shards(path)
        parent = path
        if not paths:
            raise ConfigError(f"{path}: no curate output (no manifest.json or part-*.parquet)")
    kind = _kind_of(paths[0])
    shards = {name: paths if name == kind else [] for name in KINDS}
    return Selection(path, shards, _run_root(parent), whole_run=False)


def _run_root(directory: str) -> str | None:
    """The run directory holding a shard directory or a partition directory of one, when it
    has a manifest."""
    while is_partition_dir(FileSystems.split(directory)[1]):
        directory = FileSystems.split(directory)[0]
    root = FileSystems.split(directory)[0]
    return root if FileSystems.exists(FileSystems.join(root, MANIFEST_FILE)) else None


def _load(paths: Sequence[str]) -> pa.Table | ds.Dataset:
    if all("://" not in path for path in paths):
        return ds.dataset(list(paths), format="parquet")
    tables = []
    for path in paths:
        with FileSystems.open(path) as handle:
            tables.append(pq.read_table(handle))
    return pa.concat_tables(tables)


def _empty(kind: str, other: pa.Schema | None) -> pa.Table:
    """An empty table with the kind's columns, derived from the other kind's schema if any."""
    schema = other if other is not None else corpus_schema({}, {})
    corpus_fields = [f for f in schema if f.name not in _REJECT_NAMES]
    fields = corpus_fields + (
        [pa.field(n, t) for n, t in REJECT_COLUMNS] if kind == REJECTS_DIR else []
    )
    return pa.schema(fields).empty_table()


class Shards:
    """The selected shards as DuckDB tables ``corpus`` and ``rejects``, and nothing else.

    DuckDB is opened with access to files, URLs, extensions and secrets switched off and no
    temporary directory (:data:`_CONFINED`); the shards are registered as Arrow data, which
    pyarrow reads (local shards lazily, at query time), then the configuration is locked. So SQL
    from the user (``--where``, ``--columns``) can read the run's rows only: ``read_text``,
    ``read_csv``, ``glob``, ``COPY``, ``ATTACH``, ``INSTALL``, ``LOAD`` and URLs all fail, and
    nothing is written anywhere (a query needing more than DuckDB's memory limit fails).
    """

    def __init__(self, selection: Selection) -> None:
        self.selection = selection
        self.connection = duckdb.connect(config=_CONFINED)
        self.connection.execute("SET enable_progress_bar = false")  # it prints on stdout
        data = {kind: _load(paths) for kind, paths in selection.shards.items() if paths}
        for kind in KINDS:
            if kind not in data:
                other = next(iter(data.values()), None)
                data[kind] = _empty(kind, None if other is None else other.schema)
            self.connection.register(kind, data[kind])
        self.connection.execute("SET lock_configuration = true")
        #: Arrow schema of each table.
        self.schemas: dict[str, pa.Schema] = {kind: data[kind].schema for kind in KINDS}

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return self.connection.sql(sql, params=list(params)).to_arrow_table().to_pylist()

    def matching(self, kind: str, where: str | None) -> duckdb.DuckDBPyRelation:
        """Rows of ``kind`` satisfying the SQL expression ``where`` (parsed as an expression
        only, so it cannot run other statements). Raises :class:`ConfigError` when invalid."""
        relation = self.connection.table(kind)
        if not where:
            return relation
        try:
            relation = relation.filter(where)
            relation.limit(0).fetchall()  # bind now: report a bad expression before any output
        except duckdb.Error as error:
            raise ConfigError(f"--where: {_first_line(error)}") from None
        return relation


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


# -- summary -----------------------------------------------------------------------------------


@dataclass
class Summary:
    """Counts read from the shards, and the result of checking them against the manifest."""

    path: str
    run_id: str | None
    whole_run: bool
    kept_documents: int
    kept_text_bytes: int
    shard_bytes: dict[str, int]
    rejects: list[dict[str, Any]]  # stage, reason, records; in pipeline stage order
    by_source: dict[str, dict[str, Any]]  # license, input_records, kept, kept_text_bytes, rejected
    by_language: dict[str, dict[str, int]]  # documents, text_bytes (kept)
    manifest: str | None
    finished: bool
    counts: OutputCounts  # the shard counts everything above is derived from
    mismatches: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return sum(row["records"] for row in self.rejects)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "run_id": self.run_id,
            "selection": "run" if self.whole_run else "shards",
            "kept": self.kept_documents,
            "kept_text_bytes": self.kept_text_bytes,
            "rejected": self.rejected,
            "rejected_by_stage_and_reason": self.rejects,
            "shard_bytes": self.shard_bytes,
            "by_source": self.by_source,
            "by_language": self.by_language,
            "by_license": self.counts.kept_by_license(),
            "check": {
                "manifest": self.manifest,
                "finished": self.finished,
                "mismatches": self.mismatches,
            },
        }


def _stage_rank(stage: str | None) -> int:
    return STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER)


def summarise(shards: Shards) -> Summary:
    """Counts of the selected shards, checked against the manifest when there is one."""
    selection = shards.selection
    counts = count_shards(selection.shards)
    kept, kept_bytes = counts.kept_by_source(), counts.kept_text_bytes_by_source()
    rejected = counts.rejected_by_source()
    languages, language_bytes = counts.kept_by_language(), counts.kept_text_bytes_by_language()
    manifest = selection.manifest
    summary = Summary(
        path=selection.path,
        run_id=manifest["run_id"] if manifest else None,
        whole_run=selection.whole_run,
        kept_documents=counts.total_kept,
        kept_text_bytes=sum(kept_bytes.values()),
        shard_bytes={
            kind: sum(shard_sizes(paths).values()) for kind, paths in selection.shards.items()
        },
        rejects=[
            {"stage": stage, "reason": reason, "records": n}
            for (stage, reason), n in sorted(
                counts.rejected_by_stage_and_reason().items(),
                key=lambda item: (_stage_rank(item[0][0]), item[0]),
            )
        ],
        by_source={
            source: {
                "license": counts.license_of(source),
                "input_records": n,
                "kept": kept[source],
                "kept_text_bytes": kept_bytes[source],
                "rejected": rejected[source],
            }
            for source, n in sorted(counts.records_by_source().items())
        },
        by_language={
            lang: {"documents": n, "text_bytes": language_bytes[lang]}
            for lang, n in sorted(languages.items(), key=lambda item: (-item[1], item[0]))
        },
        manifest=FileSystems.join(selection.root, MANIFEST_FILE) if manifest else None,
        finished=selection.finished,
        counts=counts,
    )
    if manifest is not None:
        summary.mismatches = check_against_manifest(summary, manifest, selection)
    return summary


def _compare(label: str, manifest_value: Any, shard_value: Any) -> list[str]:
    if manifest_value == shard_value:
        return []
    return [f"{label}: manifest says {manifest_value!r}, shards say {shard_value!r}"]


def check_against_manifest(
    summary: Summary, manifest: dict[str, Any], selection: Selection
) -> list[str]:
    """Differences between the shards and ``manifest.json`` (empty when they agree).

    For a whole run every count is compared; for a shard selection, each selected shard's row
    count and size are compared with its ``outputs`` entry."""
    root_prefix = selection.root.rstrip("/") + "/"
    listed = {
        entry["path"]: entry
        for entries in manifest.get("outputs", {}).values()
        for entry in entries
    }
    problems: list[str] = []
    for kind, paths in selection.shards.items():
        sizes = shard_sizes(paths)
        for path in paths:
            relative = path[len(root_prefix) :] if path.startswith(root_prefix) else path
            entry = listed.pop(relative, None)
            if entry is None:
                problems.append(f"{relative}: shard not listed in the manifest")
                continue
            rows = parquet_rows(path)
            problems += _compare(f"{relative} rows", entry["rows"], rows)
            problems += _compare(f"{relative} bytes", entry["bytes"], sizes.get(path))
        if selection.whole_run:
            problems += [
                f"{p}: listed in the manifest but missing"
                for p in listed
                if p.startswith(kind + "/")
            ]
    if not selection.whole_run:
        return problems
    counts = manifest["counts"]
    by_reason: dict[str, int] = {}
    for row in summary.rejects:
        by_reason[row["reason"]] = by_reason.get(row["reason"], 0) + row["records"]
    problems += _compare("counts.kept", counts["kept"], summary.kept_documents)
    problems += _compare("counts.rejected", counts["rejected"], summary.rejected)
    problems += _compare(
        "counts.input_records", counts["input_records"], summary.kept_documents + summary.rejected
    )
    problems += _compare(
        "counts.rejected_by_reason", counts["rejected_by_reason"], dict(sorted(by_reason.items()))
    )
    problems += _compare(
        "counts.kept_languages",
        counts["kept_languages"],
        {lang: v["documents"] for lang, v in sorted(summary.by_language.items())},
    )
    manifest_sources = counts["by_source"]
    for source in sorted(set(manifest_sources) | set(summary.by_source)):
        expected = manifest_sources.get(source, {})
        found = summary.by_source.get(source, {})
        for key in ("input_records", "kept", "rejected"):
            problems += _compare(
                f"counts.by_source.{source}.{key}", expected.get(key, 0), found.get(key, 0)
            )
    return problems


# -- records -----------------------------------------------------------------------------------


def _quoted(column: str) -> str:
    return ".".join('"' + part.replace('"', '""') + '"' for part in column.split("."))


def sample_rows(
    shards: Shards,
    kind: str,
    where: str | None,
    columns: Sequence[str] | None,
    sample: int,
    seed: int,
) -> tuple[int, list[dict[str, Any]]]:
    """Rows matching ``where`` (count, and a deterministic sample of ``sample`` of them).

    The sample orders rows by md5 of (id, file, record, seed), so it depends only on the data
    and the seed, not on shard layout or DuckDB threads."""
    relation = shards.matching(kind, where)
    chosen = list(columns or DEFAULT_COLUMNS[kind])
    known = set(relation.columns)
    unknown = [c for c in chosen if c.split(".")[0] not in known]
    if unknown:
        raise ConfigError(
            f"--columns: unknown column {unknown[0]!r}; known: {', '.join(relation.columns)}"
        )
    try:
        matches = relation.aggregate("count(*)").fetchall()[0][0]
    except duckdb.Error as error:  # found while running, e.g. a failed CAST
        raise ConfigError(f"--where: {_first_line(error)}") from None
    if sample <= 0 or not matches:
        return matches, []
    order = (
        "md5(concat_ws(chr(31), coalesce(id, ''), source_uri, "
        f"CAST(source_record AS VARCHAR), '{int(seed)}'))"
    )
    projection = ", ".join(f"{_quoted(c)} AS {_quoted(c.replace('.', '__'))}" for c in chosen)
    try:
        picked = relation.order(order).limit(sample).project(projection)
        table = picked.to_arrow_table()
    except duckdb.Error as error:
        raise ConfigError(f"--columns: {_first_line(error)}") from None
    names = dict(zip(table.column_names, chosen, strict=True))
    return matches, [{names[k]: v for k, v in row.items()} for row in table.to_pylist()]


def find_records(shards: Shards, record_id: str) -> list[dict[str, Any]]:
    """Every row with this id (kept and rejected), each with its keeper when a duplicate.

    Returns ``[{"kind": "corpus"|"rejects", "record": row, "keeper": row | None}]``; raises
    :class:`InspectFailed` when there is none."""
    if has_lone_surrogate(record_id):  # bytes that are not UTF-8: DuckDB cannot take them
        raise ConfigError(f"--id {record_id!r}: not valid UTF-8 (no record id is)")
    found = []
    for kind in KINDS:
        for row in shards.rows(
            f"SELECT * FROM {kind} WHERE id = ? ORDER BY source_uri, source_record", [record_id]
        ):
            keeper_id = row.get("duplicate_of")
            keepers = (
                shards.rows("SELECT * FROM corpus WHERE id = ?", [keeper_id]) if keeper_id else []
            )
            found.append({"kind": kind, "record": row, "keeper": keepers[0] if keepers else None})
    if not found:
        raise InspectFailed(f"no record with id {record_id!r} in {shards.selection.path}")
    return found


# -- formatting --------------------------------------------------------------------------------


def _short(value: Any, limit: int = PREVIEW_CHARS) -> str:
    if value is None:
        return "-"
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if isinstance(value, float):
        return f"{value:.5g}"
    text = printable(" ".join(str(value).split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], indent: str = "  ") -> list[str]:
    """A plain-text table; numbers right-aligned."""
    cells = [[_short(v, 60) for v in row] for row in rows]
    widths = [max([len(h)] + [len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    numeric = [
        all(isinstance(row[i], int | float) for row in rows) and rows for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return (indent + "  ".join(parts)).rstrip()

    return [line(headers)] + [line(row) for row in cells]


def _text_edit(edit: dict[str, Any]) -> str:
    """One ``text_edits`` entry: ``pii_redaction (3 spans, 1,204 -> 1,180 chars)``."""
    spans = "" if edit["spans"] is None else f"{edit['spans']} spans, "
    return f"{edit['step']} ({spans}{edit['chars_before']:,} -> {edit['chars_after']:,} chars)"


def _listed(items: list[dict[str, Any]]) -> str:
    """A list of structs on one line: each struct's values, space-separated."""
    return ", ".join(" ".join(_short(v, 40) for v in item.values()) for item in items)


def _bytes(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def format_summary(summary: Summary) -> list[str]:
    what = "run" if summary.whole_run else "shards"
    check = (
        "no manifest, counts not checked"
        if summary.manifest is None
        else ("manifest check FAILED" if summary.mismatches else "matches manifest")
    )
    lines = [
        f"{what} {printable(summary.path)}"
        + (f"  ({summary.run_id})" if summary.run_id else "")
        + f": {check}",
        f"  kept: {summary.kept_documents} documents, {_bytes(summary.kept_text_bytes)} of text"
        f"   rejected: {summary.rejected} records"
        f"   shards: {_bytes(sum(summary.shard_bytes.values()))}",
        "",
        "rejects by stage and reason",
    ]
    lines += _table(
        ["stage", "reason", "records"],
        [[r["stage"], r["reason"], r["records"]] for r in summary.rejects],
    )
    lines += ["", "per source"]
    lines += _table(
        ["source", "licence", "in", "kept", "rejected", "kept text"],
        [
            [
                name,
                s["license"],
                s["input_records"],
                s["kept"],
                s["rejected"],
                _bytes(s["kept_text_bytes"]),
            ]
            for name, s in summary.by_source.items()
        ],
    )
    lines += ["", "per licence (kept; SPDX, or as given when not SPDX)"]
    lines += _table(
        ["licence", "SPDX", "documents", "text"],
        [
            [name, "yes" if v["spdx"] else "no", v["documents"], _bytes(v["text_bytes"])]
            for name, v in summary.counts.kept_by_license().items()
        ],
    )
    lines += ["", "per language (kept)"]
    total = summary.kept_documents or 1
    lines += _table(
        ["lang", "documents", "share", "text"],
        [
            [lang, v["documents"], f"{v['documents'] / total:.1%}", _bytes(v["text_bytes"])]
            for lang, v in summary.by_language.items()
        ],
    )
    return lines


def format_rows(rows: Sequence[dict[str, Any]]) -> list[str]:
    lines = []
    for row in rows:
        head = [f"{k}={_short(v, 80)}" for k, v in row.items() if k not in ("text", "raw")]
        lines.append("  - " + "  ".join(head))
        for key in ("text", "raw"):
            if key in row:
                lines.append(f"      {key}: {_short(row[key])}")
    return lines


#: Fields of one record shown side by side with its keeper.
_COMPARE = (
    "id",
    "source",
    "license",
    "source_uri",
    "source_record",
    "lang",
    "text_bytes",
    "content_hash",
    "quality_score",
    "synthetic_score",
    "dup_cluster_id",
    "dup_cluster_size",
)


def _side_by_side(record: dict[str, Any], keeper: dict[str, Any]) -> list[str]:
    rows = [[name, _short(record.get(name), 40), _short(keeper.get(name), 40)] for name in _COMPARE]
    rows.append(["text", _short(record.get("text"), 40), _short(keeper.get("text"), 40)])
    return _table(["field", "this record", "kept copy"], rows, indent="    ")


def format_record(item: dict[str, Any]) -> list[str]:
    """The full record: provenance, every score, why it was rejected, and its keeper."""
    row = item["record"]
    status = (
        f"REJECTED at {printable(row['reject_stage'])}: {printable(row['reject_reason'])}"
        if item["kind"] == REJECTS_DIR
        else "KEPT"
    )
    lines = [f"record {printable(row['id'])}  [{status}]"]
    lines.append(
        f"  provenance: source={printable(row['source'])} licence={_short(row['license'])} "
        f"file={printable(row['source_uri'])} record={row['source_record']} "
        f"url={_short(row.get('url'))} created={_short(row.get('created'))} "
        f"(as given: {_short(row.get('created_raw'))})"
    )
    lines.append(f"  metadata: {_short(row.get('metadata'), 2000)}")
    if item["kind"] == REJECTS_DIR:
        lines.append(
            f"  reject: stage={printable(row['reject_stage'])} "
            f"reason={printable(row['reject_reason'])} "
            f"detail={_short(row['reject_detail'])} duplicate_of={_short(row['duplicate_of'])}"
        )
    alternatives = ", ".join(
        f"{a['lang']} {a['score']:.3f}" for a in row.get("lang_alternatives") or []
    )
    lines.append(
        f"  language: {_short(row['lang'])} score={_short(row['lang_score'])} "
        f"reliable={_short(row['lang_reliable'])} alternatives: {alternatives or '-'}"
    )
    lines.append(
        f"  synthetic: score={_short(row['synthetic_score'])} flagged={_short(row['synthetic'])}"
    )
    lines.append(
        f"  duplicates: cluster={_short(row['dup_cluster_id'])} "
        f"size={_short(row['dup_cluster_size'])}"
    )
    lines.append(f"  quality_score: {_short(row['quality_score'])}")
    for title, struct in (
        ("quality", row.get("quality")),
        ("synthetic_signals", row.get("synthetic_signals")),
    ):
        if struct:
            lines.append(f"  {title}:")
            values = [[k, _listed(v) if isinstance(v, list) else v] for k, v in struct.items()]
            lines += _table(["field", "value"], values, indent="    ")
    lines.append(
        f"  content_hash: {_short(row['content_hash'])}  text_bytes: {_short(row['text_bytes'])}"
    )
    if row.get("pii") is not None:
        found = " ".join(f"{kind}={n}" for kind, n in row["pii"].items() if n) or "none"
        lines.append(f"  pii: {found}")
    if "text_edits" in row:
        edits = ", ".join(_text_edit(edit) for edit in row["text_edits"] or [])
        lines.append(f"  text edits: {edits or 'none (text as read)'}")
    lines.append(f"  text: {_short(row['text'], 2000)}")
    if row.get("raw") is not None:
        lines.append(f"  raw: {_short(row['raw'], 2000)}")
    if row.get("duplicate_of"):
        if item["keeper"] is None:
            lines.append(
                f"  kept copy {printable(row['duplicate_of'])}: not in the selected shards"
            )
        else:
            lines.append(f"  beside the kept copy {printable(row['duplicate_of'])}:")
            lines += _side_by_side(row, item["keeper"])
    return lines


# -- entry point -------------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectResult:
    """What ``curate inspect`` prints: ``stdout``, problem lines for stderr, and the exit code."""

    stdout: str
    problems: list[str]

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0


def inspect_output(
    path: str,
    *,
    sample: int | None = None,
    seed: int = 0,
    where: str | None = None,
    columns: Sequence[str] | None = None,
    rejects: bool = False,
    record_id: str | None = None,
    as_json: bool = False,
) -> InspectResult:
    """Run ``curate inspect``: the summary (checked against the manifest) when nothing else is
    asked; otherwise only the answer: the records of ``record_id``, or the rows matching
    ``where`` among the corpus (or the ``rejects``), ``sample`` of them (default
    :data:`DEFAULT_SAMPLE`) shown with ``columns``. Raises :class:`ConfigError` for a bad path,
    ``--where`` or ``--columns`` and :class:`InspectFailed` for an ``--id`` that is not there."""
    shards = Shards(locate(path))
    if record_id is not None:
        found = find_records(shards, record_id)
        if as_json:
            return InspectResult(printable_json(jsonable(found)), [])
        return InspectResult("\n\n".join("\n".join(format_record(i)) for i in found), [])
    if where is None and columns is None and not rejects and sample is None:
        return _summary_result(shards, as_json)
    kind = REJECTS_DIR if rejects else CORPUS_DIR
    sample = DEFAULT_SAMPLE if sample is None else sample
    matches, rows = sample_rows(shards, kind, where, columns, sample, seed)
    problems = _unfinished(shards.selection)
    if as_json:
        report = {
            "path": shards.selection.path,
            "matches": {"table": kind, "where": where, "count": matches, "seed": seed},
            "sample": jsonable(rows),
        }
        return InspectResult(printable_json(report), problems)
    condition = f" where {printable(where)}" if where else ""
    lines = [
        f"{kind}{condition}: {matches} rows"
        + (f"; sample of {len(rows)} (seed {seed})" if rows else "")
    ]
    lines += format_rows(rows)
    return InspectResult("\n".join(lines), problems)


def _unfinished(selection: Selection) -> list[str]:
    """The ``INCOMPLETE:`` line of a whole run without ``_SUCCESS`` (none otherwise)."""
    if selection.whole_run and not selection.finished:
        return [printable(f"INCOMPLETE: no {SUCCESS_FILE} in {selection.path}: not a finished run")]
    return []


def _summary_result(shards: Shards, as_json: bool) -> InspectResult:
    summary = summarise(shards)
    problems = [printable(f"MISMATCH: {problem}") for problem in summary.mismatches]
    problems += _unfinished(shards.selection)
    if as_json:
        return InspectResult(printable_json(summary.to_dict()), problems)
    return InspectResult("\n".join(format_summary(summary)), problems)
