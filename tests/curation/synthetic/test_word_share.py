"""The word-occurrence share estimator on constructed mixtures of known share."""

from __future__ import annotations

import numpy as np
import pytest

from curation.synthetic.word_share import (
    DEFAULT_REFERENCE_PATH,
    WordReference,
    estimate_word_share,
    mixture_weights,
    word_windows,
)

VOCAB = tuple(f"w{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(60))  # waa, wab, ...
BASE = np.random.default_rng(7).uniform(0.05, 0.3, len(VOCAB))


def _scaled(first: float, second: float, third: float) -> np.ndarray:
    """BASE with words 0-19, 20-39 and 40-59 scaled by the given factors."""
    return BASE * np.repeat([first, second, third], 20)


# Two genres x two classes. Machine text (both genres) uses words 0-19 more, 20-39 less. Genre
# B's human writers do the same (a formal register), and differ from B's machines only in words
# 40-59: one P and Q pooled over both genres would call B's human text machine-written.
COMPONENTS = {
    "a/human": _scaled(1.0, 1.0, 1.0),
    "a/machine": _scaled(3.0, 0.4, 1.0),
    "b/human": _scaled(3.0, 0.4, 2.0),
    "b/machine": _scaled(3.0, 0.4, 0.5),
}


def reference() -> WordReference:
    return WordReference.from_probabilities(
        vocab=VOCAB,
        presence=np.array(list(COMPONENTS.values())),
        components=list(COMPONENTS),
        machine=[name.endswith("machine") for name in COMPONENTS],
        languages=["en"],
        window_words=50,
        max_windows=4,
        metadata={},
    )


def sample_documents(component: str, n: int, rng: np.random.Generator) -> list:
    """``n`` documents of 1-4 windows, each word present with the component's probability."""
    p = COMPONENTS[component]
    docs = []
    for _ in range(n):
        windows = rng.random((rng.integers(1, 5), len(VOCAB))) < p
        docs.append([np.flatnonzero(w).astype(np.uint16) for w in windows])
    return docs


def mixture(share: float, genre: str, n: int, seed: int) -> list:
    rng = np.random.default_rng(seed)
    k = round(share * n)
    return sample_documents(f"{genre}/machine", k, rng) + sample_documents(
        f"{genre}/human", n - k, rng
    )


@pytest.mark.parametrize("genre", ["a", "b"])
@pytest.mark.parametrize("share", [0.0, 0.1, 0.3, 0.5])
def test_recovers_known_share_in_each_genre(share, genre):
    est = estimate_word_share(mixture(share, genre, 600, seed=1), reference(), bootstrap=50)
    assert abs(est.share - share) <= 0.03
    assert est.low <= share <= est.high
    assert est.n == 600 and est.method == "word_mixture"


def test_mixed_genres_and_document_weighting():
    """Genres mixed in one corpus; long and short documents count once each."""
    rng = np.random.default_rng(3)
    docs = (
        sample_documents("a/machine", 60, rng)
        + sample_documents("b/machine", 60, rng)
        + sample_documents("a/human", 240, rng)
        + sample_documents("b/human", 240, rng)
    )
    est = estimate_word_share(docs, reference(), bootstrap=50)
    assert abs(est.share - 0.2) <= 0.03


def test_one_pooled_reference_would_be_fooled():
    """The reason for per-genre components: pooled P/Q call genre-B humans machine-written."""
    pooled = WordReference.from_probabilities(
        vocab=VOCAB,
        presence=np.array(
            [
                (COMPONENTS["a/human"] + COMPONENTS["b/human"]) / 2,
                (COMPONENTS["a/machine"] + COMPONENTS["b/machine"]) / 2,
            ]
        ),
        components=["human", "machine"],
        machine=[False, True],
        languages=["en"],
        window_words=50,
        max_windows=4,
        metadata={},
    )
    humans_b = mixture(0.0, "b", 400, seed=2)
    assert estimate_word_share(humans_b, pooled, bootstrap=0).share > 0.2
    assert estimate_word_share(humans_b, reference(), bootstrap=0).share <= 0.03


def test_deterministic_and_empty():
    docs = mixture(0.3, "a", 200, seed=4)
    assert estimate_word_share(docs, reference()) == estimate_word_share(docs, reference())
    empty = estimate_word_share([[], []], reference())
    assert empty.n == 0 and np.isnan(empty.share) and (empty.low, empty.high) == (0.0, 1.0)


def test_mixture_weights_reach_the_optimum_when_weights_vanish_in_few_updates():
    """Rows drawn from components 0 and 1 only: the other weights tend to zero, where plain EM
    crawls. The result must satisfy the optimum's (KKT) conditions: the gradient ratio
    ``sum_i w_i L_ik / (L_i . pi) / sum_i w_i`` is 1 where a weight is positive and <= 1 where
    it is zero; 100 EM updates suffice."""
    rng = np.random.default_rng(5)
    components = rng.dirichlet(np.ones(40), size=6)  # 6 distributions over 40 row kinds
    rows = rng.choice(40, size=3000, p=0.7 * components[0] + 0.3 * components[1])
    likelihood = components[:, rows].T
    weights = rng.uniform(0.5, 1.5, (3000, 3))
    pi = mixture_weights(likelihood, weights, np.full((6, 3), 1 / 6), 1e-8, 100)
    ratio = likelihood.T @ (weights / (likelihood @ pi)) / weights.sum(axis=0)
    assert pi.sum(axis=0) == pytest.approx(1.0)
    assert (ratio <= 1 + 1e-4).all()
    assert np.abs(ratio[pi > 1e-3] - 1).max() < 1e-4


def test_log_likelihood_is_the_bernoulli_product():
    ref = reference()
    present = np.array([0, 5, 33], dtype=np.uint16)
    expected = []
    for name in COMPONENTS:
        p = 1 / (1 + np.exp(-ref.logit[:, list(COMPONENTS).index(name)]))  # quantised values
        x = np.isin(np.arange(len(VOCAB)), present)
        expected.append(np.sum(np.where(x, np.log(p), np.log1p(-p))))
    assert ref.log_likelihoods([present])[0] == pytest.approx(expected)


def test_windows_of_text():
    text = " ".join(["Alpha 12 beta's GAMMA"] * 30)  # 120 runs of letters; digits are no word
    windows = word_windows(text, window_words=50, max_windows=10)
    assert windows == [{"alpha", "beta", "s", "gamma"}] * 2  # full windows only
    assert len(word_windows(text, window_words=50, max_windows=1)) == 1
    assert word_windows("Only five short words here", 50, 10) == [
        {"only", "five", "short", "words", "here"}
    ]
    assert word_windows("123 456", 50, 10) == []


def test_windows_read_as_far_as_needed():
    # Words far longer than the first prefix guess: the prefix must grow without cutting one.
    rng = np.random.default_rng(3)
    for _ in range(200):
        words = ["".join(rng.choice(list("abcXYZé"), rng.integers(1, 40))) for _ in range(30)]
        text = " 1 ".join(words)
        lowered = [w.lower() for w in words]
        for size, count in ((3, 2), (7, 3), (50, 10)):
            full = min(count, len(lowered) // size)
            expected = [set(lowered[i * size : (i + 1) * size]) for i in range(full)] or [
                set(lowered)
            ]
            assert word_windows(text, size, count) == expected


def test_presence_and_save_load_round_trip(tmp_path):
    ref = reference()
    text = " ".join(["Wab wac wch other"] * 20)
    assert [list(w) for w in ref.presence(text)] == [[1, 2, 59]]
    path = tmp_path / "ref.npz"
    ref.save(path)
    loaded = WordReference.load(path)
    assert loaded.vocab == ref.vocab and loaded.components == ref.components
    assert np.array_equal(loaded.logit, ref.logit) and list(loaded.machine) == list(ref.machine)


def test_shipped_reference():
    ref = WordReference.load()
    assert ref.languages == {"en"}
    assert ref.machine.any() and not ref.machine.all()
    assert len(ref.vocab) == ref.logit.shape[0] and len(ref.components) == ref.logit.shape[1]
    assert DEFAULT_REFERENCE_PATH.stat().st_size < 300_000
    assert ref.metadata["fitted_by"] == "scripts/fit_share_reference.py"


def test_style_vocabulary_keeps_the_words_whose_shift_is_consistent_across_genres():
    """A word machine text over-uses in one genre only (a topic) loses to a smaller shift seen
    in every genre; a word both classes use alike is not chosen."""
    from collections import Counter

    from scripts.fit_share_reference import style_vocabulary

    per_genre = {  # (human, machine) windows containing each word, of 100 windows each
        "g1": {"crucial": (10, 30), "topic": (10, 90), "the": (90, 90)},
        "g2": {"crucial": (12, 35), "topic": (10, 10), "the": (88, 88)},
        "g3": {"crucial": (8, 25), "topic": (10, 6), "the": (92, 92)},
    }
    names, counts = [], []
    for genre, words in per_genre.items():
        for side, column in (("human", 0), ("machine", 1)):
            names.append(f"dev2/{genre}/{side}")
            counts.append(Counter({w: pair[column] for w, pair in words.items()}))
    names.append("dev/squad/human")  # a genre without machine text: no shift, still a candidate
    counts.append(Counter({"crucial": 10, "topic": 10, "the": 90}))
    windows = [100] * len(names)
    assert style_vocabulary(names, counts, windows, 1) == ["crucial"]
    assert style_vocabulary(names, counts, windows, 2) == ["crucial", "topic"]
    with pytest.raises(ValueError, match="2 reference genres"):
        style_vocabulary(names[:2], counts[:2], windows[:2], 1)
