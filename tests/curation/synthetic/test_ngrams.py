"""Tests of the n-gram part of the synthetic-text model."""

import math

import numpy as np
import pytest

from curation.synthetic.ngrams import NgramModel, NgramScorer, ngram_counts, tfidf_matrix
from curation.synthetic.text import units


def test_tokens_are_words_and_sentence_ends_and_bigrams_join_neighbours():
    counts = ngram_counts(units("it's, ok. it's fine"))
    assert counts["it's"] == 2 and counts[","] == 0  # commas are not tokens
    assert counts["ok"] == counts["."] == counts["ok ."] == counts[". it's"] == 1
    assert counts["it's ok"] == counts["it's fine"] == 1
    tokens = 5  # it's ok . it's fine
    assert sum(counts.values()) == tokens + tokens - 1


def test_contributions_equal_the_training_tfidf_row_times_the_coefficients():
    model = NgramModel(
        terms=("the", "cat", "the cat", ".", ". the", "dog"),
        idf=np.array([1.0, 2.5, 3.0, 1.5, 2.0, 4.0]),
        coef=np.array([0.2, -1.0, 0.7, 0.3, -0.4, 9.0]),
    )
    text = units("the cat sat. the cat and the bird")
    present, values = NgramScorer([model]).contributions(text)
    assert present.tolist() == [0, 1, 2, 3, 4]  # "dog" is absent: it contributes nothing
    row = tfidf_matrix([ngram_counts(text)], model.terms, model.idf).toarray()[0]
    assert values.tolist() == pytest.approx((row * model.coef)[:5].tolist(), abs=1e-12)
    # Sublinear tf, idf, Euclidean norm: "the" occurs 3 times, "cat" and "the cat" twice.
    raw = np.array([1 + math.log(3), (1 + math.log(2)) * 2.5, (1 + math.log(2)) * 3.0, 1.5, 2.0])
    assert row[:5].tolist() == pytest.approx((raw / np.linalg.norm(raw)).tolist())


def test_text_without_vocabulary_terms_contributes_nothing():
    model = NgramModel(terms=("zebra",), idf=np.ones(1), coef=np.ones(1))
    present, values = NgramScorer([model]).contributions(units("no such animal here."))
    assert present.size == values.size == 0
    assert tfidf_matrix([ngram_counts(units("no such animal"))], model.terms, model.idf).nnz == 0
    assert NgramScorer([model]).contributions([])[0].size == 0


def test_json_round_trip():
    for model in (
        NgramModel(terms=("a", "a b"), idf=np.array([1.25, 2.0]), coef=np.array([-0.5, 3.0])),
        NgramModel(("a * b",), np.ones(1), np.ones(1), orders=(3,), kept=frozenset({"a", "b"})),
    ):
        back = NgramModel.from_json(model.to_json())
        assert (back.terms, back.orders, back.kept) == (model.terms, model.orders, model.kept)
        assert back.idf.tolist() == model.idf.tolist()
        assert back.coef.tolist() == model.coef.tolist()


def test_masked_tokens_stand_for_any_word_outside_the_kept_ones():
    kept = frozenset({"the", "of", "."})
    counts = ngram_counts(units("the end of the road. the top of the hill."), (3,), kept)
    assert counts["the * of"] == counts["* of the"] == counts["of the *"] == 2
    assert counts["the * ."] == 2 and counts[". the *"] == 1
    assert sum(counts.values()) == 12 - 2  # 12 tokens: the * of the * . (twice)


def test_masked_contributions_equal_the_training_tfidf_row():
    kept = frozenset({"the", "of", "in", "."})
    model = NgramModel(
        terms=("the * of", "* of the", "of the *", "in the *", "* * *"),
        idf=np.array([1.0, 2.0, 1.5, 3.0, 0.5]),
        coef=np.array([0.5, -1.0, 2.0, 4.0, 1.0]),
        orders=(3,),
        kept=kept,
    )
    # "in" is kept but appears in a term only once: it is never read as a masked word.
    text = units("the end of the road in winter. the top of the hill in the fog")
    present, values = NgramScorer([model]).contributions(text)
    row = tfidf_matrix([ngram_counts(text, (3,), kept)], model.terms, model.idf).toarray()[0]
    assert present.tolist() == np.flatnonzero(row).tolist() == [0, 1, 2, 3]
    assert values.tolist() == pytest.approx((row * model.coef)[present].tolist(), abs=1e-12)
    assert NgramScorer([model]).contributions(units("end road winter"))[0].tolist() == [
        4
    ]  # "* * *"


def test_blocks_scored_together_equal_each_block_alone_after_the_ones_before():
    words = NgramModel(("the", "cat", "the cat"), np.array([1.0, 2.0, 3.0]), np.array([1, -2, 3.0]))
    patterns = NgramModel(
        ("the * .", ". the *"), np.ones(2), np.array([0.5, -0.5]), (3,), frozenset({"the", "."})
    )
    text = units("the cat. the dog ran.")
    index, values = NgramScorer([words, patterns]).contributions(text)
    alone = [NgramScorer([b]).contributions(text) for b in (words, patterns)]
    assert index.tolist() == alone[0][0].tolist() + (alone[1][0] + 3).tolist() == [0, 1, 2, 3, 4]
    assert values.tolist() == alone[0][1].tolist() + alone[1][1].tolist()
