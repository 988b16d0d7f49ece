"""Rights policy: licences a run may keep (:mod:`.licenses`) and opt-outs (:mod:`.optout`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from curation.decisions import Reason, Stage, Verdict
from curation.rights.licenses import (
    UNKNOWN,
    LicensePolicy,
    NormalisedLicense,
    check_policy_entry,
    normalise_license,
)
from curation.rights.optout import OptOutList, metadata_marker

__all__ = [
    "UNKNOWN",
    "LicensePolicy",
    "NormalisedLicense",
    "OptOutList",
    "Rights",
    "check_policy_entry",
    "normalise_license",
]


@dataclass(frozen=True)
class Rights:
    """The licence policy, the opt-out list (None: none given) and whether metadata
    markers opt documents out."""

    licenses: LicensePolicy = LicensePolicy()
    optout: OptOutList | None = None
    markers: bool = True

    def verdict(self, doc: dict[str, Any]) -> Verdict | None:
        """Why ``doc`` (its ``license``, ``url`` and ``metadata`` columns) may not be kept."""
        if self.licenses.active:
            detail = self.licenses.violation(doc.get("license"))
            if detail is not None:
                return Verdict(Stage.RIGHTS, Reason.LICENSE_NOT_ALLOWED, detail)
        if self.optout is not None:
            entry = self.optout.match(doc.get("url"))
            if entry is not None:
                return Verdict(Stage.RIGHTS, Reason.OPTED_OUT, f"optout.domains: {entry}")
        if self.markers:
            marker = metadata_marker(doc.get("metadata"))
            if marker is not None:
                return Verdict(Stage.RIGHTS, Reason.OPTED_OUT, f"metadata: {marker}")
        return None

    def describe(self) -> dict[str, Any]:
        """For the manifest's ``policy``."""
        listed = self.optout
        return {
            "licenses_allow": None if self.licenses.allow is None else list(self.licenses.allow),
            "licenses_deny": list(self.licenses.deny),
            "optout_entries": None if listed is None else len(listed),
            "optout_sha256": None if listed is None else listed.sha256,
            "optout_markers": self.markers,
        }
