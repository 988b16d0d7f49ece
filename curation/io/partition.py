"""Hive-style partitioning of the corpus: ``corpus/lang=en/part-NNNNN.parquet``.

With ``output.partition_by`` (``lang``, ``source`` or both, in that order of directories),
each corpus shard is written as one file per partition value, in sorted value order, under
``<column>=<value>`` directories; a null value is Hive's ``__HIVE_DEFAULT_PARTITION__``. The
partition columns stay in the files, typed ``dictionary<int32, string>``: that is the type
pyarrow (and so pandas) gives a Hive partition key, so ``pandas.read_parquet("out/corpus")``
reads the directories and the files alike, while DuckDB, Polars and ``datasets`` read the
column from the files without knowing about partitions.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
#: The Arrow type of a partition column in the corpus.
PARTITION_TYPE = pa.dictionary(pa.int32(), pa.string())


def partitioned_schema(schema: pa.Schema, columns: Sequence[str]) -> pa.Schema:
    """``schema`` with each partition column typed :data:`PARTITION_TYPE`."""
    for name in columns:
        index = schema.get_field_index(name)
        schema = schema.set(index, pa.field(name, PARTITION_TYPE))
    return schema


def partitions(table: pa.Table, columns: Sequence[str]) -> list[tuple[str, pa.Table]]:
    """``(directory, rows)`` per partition of ``table``, directories like ``lang=en`` (nested
    in ``columns`` order), sorted; rows keep their order. No partitions: ``[("", table)]``."""
    if not columns:
        return [("", table)]
    values = [
        [NULL_PARTITION if v is None else v for v in table.column(name).to_pylist()]
        for name in columns
    ]
    keys = list(zip(*values, strict=True))
    found = []
    for key in sorted(set(keys)):
        mask = pa.array([row == key for row in keys], pa.bool_())
        directory = "/".join(f"{name}={value}" for name, value in zip(columns, key, strict=True))
        found.append((directory, table.filter(mask)))
    return found
