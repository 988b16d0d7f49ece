"""Seeded fuzz corpus for end-to-end hardening tests, with the exact outcome of every record.

:func:`write_fuzz_corpus` writes one directory per source (malformed JSONL, huge documents,
many tiny records, empty files, broken gzip, broken Parquet) plus a run config, and returns
what a correct run must report: per source the number of kept documents and of rejects per
reason, per file the records and blank lines of ``manifest.json`` and which files are
unreadable. The expectations follow ``docs/output.md`` (reason codes, conservation rule, a
blank line is one whose bytes are all ASCII whitespace), written down here independently of
the readers so the test compares two accounts of the same input.

The run config keeps every valid document (no language or quality rejection, synthetic text
only tagged) so the expected counts are exact; only ``duplicate_id`` and ``exact_duplicate``
rejects come from later stages, from records planted for them.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

#: Outcome of a valid document (the other outcomes are reject reason codes).
KEPT = "kept"
#: A document over ``limits.max_text_bytes`` (default 8 MB, docs/output.md), rejected
#: ``text_too_long``, and one under it, kept whole.
HUGE_TEXT_BYTES = 20 * 1024 * 1024
LARGE_TEXT_BYTES = 5 * 1024 * 1024
#: Size of the tiny-records file in the default test; the slow test uses 100,000.
DEFAULT_TINY_RECORDS = 20_000

_ENGLISH_WORDS = (
    "the of and to in is was for that with as on by at from his her they this which are river "
    "house garden morning window letter station market winter summer harbour village teacher "
    "doctor farmer kitchen table bread water stone bridge road train evening friend walked "
    "opened carried wrote asked looked found brought stood heard quiet heavy bright narrow "
    "early late small old young warm cold green brown slowly again often never "
)
_ENGLISH = _ENGLISH_WORDS.split()
_GERMAN_WORDS = (
    "der die das und zu im ist war für mit auf bei aus nach Haus Garten Morgen Fenster Brief "
    "Bahnhof Markt Winter Sommer Hafen Dorf Lehrer Arzt Bauer Küche Tisch Brot Wasser Stein "
    "Brücke Straße Abend Freund ging öffnete trug schrieb fragte leise schwer hell eng früh "
)
_GERMAN = _GERMAN_WORDS.split()


@dataclass
class FileExpectation:
    """What ``manifest.json`` must say about one input file."""

    source: str
    records: int = 0
    blank_lines: int = 0
    unreadable: bool = False
    outcomes: Counter = field(default_factory=Counter)

    def add(self, outcome: str, count: int = 1) -> None:
        self.records += count
        self.outcomes[outcome] += count


@dataclass(frozen=True)
class FuzzCorpus:
    """A written fuzz corpus and the outcome a correct run must report for it.

    ``files`` is keyed by file name (unique across the corpus); ``expected`` maps each source
    to ``{outcome: count}`` where an outcome is :data:`KEPT` or a reject reason code.
    """

    root: Path
    config: Path
    files: dict[str, FileExpectation]

    @property
    def expected(self) -> dict[str, Counter]:
        by_source: dict[str, Counter] = {}
        for expectation in self.files.values():
            by_source.setdefault(expectation.source, Counter()).update(expectation.outcomes)
        return by_source

    @property
    def unreadable(self) -> set[str]:
        return {name for name, item in self.files.items() if item.unreadable}

    @property
    def total_records(self) -> int:
        return sum(item.records for item in self.files.values())


class _Writer:
    """Builds one source directory file by file, recording the expected outcomes."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root = root
        self.rng = rng
        self.files: dict[str, FileExpectation] = {}
        self._serial = 0

    def expect(self, source: str, name: str) -> FileExpectation:
        assert name not in self.files, f"file name {name} used twice"
        self.files[name] = FileExpectation(source)
        return self.files[name]

    def path(self, source: str, name: str) -> Path:
        directory = self.root / source
        directory.mkdir(parents=True, exist_ok=True)
        return directory / name

    def prose(self, words: int, vocabulary: list[str] = _ENGLISH) -> str:
        """Unique random prose: a serial number keeps any two texts from being duplicates."""
        self._serial += 1
        body = " ".join(self.rng.choice(vocabulary) for _ in range(words))
        return f"Note {self._serial}: {body}."


def _line(obj: object) -> bytes:
    """One JSON line, non-ASCII characters as UTF-8."""
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def _escaped_line(obj: object) -> bytes:
    """One JSON line, non-ASCII characters (lone surrogates included) as ``\\uXXXX`` escapes."""
    return json.dumps(obj).encode("ascii")


def _write_lines(
    writer: _Writer, source: str, name: str, lines: list[tuple[bytes, str | None]], end: bytes
) -> FileExpectation:
    """Write ``(bytes, outcome)`` lines joined by ``end``; outcome ``None`` is a blank line."""
    expectation = writer.expect(source, name)
    for _, outcome in lines:
        if outcome is None:
            expectation.blank_lines += 1
        else:
            expectation.add(outcome)
    writer.path(source, name).write_bytes(b"".join(line + end for line, _ in lines))
    return expectation


def _malformed_lines(writer: _Writer) -> list[tuple[bytes, str | None]]:
    """One line per kind of damage, valid documents with odd content, and blank lines."""
    prose = writer.prose
    shared = prose(40)
    deep = b"[" * 50_000 + b"]" * 50_000
    return [
        (_line({"id": "ok-1", "text": prose(40)}), KEPT),
        (b"", None),
        (b"   \t ", None),
        # invalid JSON
        (b'{"id": "trunc-1", "text": "the line ends in the mid', "invalid_json"),
        (b"{'id': 'single-quotes', 'text': 'not json'}", "invalid_json"),
        (b'{"id": "trailing-comma", "text": "x",}', "invalid_json"),
        (b'{"id": "two", "text": "a"}{"id": "objects", "text": "b"}', "invalid_json"),
        (b'{"id": "raw-nul", "text": "a\x00b"}', "invalid_json"),
        (b"\x00\x00\x00\x00", "invalid_json"),
        (deep, "invalid_json"),
        (b"\xef\xbb\xbf" + _line({"id": "late-bom", "text": prose(10)}), "invalid_json"),
        # bytes that are not UTF-8
        (b'{"id": "latin1", "text": "caf\xe9 au lait"}', "invalid_utf8"),
        (b'{"id": "overlong", "text": "\xc0\xaf"}', "invalid_utf8"),
        (b'{"id": "utf8-surrogate", "text": "\xed\xa0\x80"}', "invalid_utf8"),
        (b'{"id": "cut-sequence", "text": "\xe2\x82"}', "invalid_utf8"),
        # JSON lone surrogates
        (b'{"id": "lone-high", "text": "abc\\ud800def"}', "invalid_utf8"),
        (b'{"id": "lone-low", "text": "\\udc00"}', "invalid_utf8"),
        # records that are not objects
        (b"[1, 2, 3]", "not_an_object"),
        (b'"just a string"', "not_an_object"),
        (b"42", "not_an_object"),
        (b"null", "not_an_object"),
        (b"true", "not_an_object"),
        # missing, null, non-string text
        (b'{"id": "no-text"}', "missing_text"),
        (b'{"id": "null-text", "text": null}', "missing_text"),
        (b"{}", "missing_text"),
        (b'{"id": "key-surrogate", "te\\ud800xt": "hello"}', "missing_text"),
        (b'{"id": "int-text", "text": 5}', "non_string_text"),
        (b'{"id": "list-text", "text": ["a", "b"]}', "non_string_text"),
        (b'{"id": "dict-text", "text": {"a": "b"}}', "non_string_text"),
        (b'{"id": "bool-text", "text": true}', "non_string_text"),
        (b'{"id": "inf-text", "text": 1e999}', "non_string_text"),
        (b'{"id": "nan-text", "text": NaN}', "non_string_text"),
        (b'{"id": "dup-key", "text": "first", "text": 7}', "non_string_text"),
        # empty and whitespace-only text (str.isspace, Unicode spaces included)
        (b'{"id": "empty", "text": ""}', "empty_text"),
        (b'{"id": "spaces", "text": "    "}', "empty_text"),
        (b'{"id": "tabs", "text": "\\t\\n\\r\\n"}', "empty_text"),
        (_line({"id": "unicode-spaces", "text": "\u3000\u00a0\u2003"}), "empty_text"),
        # valid documents with odd content: kept
        (_line({"id": "escaped-nul", "text": prose(20) + "\u0000tail"}), KEPT),
        (_escaped_line({"id": "emoji-pair", "text": prose(20) + " \ud83d\ude00"}), KEPT),
        (_escaped_line({"id": "\udc00", "text": prose(20)}), KEPT),
        (_escaped_line({"id": "other-field", "text": prose(20), "meta": "\ud800"}), KEPT),
        (_line({"id": {"nested": 1}, "text": prose(20)}), KEPT),
        (_line({"id": 12345, "text": prose(20)}), KEPT),
        (b"   " + _line({"id": "indented", "text": prose(20)}), KEPT),
        (_line({"id": "controls", "text": prose(20) + "\u0001\u2028\u200b\r"}), KEPT),
        (_line({"id": "one-long-word", "text": "x" * 200_000 + " " + prose(3)}), KEPT),
        (_line({"id": "rtl", "text": "مرحبا بالعالم " + prose(5)}), KEPT),
        # planted duplicates: one duplicate_id and one exact_duplicate reject
        (_line({"id": "dup-id", "text": prose(30)}), KEPT),
        (_line({"id": "dup-id", "text": prose(30)}), "duplicate_id"),
        (_line({"id": "exact-a", "text": shared}), KEPT),
        (_line({"id": "exact-b", "text": shared}), "exact_duplicate"),
        (b"\r", None),
        (_line({"id": "ok-last", "text": prose(40)}), KEPT),
    ]


def _write_lines_source(writer: _Writer) -> None:
    source = "lines"
    lines = _malformed_lines(writer)
    _write_lines(writer, source, "malformed.jsonl", lines, b"\n")
    # the same kind of file with a BOM and CRLF line endings
    crlf = [
        (b"\xef\xbb\xbf" + _line({"id": "bom-first", "text": writer.prose(30)}), KEPT),
        (_line({"id": "crlf-2", "text": writer.prose(30)}), KEPT),
        (b"", None),
        (b'{"id": "crlf-broken", "text": ', "invalid_json"),
        (_line({"id": "crlf-4", "text": writer.prose(30)}), KEPT),
    ]
    _write_lines(writer, source, "bom_crlf.jsonl", crlf, b"\r\n")
    # a file whose last line is cut in the middle and has no newline
    cut = writer.expect(source, "truncated.jsonl")
    complete = [_line({"id": f"cut-{i}", "text": writer.prose(30)}) for i in range(3)]
    partial = _line({"id": "cut-3", "text": writer.prose(30)})[:25]
    cut.add(KEPT, len(complete))
    cut.add("invalid_json")
    writer.path(source, "truncated.jsonl").write_bytes(b"\n".join([*complete, partial]))
    # binary junk: every line holds 0xff (never UTF-8), plus NUL, CR and other bytes
    junk = writer.expect(source, "junk.jsonl")
    chunks = []
    for _ in range(200):
        size = writer.rng.randrange(1, 300)
        body = bytes(writer.rng.choice(range(256)) for _ in range(size)).replace(b"\n", b"")
        chunks.append(b"\xff" + body)
        junk.add("invalid_utf8")
    writer.path(source, "junk.jsonl").write_bytes(b"\n".join(chunks))


def _write_big_source(writer: _Writer) -> None:
    """One document over ``max_text_bytes`` (rejected) and one under it (kept whole).

    The kept one is English for its first 200,000 characters and German after, so a test can
    tell that scorers saw only the prefix (``limits.max_scored_chars``, default 100,000).
    """
    source = "big"
    expectation = writer.expect(source, "big.jsonl")
    huge = _filler(writer.rng, HUGE_TEXT_BYTES, _ENGLISH)
    english = _filler(writer.rng, 200_000, _ENGLISH)
    large = english + " " + _filler(writer.rng, LARGE_TEXT_BYTES - len(english) - 1, _GERMAN)
    with writer.path(source, "big.jsonl").open("wb") as handle:
        handle.write(_line({"id": "huge-20mb", "text": huge}) + b"\n")
        handle.write(_line({"id": "large-5mb", "text": large}) + b"\n")
    expectation.add("text_too_long")
    expectation.add(KEPT)


def _filler(rng: random.Random, size: int, vocabulary: list[str]) -> str:
    """Random words, exactly ``size`` UTF-8 bytes long."""
    data = b""
    while len(data) < size:
        data += " ".join(rng.choices(vocabulary, k=size // 4 + 1)).encode("utf-8") + b" "
    text = data[:size].decode("utf-8", "ignore")
    return text + " " * (size - len(text.encode("utf-8")))


def large_text(corpus: FuzzCorpus) -> str:
    """The kept 5 MB document's text, read back from the corpus files."""
    with (corpus.root / "big" / "big.jsonl").open("rb") as handle:
        handle.readline()
        return json.loads(handle.readline())["text"]


def _write_tiny_source(writer: _Writer, count: int) -> None:
    expectation = writer.expect("tiny", "tiny.jsonl")
    with writer.path("tiny", "tiny.jsonl").open("wb") as handle:
        for i in range(count):
            handle.write(b'{"id": "tiny-%06d", "text": "tiny %d"}\n' % (i, i))
    expectation.add(KEPT, count)


def _write_empty_source(writer: _Writer) -> None:
    source = "empty"
    writer.path(source, "zero.jsonl").write_bytes(b"")
    writer.expect(source, "zero.jsonl").add("empty_file")
    writer.path(source, "blank.jsonl").write_bytes(b"\n  \n\t\r\n\n")
    blank = writer.expect(source, "blank.jsonl")
    blank.add("empty_file")
    blank.blank_lines = 4
    writer.path(source, "empty.jsonl.gz").write_bytes(gzip.compress(b"", mtime=0))
    writer.expect(source, "empty.jsonl.gz").add("empty_file")


def _complete_lines(data: bytes) -> int:
    """Newline-terminated lines that a truncated gzip stream still yields (independent zlib)."""
    return zlib.decompressobj(wbits=31).decompress(data).count(b"\n")


def _write_gzip_source(writer: _Writer) -> None:
    source = "gz"

    def payload(prefix: str, count: int) -> bytes:
        docs = [{"id": f"{prefix}-{i}", "text": writer.prose(30)} for i in range(count)]
        return b"".join(_line(doc) + b"\n" for doc in docs)

    writer.path(source, "ok.jsonl.gz").write_bytes(gzip.compress(payload("gz-ok", 8), mtime=0))
    writer.expect(source, "ok.jsonl.gz").add(KEPT, 8)

    compressed = gzip.compress(payload("gz-cut", 300), mtime=0)
    cut = compressed[: len(compressed) * 3 // 5]
    writer.path(source, "truncated.jsonl.gz").write_bytes(cut)
    truncated = writer.expect(source, "truncated.jsonl.gz")
    truncated.add("corrupt_file", _complete_lines(cut))  # a damaged file publishes nothing
    truncated.add("unreadable_file")
    truncated.unreadable = True

    bad_crc = bytearray(gzip.compress(payload("gz-crc", 5), mtime=0))
    bad_crc[-8] ^= 0xFF  # CRC32 of the trailer: every record reads, then the check fails
    writer.path(source, "bad_crc.jsonl.gz").write_bytes(bytes(bad_crc))
    crc = writer.expect(source, "bad_crc.jsonl.gz")
    crc.add("corrupt_file", 5)
    crc.add("unreadable_file")
    crc.unreadable = True

    # a gzip header followed by a deflate block of the reserved type 3: fails at once
    header = gzip.compress(b"", mtime=0)[:10]
    junk = bytes(writer.rng.randrange(256) for _ in range(4000))
    writer.path(source, "corrupt.jsonl.gz").write_bytes(header + b"\x07" + junk)
    writer.path(source, "not_gzip.jsonl.gz").write_bytes(b"PK\x03\x04" + junk)
    for name in ("corrupt.jsonl.gz", "not_gzip.jsonl.gz"):
        expectation = writer.expect(source, name)
        expectation.add("unreadable_file")
        expectation.unreadable = True


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _write_parquet_source(writer: _Writer) -> None:
    source = "pq"
    prose = writer.prose
    texts = [prose(30), None, "  ", prose(30), prose(30)]
    good = pa.table({"id": [f"pq-{i}" for i in range(5)], "text": texts})
    writer.path(source, "good.parquet").write_bytes(_parquet_bytes(good))
    expectation = writer.expect(source, "good.parquet")
    expectation.add(KEPT, 3)
    expectation.add("missing_text")
    expectation.add("empty_text")

    wrong = pa.table({"id": ["w-1", "w-2", "w-3"], "body": [prose(10), prose(10), prose(10)]})
    writer.path(source, "wrong_schema.parquet").write_bytes(_parquet_bytes(wrong))
    writer.expect(source, "wrong_schema.parquet").add("missing_text", 3)

    numbers = pa.table({"id": ["i-1", "i-2"], "text": pa.array([1, 2], pa.int64())})
    writer.path(source, "int_text.parquet").write_bytes(_parquet_bytes(numbers))
    writer.expect(source, "int_text.parquet").add("non_string_text", 2)

    empty = pa.table({"id": pa.array([], pa.string()), "text": pa.array([], pa.string())})
    writer.path(source, "no_rows.parquet").write_bytes(_parquet_bytes(empty))
    writer.expect(source, "no_rows.parquet").add("empty_file")

    whole = _parquet_bytes(good)
    broken = {
        "truncated.parquet": whole[: len(whole) // 2],
        "corrupt.parquet": b"PAR1" + bytes(writer.rng.randrange(256) for _ in range(3000)),
        "zero.parquet": b"",
    }
    for name, data in broken.items():
        writer.path(source, name).write_bytes(data)
        expectation = writer.expect(source, name)
        expectation.add("unreadable_file")
        expectation.unreadable = True


def write_config(
    corpus_root: Path,
    path: Path,
    sources: list[str],
    split_bytes: int | None = None,
    target_shard_bytes: int = 16 * 1024 * 1024,
) -> Path:
    """A run config over ``sources`` (subdirectories of ``corpus_root``) keeping valid docs.

    The fastText language backend keeps tiny documents cheap (the hybrid backend falls back
    to langdetect, ~10 ms each, for texts too short to trust).
    """
    lines = ["sources:"]
    for name in sources:
        fmt = "parquet" if name == "pq" else "jsonl"
        lines.append(
            f"  - {{name: {name}, paths: ['{corpus_root / name}'], format: {fmt}, "
            f"license: fuzz-{name}}}"
        )
    lines += [
        "language: {backend: fasttext, allowed: null, min_score: 0.0}",
        "quality: {reject: false}",
        "synthetic: {policy: tag}",
        f"output: {{target_shard_bytes: {target_shard_bytes}}}",
    ]
    if split_bytes is not None:
        lines.append(f"read: {{split_bytes: {split_bytes}}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


#: Source names (one directory each).
SOURCES = ("lines", "big", "tiny", "empty", "gz", "pq")


def write_fuzz_corpus(
    root: Path,
    seed: int = 0,
    tiny_records: int = DEFAULT_TINY_RECORDS,
    sources: tuple[str, ...] = SOURCES,
) -> FuzzCorpus:
    """Write the fuzz corpus's ``sources`` under ``root`` (one directory each) and a config.

    Same arguments -> byte-identical files. All sources take about 27 MB plus ~40 bytes per
    tiny record; without ``big`` they take under 2 MB.
    """
    writers = {
        "lines": _write_lines_source,
        "big": _write_big_source,
        "tiny": lambda writer: _write_tiny_source(writer, tiny_records),
        "empty": _write_empty_source,
        "gz": _write_gzip_source,
        "pq": _write_parquet_source,
    }
    writer = _Writer(root, random.Random(seed))
    for name in sources:
        writers[name](writer)
    config = write_config(root, root / "fuzz.yaml", list(sources))
    return FuzzCorpus(root, config, writer.files)
