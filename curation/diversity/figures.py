"""Diversity figures of a sample of kept text, the early warning of a corpus turning bland.

Model collapse shows first in the tails: rare words and quirks fade, machine-typical words
spread (Shumailov et al. 2024, Nature 631). Each figure is computed on the *token stream* of a
sample (:mod:`curation.diversity.sample`): the sampled documents' word tokens
(:func:`curation.synthetic.text.tokenize`, lower-cased) in sample order, cut at
:data:`SAMPLE_TOKENS`, so a figure does not grow or shrink with the corpus's size.

- ``distinct_1``, ``distinct_2``: distinct unigrams (bigrams) / all, averaged over blocks of
  :data:`BLOCK_TOKENS` tokens (Li et al. 2016, "distinct-n", on fixed-size blocks so the
  figure does not depend on the sample's length).
- ``mattr``: moving-average type-token ratio over windows of :data:`MATTR_WINDOW` tokens
  (Covington & McFall 2010).
- ``rare_token_mass``: share of tokens whose type is not among the :data:`TOP_TYPES` most
  frequent types of the kept corpus's sample (ties by type).
- ``marker_word_share``: share of tokens that are LLM marker words (Kobak et al. 2024 excess
  "style" words, :func:`curation.synthetic.lexicons.default_lexicons`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import islice
from typing import Any

from curation.diversity.sample import Sampled, smallest
from curation.quality.text import token_ids
from curation.synthetic import signals
from curation.synthetic.lexicons import default_lexicons
from curation.synthetic.text import tokenize

SAMPLE_TOKENS = 100_000
BLOCK_TOKENS = 1_000
MATTR_WINDOW = 100
TOP_TYPES = 1_000


def token_stream(texts: Sequence[list[str]]) -> list[str]:
    """The documents' tokens one after the other, at most :data:`SAMPLE_TOKENS`."""
    return list(islice((token for tokens in texts for token in tokens), SAMPLE_TOKENS))


def distinct_n(tokens: Sequence[str], n: int) -> float | None:
    """Mean share of distinct n-grams per block of :data:`BLOCK_TOKENS` tokens (a shorter
    stream is one block; a remainder shorter than a block is left out)."""
    starts = range(0, max(len(tokens) - BLOCK_TOKENS, 0) + 1, BLOCK_TOKENS)
    shares = []
    for start in starts:
        block = tokens[start : start + BLOCK_TOKENS]
        grams = list(zip(*(block[i:] for i in range(n)), strict=False))
        if grams:
            shares.append(len(set(grams)) / len(grams))
    return sum(shares) / len(shares) if shares else None


def mattr(tokens: Sequence[str], window: int = MATTR_WINDOW) -> float | None:
    """Moving-average type-token ratio (the plain ratio for a stream shorter than a window; see
    :func:`curation.synthetic.signals.mattr`), ``None`` without tokens."""
    return signals.mattr(token_ids(list(tokens)).ids, window) if tokens else None


def top_types(tokens: Sequence[str], count: int = TOP_TYPES) -> frozenset[str]:
    """The ``count`` most frequent types (ties broken by the type itself)."""
    ranked = sorted(Counter(tokens).items(), key=lambda item: (-item[1], item[0]))
    return frozenset(token for token, _ in ranked[:count])


def stream_figures(tokens: Sequence[str], common: frozenset[str]) -> dict[str, Any]:
    """Every figure of one token stream; ``common``: the corpus sample's top types."""
    if not tokens:
        return {"sample_tokens": 0}
    markers = default_lexicons().marker_words
    return {
        "sample_tokens": len(tokens),
        "distinct_1": distinct_n(tokens, 1),
        "distinct_2": distinct_n(tokens, 2),
        "mattr": mattr(tokens),
        "rare_token_mass": sum(token not in common for token in tokens) / len(tokens),
        "marker_word_share": sum(token in markers for token in tokens) / len(tokens),
    }


def sample_figures(samples: Mapping[str, Sequence[Sampled]]) -> dict[str, Any]:
    """``{"corpus": figures, "by_source": {source: figures}}`` from each source's sample;
    the corpus's sample is the bottom-k of theirs."""
    tokens = {
        doc[:2]: [token.lower() for token in tokenize(doc[2])]
        for docs in samples.values()
        for doc in docs
    }
    corpus_docs = smallest(samples.values())
    corpus = token_stream([tokens[doc[:2]] for doc in corpus_docs])
    common = top_types(corpus)
    by_source = {}
    for source, docs in sorted(samples.items()):
        stream = token_stream([tokens[doc[:2]] for doc in docs])
        by_source[source] = {"sample_documents": len(docs), **stream_figures(stream, common)}
    return {
        "corpus": {"sample_documents": len(corpus_docs), **stream_figures(corpus, common)},
        "by_source": by_source,
    }
