"""Input of the word-occurrence share estimator, read back from the kept corpus shards.

After a run, the launcher streams the corpus shards' ``id, source, lang, synthetic_score, text``
columns (:func:`pipelines.output.iter_batches`: 1,024 rows at a time) and records, for the
scored documents in a language the word reference covers, which vocabulary words each window
holds (:meth:`curation.synthetic.word_share.WordReference.presence`).

Bounded whatever the corpus size: each estimate (the corpus, one source, one language) uses at
most :data:`MAX_DOCUMENTS` documents. A document takes part in an estimate over ``N`` eligible
documents when a hash of its id, read as a number in [0, 1), is below ``MAX_DOCUMENTS / N``:
deterministic, independent of how the corpus is sharded, and nested (a source's sample holds
the corpus sample's documents of that source), so one pass collects what every estimate needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import xxhash

from curation.synthetic.word_share import WordReference
from pipelines.output import OutputCounts, iter_batches

#: Documents per estimate: the statistical interval of 2,000 documents (~+-0.02-0.03) is small
#: beside the validated margin (~0.3), and the estimate then takes ~1 s.
MAX_DOCUMENTS = 2000
_COLUMNS = ["id", "source", "lang", "synthetic_score", "text"]


def sampling_key(doc_id: str) -> float:
    """A document's place in every sample: its id's 64-bit xxhash, scaled to [0, 1)."""
    return xxhash.xxh64_intdigest(doc_id.encode("utf-8")) / 2.0**64


def _rate(eligible: int) -> float:
    return min(1.0, MAX_DOCUMENTS / eligible) if eligible else 0.0


@dataclass(frozen=True)
class SampledDocument:
    source: str
    lang: str
    key: float
    windows: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class WordSample:
    """The sampled documents and how many were eligible per (source, lang)."""

    documents: tuple[SampledDocument, ...]
    eligible: Counter

    def select(self, source: str | None = None, lang: str | None = None) -> list:
        """The windows of the sample of the eligible documents of ``source`` and/or ``lang``
        (all of them when both are ``None``)."""

        def wanted(s: str, lang_: str) -> bool:
            return (source is None or s == source) and (lang is None or lang_ == lang)

        rate = _rate(sum(n for (s, lang_), n in self.eligible.items() if wanted(s, lang_)))
        return [d.windows for d in self.documents if wanted(d.source, d.lang) and d.key < rate]


def collect_word_sample(
    corpus_shards: Iterable[str], counts: OutputCounts, reference: WordReference
) -> WordSample:
    """One pass over the corpus shards (see the module docstring); ``counts`` must hold the
    kept documents' synthetic scores (``count_shards(..., synthetic_scores=True)``)."""
    eligible = Counter(
        {
            key: len(scores)
            for key, scores in counts.synthetic_scores.items()
            if key[1] in reference.languages
        }
    )
    by_source, by_lang = Counter(), Counter()
    for (source, lang), n in eligible.items():
        by_source[source] += n
        by_lang[lang] += n
    corpus_rate = _rate(sum(eligible.values()))
    rates = {
        (source, lang): max(corpus_rate, _rate(by_source[source]), _rate(by_lang[lang]))
        for source, lang in eligible
    }
    documents = []
    for path in corpus_shards:
        for batch in iter_batches(path, _COLUMNS):
            ids, sources, langs, scores = (batch.column(c).to_pylist() for c in _COLUMNS[:4])
            chosen = []
            for row, (doc_id, source, lang, score) in enumerate(
                zip(ids, sources, langs, scores, strict=True)
            ):
                key = sampling_key(doc_id)
                if score is not None and key < rates.get((source, lang), 0.0):
                    chosen.append((row, source, lang, key))
            rows = pa.array([c[0] for c in chosen], type=pa.int64())
            texts = batch.column("text").take(rows).to_pylist()
            for (_, source, lang, key), text in zip(chosen, texts, strict=True):
                windows = tuple(reference.presence(text))
                documents.append(SampledDocument(source, lang, key, windows))
    # In hash order, so the estimates (float sums) do not depend on how the shards are cut.
    documents.sort(key=lambda d: (d.key, d.source, d.lang))
    return WordSample(tuple(documents), eligible)
