"""Per-document scoring and the per-document filter policy.

:class:`DocumentScorer` bundles every per-document computation (hashing, language, quality,
synthetic score, MinHash signature) behind one call so a runner can fuse them into one step;
it is built once per worker because it loads language profiles and the synthetic model.
Scorers see at most ``limits.max_scored_chars`` characters; the stored text is never cut.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from curation.config import CurationConfig
from curation.dedup.minhash import MinHasher, optimal_bands_rows
from curation.dedup.normalize import content_hash_of_folded, fold_case
from curation.dedup.resolve import rank_key
from curation.io.records import Reason, Stage
from curation.langid import LanguageIdentifier, paragraph_language_shares
from curation.quality import build_scorers, quality_summary
from curation.synthetic import SIGNAL_FIELDS, SyntheticScorer


def lsh_parameters(config: CurationConfig) -> tuple[int, int]:
    """(bands, rows) of the run: configured, or derived from threshold and ``num_perm``."""
    dedup = config.dedup
    if dedup.bands is not None and dedup.rows is not None:
        return dedup.bands, dedup.rows
    return optimal_bands_rows(dedup.threshold, dedup.num_perm)


def quality_metric_fields(config: CurationConfig) -> list[str]:
    """Names of the quality struct's fields (``<scorer>__<metric>``) for this config."""
    return [
        f"{scorer.name}__{metric}"
        for scorer in build_scorers(config.quality.scorers)
        for metric in scorer.metrics
    ]


def signal_fields() -> dict[str, type]:
    """Fields of the ``synthetic_signals`` struct."""
    return dict(SIGNAL_FIELDS)


@dataclass(frozen=True)
class Verdict:
    """Why a document is rejected by a per-document rule."""

    stage: str
    reason: str
    detail: str


class DocumentScorer:
    """Computes every per-document column and the per-document verdict."""

    def __init__(self, config: CurationConfig) -> None:
        self._config = config
        language = config.language
        self._language = LanguageIdentifier(
            backend=language.backend,
            max_chars=language.max_chars,
            min_chars=language.min_chars,
            hybrid_threshold=language.hybrid_threshold,
        )
        self._quality = build_scorers(config.quality.scorers)
        self._synthetic = SyntheticScorer(threshold=config.synthetic.threshold)
        bands, rows = lsh_parameters(config)
        dedup = config.dedup
        self._hasher = MinHasher(
            num_perm=dedup.num_perm,
            bands=bands,
            rows=rows,
            word_ngram=dedup.ngram,
            char_ngram=dedup.char_ngram,
        )

    @property
    def hasher(self) -> MinHasher:
        return self._hasher

    def score(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Return ``doc`` with score columns, ``_signature``, ``_rank`` and ``_verdict`` added."""
        text: str = doc["text"]
        scored_text = text[: self._config.limits.max_scored_chars]
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
        if self._config.language.paragraph_shares:
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

        result["_signature"] = self._hasher.signature_of_folded(folded)
        result["_rank"] = rank_key(result, self._config.dedup.keep_policy)
        verdict = self._verdict(result, scores_by_scorer)
        result["_verdict"] = None if verdict is None else verdict.__dict__.copy()
        return result

    def _verdict(
        self, doc: dict[str, Any], scores_by_scorer: dict[str, dict[str, float | None]]
    ) -> Verdict | None:
        language = self._config.language
        if language.allowed is not None and doc["lang"] not in language.allowed:
            return Verdict(Stage.LANGUAGE, Reason.LANGUAGE_NOT_ALLOWED, f"lang={doc['lang']}")
        if language.min_score > 0 and doc["lang_score"] < language.min_score:
            return Verdict(
                Stage.LANGUAGE,
                Reason.LANGUAGE_LOW_CONFIDENCE,
                f"lang={doc['lang']} score={doc['lang_score']:.3f} < {language.min_score}",
            )
        if self._config.quality.reject:
            for scorer in self._quality:
                rule = scorer.check(scores_by_scorer[scorer.name])
                if rule is not None:
                    value = scores_by_scorer[scorer.name].get(rule)
                    return Verdict(
                        Stage.QUALITY, Reason.quality(scorer.name, rule), f"{rule}={value}"
                    )
        if self._config.synthetic.policy == "drop" and doc["synthetic"]:
            return Verdict(
                Stage.SYNTHETIC, Reason.SYNTHETIC, f"synthetic_score={doc['synthetic_score']:.3f}"
            )
        return None
