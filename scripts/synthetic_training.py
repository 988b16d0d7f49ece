"""Training-time helpers: load the dev sets, build the input matrix, grouped CV, fit + calibrate.

Only ``scripts/train_synthetic.py`` and ``benchmarks/synthetic_eval.py`` import this module; it
needs scikit-learn (the ``train`` extra). The runtime scorer never imports it. The dev sets'
paths are always arguments (they live in ``shared/data/synthetic/`` beside the repository).

Dev-set handling follows the dev sets' READMEs (caveats): whitespace is normalised inside every
signal; the "Jakarta, CNN Indonesia --" dateline and the IMDB ``<br />`` tags (label leaks) are
stripped; folds are grouped by ``group`` (dev2: a human text and its LLM rewrite) and, in dev1,
by the first 20 words of the group's human text; classes and generators are re-weighted.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from curation.synthetic.model import Calibration, LinearModel, feature_vector
from curation.synthetic.ngrams import (
    MASK,
    SENTENCE_END,
    NgramModel,
    ngram_tokens,
    tfidf_matrix,
)
from curation.synthetic.signals import Analysis, analyse

SEED = 20240611
N_FOLDS = 5
_DATELINE_RE = re.compile(r"^\s*\w+, CNN Indonesia\s*--\s*")
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
_GROUP_KEY_WORDS = 20
# N-gram vocabulary tokens are plain words (ASCII letters) or the sentence end: contractions
# ("it's", "i'm", "let's") leaned "machine" because some human sources split them ("it 's") and
# LLM rewrites of reviews and dialogue add them, and young writers use them (docs/synthetic.md,
# Fairness); tokens with digits or other letters are mostly dataset artefacts (mojibake "â").
# The sentence end alone is not a term either: it would count sentences, i.e. make short
# sentences evidence (it got the largest weight of all, towards "machine").
_VOCAB_TOKEN_RE = re.compile(rf"[a-z]+|{re.escape(SENTENCE_END)}")
# Domains that share a source across the two dev sets (dev2 news is XSum, story is
# WritingPrompts, wiki_* are SQuAD-style Wikipedia): leave-one-domain-out holds out the family.
DOMAIN_FAMILY = {
    "xsum": "news",
    "news": "news",
    "writing": "story",
    "story": "story",
    "squad": "wiki",
    "wiki_art_culture": "wiki",
    "wiki_business": "wiki",
    "wiki_government": "wiki",
}


@dataclass
class DevSet:
    """The dev sets as parallel arrays (one entry per record)."""

    rows: list[dict]
    analyses: list[Analysis]  # signals + lower-cased tokens
    y: np.ndarray  # 1 = machine
    lang: np.ndarray
    domain: np.ndarray
    generator: np.ndarray  # "" for human
    dataset: np.ndarray  # "dev1" / "dev2"
    group: np.ndarray  # integer group key (see module docstring)
    sha256: dict[str, str]

    @property
    def signals(self) -> list[dict]:
        return [a.signals for a in self.analyses]

    @property
    def n_words(self) -> np.ndarray:
        return np.array([a.signals["n_words"] for a in self.analyses])

    @property
    def units(self) -> list[list[str]]:
        """Every text's units (word tokens and sentence ends), the n-gram inputs' source."""
        return [a.units for a in self.analyses]

    @property
    def family(self) -> np.ndarray:
        return np.array([DOMAIN_FAMILY.get(d, d) for d in self.domain])

    def subset(self, mask: np.ndarray) -> DevSet:
        """Records where ``mask`` is true."""
        idx = np.flatnonzero(mask)
        return DevSet(
            rows=[self.rows[i] for i in idx],
            analyses=[self.analyses[i] for i in idx],
            y=self.y[idx],
            lang=self.lang[idx],
            domain=self.domain[idx],
            generator=self.generator[idx],
            dataset=self.dataset[idx],
            group=self.group[idx],
            sha256=self.sha256,
        )


def add_dev_set_arguments(parser: argparse.ArgumentParser) -> None:
    """``--dev`` and ``--dev2``: the labelled dev sets every training and evaluation script reads
    (paths from arguments, never fixed)."""
    parser.add_argument(
        "--dev", type=Path, required=True, help="shared/data/synthetic/dev.jsonl.gz"
    )
    parser.add_argument(
        "--dev2", type=Path, required=True, help="shared/data/synthetic/dev2 (directory)"
    )


def clean_text(text: str) -> str:
    """Strip dataset-specific markup that leaks the label (Indonesian CNN dateline, IMDB
    ``<br />`` tags, almost only in human reviews)."""
    return _BR_RE.sub(" ", _DATELINE_RE.sub("", text))


def _read(path: Path) -> tuple[list[dict], str]:
    raw = path.read_bytes()
    rows = [json.loads(line) for line in gzip.decompress(raw).decode("utf-8").splitlines()]
    return rows, hashlib.sha256(raw).hexdigest()


def _group_key(row: dict, by_id: dict[str, dict], dataset: str) -> str:
    group = row.get("group") or row["id"]
    if dataset == "dev2":
        return f"dev2:{group}"
    head = by_id.get(group, row)["text"].lower().split()[:_GROUP_KEY_WORDS]
    return "dev1:" + " ".join(head)


def load_dev(path: Path, dev2: Path | None = None) -> DevSet:
    """Read ``dev.jsonl.gz`` (and ``dev2/dev2.jsonl.gz`` under ``dev2``) and analyse every text."""
    rows, sha = _read(path)
    sets = [("dev1", rows)]
    sha256 = {"dev1": sha}
    if dev2 is not None:
        rows2, sha2 = _read(dev2 / "dev2.jsonl.gz")
        sets.append(("dev2", rows2))
        sha256["dev2"] = sha2
    all_rows, dataset, keys = [], [], []
    index: dict[str, int] = {}
    for name, part in sets:
        by_id = {r["id"]: r for r in part}
        for r in part:
            all_rows.append(r)
            dataset.append(name)
            keys.append(index.setdefault(_group_key(r, by_id, name), len(index)))
    machine = [r["label"] == "machine" for r in all_rows]
    return DevSet(
        rows=all_rows,
        analyses=[analyse(clean_text(r["text"])) for r in all_rows],
        y=np.array(machine, dtype=int),
        lang=np.array([r["lang"] for r in all_rows]),
        domain=np.array([r["domain"] for r in all_rows]),
        generator=np.array(
            [(r["generator"] or "") if m else "" for r, m in zip(all_rows, machine, strict=True)]
        ),
        dataset=np.array(dataset),
        group=np.asarray(keys),
        sha256=sha256,
    )


@dataclass(frozen=True)
class BlockRecipe:
    """How an n-gram block is built: n-gram ``orders``; the ``vocabulary_size`` most common
    n-grams; inverse L2 strength ``c``; with ``kept_size``, every token but the ``kept_size``
    most common ones masked (:func:`select_kept`); penalty weights from the class ratio of
    each n-gram raised to ``ratio_power`` (:func:`ratio_scales`; 0 = one penalty for all)."""

    orders: tuple[int, ...]
    vocabulary_size: int
    c: float
    kept_size: int | None = None
    ratio_power: float = 0.0


@dataclass(frozen=True)
class NgramBlockInputs:
    """One n-gram block: its vocabulary (``terms`` with their ``idf``; n-grams of ``orders``
    over tokens masked by ``kept``), every record's tf-idf row (CSR, aligned with the dense
    input rows), the inverse L2 strength ``c`` on them and the :func:`ratio_scales` power."""

    terms: tuple[str, ...]
    idf: np.ndarray
    orders: tuple[int, ...]
    kept: frozenset[str] | None
    tfidf: object  # scipy.sparse.csr_matrix
    c: float
    ratio_power: float = 0.0

    def model(self, coef: np.ndarray) -> NgramModel:
        return NgramModel(self.terms, self.idf, coef, self.orders, self.kept)


@dataclass(frozen=True)
class NgramInputs:
    """Every n-gram block's inputs, in model order."""

    blocks: tuple[NgramBlockInputs, ...]

    def rows(self, mask: np.ndarray) -> NgramInputs:
        at = np.flatnonzero(mask)
        return NgramInputs(tuple(replace(b, tfidf=b.tfidf[at]) for b in self.blocks))

    @property
    def tfidf(self) -> list:
        """The blocks' tf-idf matrices (:meth:`LinearModel.decision`'s ``tfidf``)."""
        return [b.tfidf for b in self.blocks]


def _plain(term: str) -> bool:
    return all(t == MASK or _VOCAB_TOKEN_RE.fullmatch(t) for t in term.split(" "))


def select_kept(texts: Sequence[Sequence[str]], size: int) -> frozenset[str]:
    """The ``size`` plain tokens (sentence end included) in most of ``texts`` (their units),
    ties alphabetical: the tokens a masked block keeps (function words, by frequency)."""
    df: Counter[str] = Counter()
    for units in texts:
        df.update(set(ngram_tokens(units)))
    plain = [t for t in df if _VOCAB_TOKEN_RE.fullmatch(t)]
    return frozenset(sorted(plain, key=lambda t: (-df[t], t))[:size])


def select_ngrams(
    counts: Sequence[Mapping[str, int]], size: int, min_df: int
) -> tuple[tuple[str, ...], np.ndarray]:
    """The ``size`` n-grams of plain tokens (not the sentence end alone) in most of the texts
    with these :func:`~curation.synthetic.ngrams.ngram_counts` and in at least ``min_df``, ties
    alphabetical (chosen by document frequency, not by label), with their smoothed idf
    ``ln((1 + n) / (1 + df)) + 1`` (scikit-learn's)."""
    df: Counter[str] = Counter()
    for doc in counts:
        df.update(doc.keys())
    plain = [t for t in df if df[t] >= min_df and t != SENTENCE_END and _plain(t)]
    terms = tuple(sorted(plain, key=lambda t: (-df[t], t))[:size])
    idf = np.log((1 + len(counts)) / (1 + np.array([df[t] for t in terms], dtype=float))) + 1
    return terms, idf


def ngram_block_inputs(
    counts: Sequence[Mapping[str, int]],
    terms: tuple[str, ...],
    idf: np.ndarray,
    orders: tuple[int, ...],
    kept: frozenset[str] | None,
    c: float,
    ratio_power: float = 0.0,
) -> NgramBlockInputs:
    """:class:`NgramBlockInputs` of texts with these :func:`~curation.synthetic.ngrams.
    ngram_counts` (of ``orders`` over tokens masked by ``kept``)."""
    tfidf = tfidf_matrix(counts, terms, idf)
    return NgramBlockInputs(terms, idf, orders, kept, tfidf, c, ratio_power)


def ratio_scales(tfidf, y: np.ndarray, power: float) -> np.ndarray:
    """Per n-gram input scale ``|r| ** power``, normalised to root-mean-square 1, where ``r``
    is the log ratio of the n-gram's add-one smoothed document frequency among machine
    (``y == 1``) and human texts, each over its class total (the Naive Bayes log-count ratio
    of NBSVM, Wang & Manning 2012).

    Scaling an input by ``s`` before an L2 fit divides its penalty by ``s**2``: n-grams that
    separate the classes in training are shrunk less, the rest more. The fitted coefficients
    are multiplied back, so the run-time model is unchanged in form.
    """
    present = (tfidf > 0).astype(np.float64)
    machine = np.asarray(present[y == 1].sum(axis=0)).ravel() + 1.0
    human = np.asarray(present[y == 0].sum(axis=0)).ravel() + 1.0
    scale = np.abs(np.log(machine / machine.sum()) - np.log(human / human.sum())) ** power
    return scale / np.sqrt(np.mean(scale**2))


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


def feature_matrix(analyses: Sequence[Analysis], names: Sequence[str]) -> np.ndarray:
    """Signal inputs ``names``, shape (n, signals); unstandardised, NaN = undefined."""
    return np.array([feature_vector(a.signals, names) for a in analyses], dtype=float)


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
    ngrams: NgramInputs | None = None,
) -> LinearModel:
    """L2 logistic regression on median-imputed, standardised (and, if ``clip``, clipped to
    +-clip) features (uncalibrated); with ``ngrams``, jointly with their blocks' tf-idf rows.

    The joint fit has one L2 penalty, inverse strength ``c0`` (the first block's ``c``): the
    standardised inputs are scaled by ``sqrt(c / c0)`` before it and each block by
    ``sqrt(block.c / c0)`` times its :func:`ratio_scales` (their coefficients back after),
    which is the same as penalising the signals with ``c`` and each block with its own ``c``
    (per n-gram weighted by its class ratio).
    """
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    median = np.nanmedian(x, axis=0)
    filled = np.where(np.isnan(x), median, x)
    mean, std = filled.mean(axis=0), filled.std(axis=0)
    std[std == 0] = 1.0
    z = (filled - mean) / std
    z = z if clip is None else np.clip(z, -clip, clip)
    blocks = () if ngrams is None else ngrams.blocks
    c0 = blocks[0].c if blocks else c
    scale = math.sqrt(c / c0)
    block_scales = [math.sqrt(b.c / c0) * ratio_scales(b.tfidf, y, b.ratio_power) for b in blocks]
    design = (
        sp.hstack(
            [
                sp.csr_matrix(z * scale),
                *(b.tfidf @ sp.diags(k) for b, k in zip(blocks, block_scales, strict=True)),
            ]
        ).tocsr()
        if blocks
        else z
    )
    lr = LogisticRegression(C=c0, max_iter=5000)
    lr.fit(design, y, sample_weight=w)
    coef = lr.coef_[0]
    ends = np.cumsum([x.shape[1], *(len(b.terms) for b in blocks)])
    return LinearModel(
        names=tuple(names),
        median=median,
        mean=mean,
        scale=std,
        coef=coef[: ends[0]] * scale,
        intercept=float(lr.intercept_[0]),
        calibration=Calibration(
            a=1.0, a_len=0.0, b=0.0, b_len=0.0, spread=0.0, reference_words=1.0
        ),
        clip=clip,
        ngrams=tuple(
            b.model(coef[start:end] * k)
            for b, k, start, end in zip(blocks, block_scales, ends[:-1], ends[1:], strict=True)
        ),
    )


def fit_calibration(
    z: np.ndarray,
    n_words: np.ndarray,
    bands: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    spread: tuple[float, float],
) -> Calibration:
    """Length-aware Platt scaling (:class:`Calibration`) fitted on held-out decision values.

    ``w`` is re-balanced so that both classes have equal mass within every band of ``bands``
    (word-count band index per text): the fit is calibrated for a 50/50 prior at every length,
    and the length terms cannot learn that one class is longer. ``spread`` is
    ``(spread, reference_words)`` from the window measurement."""
    from sklearn.linear_model import LogisticRegression

    inv = 1.0 / np.sqrt(np.maximum(n_words, 1))
    x = np.column_stack([z, z * inv, inv])
    balanced = w.astype(float).copy()
    for b in np.unique(bands):
        for label in (0, 1):
            m = (bands == b) & (y == label)
            if m.any():
                balanced[m] *= 1.0 / w[m].sum()
    lr = LogisticRegression(C=1e6, max_iter=1000)
    lr.fit(x, y, sample_weight=balanced * len(y) / balanced.sum())
    a, a_len, b_len = lr.coef_[0]
    return Calibration(
        a=float(a),
        a_len=float(a_len),
        b=float(lr.intercept_[0]),
        b_len=float(b_len),
        spread=spread[0],
        reference_words=spread[1],
    )


def out_of_fold(
    dev: DevSet,
    x: np.ndarray,
    names: Sequence[str],
    train_mask: np.ndarray | None = None,
    c: float = 1.0,
    clip: float | None = None,
    ngrams: NgramInputs | None = None,
) -> np.ndarray:
    """Grouped-CV decision values for every record of ``dev``.

    ``x`` is :func:`feature_matrix` of ``dev`` (and ``ngrams`` its n-gram inputs, if any).
    ``train_mask`` restricts which records may be trained on (e.g. leave one generator out);
    test predictions are still made for every record of the held-out fold.
    """
    allowed = np.ones(len(dev.y), bool) if train_mask is None else train_mask
    out = np.empty(len(dev.y))
    for test in grouped_folds(dev.group):
        tr = ~test & allowed
        w = balanced_weights(dev.y[tr], dev.generator[tr])
        model = fit_linear(
            x[tr], dev.y[tr], w, names, c, clip, None if ngrams is None else ngrams.rows(tr)
        )
        out[test] = model.decision(x[test], () if ngrams is None else ngrams.rows(test).tfidf)
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
