"""The shipped linear model: standardised signals -> logistic regression -> Platt calibration.

Runtime uses numpy and the standard library only. The artefact is ``model.json`` next to this
file, written by ``scripts/train_synthetic.py``.

Calibration prior: probabilities are calibrated for a 50/50 human/machine prior (training
weights give both classes equal mass). For a corpus prior ``pi`` of machine text, re-prior with
``odds' = odds * pi / (1 - pi)``, i.e. ``p' = p*pi / (p*pi + (1-p)*(1-pi))`` (Saerens et al. 2002);
see :func:`reprior`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from curation.synthetic.function_words import FEATURE_PREFIX

DEFAULT_MODEL_PATH = Path(__file__).with_name("model.json")

# Heavy-tailed non-negative rates enter the model as log1p(rate); so do the ``fw_<word>``
# function-word rates.
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
    return np.array([n in LOG_FEATURES or n.startswith(FEATURE_PREFIX) for n in names])


def feature_vector(
    signals: Mapping[str, float | int | str | None], names: Sequence[str]
) -> np.ndarray:
    """Model inputs for ``names`` from a feature dict (log1p for :data:`LOG_FEATURES` and
    ``fw_*``; None->NaN), as a float array."""
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
class LinearModel:
    """Logistic regression over standardised (optionally clipped) features with median
    imputation and a Platt map."""

    names: tuple[str, ...]
    median: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    platt: tuple[float, float]
    clip: float | None = None

    def standardise(self, x: np.ndarray) -> np.ndarray:
        """Impute NaN with the training median, z-score, and clip to +-``clip`` (if set).

        Clipping (winsorising) bounds what one feature can contribute on text unlike the
        training data, e.g. a story full of "I" scored by a model that saw mostly news.
        """
        x = np.where(np.isnan(x), self.median, x)
        z = (x - self.mean) / self.scale
        return z if self.clip is None else np.clip(z, -self.clip, self.clip)

    def decision(self, x: np.ndarray) -> np.ndarray:
        """Uncalibrated log-odds for raw feature rows ``x`` (n, d)."""
        return self.standardise(x) @ self.coef + self.intercept

    def probability(self, x: np.ndarray) -> np.ndarray:
        """Calibrated P(machine) under a 50/50 prior, in [0, 1]."""
        a, b = self.platt
        return sigmoid(a * self.decision(x) + b)

    def contributions(self, row: np.ndarray) -> np.ndarray:
        """Per-feature log-odds contributions ``coef * z`` for one raw feature row."""
        return self.coef * self.standardise(row)

    def to_json(self) -> dict:
        """Plain-JSON form (lists of floats)."""
        return {
            "names": list(self.names),
            "median": self.median.tolist(),
            "mean": self.mean.tolist(),
            "scale": self.scale.tolist(),
            "coef": self.coef.tolist(),
            "intercept": self.intercept,
            "platt": list(self.platt),
            "clip": self.clip,
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
            platt=(float(d["platt"][0]), float(d["platt"][1])),
            clip=None if d.get("clip") is None else float(d["clip"]),
        )


@dataclass(frozen=True)
class ModelArtefact:
    """Everything ``model.json`` holds: the model, threshold, metrics and provenance."""

    model: LinearModel
    threshold: float
    min_words: int
    supported_languages: frozenset[str]
    share_tpr: float
    share_fpr: float
    metadata: dict

    @classmethod
    def load(cls, path: str | Path | None = None) -> ModelArtefact:
        """Read a ``model.json`` (default: the shipped one)."""
        d = json.loads(Path(path or DEFAULT_MODEL_PATH).read_text(encoding="utf-8"))
        return cls(
            model=LinearModel.from_json(d["model"]),
            threshold=float(d["threshold"]),
            min_words=int(d["min_words"]),
            supported_languages=frozenset(d["supported_languages"]),
            share_tpr=float(d["share"]["tpr"]),
            share_fpr=float(d["share"]["fpr"]),
            metadata=d["metadata"],
        )
