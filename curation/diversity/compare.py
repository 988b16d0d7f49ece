"""Run over run: each diversity figure per source and for the kept corpus, and the changes
that cross a documented threshold (docs/inspect.md, "Diversity early warning").

The newest run is compared with every earlier one, so both a jump between two runs and a
slow drift over several are flagged. Sample figures of a sample below
:data:`MIN_SAMPLE_TOKENS` tokens (in either run) are shown but never flagged: their noise is
larger than the thresholds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

#: Sample figures of smaller samples are not compared.
MIN_SAMPLE_TOKENS = 5_000


@dataclass(frozen=True)
class Rule:
    """When a change of ``figure`` is flagged.

    ``fall``/``rise``: relative change of at least ``threshold`` (0.1 = 10 %) in that
    direction, and an absolute change of at least ``floor``. ``rise_points``: a rise of at
    least ``threshold`` (a share, 0.05 = 5 points). ``rise_interval``: a rise of at least
    ``threshold`` whose 95 % intervals do not overlap (the share estimates of
    ``synthetic_share``).
    """

    figure: str
    label: str
    kind: Literal["fall", "rise", "rise_points", "rise_interval"]
    threshold: float
    floor: float = 0.0
    sampled: bool = True


RULES = (
    Rule("distinct_1", "distinct-1", "fall", 0.10),
    Rule("distinct_2", "distinct-2", "fall", 0.10),
    Rule("mattr", "MATTR", "fall", 0.10),
    Rule("rare_token_mass", "rare-token mass", "fall", 0.25),
    Rule("marker_word_share", "LLM-marker word share", "rise", 0.50, floor=0.0005),
    Rule(
        "duplicate_cluster_mass", "near-duplicate cluster mass", "rise_points", 0.05, sampled=False
    ),
    Rule("synthetic_share", "synthetic share", "rise_interval", 0.03, sampled=False),
)


def _value(figures: Mapping[str, Any] | None, rule: Rule) -> float | None:
    if not figures:
        return None
    value = figures.get(rule.figure)
    if isinstance(value, Mapping):
        value = value.get("share")
    return value


def _comparable(figures: Mapping[str, Any] | None, rule: Rule) -> bool:
    if _value(figures, rule) is None:
        return False
    return not rule.sampled or (figures or {}).get("sample_tokens", 0) >= MIN_SAMPLE_TOKENS


def _change(old: Mapping[str, Any], new: Mapping[str, Any], rule: Rule) -> str | None:
    """How the figure changed from ``old`` to ``new`` when that crosses the rule, else None."""
    before, after = _value(old, rule), _value(new, rule)
    assert before is not None and after is not None
    if rule.kind in ("fall", "rise"):
        delta = after - before if rule.kind == "rise" else before - after
        if before <= 0 or delta < rule.floor or delta / before < rule.threshold:
            return None
        verb = "rose" if rule.kind == "rise" else "fell"
        return f"{rule.label} {verb} {delta / before:.0%} ({before:.4g} -> {after:.4g})"
    if after - before < rule.threshold:
        return None
    if rule.kind == "rise_interval" and new[rule.figure]["low"] <= old[rule.figure]["high"]:
        return None
    return f"{rule.label} rose from {before:.1%} to {after:.1%}"


@dataclass(frozen=True)
class Comparison:
    """``values[scope][figure]``: the figure in each run, oldest first; ``flags``: one line
    per change beyond its rule's threshold."""

    runs: tuple[str, ...]
    values: dict[str, dict[str, list[float | None]]]
    flags: tuple[str, ...]


def _scopes(diversity: Mapping[str, Any] | None) -> dict[str, Mapping[str, Any]]:
    if not diversity:
        return {}
    return {"all kept": diversity.get("corpus") or {}, **(diversity.get("by_source") or {})}


def compare_runs(runs: Sequence[tuple[str, Mapping[str, Any] | None]]) -> Comparison:
    """Compare the ``diversity`` sections of runs ``(label, diversity)``, oldest first."""
    scoped = [_scopes(diversity) for _, diversity in runs]
    names = ["all kept"] + sorted({name for scopes in scoped for name in scopes} - {"all kept"})
    values: dict[str, dict[str, list[float | None]]] = {}
    flags = []
    for name in names:
        values[name] = {
            rule.label: [_value(scopes.get(name), rule) for scopes in scoped] for rule in RULES
        }
        newest = scoped[-1].get(name)
        for (label, _), scopes in zip(runs[:-1], scoped[:-1], strict=True):
            earlier = scopes.get(name)
            for rule in RULES:
                if not (_comparable(earlier, rule) and _comparable(newest, rule)):
                    continue
                change = _change(earlier, newest, rule)
                if change is not None:
                    flags.append(f"{name}: {change} since {label}")
    return Comparison(tuple(label for label, _ in runs), values, tuple(flags))
