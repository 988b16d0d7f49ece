"""The shipped linear model: signals + word rates -> logistic regression -> length-aware Platt.

Runtime uses numpy and the standard library only. The artefact is ``model.json`` next to this
file, written by ``scripts/train_synthetic.py``.

Inputs: a few signals (:mod:`curation.synthetic.signals`) and the rate per 1,000 tokens of
each word of a learned vocabulary (``w_<word>``), heavy-tailed rates as ``log1p``, median
imputation, z-scores clipped to +-``clip``. A document's vocabulary is sparse, so the run-time
path (:class:`CompiledModel`) adds up only the words present; it equals the dense
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

DEFAULT_MODEL_PATH = Path(__file__).with_name("model.json")
WORD_PREFIX = "w_"
"""Name prefix of a vocabulary word's rate in ``top_features`` (``w_the``)."""
Z_95 = 1.959963984540054

# Heavy-tailed non-negative signal rates enter the model as log1p(rate); so do word rates.
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


def word_rates(tokens: Sequence[str], words: Sequence[str]) -> np.ndarray:
    """``log1p`` of each vocabulary word's rate per 1,000 of the lower-cased ``tokens``."""
    index = {w: i for i, w in enumerate(words)}
    counts = np.zeros(len(words))
    for tok in tokens:
        i = index.get(tok)
        if i is not None:
            counts[i] += 1
    return np.log1p(counts * (1000.0 / len(tokens))) if tokens else counts


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
    """Logistic regression over standardised, clipped inputs: the signals ``names`` followed by
    the word rates of ``words`` (arrays ``median`` ... ``coef`` cover both, in that order)."""

    names: tuple[str, ...]
    words: tuple[str, ...]
    median: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    calibration: Calibration
    clip: float | None = None

    @property
    def input_names(self) -> tuple[str, ...]:
        """Every input's name: signals, then ``w_<word>``."""
        return self.names + tuple(WORD_PREFIX + w for w in self.words)

    def standardise(self, x: np.ndarray) -> np.ndarray:
        """Impute NaN with the training median, z-score, and clip to +-``clip`` (if set).

        Clipping (winsorising) bounds what one input can contribute on text unlike the
        training data, e.g. a story full of "I" scored by a model that saw mostly news.
        """
        x = np.where(np.isnan(x), self.median, x)
        z = (x - self.mean) / self.scale
        return z if self.clip is None else np.clip(z, -self.clip, self.clip)

    def decision(self, x: np.ndarray) -> np.ndarray:
        """Uncalibrated log-odds for full input rows ``x`` (n, len(input_names))."""
        return self.standardise(x) @ self.coef + self.intercept

    def to_json(self) -> dict:
        """Plain-JSON form (floats rounded to 7 significant digits to keep the file small)."""

        def r(a: np.ndarray) -> list[float]:
            return [float(f"{v:.7g}") for v in a]

        c = self.calibration
        return {
            "names": list(self.names),
            "words": list(self.words),
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
        }

    @classmethod
    def from_json(cls, d: Mapping) -> LinearModel:
        """Inverse of :meth:`to_json`."""
        return cls(
            names=tuple(d["names"]),
            words=tuple(d["words"]),
            median=np.asarray(d["median"], dtype=float),
            mean=np.asarray(d["mean"], dtype=float),
            scale=np.asarray(d["scale"], dtype=float),
            coef=np.asarray(d["coef"], dtype=float),
            intercept=float(d["intercept"]),
            calibration=Calibration(**{k: float(v) for k, v in d["calibration"].items()}),
            clip=None if d.get("clip") is None else float(d["clip"]),
        )


class CompiledModel:
    """Fast per-document form of a :class:`LinearModel` (pure Python over the present words).

    A word absent from a text has rate 0, so its contribution is a constant; the decision is
    that constant sum plus, for each present word, the change from rate 0 to its rate.
    """

    def __init__(self, model: LinearModel) -> None:
        self.model = model
        k = len(model.names)
        self._index = {w: k + i for i, w in enumerate(model.words)}
        self._mean = model.mean.tolist()
        self._scale = model.scale.tolist()
        self._coef = model.coef.tolist()
        clip = math.inf if model.clip is None else model.clip
        self._clip = clip
        absent = model.coef[k:] * np.clip((0.0 - model.mean[k:]) / model.scale[k:], -clip, clip)
        self._absent = [0.0] * k + absent.tolist()
        self._base = model.intercept + float(absent.sum())
        # Absent words by decreasing |contribution|, to explain without scanning them all.
        self._absent_order = (k + np.argsort(-np.abs(absent), kind="stable")).tolist()
        self._names = model.input_names
        # The signal inputs as (name, log1p?, median, mean, scale, coef), in input order.
        self._signals = [
            (name, name in LOG_FEATURES, *values)
            for name, *values in zip(
                model.names,
                *(a[:k].tolist() for a in (model.median, model.mean, model.scale, model.coef)),
                strict=True,
            )
        ]

    def decision(
        self, signals: Mapping[str, float | int | str | None], counts: Mapping[str, int]
    ) -> tuple[float, dict[int, float]]:
        """Decision value of one text and its per-input contributions (signals + present words).

        ``signals``: the text's signal dict (:func:`feature_vector`'s input); ``counts``: its
        lower-cased token counts (:attr:`~curation.synthetic.signals.Analysis.counts`). Plain
        floats: equals :meth:`LinearModel.decision` to within rounding (numpy sums pairwise).
        """
        clip = self._clip
        terms: dict[int, float] = {}
        z = self._base
        for j, (name, log, median, mean, scale, coef) in enumerate(self._signals):
            x = signals[name]
            x = median if x is None or x != x else math.log1p(x) if log else x
            x = (x - mean) / scale
            terms[j] = t = coef * (clip if x > clip else -clip if x < -clip else x)
            z += t
        # Each present vocabulary word replaces its rate-0 constant, in ``counts``' order (so the
        # sum is reproducible).
        per_k = 1000.0 / sum(counts.values()) if counts else 0.0
        index, absent = self._index, self._absent
        mean, scale, coef = self._mean, self._scale, self._coef
        for tok, c in counts.items():
            j = index.get(tok)
            if j is not None:
                x = (math.log1p(c * per_k) - mean[j]) / scale[j]
                terms[j] = t = coef[j] * (clip if x > clip else -clip if x < -clip else x)
                z += t - absent[j]
        return z, terms

    def top_contributions(self, terms: Mapping[int, float], count: int) -> list[tuple[str, float]]:
        """The ``count`` largest |contributions| as ``(input name, log-odds)``, ties by input
        order: signals, present words and absent words (whose contribution is their rate-0
        constant)."""
        candidates = dict(terms)
        for j in self._absent_order:
            if len(candidates) >= len(terms) + count:
                break
            if j not in candidates:
                candidates[j] = self._absent[j]
        best = heapq.nsmallest(count, candidates.items(), key=lambda item: (-abs(item[1]), item[0]))
        return [(self._names[j], value) for j, value in best]


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
