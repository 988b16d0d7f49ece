"""Machine share of a corpus from word occurrence (after Liang et al. 2024), no per-document score.

Liang et al. ("Monitoring AI-modified content at scale", ICML 2024; "Mapping the increasing
use of LLMs in scientific papers", 2024) treat a unit of text as the set of vocabulary words it
contains, each present independently with probability ``p_w`` in human and ``q_w`` in machine
reference text, and take the corpus's machine share as the ``alpha`` maximising
``sum_i log((1 - alpha) P(x_i) + alpha Q(x_i))``; the interval is a bootstrap over units.

Three choices, each measured on held-apart domains (``benchmarks/share_eval.py``,
``docs/synthetic.md``):

* **The vocabulary is style words**, as in the papers: words whose machine-minus-human
  presence shift is consistent across the reference genres
  (``scripts/fit_share_reference.style_vocabulary``); frequent content words made the estimate
  follow the topic.
* **Units are windows** of :attr:`WordReference.window_words` consecutive word tokens (at most
  :attr:`WordReference.max_windows` per document), so presence does not depend on document
  length. A document's windows share one document's weight (composite likelihood), so
  ``alpha`` is a share of documents, like the score-based estimate.
* **P and Q are mixtures of per-genre references**: ``P = sum_g pi_g P_g`` and
  ``Q = sum_g rho_g Q_g``, with the genre weights fitted to the corpus together with
  ``alpha = sum_g rho_g`` (EM for mixture weights). A single P pooled over 20 reference genres
  misjudges each of them (formal human prose looks machine-written); per-genre components let
  a corpus be explained by the reference genres it resembles.

The reference (``word_reference.npz``, a few KB) is written by ``scripts/fit_share_reference.py``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from curation.synthetic.share import ShareEstimate

DEFAULT_REFERENCE_PATH = Path(__file__).with_name("word_reference.npz")
METHOD = "word_mixture"
#: Bootstrap replicates (over documents) for the 95 % interval, and their seed. 50, not 100:
#: the bootstrap is most of the estimate's cost (2,000 documents: 0.4 against 0.75 CPU-s), and
#: its interval (~+-0.01 there) is small beside the validated margins (~0.25).
BOOTSTRAP = 50
SEED = 20240611
#: Decimal places of the reported share and interval.
DIGITS = 4
# Presence probabilities are stored as uint8-quantised logits in [LOGIT_MIN, LOGIT_MAX].
LOGIT_MIN, LOGIT_MAX = -10.0, 8.0
_LOGIT_STEP = (LOGIT_MAX - LOGIT_MIN) / 255
_WORD_RE = re.compile(r"[^\W\d_]+")
_WORDS_PREFIX_CHARS = 8  # a first guess of characters per word, incl. spaces and punctuation
_EM_TOL, _EM_MAX_ITER = 1e-8, 5000
_BOOT_TOL, _BOOT_MAX_ITER = 1e-6, 50  # warm-started at the estimate


def word_windows(text: str, window_words: int, max_windows: int) -> list[set[str]]:
    """The distinct lower-cased words (runs of letters) of each window of ``window_words``
    consecutive words, at most ``max_windows`` windows; a text shorter than one window is one
    (short) window, an empty text none. Only a prefix of the text long enough for the windows is
    tokenised (``_WORDS_PREFIX_CHARS`` characters per word wanted, doubled until it is)."""
    wanted = window_words * max_windows
    limit = wanted * _WORDS_PREFIX_CHARS
    while True:
        words = _WORD_RE.findall(text[:limit])
        # The prefix may cut the last word it holds; any word before another one is whole.
        if len(words) > wanted or limit >= len(text):
            break
        limit *= 2
    words = list(map(str.lower, words[:wanted]))
    full = len(words) - len(words) % window_words
    windows = [set(words[at : at + window_words]) for at in range(0, full, window_words)]
    if not windows and words:
        windows.append(set(words))
    return windows


def quantise_logits(p: np.ndarray) -> np.ndarray:
    """Presence probabilities -> uint8 codes of their logits (step ~0.07)."""
    logit = np.log(p) - np.log1p(-p)
    return np.round((np.clip(logit, LOGIT_MIN, LOGIT_MAX) - LOGIT_MIN) / _LOGIT_STEP).astype(
        np.uint8
    )


def dequantise_logits(codes: np.ndarray) -> np.ndarray:
    return codes.astype(float) * _LOGIT_STEP + LOGIT_MIN


@dataclass(frozen=True)
class WordReference:
    """Per-component (genre x human/machine) word presence probabilities per window."""

    vocab: tuple[str, ...]
    logit: np.ndarray  # (V, K) log(p / (1 - p)) of each word in each component
    components: tuple[str, ...]  # "dataset/domain/human" ...
    machine: np.ndarray  # (K,) bool: machine-text component
    languages: frozenset[str]  # languages the reference text is written in
    window_words: int
    max_windows: int
    metadata: dict

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {w: i for i, w in enumerate(self.vocab)})
        # log P(window) = base + sum of the logits of the vocabulary words present in it.
        object.__setattr__(self, "_base", -np.logaddexp(0.0, self.logit).sum(axis=0))

    @classmethod
    def from_probabilities(
        cls,
        vocab: Sequence[str],
        presence: np.ndarray,
        components: Sequence[str],
        machine: Sequence[bool],
        languages: Sequence[str],
        window_words: int,
        max_windows: int,
        metadata: dict,
    ) -> WordReference:
        """From presence probabilities ``(K, V)``, quantised exactly as :meth:`save` stores them."""
        return cls(
            vocab=tuple(vocab),
            logit=dequantise_logits(quantise_logits(np.asarray(presence, float))).T,
            components=tuple(components),
            machine=np.asarray(machine, bool),
            languages=frozenset(languages),
            window_words=window_words,
            max_windows=max_windows,
            metadata=metadata,
        )

    def save(self, path: str | Path) -> None:
        codes = np.round((self.logit.T - LOGIT_MIN) / _LOGIT_STEP).astype(np.uint8)
        np.savez_compressed(
            path,
            vocab=np.array(self.vocab),
            logit_codes=codes,
            components=np.array(self.components),
            machine=self.machine,
            languages=np.array(sorted(self.languages)),
            window=np.array([self.window_words, self.max_windows]),
            metadata=np.array(json.dumps(self.metadata, sort_keys=True)),
        )

    @classmethod
    def load(cls, path: str | Path | None = None) -> WordReference:
        with np.load(path or DEFAULT_REFERENCE_PATH, allow_pickle=False) as data:
            window_words, max_windows = (int(v) for v in data["window"])
            return cls(
                vocab=tuple(str(w) for w in data["vocab"]),
                logit=dequantise_logits(data["logit_codes"]).T,
                components=tuple(str(c) for c in data["components"]),
                machine=data["machine"].astype(bool),
                languages=frozenset(str(lang) for lang in data["languages"]),
                window_words=window_words,
                max_windows=max_windows,
                metadata=json.loads(str(data["metadata"])),
            )

    def presence(self, text: str) -> list[np.ndarray]:
        """For each window of ``text``, the sorted indices of the vocabulary words in it."""
        index = self._index  # type: ignore[attr-defined]
        return [
            np.array(sorted(map(index.__getitem__, words & index.keys())), dtype=np.uint16)
            for words in word_windows(text, self.window_words, self.max_windows)
        ]

    def log_likelihoods(self, windows: Sequence[np.ndarray]) -> np.ndarray:
        """``(len(windows), K)`` log-likelihood of each window under each component."""
        lengths = [len(w) for w in windows]
        indptr = np.concatenate([[0], np.cumsum(lengths)])
        indices = np.concatenate(windows) if windows else np.zeros(0, np.uint16)
        x = sp.csr_matrix(
            (np.ones(len(indices)), indices.astype(np.int64), indptr),
            shape=(len(windows), len(self.vocab)),
        )
        return np.asarray(x @ self.logit) + self._base  # type: ignore[attr-defined]


@cache
def default_reference() -> WordReference:
    return WordReference.load()


def _em_step(
    likelihood: np.ndarray, weights: np.ndarray, total: np.ndarray, pi: np.ndarray
) -> np.ndarray:
    """One EM update of the mixture weights ``pi`` (K, B) (see :func:`mixture_weights`)."""
    mix = np.maximum(likelihood @ pi, 1e-300)
    return pi * (likelihood.T @ (weights / mix)) / total


def _log_likelihood(likelihood: np.ndarray, weights: np.ndarray, pi: np.ndarray) -> np.ndarray:
    """(B,) ``sum_i weights_ib log(likelihood_i @ pi_b)``."""
    return (weights * np.log(np.maximum(likelihood @ pi, 1e-300))).sum(axis=0)


def mixture_weights(
    likelihood: np.ndarray, weights: np.ndarray, start: np.ndarray, tol: float, max_iter: int
) -> np.ndarray:
    """EM for mixture weights of fixed components, for several weightings of the rows at once.

    ``likelihood`` (n, K): each row's likelihood under each component (rows may be scaled
    freely); ``weights`` (n, B): B weightings of the rows; ``start`` (K, B) positive. Returns the
    (K, B) weights maximising ``sum_i weights_ib log(likelihood_i @ pi_b)`` for every b,
    iterating until no column's EM update moves it by more than ``tol`` (L1), or after
    ``max_iter`` EM updates.

    Plain EM crawls when weights near zero (a corpus with no machine text): thousands of
    updates. It is accelerated by SQUAREM (Varadhan & Roland 2008, "Simple and globally
    convergent methods for accelerating the convergence of any EM algorithm", scheme S3): two
    EM updates, a step along their squared extrapolation (shortened until every weight stays
    positive), and an EM update from there, kept only where the log-likelihood did not fall
    (otherwise the second EM update is kept), so the iteration stays monotone.
    """
    total = weights.sum(axis=0)
    pi = start
    with threadpool_limits(limits=1, user_api="blas"):  # small products: threads only contend
        for _ in range(max(max_iter // 3, 1)):
            first = _em_step(likelihood, weights, total, pi)
            change = first - pi
            if np.abs(change).sum(axis=0).max() < tol:
                return first
            second = _em_step(likelihood, weights, total, first)
            curvature = second - 2 * first + pi
            # S3 step length, at least one EM step's (alpha = -1 gives ``second``).
            alpha = np.minimum(
                -np.sqrt((change**2).sum(axis=0) / np.maximum((curvature**2).sum(axis=0), 1e-300)),
                -1.0,
            )
            jump = pi - 2 * alpha * change + alpha**2 * curvature
            for _ in range(30):
                negative = (jump <= 0).any(axis=0)
                if not negative.any():
                    break
                alpha = np.where(negative, (alpha - 1) / 2, alpha)
                jump = pi - 2 * alpha * change + alpha**2 * curvature
            else:
                jump = np.where((jump <= 0).any(axis=0), second, jump)
            jump = _em_step(likelihood, weights, total, jump / jump.sum(axis=0))
            better = _log_likelihood(likelihood, weights, jump) >= _log_likelihood(
                likelihood, weights, second
            )
            pi = np.where(better, jump, second)
    return pi


def estimate_word_share(
    documents: Sequence[Sequence[np.ndarray]],
    reference: WordReference | None = None,
    bootstrap: int = BOOTSTRAP,
) -> ShareEstimate:
    """Machine share of ``documents`` (each: :meth:`WordReference.presence` of its text).

    The interval is the 2.5-97.5 percentile of ``bootstrap`` seeded resamplings of the
    documents, widened to contain the estimate; all three are rounded to :data:`DIGITS`
    places. Documents without a window are ignored; ``n`` counts those used.
    """
    ref = reference or default_reference()
    used = [i for i, doc in enumerate(documents) if len(doc)]
    if not used:
        return ShareEstimate(share=float("nan"), low=0.0, high=1.0, n=0, method=METHOD)
    windows = [w for i in used for w in documents[i]]
    owner = np.repeat(np.arange(len(used)), [len(documents[i]) for i in used])
    loglik = ref.log_likelihoods(windows)
    likelihood = np.exp(loglik - loglik.max(axis=1, keepdims=True))
    per_window = (1.0 / np.bincount(owner))[owner]
    k = len(ref.components)
    start = np.full((k, 1), 1.0 / k)
    pi = mixture_weights(likelihood, per_window[:, None], start, _EM_TOL, _EM_MAX_ITER)[:, 0]
    share = float(pi[ref.machine].sum())
    low = high = share
    if bootstrap:
        rng = np.random.default_rng(SEED)
        counts = rng.multinomial(len(used), np.full(len(used), 1.0 / len(used)), size=bootstrap)
        boot = mixture_weights(
            likelihood,
            per_window[:, None] * counts.T[owner],
            np.repeat(pi[:, None], bootstrap, axis=1),
            _BOOT_TOL,
            _BOOT_MAX_ITER,
        )
        low, high = np.percentile(boot[ref.machine].sum(axis=0), [2.5, 97.5])
    # Rounded: EM only approaches a zero (or full) weight asymptotically.
    share = round(share, DIGITS)
    return ShareEstimate(
        share=share,
        low=min(round(float(low), DIGITS), share),
        high=max(round(float(high), DIGITS), share),
        n=len(used),
        method=METHOD,
    )
