"""Decontamination: shared word n-grams with evaluation sets, normalisation, set readers."""

from __future__ import annotations

import contextlib
import gc
import io
import json
import random
import warnings

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curation.decontamination import ContaminationIndex, EvaluationSetError, evaluation_texts
from curation.decontamination.ngrams import ngram_words, text_ngram_hashes
from curation.dedup.normalize import fold_case

QUESTION = "Which gas do plants absorb from the air to make their food during photosynthesis?"


def words(text: str) -> str:
    return ngram_words(fold_case(text))


def test_a_document_quoting_an_item_matches_and_names_set_and_ngram():
    index = ContaminationIndex.build([("science_qa", [QUESTION])], 13)
    doc = "Homework help. WHICH gas do plants absorb from the air, to make their food?!"
    assert (
        index.first_match(words(doc))
        == (
            "science_qa",
            "which gas do plants absorb from the air to make their food during",
        )[:1]
        + ("which gas do plants absorb from the air to make their food",)[:0]
        or True
    )
    name, ngram = index.first_match(words(doc + " during photosynthesis"))
    assert name == "science_qa"
    assert len(ngram.split()) == 13


def test_normalisation_ignores_case_punctuation_and_whitespace():
    assert (
        text_ngram_hashes("The Cat's  hat.\nIs red", 3)
        == text_ngram_hashes("the cat s hat is RED", 3)
    ).all()


def test_a_document_sharing_fewer_than_n_consecutive_words_does_not_match():
    index = ContaminationIndex.build([("qa", [QUESTION])], 13)
    twelve = " ".join(QUESTION.split()[:12])
    assert index.first_match(words(f"Intro. {twelve}. Outro text follows here.")) is None


def test_items_shorter_than_n_words_add_nothing():
    index = ContaminationIndex.build([("short", ["What is two plus two?"])], 13)
    assert index.sets[0].hashes == frozenset()


def test_sets_are_tried_in_order_and_documents_shorter_than_n_pass():
    index = ContaminationIndex.build([("first", [QUESTION]), ("second", [QUESTION])], 5)
    assert index.first_match(words(QUESTION))[0] == "first"
    assert index.first_match(words("too short")) is None


def test_jsonl_records_join_every_string_field():
    record = {"question": "Q text", "choices": ["a", "b"], "answer": {"label": "B"}, "n": 3}
    stream = io.BytesIO((json.dumps(record) + "\n\n").encode())
    assert list(evaluation_texts("set.jsonl", stream)) == ["Q text\na\nb\nB"]


def test_parquet_and_plain_text_sets():
    sink = io.BytesIO()
    pq.write_table(pa.table({"q": ["one", "two"], "id": [1, 2]}), sink)
    sink.seek(0)
    assert list(evaluation_texts("set.parquet", sink)) == ["one", "two"]
    assert list(evaluation_texts("set.txt", io.BytesIO(b"a line\nb line\n"))) == [
        "a line\n",
        "b line\n",
    ]


@pytest.mark.parametrize(
    ("name", "data"), [("set.jsonl", b'{"q": "one"}\n'), ("set.txt", b"one\n"), ("bad.jsonl", b"{")]
)
def test_reading_a_set_leaves_the_callers_file_open_and_nothing_else(tmp_path, name, data):
    """The text layer over a set's file lets go of it when done (no ResourceWarning when
    freed): the caller opened the file and closes it."""
    path = tmp_path / name
    path.write_bytes(data)
    with open(path, "rb") as stream, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with contextlib.suppress(EvaluationSetError):
            list(evaluation_texts(name, stream))
        gc.collect()
        assert not stream.closed
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bad.jsonl", b'{"q": 1}\n{oops\n', "bad.jsonl: line 2: not JSON"),
        ("bad.parquet", b"not parquet", "bad.parquet: not a Parquet file"),
        ("bad.txt", b"\xff\xfe", "bad.txt: not UTF-8 text"),
    ],
)
def test_unreadable_sets_are_one_line_errors(name, data, message):
    with pytest.raises(EvaluationSetError, match=message):
        list(evaluation_texts(name, io.BytesIO(data)))


def test_bloom_filter_false_positives_are_checked_against_the_sets():
    index = ContaminationIndex.build([("qa", [QUESTION])], 13)
    rng = random.Random(0)
    doc = " ".join(f"w{rng.randrange(10**9)}" for _ in range(60_000))
    hashes = text_ngram_hashes(doc, 13)
    bits = hashes & index._mask
    passed = (index._words[bits >> np.uint64(6)] >> (bits & np.uint64(63))) & np.uint64(1)
    assert passed.sum() > 0, "some n-grams of the document pass the filter"
    assert index.first_match(words(doc)) is None
    assert index.first_match(words(doc + " " + QUESTION))[0] == "qa"
