"""The n-gram hash sets of the evaluation sets, and the test of one document against them.

Each set's n-gram hashes are held in a Python ``set`` built once per worker, so testing a
document costs one hash per word and one set look-up per n-gram and set, whatever the sets'
sizes. Memory: about 70 bytes per distinct n-gram of the sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from curation.decontamination.ngrams import ngram_at, ngram_hashes, text_ngram_hashes


@dataclass(frozen=True)
class EvaluationSet:
    """One evaluation set: its name (the file's name) and the hashes of its n-grams."""

    name: str
    hashes: frozenset[int]


class ContaminationIndex:
    """Which evaluation set, if any, shares an ``n``-word n-gram with a document."""

    def __init__(self, sets: Sequence[EvaluationSet], n: int) -> None:
        self.sets = tuple(sets)
        self.n = n

    @classmethod
    def build(cls, named_texts: Iterable[tuple[str, Iterable[str]]], n: int) -> ContaminationIndex:
        """From ``(set name, its texts)`` pairs; texts of fewer than ``n`` words add nothing."""
        sets = []
        for name, texts in named_texts:
            hashes: set[int] = set()
            for text in texts:
                hashes.update(text_ngram_hashes(text, n).tolist())
            sets.append(EvaluationSet(name, frozenset(hashes)))
        return cls(sets, n)

    def first_match(self, words: str) -> tuple[str, str] | None:
        """``(set name, n-gram)`` of the first set (in configured order) sharing an n-gram with
        a document whose :func:`~curation.decontamination.ngrams.ngram_words` are ``words``;
        the n-gram is the first shared one in the document."""
        hashes = ngram_hashes(words, self.n).tolist()
        for evaluation_set in self.sets:
            if not evaluation_set.hashes.isdisjoint(hashes):
                index = next(i for i, h in enumerate(hashes) if h in evaluation_set.hashes)
                return evaluation_set.name, ngram_at(words, self.n, index)
        return None
