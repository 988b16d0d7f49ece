"""The run's policy: which scored documents a rule rejects, and which duplicate is kept.

One :class:`Policy` is resolved from the config when the run is planned; scoring asks it for
each document's verdict and keeper rank, and the pipeline asks it whether the synthetic cap
runs. Nothing else reads these config keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from curation.config import CurationConfig
from curation.decisions import Reason, Stage, Verdict
from curation.dedup.resolve import rank_key
from curation.rights import Rights


@dataclass(frozen=True)
class Policy:
    """Per-document rules in the order they are tried, synthetic handling and keeper order.

    ``synthetic``: ``tag`` keeps and flags, ``drop`` rejects every flagged document, ``cap``
    keeps at most ``synthetic_max_share`` flagged documents per source after dedup.
    """

    allowed_languages: tuple[str, ...] | None = None
    min_language_score: float = 0.0
    reject_quality: bool = True
    synthetic: Literal["tag", "drop", "cap"] = "tag"
    synthetic_max_share: float = 0.1
    keep_order: tuple[str, ...] = ()
    #: ``off``, ``redact`` (text edited, document kept) or ``reject`` (documents with PII).
    pii: Literal["off", "redact", "reject"] = "off"
    #: Licence policy and opt-outs, tried before every other rule.
    rights: Rights = Rights()
    #: Whether documents that :meth:`early_verdict` rejects get a synthetic score too.
    synthetic_score_rejected: bool = False

    @classmethod
    def of(cls, config: CurationConfig, rights: Rights | None = None) -> Policy:
        """The config's policy; ``rights`` as resolved by :func:`curation.plan.resolve_rights`
        (default: no licence policy, no opt-out list, markers as configured)."""
        return cls(
            rights=rights or Rights(markers=config.optout.markers),
            allowed_languages=config.language.allowed,
            min_language_score=config.language.min_score,
            reject_quality=config.quality.reject,
            synthetic=config.synthetic.policy,
            synthetic_max_share=config.synthetic.max_share,
            keep_order=config.dedup.keep_policy,
            pii=config.pii.policy,
            synthetic_score_rejected=config.synthetic.score_rejected,
        )

    @property
    def synthetic_cap(self) -> float | None:
        """The largest flagged share per source when the cap applies, else ``None``."""
        return self.synthetic_max_share if self.synthetic == "cap" else None

    def verdict(
        self,
        doc: dict[str, Any],
        quality_failure: tuple[str, str, float | None] | None,
        contamination: tuple[str, str] | None = None,
    ) -> Verdict | None:
        """Why a scored document is rejected before dedup, or ``None`` when it passes:
        :meth:`early_verdict`, then :meth:`late_verdict`.

        ``doc`` has the provenance, language, synthetic and (with a PII policy) ``pii``
        columns; ``quality_failure`` is the first failing quality rule as ``(scorer, rule,
        value)``, ``contamination`` the evaluation set and n-gram the document shares.
        """
        return self.early_verdict(doc, quality_failure) or self.late_verdict(doc, contamination)

    def early_verdict(
        self, doc: dict[str, Any], quality_failure: tuple[str, str, float | None] | None
    ) -> Verdict | None:
        """The rules that need neither the synthetic score, PII nor the contamination test:
        rights, language, quality (``doc``: provenance and language columns)."""
        rights = self.rights.verdict(doc)
        if rights is not None:
            return rights
        lang, score = doc["lang"], doc["lang_score"]
        if self.allowed_languages is not None and lang not in self.allowed_languages:
            return Verdict(Stage.LANGUAGE, Reason.LANGUAGE_NOT_ALLOWED, f"lang={lang}")
        if self.min_language_score > 0 and score < self.min_language_score:
            return Verdict(
                Stage.LANGUAGE,
                Reason.LANGUAGE_LOW_CONFIDENCE,
                f"lang={lang} score={score:.3f} < {self.min_language_score}",
            )
        if self.reject_quality and quality_failure is not None:
            scorer, rule, value = quality_failure
            return Verdict(Stage.QUALITY, Reason.quality(scorer, rule), f"{rule}={value}")
        return None

    def late_verdict(
        self, doc: dict[str, Any], contamination: tuple[str, str] | None
    ) -> Verdict | None:
        """The rules tried after :meth:`early_verdict`: synthetic drop, PII, contamination."""
        if self.synthetic == "drop" and doc["synthetic"]:
            return Verdict(
                Stage.SYNTHETIC, Reason.SYNTHETIC, f"synthetic_score={doc['synthetic_score']:.3f}"
            )
        if self.pii == "reject" and any(doc["pii"].values()):
            found = " ".join(f"{kind}={count}" for kind, count in doc["pii"].items() if count)
            return Verdict(Stage.PII, Reason.PII, found)
        if contamination is not None:
            name, ngram = contamination
            return Verdict(
                Stage.DECONTAMINATION, Reason.CONTAMINATED, f"set={name} ngram={ngram!r}"
            )
        return None

    def rank(self, doc: dict[str, Any]) -> str:
        """The document's keeper rank (:func:`curation.dedup.resolve.rank_key`)."""
        return rank_key(doc, self.keep_order)
