"""Decompressing input streams, and checking them before any record is trusted.

A compressed file's integrity is known only at its end (gzip's CRC-32 and length, zstd's
frame checksum, bzip2's block CRCs, xz's check), after its records were decompressed. So a
compressed file is read twice: :func:`check_compressed` decompresses it once, discarding the
output, and only a file that passes is read for records; the records of one that fails are
rejected (see :func:`curation.io.inputs.read_jsonl`). Both passes stream: memory is bounded by
the read buffers, whatever the decompressed size.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zlib
from typing import IO, Any

import zstandard

from curation.io.formats import Codec

CHUNK_BYTES = 1 << 20
#: What a damaged or truncated compressed stream raises while it is read.
DECOMPRESSION_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError, zstandard.ZstdError)


class _ZstdFrames(io.RawIOBase):
    """A zstd stream of one or more frames; unlike ``zstandard``'s stream reader, a stream
    that ends inside a frame raises :class:`EOFError` instead of ending quietly."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._decompressor = zstandard.ZstdDecompressor()
        self._frame = self._decompressor.decompressobj()
        self._in_frame = False
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            data = self._stream.read(CHUNK_BYTES)
            if not data:
                if self._in_frame:
                    raise EOFError("zstd stream ends inside a frame (truncated file)")
                return 0
            self._pending = self._feed(data)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def _feed(self, data: bytes) -> bytes:
        out = []
        while data:
            self._in_frame = True
            out.append(self._frame.decompress(data))
            if not self._frame.eof:
                break
            data = self._frame.unused_data
            self._frame = self._decompressor.decompressobj()
            self._in_frame = False
        return b"".join(out)


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
    return io.BufferedReader(_ZstdFrames(stream), buffer_size=CHUNK_BYTES)


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
