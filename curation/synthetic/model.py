"""The shipped linear model: signals + n-gram blocks -> logistic regression -> length-aware Platt.

Runtime uses numpy, numba (the n-gram kernels) and the standard library. The artefact is
``model.json`` next to this file, written by ``scripts/train_synthetic.py``.

Inputs: a few signals (:mod:`curation.synthetic.signals`), heavy-tailed rates as ``log1p``,
median imputation, z-scores clipped to +-``clip``; and one tf-idf vector per n-gram block, each
over its own vocabulary (:mod:`curation.synthetic.ngrams`: word 1-2 grams, function-word
patterns). A document's n-grams are sparse, so the run-time
path (:class:`CompiledModel`) visits only those present; it equals the matrix
:meth:`LinearModel.decision` used in training.

Calibration prior: probabilities are calibrated for a 50/50 human/machine prior (training
weights give both classes equal mass). For a corpus prior ``pi`` of machine text, re-prior with
``odds' = odds * pi / (1 - pi)``, i.e. ``p' = p*pi / (p*pi + (1-p)*(1-pi))`` (Saerens et al. 2002);
see :func:`reprior`. Calibration depends on length: ``p = sigmoid((a + a_len / sqrt(n)) * z + b)``
for decision value ``z`` and ``n`` word tokens, so short texts get less extreme probabilities.
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from curation.synthetic.ngrams import NGRAM_PREFIX, NgramModel, NgramScorer

DEFAULT_MODEL_PATH = Path(__file__).with_name("model.json")
Z_95 = 1.959963984540054

# Heavy-tailed non-negative signal rates enter the model as log1p(rate).
LOG_FEATURES = frozenset(
    {
        "marker_rate",
        "slop_word_rate",
        "stock_phrase_rate",
        "disclaimer_hits",
        "em_dash_rate",
        "comma_rate",
        "digit_rate",
        "paren_rate",
        "list_density",
    }
)


@cache
def _log_mask(names: tuple[str, ...]) -> np.ndarray:
    return np.array([n in LOG_FEATURES for n in names], dtype=bool)


def feature_vector(
    signals: Mapping[str, float | int | str | None], names: Sequence[str]
) -> np.ndarray:
    """Signal inputs ``names`` from a signal dict (log1p for :data:`LOG_FEATURES`; None->NaN)."""
    out = np.array([signals[name] for name in names], dtype=float)
    mask = _log_mask(tuple(names))
    out[mask] = np.log1p(out[mask])
    return out


def sigmoid(z: np.ndarray | float) -> np.ndarray | float:
    """Logistic function, numerically safe for large |z|."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def reprior(p: float, prior: float) -> float:
    """Convert a 50/50-prior probability ``p`` to a corpus prior ``prior`` in (0, 1)."""
    num = p * prior
    return num / (num + (1.0 - p) * (1.0 - prior))


@dataclass(frozen=True)
class Calibration:
    """Length-aware Platt map and the decision value's sampling spread.

    ``p = sigmoid((a + a_len / sqrt(n)) * z + b + b_len / sqrt(n))``: ``a_len`` makes the same
    evidence count for less in a short text; ``b_len`` corrects the shift of short texts'
    decision values (fewer words, fewer lexicon hits) in both classes, fitted with the classes
    balanced within every length band, so length itself is not evidence. ``spread / sqrt(n)``
    is the standard deviation of the decision value of an ``n``-word window of a text around
    the value of the whole text (training texts of ``reference_words`` words on average, cut
    into windows).
    """

    a: float
    a_len: float
    b: float
    b_len: float
    spread: float
    reference_words: float

    def slope(self, n_words: np.ndarray | float) -> np.ndarray | float:
        return self.a + self.a_len / np.sqrt(np.maximum(n_words, 1))

    def offset(self, n_words: np.ndarray | float) -> np.ndarray | float:
        return self.b + self.b_len / np.sqrt(np.maximum(n_words, 1))

    def probability(self, z: np.ndarray | float, n_words: np.ndarray | float):
        """Calibrated P(machine) for decision values ``z`` of texts of ``n_words`` tokens."""
        return sigmoid(self.slope(n_words) * z + self.offset(n_words))

    def interval(self, z: float, n_words: int) -> tuple[float, float]:
        """95 % range of the score that a longer text (``reference_words``) by the same writer
        would get, given this ``n_words``-word text's decision value ``z``; it always contains
        this text's own score and widens as ``n_words`` shrinks."""
        return self.score_interval(z, n_words)[1:]

    def score_interval(self, z: float, n_words: int) -> tuple[float, float, float]:
        """:meth:`probability` and :meth:`interval` of one text (scalar arithmetic: equal to
        the vectorised :meth:`probability` to within rounding)."""
        half = Z_95 * self.spread / math.sqrt(max(n_words, 1))
        longer = max(n_words, self.reference_words)
        own = self._scalar_probability(z, n_words)
        low = self._scalar_probability(z - half, longer)
        high = self._scalar_probability(z + half, longer)
        return own, min(low, own), max(high, own)

    def _scalar_probability(self, z: float, n_words: float) -> float:
        root = math.sqrt(max(n_words, 1))
        logit = (self.a + self.a_len / root) * z + (self.b + self.b_len / root)
        return 0.5 * (1.0 + math.tanh(0.5 * logit))


@dataclass(frozen=True)
class LinearModel:
    """Logistic regression over the standardised, clipped signals ``names`` (arrays ``median``
    ... ``coef``, one entry per signal) plus the n-gram blocks ``ngrams`` (each with its own
    coefficients over its own tf-idf vector; none in signal-only models)."""

    names: tuple[str, ...]
    median: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    calibration: Calibration
    clip: float | None = None
    ngrams: tuple[NgramModel, ...] = ()

    @property
    def input_names(self) -> tuple[str, ...]:
        """Every input's name: signals, then ``g_<n-gram>`` of each block in turn."""
        return self.names + tuple(NGRAM_PREFIX + t for block in self.ngrams for t in block.terms)

    def standardise(self, x: np.ndarray) -> np.ndarray:
        """Impute NaN with the training median, z-score, and clip to +-``clip`` (if set).

        Clipping (winsorising) bounds what one input can contribute on text unlike the
        training data, e.g. a story full of "I" scored by a model that saw mostly news.
        """
        x = np.where(np.isnan(x), self.median, x)
        z = (x - self.mean) / self.scale
        return z if self.clip is None else np.clip(z, -self.clip, self.clip)

    def decision(self, x: np.ndarray, tfidf: Sequence = ()) -> np.ndarray:
        """Uncalibrated log-odds for signal rows ``x`` (n, signals) and their tf-idf rows
        ``tfidf``, one matrix (n, terms) per n-gram block
        (:func:`~curation.synthetic.ngrams.tfidf_matrix`)."""
        z = self.standardise(x) @ self.coef + self.intercept
        for block, rows in zip(self.ngrams, tfidf, strict=True):
            z = z + rows @ block.coef
        return z

    def to_json(self) -> dict:
        """Plain-JSON form (floats rounded to 7 significant digits to keep the file small)."""

        def r(a: np.ndarray) -> list[float]:
            return [float(f"{v:.7g}") for v in a]

        c = self.calibration
        return {
            "names": list(self.names),
            "median": r(self.median),
            "mean": r(self.mean),
            "scale": r(self.scale),
            "coef": r(self.coef),
            "intercept": self.intercept,
            "calibration": {
                "a": c.a,
                "a_len": c.a_len,
                "b": c.b,
                "b_len": c.b_len,
                "spread": c.spread,
                "reference_words": c.reference_words,
            },
            "clip": self.clip,
            "ngrams": [block.to_json() for block in self.ngrams],
        }

    @classmethod
    def from_json(cls, d: Mapping) -> LinearModel:
        """Inverse of :meth:`to_json`."""
        return cls(
            names=tuple(d["names"]),
            median=np.asarray(d["median"], dtype=float),
            mean=np.asarray(d["mean"], dtype=float),
            scale=np.asarray(d["scale"], dtype=float),
            coef=np.asarray(d["coef"], dtype=float),
            intercept=float(d["intercept"]),
            calibration=Calibration(**{k: float(v) for k, v in d["calibration"].items()}),
            clip=None if d.get("clip") is None else float(d["clip"]),
            ngrams=tuple(NgramModel.from_json(block) for block in d["ngrams"]),
        )


@dataclass(frozen=True)
class Contributions:
    """One text's additive contributions to its decision value: one per signal (input order),
    and one per present vocabulary n-gram (``ngram_index``: its position among the n-gram
    inputs of all blocks, ascending; ``ngram_value``)."""

    signals: list[float]
    ngram_index: np.ndarray
    ngram_value: np.ndarray


class CompiledModel:
    """Fast per-document form of a :class:`LinearModel`: plain floats over the signals, numpy
    over the n-grams present in the text (an absent n-gram contributes 0)."""

    def __init__(self, model: LinearModel) -> None:
        self.model = model
        self._clip = math.inf if model.clip is None else model.clip
        self._names = model.input_names
        self._ngrams = NgramScorer(model.ngrams)
        # The signal inputs as (name, log1p?, median, mean, scale, coef), in input order.
        self._signals = [
            (name, name in LOG_FEATURES, *values)
            for name, *values in zip(
                model.names,
                *(a.tolist() for a in (model.median, model.mean, model.scale, model.coef)),
                strict=True,
            )
        ]

    def decision(
        self,
        signals: Mapping[str, float | int | str | None],
        units: Sequence[str] | None = None,
    ) -> tuple[float, Contributions]:
        """Decision value of one text and its :class:`Contributions`.

        ``signals``: the text's signal dict (:func:`feature_vector`'s input); ``units``: its
        :attr:`~curation.synthetic.signals.Analysis.units` (needed when the model has n-gram
        inputs). Equals :meth:`LinearModel.decision` to within rounding.
        """
        clip = self._clip
        terms = []
        for name, log, median, mean, scale, coef in self._signals:
            x = signals[name]
            x = median if x is None or x != x else math.log1p(x) if log else x
            x = (x - mean) / scale
            terms.append(coef * (clip if x > clip else -clip if x < -clip else x))
        z = self.model.intercept + sum(terms)
        if not self.model.ngrams:
            return z, Contributions(terms, np.empty(0, dtype=np.intp), np.empty(0))
        if units is None:
            raise TypeError("this model has n-gram inputs: pass units")
        index, values = self._ngrams.contributions(units)
        return z + float(values.sum()), Contributions(terms, index, values)

    def top_contributions(
        self, contributions: Contributions, count: int
    ) -> list[tuple[str, float]]:
        """The ``count`` largest |contributions| as ``(input name, log-odds)``, ties by input
        order (signals, then n-grams)."""
        values = contributions.ngram_value
        # The n-gram candidates: every one at least as large as the ``count``-th largest (ties
        # included, so the tie rule below holds).
        magnitude = np.abs(values)
        if 0 < count < magnitude.size:
            cut = magnitude.size - count
            best = (magnitude >= np.partition(magnitude, cut)[cut]).nonzero()[0]
        else:
            best = np.arange(magnitude.size)
        offset = len(contributions.signals)
        candidates = list(enumerate(contributions.signals))
        candidates += zip(
            (contributions.ngram_index[best] + offset).tolist(), values[best].tolist(), strict=True
        )
        top = heapq.nsmallest(count, candidates, key=lambda item: (-abs(item[1]), item[0]))
        return [(self._names[j], value) for j, value in top]


@dataclass(frozen=True)
class LengthBand:
    """Flag threshold for texts of at least ``min_words`` tokens (up to the next band)."""

    min_words: int
    threshold: float


@dataclass(frozen=True)
class ModelArtefact:
    """Everything ``model.json`` holds: the model, thresholds, metrics and provenance."""

    model: LinearModel
    threshold: float
    bands: tuple[LengthBand, ...]
    min_words: int
    supported_languages: frozenset[str]
    share_tpr: float
    share_fpr: float
    metadata: dict

    def threshold_for(self, n_words: int) -> float:
        """Flag threshold of the length band that ``n_words`` falls in."""
        chosen = self.bands[0].threshold
        for band in self.bands:
            if n_words >= band.min_words:
                chosen = band.threshold
        return chosen

    @classmethod
    def load(cls, path: str | Path | None = None) -> ModelArtefact:
        """Read a ``model.json`` (default: the shipped one)."""
        d = json.loads(Path(path or DEFAULT_MODEL_PATH).read_text(encoding="utf-8"))
        return cls(
            model=LinearModel.from_json(d["model"]),
            threshold=float(d["threshold"]),
            bands=tuple(LengthBand(int(b["min_words"]), float(b["threshold"])) for b in d["bands"]),
            min_words=int(d["min_words"]),
            supported_languages=frozenset(d["supported_languages"]),
            share_tpr=float(d["share"]["tpr"]),
            share_fpr=float(d["share"]["fpr"]),
            metadata=d["metadata"],
        )
