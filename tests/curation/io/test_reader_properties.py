"""Property tests of the readers: generated JSONL and Parquet files, with random structure,
random bytes, random field types and random damage to compressed files. Whatever the input:
no crash, every record exactly once (a document or a reject), the same rows on every read,
and a damaged compressed file is either read exactly as the intact one or publishes nothing.

``make test`` runs a bounded number of examples; ``HYPOTHESIS_PROFILE=soak`` runs many more
(docs/limits.md).
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard
from hypothesis import given
from hypothesis import strategies as st

from curation.config import LimitsConfig, SourceConfig
from curation.io.formats import HEAD_BYTES, detect_format
from curation.io.inputs import FileStats, InputFile, read_piece

SOURCE = SourceConfig(name="gen", paths=("x",))
LIMITS = LimitsConfig(max_line_bytes=4096, max_text_bytes=4096, max_raw_bytes=256)
COMPRESS = {
    "gzip": lambda data: gzip.compress(data, mtime=0),
    "zstd": lambda data: zstandard.ZstdCompressor(write_checksum=True).compress(data),
    "bz2": bz2.compress,
    "xz": lzma.compress,
}
SUFFIX = {None: "", "gzip": ".gz", "zstd": ".zst", "bz2": ".bz2", "xz": ".xz"}

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
records = st.fixed_dictionaries(
    {},
    optional={
        "text": st.one_of(st.text(min_size=0, max_size=200), values),
        "id": values,
        "meta": values,
    },
)
lines = st.one_of(
    records.map(lambda record: json.dumps(record).encode()),
    st.binary(max_size=60).map(lambda data: data.replace(b"\n", b" ")),
    st.sampled_from([b"", b"   ", b"\t"]),
    st.just(b"x" * 5000),  # longer than max_line_bytes
)


def read(data: bytes, name: str) -> tuple[list[dict], FileStats]:
    file = InputFile(SOURCE, name, len(data), detect_format(name, data[:HEAD_BYTES]))
    stats = FileStats(SOURCE.name, name, len(data))
    rows = list(read_piece(lambda _: io.BytesIO(data), file, 1, LIMITS, stats))
    assert len(rows) == stats.records
    for row in rows:
        assert ("reject_reason" in row) != ("text" in row and row.get("text") is not None)
    return rows, stats


@given(
    body=st.lists(lines, max_size=30),
    crlf=st.booleans(),
    codec=st.sampled_from([None, "gzip", "zstd", "bz2", "xz"]),
)
def test_every_line_is_one_record_once_and_reads_are_repeatable(body, crlf, codec):
    plain = (b"\r\n" if crlf else b"\n").join(body)
    data = COMPRESS[codec](plain) if codec else plain
    name = "docs.jsonl" + SUFFIX[codec]
    rows, stats = read(data, name)
    assert stats.error is None
    non_blank = sum(1 for line in body if line.strip())
    assert stats.records == max(non_blank, 1)  # an empty file is one empty_file reject
    assert read(data, name)[0] == rows


@given(
    body=st.lists(lines, min_size=1, max_size=30),
    codec=st.sampled_from(["gzip", "zstd", "bz2", "xz"]),
    damage=st.data(),
)
def test_a_damaged_archive_reads_as_intact_or_publishes_nothing(body, codec, damage):
    plain = b"\n".join(body)
    data = bytearray(COMPRESS[codec](plain))
    if damage.draw(st.booleans(), label="truncate"):
        data = data[: damage.draw(st.integers(1, len(data) - 1), label="cut")]
    else:
        position = damage.draw(st.integers(0, len(data) - 1), label="position")
        data[position] ^= damage.draw(st.integers(1, 255), label="bits")
    name = "docs.jsonl" + SUFFIX[codec]
    rows, stats = read(bytes(data), name)
    intact, _ = read(COMPRESS[codec](plain), name)
    documents = [row for row in rows if "reject_reason" not in row]
    if stats.error is None:
        assert rows == intact
    else:
        assert documents == []


@given(
    rows=st.lists(
        st.tuples(st.one_of(st.none(), st.text(max_size=50)), st.integers(-(2**63), 2**63 - 1)),
        max_size=20,
    ),
    cut=st.one_of(st.none(), st.integers(1, 400)),
)
def test_parquet_rows_are_each_one_record(rows, cut):
    texts, numbers = [text for text, _ in rows], [number for _, number in rows]
    table = pa.table({"text": pa.array(texts, pa.string()), "n": pa.array(numbers, pa.int64())})
    sink = io.BytesIO()
    pq.write_table(table, sink)
    data = sink.getvalue()
    if cut is not None:
        data = data[: min(cut, len(data) - 1)]
    _, stats = read(data, "t.parquet")
    if cut is None:
        assert stats.records == max(len(rows), 1)
