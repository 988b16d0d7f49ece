"""Per-document scoring: every score column and the per-document verdict in one call.

:class:`DocumentScorer` bundles hashing, language, quality, synthetic score and MinHash
signature so a runner fuses them into one step; it is built once per worker from the run's
plan (it loads language profiles and the synthetic model). Scorers see at most
``limits.max_scored_chars`` characters; the stored text is never cut.
"""

from __future__ import annotations

from typing import Any

from curation.dedup.normalize import content_hash_of_folded, fold_case
from curation.langid import LanguageIdentifier, paragraph_language_shares
from curation.plan import RunPlan
from curation.quality import build_scorers, first_failure, quality_summary
from curation.synthetic import SyntheticScorer


class DocumentScorer:
    """Computes every per-document column and the per-document verdict."""

    def __init__(self, plan: RunPlan) -> None:
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
        self._synthetic = SyntheticScorer(threshold=config.synthetic.threshold)
        self._hasher = plan.hasher
        self._policy = plan.policy

    def score(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Return ``doc`` with score columns, ``_signature``, ``_shingles`` (its exact shingle
        set), ``_rank`` and ``_verdict`` added
        (``_verdict``: a :class:`~curation.decisions.Verdict` as a plain tuple, or ``None``)."""
        text: str = doc["text"]
        scored_text = text[: self._max_scored_chars]
        result = dict(doc)
        folded = fold_case(text)  # shared by the content hash and the MinHash signature
        result["content_hash"] = content_hash_of_folded(folded)
        result["text_bytes"] = len(text.encode("utf-8"))

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
        for scorer in self._quality:
            scores = scorer.score(scored_text, language.lang)
            scores_by_scorer[scorer.name] = scores
            for metric, value in scores.items():
                quality[f"{scorer.name}__{metric}"] = value
        result["quality"] = quality
        result["quality_score"] = quality_summary(self._quality, scores_by_scorer)

        synthetic = self._synthetic.score(scored_text, language.lang)
        result["synthetic_score"] = synthetic.score
        result["synthetic"] = synthetic.flagged
        result["synthetic_signals"] = dict(synthetic.signals)

        result["_signature"], result["_shingles"] = self._hasher.sketch_of_folded(folded)
        result["_rank"] = self._policy.rank(result)
        verdict = self._policy.verdict(result, first_failure(self._quality, scores_by_scorer))
        result["_verdict"] = None if verdict is None else tuple(verdict)
        return result
