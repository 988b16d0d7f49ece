"""Training-time helpers: load the dev set, build the feature matrix, grouped CV, fit + calibrate.

Only ``scripts/train_synthetic.py`` and ``benchmarks/synthetic_eval.py`` import this module; it
needs scikit-learn (the ``train`` extra). The runtime scorer never imports it. The dev set's
path is always an argument (it lives in ``shared/data/synthetic/`` beside the repository).

Dev-set handling follows the dev set's README (caveats): whitespace is
normalised inside every signal, the "Jakarta, CNN Indonesia --" dateline (a label leak) is
stripped, folds are grouped by ``group`` *and* by the first 20 words of the group's human text,
and classes / generators are re-weighted.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from curation.synthetic.model import LinearModel, feature_vector
from curation.synthetic.signals import compute_features

SEED = 20240611
N_FOLDS = 5
_DATELINE_RE = re.compile(r"^\s*\w+, CNN Indonesia\s*--\s*")
_GROUP_KEY_WORDS = 20


@dataclass
class DevSet:
    """The dev set as parallel arrays (one entry per record)."""

    rows: list[dict]
    signals: list[dict]  # signals + function-word rates (compute_features)
    y: np.ndarray  # 1 = machine
    lang: np.ndarray
    domain: np.ndarray
    generator: np.ndarray  # "" for human
    group: np.ndarray  # integer group key (group id merged with shared 20-word openings)
    sha256: str

    def subset(self, mask: np.ndarray) -> DevSet:
        """Records where ``mask`` is true."""
        idx = np.flatnonzero(mask)
        return DevSet(
            rows=[self.rows[i] for i in idx],
            signals=[self.signals[i] for i in idx],
            y=self.y[idx],
            lang=self.lang[idx],
            domain=self.domain[idx],
            generator=self.generator[idx],
            group=self.group[idx],
            sha256=self.sha256,
        )


def clean_text(text: str) -> str:
    """Strip dataset-specific boilerplate that leaks the label (Indonesian CNN dateline)."""
    return _DATELINE_RE.sub("", text)


def _group_keys(rows: list[dict]) -> np.ndarray:
    by_id = {r["id"]: r for r in rows}
    opening = {}
    keys = []
    for r in rows:
        head = by_id[r["group"]]["text"].lower().split()[:_GROUP_KEY_WORDS]
        keys.append(opening.setdefault(" ".join(head), len(opening)))
    return np.asarray(keys)


def load_dev(path: Path) -> DevSet:
    """Read ``dev.jsonl.gz`` and compute every record's signals."""
    raw = path.read_bytes()
    rows = [json.loads(line) for line in gzip.decompress(raw).decode("utf-8").splitlines()]
    return DevSet(
        rows=rows,
        signals=[compute_features(clean_text(r["text"])) for r in rows],
        y=np.array([r["label"] == "machine" for r in rows], dtype=int),
        lang=np.array([r["lang"] for r in rows]),
        domain=np.array([r["domain"] for r in rows]),
        generator=np.array([r["generator"] or "" for r in rows]),
        group=_group_keys(rows),
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def balanced_weights(y: np.ndarray, generator: np.ndarray) -> np.ndarray:
    """Sample weights giving both classes equal mass and every generator equal machine mass.

    This calibrates the model for a 50/50 prior and stops the 6,500 texts of 2019-2022 base
    models from outweighing the chat models.
    """
    w = np.zeros(len(y), dtype=float)
    human = y == 0
    w[human] = 0.5 / human.sum()
    gens = np.unique(generator[~human])
    for g in gens:
        m = (generator == g) & ~human
        w[m] = 0.5 / (len(gens) * m.sum())
    return w * len(y)


def feature_matrix(signals: Sequence[dict], names: Sequence[str]) -> np.ndarray:
    """Raw (untransformed, unimputed) model features, shape (n, len(names)); NaN = undefined."""
    return np.array([feature_vector(s, names) for s in signals], dtype=float)


def grouped_folds(groups: np.ndarray, n_folds: int = N_FOLDS) -> Iterator[np.ndarray]:
    """Boolean test masks of ``n_folds`` folds; every group in exactly one fold (seeded)."""
    rng = np.random.default_rng(SEED)
    uniq = np.unique(groups)
    fold_of = dict(zip(uniq, rng.permutation(len(uniq)) % n_folds, strict=True))
    assignment = np.array([fold_of[g] for g in groups])
    for k in range(n_folds):
        yield assignment == k


def fit_linear(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    names: Sequence[str],
    c: float = 1.0,
    clip: float | None = None,
) -> LinearModel:
    """L2 logistic regression on median-imputed, standardised (and, if ``clip``, clipped to
    +-clip) features (uncalibrated)."""
    from sklearn.linear_model import LogisticRegression

    median = np.nanmedian(x, axis=0)
    filled = np.where(np.isnan(x), median, x)
    mean, std = filled.mean(axis=0), filled.std(axis=0)
    std[std == 0] = 1.0
    z = (filled - mean) / std
    lr = LogisticRegression(C=c, max_iter=2000)
    lr.fit(z if clip is None else np.clip(z, -clip, clip), y, sample_weight=w)
    return LinearModel(
        names=tuple(names),
        median=median,
        mean=mean,
        scale=std,
        coef=lr.coef_[0],
        intercept=float(lr.intercept_[0]),
        platt=(1.0, 0.0),
        clip=clip,
    )


def fit_platt(z: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Platt scaling ``P = sigmoid(a * z + b)`` fitted on held-out decision values (weighted)."""
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(z.reshape(-1, 1), y, sample_weight=w)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def out_of_fold(
    dev: DevSet,
    names: Sequence[str],
    train_mask: np.ndarray | None = None,
    c: float = 1.0,
    clip: float | None = None,
) -> np.ndarray:
    """Grouped-CV decision values for every record of ``dev``.

    ``train_mask`` restricts which records may be trained on (e.g. leave one generator out);
    test predictions are still made for every record of the held-out fold.
    """
    x = feature_matrix(dev.signals, names)
    allowed = np.ones(len(dev.y), bool) if train_mask is None else train_mask
    out = np.empty(len(dev.y))
    for test in grouped_folds(dev.group):
        tr = ~test & allowed
        w = balanced_weights(dev.y[tr], dev.generator[tr])
        model = fit_linear(x[tr], dev.y[tr], w, names, c, clip)
        out[test] = model.decision(x[test])
    return out


def auroc(y: np.ndarray, s: np.ndarray) -> float:
    """Area under the ROC curve (NaN if only one class is present)."""
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, s)) if len(np.unique(y)) == 2 else float("nan")


def tpr_at_fpr(y: np.ndarray, s: np.ndarray, fpr: float) -> float:
    """True-positive rate at the threshold whose human false-positive rate is ``fpr``."""
    thr = np.quantile(s[y == 0], 1.0 - fpr)
    return float(np.mean(s[y == 1] > thr))


def expected_calibration_error(
    y: np.ndarray, p: np.ndarray, w: np.ndarray, bins: int = 10
) -> tuple[float, list[tuple[float, float, float]]]:
    """Weighted ECE over ``bins`` equal-width bins, and the (mean p, observed rate, weight) rows.

    Weights should be class-balanced: the probabilities are calibrated for a 50/50 prior.
    """
    edges = np.minimum((p * bins).astype(int), bins - 1)
    rows = []
    ece = 0.0
    for b in range(bins):
        m = edges == b
        if not m.any():
            continue
        wb = w[m].sum()
        conf = float(np.average(p[m], weights=w[m]))
        rate = float(np.average(y[m], weights=w[m]))
        ece += wb * abs(conf - rate)
        rows.append((conf, rate, float(wb / w.sum())))
    return ece / w.sum(), rows
