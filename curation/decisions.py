"""What happens to a document: kept, or rejected at a stage for a stable reason.

Every record read ends with exactly one outcome. Records that never became documents carry
their reason in their row from the start (:mod:`curation.io.records`); every scored document
receives one :class:`Decision` from dedup, which the per-document :class:`Verdict` (language,
quality, synthetic, rights rules) feeds, and which the synthetic cap may turn into a rejection.
Reason codes and stage names are part of the output contract (docs/output.md).
"""

from __future__ import annotations

from typing import NamedTuple, TypedDict


class Reason:
    """Stable reject reason codes (``reject_reason``)."""

    INVALID_JSON = "invalid_json"
    INVALID_UTF8 = "invalid_utf8"
    NOT_AN_OBJECT = "not_an_object"
    MISSING_TEXT = "missing_text"
    NON_STRING_TEXT = "non_string_text"
    EMPTY_TEXT = "empty_text"
    TEXT_TOO_LONG = "text_too_long"
    LINE_TOO_LONG = "line_too_long"
    EMPTY_FILE = "empty_file"
    UNREADABLE_FILE = "unreadable_file"
    CORRUPT_FILE = "corrupt_file"
    DUPLICATE_ID = "duplicate_id"
    EXACT_DUPLICATE = "exact_duplicate"
    NEAR_DUPLICATE = "near_duplicate"
    LANGUAGE_NOT_ALLOWED = "language_not_allowed"
    LANGUAGE_LOW_CONFIDENCE = "language_low_confidence"
    SYNTHETIC = "synthetic"
    SYNTHETIC_CAP = "synthetic_cap"
    PII = "pii"
    CONTAMINATED = "contaminated"
    LICENSE_NOT_ALLOWED = "license_not_allowed"
    OPTED_OUT = "opted_out"
    #: Too few words left once repeated paragraphs or lines were removed (``dedup.repeated``).
    REPEATED_CONTENT = "repeated_content"

    @staticmethod
    def quality(scorer: str, rule: str) -> str:
        return f"quality:{scorer}.{rule}"

    @staticmethod
    def plugin(name: str, reason: str) -> str:
        """A plug-in's reject (docs/api.md); its own reasons, plus :data:`PLUGIN_ERROR` and
        :data:`PLUGIN_EMPTIED` set by the pipeline."""
        return f"plugin:{name}.{reason}"


#: The plug-in raised or returned something outside its interface on the document.
PLUGIN_ERROR = "error"
#: The plug-in's ``format`` left no text (the text before that edit is kept).
PLUGIN_EMPTIED = "emptied"
#: A plug-in's ``filter`` returned ``False`` without a reason.
PLUGIN_FILTERED = "filtered"


class Stage:
    """Pipeline stage names (``reject_stage``)."""

    READ = "read"
    VALIDATE = "validate"
    RIGHTS = "rights"
    IDS = "ids"
    LANGUAGE = "language"
    QUALITY = "quality"
    SYNTHETIC = "synthetic"
    PII = "pii"
    DECONTAMINATION = "decontamination"
    PLUGIN = "plugin"
    EXACT_DEDUP = "exact_dedup"
    NEAR_DEDUP = "near_dedup"
    SYNTHETIC_CAP = "synthetic_cap"
    REPEATED_CONTENT = "repeated_content"


#: Stages in pipeline order (the funnel of the summary and the report).
STAGE_ORDER = (
    Stage.READ,
    Stage.VALIDATE,
    Stage.RIGHTS,
    Stage.IDS,
    Stage.LANGUAGE,
    Stage.QUALITY,
    Stage.SYNTHETIC,
    Stage.PII,
    Stage.DECONTAMINATION,
    Stage.PLUGIN,
    Stage.EXACT_DEDUP,
    Stage.NEAR_DEDUP,
    Stage.SYNTHETIC_CAP,
    Stage.REPEATED_CONTENT,
)


#: Stages that only exist with an optional feature: the funnel lists them only when they
#: rejected something, so a run without the feature reports what it did before.
OPTIONAL_STAGES = (Stage.PII, Stage.DECONTAMINATION, Stage.PLUGIN, Stage.REPEATED_CONTENT)


class Verdict(NamedTuple):
    """Why a per-document rule (language, quality, synthetic drop, PII, contamination) rejects
    a document."""

    stage: str
    reason: str
    detail: str


class Decision(TypedDict):
    """The outcome of one scored document, keyed by its internal record key (``_key``).

    A plain ``dict`` at run time; shuffles carry decisions as tables
    (:mod:`curation.decision_batches`). The other keys are the output columns a decision sets
    (:data:`DECISION_COLUMNS`).
    """

    _key: int
    kept: bool
    reject_stage: str | None
    reject_reason: str | None
    reject_detail: str | None
    duplicate_of: str | None
    dup_cluster_id: str | None
    dup_cluster_size: int | None


#: Output columns a decision sets; the rest of a row comes from scoring.
DECISION_COLUMNS = tuple(name for name in Decision.__annotations__ if name not in ("_key", "kept"))


def kept(key: int, cluster_id: str | None = None, cluster_size: int | None = None) -> Decision:
    """Keep the document; ``cluster_id``/``cluster_size`` describe its duplicate cluster."""
    return Decision(
        _key=key,
        kept=True,
        reject_stage=None,
        reject_reason=None,
        reject_detail=None,
        duplicate_of=None,
        dup_cluster_id=cluster_id,
        dup_cluster_size=cluster_size,
    )


def rejected(
    key: int,
    stage: str,
    reason: str,
    detail: str | None,
    duplicate_of: str | None = None,
    cluster_id: str | None = None,
) -> Decision:
    """Reject the document at ``stage`` for ``reason``; duplicates name their keeper."""
    return Decision(
        _key=key,
        kept=False,
        reject_stage=stage,
        reject_reason=reason,
        reject_detail=detail,
        duplicate_of=duplicate_of,
        dup_cluster_id=cluster_id,
        dup_cluster_size=None,
    )
