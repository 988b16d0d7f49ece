"""A deterministic sample of the kept documents per source: the :data:`SAMPLE_DOCS` with the
smallest ``content_hash`` (sha256, so a uniform random choice), ties broken by ``id``.

A bottom-k sample merges exactly: the k smallest of a union are the k smallest of the parts'
k smallest, so each shard writer samples its own rows and the pipeline combines the shards'
samples into the same sample on every runner and for every sharding.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

#: Documents sampled per source (and for the kept corpus, from the sources' samples).
SAMPLE_DOCS = 1_000
#: Characters of each sampled document kept (its beginning): bounds the sample's size.
SAMPLE_CHARS = 2_000

#: Corpus columns a sample is drawn from.
SAMPLE_COLUMNS = ("source", "content_hash", "id", "text")

#: One sampled document: (content_hash, id, text cut to :data:`SAMPLE_CHARS`).
Sampled = tuple[str, str, str]


def smallest(parts: Iterable[Iterable[Sampled]], count: int = SAMPLE_DOCS) -> list[Sampled]:
    """The ``count`` smallest documents of all ``parts``, in sample order."""
    return heapq.nsmallest(count, (doc for part in parts for doc in part))


class ShardSampler:
    """Bottom-k samples per source of the kept rows one writer sees."""

    def __init__(self, count: int = SAMPLE_DOCS) -> None:
        self._count = count
        self._samples: dict[str, list[Sampled]] = {}

    def add(self, kept: pa.Table) -> None:
        """Take candidates from ``kept`` (columns ``source``, ``content_hash``, ``id``,
        ``text``): per source only rows below the current k-th smallest hash are looked at."""
        if kept.num_rows == 0:
            return
        for source in pc.unique(kept["source"]).to_pylist():
            rows = kept.filter(pc.equal(kept["source"], source))
            current = self._samples.get(source, [])
            if len(current) >= self._count:
                rows = rows.filter(pc.less_equal(rows["content_hash"], current[-1][0]))
            if rows.num_rows > self._count:
                order = pc.sort_indices(rows, [("content_hash", "ascending"), ("id", "ascending")])
                rows = rows.take(order[: self._count])
            texts = pc.utf8_slice_codeunits(rows["text"], 0, SAMPLE_CHARS)
            new = zip(
                rows["content_hash"].to_pylist(),
                rows["id"].to_pylist(),
                texts.to_pylist(),
                strict=True,
            )
            self._samples[source] = smallest([current, new], self._count)

    def samples(self) -> dict[str, list[Sampled]]:
        return self._samples
