"""Per-document scoring: every score column and the per-document verdict in one call.

:class:`DocumentScorer` bundles PII redaction, plug-ins, hashing, language, quality, synthetic
score, MinHash signature and the contamination test so a runner fuses them into one step; it is
built once per worker from the run's plan (it loads language profiles, the synthetic model, the
plug-ins and, given by the worker, the evaluation sets' index). Scorers see at most
``limits.max_scored_chars`` characters; the stored text is never cut. Text edits come first
(``pii.policy: redact``, then plug-ins' ``format``), so every column describes the stored text;
plug-ins' scores and filters come last. A document that a licence, language or quality rule
rejects gets no synthetic score (unless ``synthetic.score_rejected``), contamination test or
MinHash signature: none of them could change its verdict, and it takes no part in dedup. A
document in a language the synthetic model does not score gets no synthetic signals either.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from curation.decisions import Verdict
from curation.decontamination import ContaminationIndex
from curation.decontamination.ngrams import ngram_words
from curation.dedup.normalize import content_hash_of_folded, fold_case
from curation.langid import LanguageIdentifier, paragraph_language_shares
from curation.pii import PII_TYPES, find_pii, redact
from curation.plan import RunPlan
from curation.plugins import PluginChain, load_plugins
from curation.plugins.chain import Edited
from curation.quality import (
    build_scorers,
    first_failure,
    language_scorer_settings,
    quality_summary,
)
from curation.synthetic.plugin import build_synthetic_scorer
from curation.synthetic.scorer import ABSTAIN_REJECTED, Scored

#: ``text_edits`` step name of PII redaction.
PII_REDACTION = "pii_redaction"


class DedupScorer:
    """Only what dedup needs of a row, for rows scored elsewhere (or not at all): content
    hash, text bytes, MinHash signature and keeper rank; no per-document verdict."""

    #: Rows :meth:`score_many` is given at a time in a run (no step here scores rows together).
    batch_size = 1

    def __init__(self, plan: RunPlan) -> None:
        self._hasher = plan.hasher
        self._policy = plan.policy

    def score_many(self, docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """:meth:`score` of each of ``docs``, in order."""
        return [self.score(doc) for doc in docs]

    def score(self, doc: dict[str, Any]) -> dict[str, Any]:
        """``doc`` with ``content_hash``, ``text_bytes``, ``_signature``, ``_rank`` and a
        ``_verdict`` of ``None``."""
        result = dict(doc)
        self.add_sketch(result, self.add_hashes(result))
        result["_verdict"] = None
        return result

    def add_hashes(self, row: dict[str, Any]) -> str:
        """Set ``content_hash`` and ``text_bytes`` of ``row``; return the case-folded text the
        hash was computed from (the MinHash signature's and the contamination test's input)."""
        text = row["text"]
        folded = fold_case(text)
        row["content_hash"] = content_hash_of_folded(folded)
        row["text_bytes"] = len(text.encode("utf-8"))
        return folded

    def add_sketch(self, row: dict[str, Any], folded: str | None) -> None:
        """Set ``_signature``, ``_shingles`` and ``_rank`` of ``row`` (its rank columns, such as
        ``quality_score``, already set) from :meth:`add_hashes`' folded text; all ``None``
        when ``folded`` is ``None`` (a rejected document takes no part in dedup)."""
        if folded is None:
            row["_signature"] = row["_shingles"] = row["_rank"] = None
            return
        row["_signature"], row["_shingles"] = self._hasher.sketch_of_folded(folded)
        row["_rank"] = self._policy.rank(row)


@dataclass(frozen=True)
class _Pending:
    """A document between :meth:`DocumentScorer._before_synthetic` and its synthetic score:
    the row so far, the plug-ins' edits, the text scorers see, its language, the early verdict
    and why it is not scored (``None``: it is)."""

    result: dict[str, Any]
    edited: Edited | None
    scored_text: str
    lang: str | None
    early: Verdict | None
    unscored: str | None


class DocumentScorer:
    """Computes every per-document column and the per-document verdict."""

    def __init__(self, plan: RunPlan, contamination: ContaminationIndex | None = None) -> None:
        config = plan.config
        language = config.language
        self._language = LanguageIdentifier(
            backend=language.backend,
            max_chars=language.max_chars,
            min_chars=language.min_chars,
            hybrid_threshold=language.hybrid_threshold,
        )
        self._paragraph_shares = language.paragraph_shares
        self._max_scored_chars = config.limits.max_scored_chars
        self._quality = build_scorers(config.quality.scorers)
        self._quality_by_language = {
            lang: build_scorers(language_scorer_settings(config.quality.scorers, overrides))
            for lang, overrides in config.quality.languages.items()
        }
        self._pii = plan.policy.pii
        self._contamination = contamination
        self._synthetic = build_synthetic_scorer(config.synthetic)
        self._dedup = DedupScorer(plan)
        self._policy = plan.policy
        self._plugins = PluginChain(load_plugins(config.plugins)) if config.plugins else None

    @property
    def batch_size(self) -> int:
        """Documents :meth:`score_many` is given at a time in a run: the synthetic scorer's."""
        return self._synthetic.batch_size

    def score(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Return ``doc`` with score columns, ``_verdict`` (a
        :class:`~curation.decisions.Verdict` as a plain tuple, or ``None``) and, for dedup,
        ``_signature``, ``_shingles`` (its exact shingle set) and ``_rank``, which are ``None``
        for a document with a verdict."""
        return self.score_many([doc])[0]

    def score_many(self, docs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """:meth:`score` of each of ``docs``, in order: the synthetic scorer sees them together
        (a scorer plug-in's ``score_batch``), every other step one document at a time."""
        pending = [self._before_synthetic(doc) for doc in docs]
        wanted = [p for p in pending if p.unscored is None]
        outcomes = iter(
            self._synthetic.score_many([p.scored_text for p in wanted], [p.lang for p in wanted])
        )
        return [
            self._after_synthetic(
                p,
                next(outcomes)
                if p.unscored is None
                else Scored(self._synthetic.not_scored(p.unscored)),
            )
            for p in pending
        ]

    def _before_synthetic(self, doc: dict[str, Any]) -> _Pending:
        """Text edits, language, quality and the early verdict of ``doc``."""
        result = dict(doc)
        if self._pii != "off":
            self._find_pii(result)
        edited = None
        if self._plugins is not None:
            edited = self._plugins.format(result["text"])
            result["text"] = edited.text
            if edited.edits:
                result["text_edits"] = (result.get("text_edits") or []) + edited.edits
        scored_text = result["text"][: self._max_scored_chars]

        language = self._language.detect(scored_text)
        result["lang"] = language.lang
        result["lang_score"] = language.score
        result["lang_reliable"] = language.reliable
        result["lang_alternatives"] = [
            {"lang": code, "score": prob} for code, prob in language.alternatives
        ]
        if self._paragraph_shares:
            shares = paragraph_language_shares(self._language, scored_text)
            result["lang_shares"] = [
                {"lang": code, "share": share} for code, share in shares.items()
            ]

        quality: dict[str, float | None] = {}
        scores_by_scorer: dict[str, dict[str, float | None]] = {}
        quality_scorers = self._quality_by_language.get(language.lang, self._quality)
        for scorer in quality_scorers:
            scores = scorer.score(scored_text, language.lang)
            scores_by_scorer[scorer.name] = scores
            for metric, value in scores.items():
                quality[f"{scorer.name}__{metric}"] = value
        result["quality"] = quality
        result["quality_score"] = quality_summary(quality_scorers, scores_by_scorer)

        early = self._policy.early_verdict(result, first_failure(quality_scorers, scores_by_scorer))
        if early is not None and not self._policy.synthetic_score_rejected:
            unscored = ABSTAIN_REJECTED
        else:
            unscored = self._synthetic.language_abstention(language.lang)
        return _Pending(result, edited, scored_text, language.lang, early, unscored)

    def _after_synthetic(self, pending: _Pending, synthetic: Scored) -> dict[str, Any]:
        """The synthetic columns, hashes, contamination, plug-ins' judgement and verdict."""
        result = pending.result
        result["synthetic_score"] = synthetic.result.score
        result["synthetic"] = synthetic.result.flagged
        result["synthetic_signals"] = dict(synthetic.result.signals)

        folded = self._dedup.add_hashes(result)
        early = pending.early
        contamination = None
        if self._contamination is not None and early is None:
            contamination = self._contamination.first_match(ngram_words(folded))
        verdict = early or synthetic.failed or self._policy.late_verdict(result, contamination)
        if self._plugins is not None:
            judged = self._plugins.judge(result)
            result["plugin_scores"] = judged.scores
            assert pending.edited is not None
            verdict = verdict or pending.edited.verdict or judged.verdict
        result["_verdict"] = None if verdict is None else tuple(verdict)
        # Only documents without a verdict take part in dedup.
        self._dedup.add_sketch(result, folded if verdict is None else None)
        return result

    def _find_pii(self, result: dict[str, Any]) -> None:
        """Set ``pii`` (spans per type) and, redacting, replace ``text`` and set ``text_edits``."""
        spans = find_pii(result["text"])
        counts = Counter(span.kind for span in spans)
        result["pii"] = {kind: counts[kind] for kind in PII_TYPES}
        if spans and self._pii == "redact":
            text = result["text"]
            result["text"] = redact(text, spans)
            result["text_edits"] = [
                {
                    "step": PII_REDACTION,
                    "spans": len(spans),
                    "chars_before": len(text),
                    "chars_after": len(result["text"]),
                }
            ]
