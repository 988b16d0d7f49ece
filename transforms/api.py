"""The Beam API: composable PTransforms over plain dicts (docs/api.md).

Every transform takes a config (a :class:`~curation.config.CurationConfig` or a dict shaped
like the YAML, validated when the transform is built) and works on dicts: documents in (at
least ``id`` and ``text``; every other key is kept in ``metadata``, as the readers do), rows
out with exactly the columns of the corpus or reject Parquet files. Each one reuses the
pipeline's own stages.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import apache_beam as beam
import pyarrow as pa
import pyarrow.compute as pc
from apache_beam.io.filesystems import FileSystems

from curation.api import api_config, api_plan
from curation.config import CurationConfig
from curation.io.schema import rows_to_table
from curation.io.shard_file import ParquetStream
from curation.plan import RunPlan
from curation.scoring import DocumentScorer
from transforms.dict_pieces import BATCH_ROWS, CORPUS, REJECTS, CurateDicts, as_row, split_by_id
from transforms.runner_workarounds import BatchElementsSafely, SplitByTag
from transforms.score import document_scorer
from transforms.storage import create
from transforms.write import shard_name

Config = CurationConfig | Mapping[str, Any] | None
#: Pieces documents are cut into by default (the parallelism of scoring and dedup).
DEFAULT_PIECES = 16


class Result(NamedTuple):
    """The two outputs of :class:`Curate`, :class:`Filter` and :class:`Deduplicate`."""

    corpus: beam.PCollection
    rejects: beam.PCollection


def _plan(config: Config, work_dir: str | None) -> RunPlan:
    return api_plan(api_config(config), work_dir or tempfile.mkdtemp(prefix="curate-"))


class _DictStages(beam.PTransform):
    """Documents -> :class:`Result` through the dict pieces (:class:`CurateDicts`); ``FULL``
    says whether every stage runs or only deduplication."""

    FULL: bool

    def __init__(
        self, config: Config = None, work_dir: str | None = None, pieces: int = DEFAULT_PIECES
    ) -> None:
        super().__init__()
        self._plan = _plan(config, work_dir)
        self._pieces = pieces

    def expand(self, docs: beam.PCollection) -> Result:
        rows = docs | type(self).__name__ >> CurateDicts(self._plan, self._pieces, self.FULL)
        return Result(rows[CORPUS], rows[REJECTS])


class Curate(_DictStages):
    """Documents -> :class:`Result` of corpus and reject rows: every stage of ``curate run``.

    ``work_dir`` holds the pieces' spill files while the pipeline runs (a fresh local
    temporary directory by default; give a shared path, e.g. ``gs://...``, on a cluster);
    ``pieces`` sets the parallelism.
    """

    FULL = True


class Deduplicate(_DictStages):
    """Documents or rows -> :class:`Result`: duplicate ids, exact and near duplicates removed
    (``dedup`` settings of the config), nothing else. Rows from :class:`Score` or
    :class:`Filter` keep their scores, which rank the keepers (``dedup.keep_policy``); rows
    that are already rejects stay rejects."""

    FULL = False


class _ScoreFn(beam.DoFn):
    def __init__(self, plan: RunPlan) -> None:
        self._plan = plan
        self._scorer: DocumentScorer | None = None

    def setup(self) -> None:
        self._scorer = document_scorer(self._plan)

    def process(self, doc: Any) -> Iterator[dict[str, Any]]:
        assert self._scorer is not None
        row = as_row(doc, self._plan)
        row["run_id"] = self._plan.run_id
        if "reject_reason" not in row:
            row = self._scorer.score(row)
            verdict = row["_verdict"]
            if verdict is not None:
                row["reject_stage"], row["reject_reason"], row["reject_detail"] = verdict
        yield rows_to_table([row], self._plan.schemas.rejects).to_pylist()[0]


class Score(beam.PTransform):
    """Documents -> rows with every score (language, quality, synthetic, plug-ins) and, for
    documents a per-document rule rejects (or that are invalid), the reject columns set:
    reject rows' columns, one per document, no shuffle. :class:`Filter` splits them."""

    def __init__(self, config: Config = None) -> None:
        super().__init__()
        self._plan = _plan(config, work_dir="-")

    def expand(self, docs: beam.PCollection) -> beam.PCollection:
        return docs | "Score" >> beam.ParDo(_ScoreFn(self._plan))


def _split(row: dict[str, Any], corpus_columns: tuple[str, ...]) -> tuple[str, dict[str, Any]]:
    if row.get("reject_reason") is None:
        return CORPUS, {name: row.get(name) for name in corpus_columns}
    return REJECTS, row


class Filter(beam.PTransform):
    """Rows of :class:`Score` -> :class:`Result`: rows without a reject reason go to the
    corpus (with the corpus columns), the others to the rejects."""

    def __init__(self, config: Config = None) -> None:
        super().__init__()
        self._corpus_columns = tuple(_plan(config, work_dir="-").schemas.corpus.names)

    def expand(self, rows: beam.PCollection) -> Result:
        split = (
            rows
            | "Split" >> beam.Map(_split, self._corpus_columns)
            | "ByOutcome" >> SplitByTag([CORPUS, REJECTS])
        )
        return Result(split[CORPUS], split[REJECTS])


def _shard_tables(
    batch: list[dict[str, Any]], schema: pa.Schema, shards: int
) -> Iterator[tuple[int, pa.Table]]:
    return split_by_id(rows_to_table(batch, schema), shards)


#: Columns whose values put a shard's rows in a fixed order, whatever order they came in.
_ROW_ORDER = ("id", "content_hash", "text", "metadata", "source", "reject_reason", "reject_detail")


class _WriteParquetFn(beam.DoFn):
    def __init__(self, directory: str, schema: pa.Schema, compression: str) -> None:
        self._directory = directory
        self._schema = schema
        self._compression = compression

    def process(self, item: tuple[int, Iterable[pa.Table]]) -> Iterator[dict[str, Any]]:
        shard, tables = item
        table = pa.concat_tables(list(tables))
        order = [(name, "ascending") for name in _ROW_ORDER if name in table.column_names]
        table = table.take(pc.sort_indices(table, order))
        path = FileSystems.join(self._directory, shard_name(shard))
        stream = ParquetStream(path, self._schema, self._compression, create)
        stream.add(table)
        stats = stream.close()
        if stats is not None:
            yield stats


class WriteParquet(beam.PTransform):
    """Rows -> Parquet files ``directory/part-NNNNN.parquet`` with the explicit schema of the
    corpus (``kind="corpus"``) or the rejects (``kind="rejects"``), as ``curate run`` writes
    them; ``shards`` files at most (rows by a hash of their id), rows sorted by id, the
    config's ``output.compression``. Outputs each written file's path, rows, bytes and
    sha256."""

    def __init__(
        self, directory: str, config: Config = None, kind: str = CORPUS, shards: int = 1
    ) -> None:
        super().__init__()
        if kind not in (CORPUS, REJECTS):
            raise ValueError(f"kind must be {CORPUS!r} or {REJECTS!r}, got {kind!r}")
        if shards < 1:
            raise ValueError(f"shards must be >= 1, got {shards}")
        plan = _plan(config, work_dir="-")
        self._schema = plan.schemas.corpus if kind == CORPUS else plan.schemas.rejects
        self._directory = directory
        self._compression = plan.config.output.compression
        self._shards = shards

    def expand(self, rows: beam.PCollection) -> beam.PCollection:
        return (
            rows
            | "Batch" >> BatchElementsSafely(BATCH_ROWS)
            | "ByShard" >> beam.FlatMap(_shard_tables, self._schema, self._shards)
            | "GroupShards" >> beam.GroupByKey()
            | "Write"
            >> beam.ParDo(_WriteParquetFn(self._directory, self._schema, self._compression))
        )
