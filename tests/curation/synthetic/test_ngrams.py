"""Tests of the n-gram part of the synthetic-text model."""

import math

import numpy as np
import pytest

from curation.synthetic.ngrams import NgramModel, ngram_counts, tfidf_matrix
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
    present, values = model.contributions(text)
    assert present.tolist() == [0, 1, 2, 3, 4]  # "dog" is absent: it contributes nothing
    row = tfidf_matrix([ngram_counts(text)], model.terms, model.idf).toarray()[0]
    assert values.tolist() == pytest.approx((row * model.coef)[:5].tolist(), abs=1e-12)
    # Sublinear tf, idf, Euclidean norm: "the" occurs 3 times, "cat" and "the cat" twice.
    raw = np.array([1 + math.log(3), (1 + math.log(2)) * 2.5, (1 + math.log(2)) * 3.0, 1.5, 2.0])
    assert row[:5].tolist() == pytest.approx((raw / np.linalg.norm(raw)).tolist())


def test_text_without_vocabulary_terms_contributes_nothing():
    model = NgramModel(terms=("zebra",), idf=np.ones(1), coef=np.ones(1))
    present, values = model.contributions(units("no such animal here."))
    assert present.size == values.size == 0
    assert tfidf_matrix([ngram_counts(units("no such animal"))], model.terms, model.idf).nnz == 0
    assert model.contributions([])[0].size == 0


def test_json_round_trip():
    model = NgramModel(terms=("a", "a b"), idf=np.array([1.25, 2.0]), coef=np.array([-0.5, 3.0]))
    back = NgramModel.from_json(model.to_json())
    assert back.terms == model.terms
    assert back.idf.tolist() == model.idf.tolist() and back.coef.tolist() == model.coef.tolist()
