"""Decompressing input streams, and checking them before any record is trusted.

A compressed file's integrity is known only at its end (gzip's CRC-32 and length, zstd's
frame checksum, bzip2's block CRCs, xz's check), after its records were decompressed. So a
compressed file is read twice: :func:`check_compressed` decompresses it once, discarding the
output, and only a file that passes is read for records; the records of one that fails are
rejected (see :func:`curation.io.inputs.read_jsonl`). Both passes stream: every codec's reader
(``gzip.GzipFile``, ``bz2.BZ2File``, ``lzma.LZMAFile`` and ``zstd.ZstdFile`` of
``backports.zstd``, the standard library's ``compression.zstd`` from Python 3.14 on) returns at
most the bytes asked for from each read, so memory is bounded by the read buffers whatever the
decompressed size (a zstd bomb expands some 32,000-fold). Each raises on a truncated stream and
reads every frame or member of a multi-frame file.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import zlib
from typing import IO

from backports import zstd

from curation.io.formats import Codec

CHUNK_BYTES = 1 << 20
#: What a damaged or truncated compressed stream raises while it is read.
DECOMPRESSION_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError, zstd.ZstdError)


def decompressed(stream: IO[bytes], codec: Codec | None) -> IO[bytes]:
    """A buffered binary stream of ``stream``'s decompressed bytes (``stream`` if no codec)."""
    if codec is None:
        return stream
    if codec == "gzip":
        return gzip.GzipFile(fileobj=stream)
    if codec == "bz2":
        return bz2.BZ2File(stream)
    if codec == "xz":
        return lzma.LZMAFile(stream)
    return zstd.ZstdFile(stream)


def check_compressed(stream: IO[bytes], codec: Codec, max_bytes: int) -> str | None:
    """Decompress ``stream`` to its end without keeping the output; return why it cannot be
    trusted (damaged, truncated, or more than ``max_bytes`` decompressed), or ``None``."""
    reader = decompressed(stream, codec)
    total = 0
    try:
        while chunk := reader.read(CHUNK_BYTES):
            total += len(chunk)
            if total > max_bytes:
                return f"decompresses to more than limits.max_decompressed_bytes = {max_bytes}"
    except DECOMPRESSION_ERRORS as error:
        cause = f"{type(error).__name__}: {error}"
        return f"damaged {codec} data after {total} decompressed bytes: {cause}"
    return None
