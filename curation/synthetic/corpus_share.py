"""The corpus share the pipeline reports: two estimators and their combination, each interval
widened by the error seen on held-apart domains, and whether the two agree.

* ``score_mle``: :func:`curation.synthetic.share.estimate_share` (MLE over calibrated scores).
* ``word_mixture``: :func:`curation.synthetic.word_share.estimate_word_share` (word occurrence).
* ``score_checked``: :func:`checked`, the score-based estimate unless it is more than
  :data:`SWITCH` away from the word-based one, then the word-based one.

Each statistical interval is widened by the margins in ``share_validation.json`` (written by
``benchmarks/share_eval.py``: leave-one-domain-out mixtures over both dev sets), so that it
covered the truth in >= 90 % of those held-apart mixtures. The estimators fail differently out
of domain; when their widened intervals do not overlap, the estimate is *unreliable* and no
share is reported for that group of documents. With a scorer plug-in only ``word_mixture`` is
reported (:func:`plugged_corpus_share`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from curation.synthetic.share import ShareEstimate

VALIDATION_PATH = Path(__file__).with_name("share_validation.json")
SCORE_METHOD = "score_mle"
WORD_METHOD = "word_mixture"
CHECKED_METHOD = "score_checked"
SWITCH = 0.3
"""Distance between the two estimates (share points) above which :func:`checked` takes the
word-based one. Out of domain the score-based estimate is the more accurate one except where
the classifier fails wholesale on a genre (held-apart Wikipedia text read as mostly machine
written), and those failures are far from the word-based estimate. Chosen on held-apart domain
families, each family's choice made on the others (docs/synthetic.md, Corpus share)."""
AGREE, DISAGREE, NOT_COMPARED = "agree", "disagree", "not_compared"
#: Why an estimate is not cross-checked.
NO_WORDS = "the word reference does not cover these documents"
NOT_SHIPPED = "a scorer plug-in's scores have no validated share estimator"


@dataclass(frozen=True)
class Margins:
    """How far below / above its statistical interval an estimator's truth was seen."""

    low: float
    high: float


@dataclass(frozen=True)
class ShareValidation:
    """The margins per method, which method is reported, and the validation they rest on."""

    reported: str
    margins: Mapping[str, Margins]
    description: Mapping[str, Any]

    @classmethod
    def load(cls, path: str | Path | None = None) -> ShareValidation:
        data = json.loads(Path(path or VALIDATION_PATH).read_text(encoding="utf-8"))
        return cls(
            reported=data["reported"],
            margins={
                method: Margins(low=m["margin_low"], high=m["margin_high"])
                for method, m in data["methods"].items()
            },
            description=data,
        )


@cache
def default_validation() -> ShareValidation:
    return ShareValidation.load()


@dataclass(frozen=True)
class MethodShare:
    """One estimator's share, its statistical 95 % interval and the widened (reported) one."""

    method: str
    share: float
    low: float
    high: float
    statistical_low: float
    statistical_high: float
    n: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "share": self.share,
            "low": self.low,
            "high": self.high,
            "statistical_low": self.statistical_low,
            "statistical_high": self.statistical_high,
            "n": self.n,
        }


def checked(score: ShareEstimate, words: ShareEstimate) -> ShareEstimate:
    """``score`` (with its interval) if ``words`` is within :data:`SWITCH` of it, else
    ``words``; method :data:`CHECKED_METHOD`."""
    chosen = score if abs(score.share - words.share) <= SWITCH else words
    return ShareEstimate(chosen.share, chosen.low, chosen.high, chosen.n, CHECKED_METHOD)


def widen(method: str, estimate: ShareEstimate, margins: Margins) -> MethodShare:
    """``estimate``'s interval extended by ``margins``, clipped to [0, 1]."""
    return MethodShare(
        method=method,
        share=estimate.share,
        low=max(0.0, estimate.low - margins.low),
        high=min(1.0, estimate.high + margins.high),
        statistical_low=estimate.low,
        statistical_high=estimate.high,
        n=estimate.n,
    )


@dataclass(frozen=True)
class CorpusShare:
    """The estimates of one group of documents and the verdict on them."""

    estimates: Mapping[str, MethodShare]
    reported: MethodShare | None  # None: no validated estimator applies (``reason``)
    agreement: str  # AGREE, DISAGREE or NOT_COMPARED (at most one estimator applies)
    n: int  # scored documents
    reason: str = ""  # why the estimates are not cross-checked (NOT_COMPARED)

    @property
    def reliable(self) -> bool:
        return self.reported is not None and self.agreement != DISAGREE

    def note(self) -> str:
        """One line for people: the estimate, or why there is none."""
        parts = [
            f"{m}: {e.share:.1%} ({e.low:.1%}-{e.high:.1%})" for m, e in self.estimates.items()
        ]
        if self.reported is None:
            return f"no validated estimate: {self.reason}"
        if self.agreement == DISAGREE:
            return "unreliable: the estimators disagree (" + "; ".join(parts) + ")"
        if self.agreement == NOT_COMPARED:
            return f"only {self.reported.method} applies ({self.reason}); not cross-checked"
        return "the estimators agree (" + "; ".join(parts) + ")"

    def as_dict(self) -> dict[str, Any]:
        shown = self.reported if self.reliable else None
        return {
            "share": shown.share if shown else None,
            "low": shown.low if shown else None,
            "high": shown.high if shown else None,
            "n": self.n,
            "method": self.reported.method if self.reported else None,
            "reliable": self.reliable,
            "agreement": self.agreement,
            "note": self.note(),
            "estimates": {m: e.as_dict() for m, e in self.estimates.items()},
        }


def corpus_share(
    score: ShareEstimate,
    words: ShareEstimate | None,
    validation: ShareValidation | None = None,
) -> CorpusShare:
    """Widen both estimates and their combination, pick the reported one, and compare the two.

    ``words`` is ``None`` (or has ``n == 0``) where the word estimator does not apply, e.g.
    languages its reference does not cover; then only the score-based estimate is given.
    """
    val = validation or default_validation()
    scored = widen(SCORE_METHOD, score, val.margins[SCORE_METHOD])
    if words is None or words.n == 0:
        return CorpusShare({SCORE_METHOD: scored}, scored, NOT_COMPARED, score.n, NO_WORDS)
    estimates = {
        SCORE_METHOD: scored,
        WORD_METHOD: widen(WORD_METHOD, words, val.margins[WORD_METHOD]),
        CHECKED_METHOD: widen(CHECKED_METHOD, checked(score, words), val.margins[CHECKED_METHOD]),
    }
    pair = (estimates[SCORE_METHOD], estimates[WORD_METHOD])
    overlap = max(e.low for e in pair) <= min(e.high for e in pair)
    return CorpusShare(estimates, estimates[val.reported], AGREE if overlap else DISAGREE, score.n)


def plugged_corpus_share(
    n: int, words: ShareEstimate | None, validation: ShareValidation | None = None
) -> CorpusShare:
    """The share of ``n`` documents scored by a scorer plug-in (``synthetic.scorer``): only
    ``word_mixture``, whose validation does not depend on the scorer; the score-based margins
    were measured with the shipped model's scores. No estimate where ``words`` is ``None``."""
    if words is None or words.n == 0:
        return CorpusShare({}, None, NOT_COMPARED, n, f"{NOT_SHIPPED}; {NO_WORDS}")
    val = validation or default_validation()
    estimate = widen(WORD_METHOD, words, val.margins[WORD_METHOD])
    return CorpusShare({WORD_METHOD: estimate}, estimate, NOT_COMPARED, n, NOT_SHIPPED)
