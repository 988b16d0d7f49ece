"""Licence strings as SPDX identifiers or expressions, and the run's licence policy.

Normalisation uses ``license-expression`` (nexB/aboutcode) with its bundled SPDX licence list:
case and deprecated ids are fixed (``mit`` -> ``MIT``, ``GPL-3.0+`` -> ``GPL-3.0-or-later``),
operators canonicalised (``mit or apache-2.0`` -> ``MIT OR Apache-2.0``). A string with any
symbol that is not an SPDX licence or exception (``Apache 2.0``, ``public domain``,
``unknown``), an empty one or one that does not parse is *unknown*: it is kept verbatim and
flagged, and ``unknown`` in ``licenses.allow``/``licenses.deny`` stands for all of them.

Policy (:class:`LicensePolicy`): a licence symbol (an id, or ``id WITH exception``) passes
when it is not denied and, with an allow list, allowed. ``A OR B`` passes when either side
passes (the user may pick), ``A AND B`` when both do. An allow or deny entry that is itself a
compound expression matches a document licence equal to it after normalisation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from license_expression import (
    AND,
    OR,
    BaseSymbol,
    ExpressionError,
    Licensing,
    get_spdx_licensing,
)

#: The policy value standing for every licence string that is not SPDX.
UNKNOWN = "unknown"


class NormalisedLicense(NamedTuple):
    """``name``: the SPDX expression, or the string as given when ``known`` is false."""

    name: str
    known: bool


@cache
def _licensing() -> Licensing:
    return get_spdx_licensing()


def _parse(text: str):  # noqa: ANN202 (a license_expression LicenseExpression, or None)
    licensing = _licensing()
    try:
        parsed = licensing.parse(text, validate=False)
    except (ExpressionError, TypeError, ValueError):
        return None
    if parsed is None or licensing.unknown_license_keys(parsed):
        return None
    return parsed


@cache
def normalise_license(text: str | None) -> NormalisedLicense:
    """``text`` as an SPDX expression, or verbatim and flagged unknown (cached per string)."""
    stripped = (text or "").strip()
    parsed = _parse(stripped) if stripped else None
    if parsed is None:
        return NormalisedLicense(text or UNKNOWN, False)
    return NormalisedLicense(parsed.render(), True)


def check_policy_entry(entry: str) -> str | None:
    """Why ``entry`` cannot be a ``licenses.allow``/``deny`` value, or None when it can."""
    if entry.strip().lower() == UNKNOWN or normalise_license(entry).known:
        return None
    return f"{entry!r} is not an SPDX licence id or expression (or 'unknown')"


@dataclass(frozen=True)
class LicensePolicy:
    """``allow``: None (every licence) or the allowed entries; ``deny``: the denied ones."""

    allow: tuple[str, ...] | None = None
    deny: tuple[str, ...] = ()
    _verdicts: dict[str, str | None] = field(default_factory=dict, compare=False, repr=False)

    @property
    def active(self) -> bool:
        return self.allow is not None or bool(self.deny)

    def violation(self, license_: str | None) -> str | None:
        """The ``reject_detail`` for a document with this licence, or None when it passes
        (decided once per distinct licence string)."""
        if license_ not in self._verdicts:
            self._verdicts[license_] = self._decide(license_)
        return self._verdicts[license_]

    def _decide(self, license_: str | None) -> str | None:
        allow, deny = _entries(self.allow or ()), _entries(self.deny)
        name, known = normalise_license(license_)
        if not known:
            if UNKNOWN in deny:
                return f"license={name} (unknown) is denied by licenses.deny"
            if self.allow is not None and UNKNOWN not in allow:
                return f"license={name} (unknown) is not in licenses.allow"
            return None
        if name in deny:
            return f"license={name} is denied by licenses.deny"
        if self.allow is not None and name in allow:
            return None
        parsed = _parse(name)
        if not _passes(parsed, allow if self.allow is not None else None, deny):
            if self.allow is not None:
                return f"license={name} is not in licenses.allow"
            return f"license={name} needs a licence in licenses.deny"
        return None


def _entries(values: Iterable[str]) -> frozenset[str]:
    """Policy entries normalised: SPDX expressions, and ``unknown``."""
    return frozenset(
        UNKNOWN if value.strip().lower() == UNKNOWN else normalise_license(value).name
        for value in values
    )


def _passes(expression, allow: frozenset[str] | None, deny: frozenset[str]) -> bool:  # noqa: ANN001
    if isinstance(expression, BaseSymbol):
        name = expression.render()
        return name not in deny and (allow is None or name in allow)
    if isinstance(expression, OR):
        return any(_passes(arg, allow, deny) for arg in expression.args)
    if isinstance(expression, AND):
        return all(_passes(arg, allow, deny) for arg in expression.args)
    return False
