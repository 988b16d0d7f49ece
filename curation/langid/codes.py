"""Map backend-specific language labels onto one code space.

Both backends report ISO 639-1 codes where the language has one. langdetect 1.0.9 splits Chinese
into ``zh-cn``/``zh-tw`` (script variants, not languages), which map to ``zh``. fastText lid.176
labels are ``__label__xx``; they already use ISO 639-1 where it exists and ISO 639-3 or Wikipedia
codes otherwise (e.g. ``ceb``, ``arz``), which are kept. The one collision is ``als``: fastText
means Alemannic (Wikipedia's code), while ISO 639-3 ``als`` is Tosk Albanian, so it is mapped to
Alemannic's ISO 639-3 code ``gsw``.
"""

from __future__ import annotations

FASTTEXT_PREFIX = "__label__"

_RENAMES: dict[str, str] = {
    "zh-cn": "zh",
    "zh-tw": "zh",
    "als": "gsw",
}


def normalize_code(label: str) -> str:
    """Return the project-wide code for a raw backend label (``__label__`` prefix stripped)."""
    code = label.removeprefix(FASTTEXT_PREFIX).lower()
    return _RENAMES.get(code, code)


def merge_ranked(pairs: list[tuple[str, float]], k: int) -> tuple[tuple[str, float], ...]:
    """Normalise codes, sum probabilities of labels that map to the same code, keep the top ``k``.

    Ties are broken by code so that the order is deterministic.
    """
    merged: dict[str, float] = {}
    for label, prob in pairs:
        code = normalize_code(label)
        merged[code] = merged.get(code, 0.0) + prob
    ranked = sorted(merged.items(), key=lambda item: (-item[1], item[0]))
    return tuple((code, min(1.0, max(0.0, prob))) for code, prob in ranked[:k])
