"""The short human-readable summary printed at the end of ``curate run``."""

from __future__ import annotations

import textwrap
from typing import Any

from curation.decisions import STAGE_ORDER
from pipelines.progress import describe_runner_line
from pipelines.terminal import printable

#: Skipped input files listed in the summary (all of them are in the manifest).
SKIPPED_SHOWN = 10
#: Licences of kept documents listed in the summary, most documents first.
LICENSES_SHOWN = 10


def _share_line(share: dict[str, Any] | None) -> str:
    if not share:
        return "n/a (no scored documents)"
    if not share["reliable"]:
        return f"{share['note']} (n={share['n']})"
    check = {"agree": "both estimators agree"}.get(share["agreement"], "not cross-checked")
    return (
        f"{share['share']:.1%} (validated interval {share['low']:.1%}-{share['high']:.1%}, "
        f"{share['method']}; {check}) of the {share['n']} scored kept documents "
        "(abstentions: not counted)"
    )


def _license_line(licenses: dict[str, Any]) -> str:
    shown = [
        f"{printable(name)}{'' if entry['spdx'] else ' (not SPDX)'}={entry['documents']} "
        f"({entry['text_bytes']:,} B)"
        for name, entry in sorted(licenses.items(), key=lambda item: -item[1]["documents"])[
            :LICENSES_SHOWN
        ]
    ]
    if len(licenses) > LICENSES_SHOWN:
        shown.append(f"... {len(licenses) - LICENSES_SHOWN} more (manifest.json)")
    return ", ".join(shown) or "none"


_STAGE_WIDTH = max(map(len, STAGE_ORDER))


def format_summary(manifest: dict[str, Any], output: str) -> str:
    counts = manifest["counts"]
    lines = [
        f"curate run {manifest['run_id']} -> {printable(output)}",
        f"  documents in: {counts['input_records']}   kept: {counts['kept']}   "
        f"rejected: {counts['rejected']}   time: {manifest['timing']['seconds']:.1f} s   "
        f"on {describe_runner_line(manifest['runner'])}",
        f"  {'stage':<{_STAGE_WIDTH}} {'in':>8} {'rejected':>10}  reasons",
    ]
    for row in counts["funnel"]:
        ranked = sorted(row["reasons"].items(), key=lambda item: (-item[1], item[0]))
        reasons = textwrap.wrap(", ".join(f"{reason}={n}" for reason, n in ranked), width=72)
        first = reasons[0] if reasons else ""
        stage = f"{row['stage']:<{_STAGE_WIDTH}}"
        lines.append(f"  {stage} {row['in']:>8} {row['rejected']:>10}  {first}".rstrip())
        lines.extend(" " * (_STAGE_WIDTH + 24) + more for more in reasons[1:])
    for item in manifest["inputs"]:
        if item.get("error"):
            lines.append(printable(f"  unreadable: {item['uri']}: {item['error']}"))
    skipped = manifest.get("skipped_inputs", [])
    for item in skipped[:SKIPPED_SHOWN]:
        lines.append(printable(f"  skipped (not read): {item['uri']}: {item['reason']}"))
    if len(skipped) > SKIPPED_SHOWN:
        lines.append(f"  ... and {len(skipped) - SKIPPED_SHOWN} more skipped (manifest.json)")
    languages = sorted(counts["kept_languages"].items(), key=lambda item: (-item[1], item[0]))
    shown = ", ".join(f"{k}={v}" for k, v in languages[:12])
    lines.append("  kept languages: " + (shown or "none"))
    lines.append("  kept by licence: " + _license_line(counts.get("kept_by_license", {})))
    shares = manifest["synthetic_share"]
    lines.append("  synthetic share: " + _share_line(shares["corpus"]))
    unreliable = [
        name for name, e in shares["by_source"].items() if e and e["agreement"] == "disagree"
    ]
    if unreliable:
        lines.append(
            printable(
                "  synthetic share unreliable (estimators disagree) for sources: "
                + ", ".join(unreliable)
            )
        )
    return "\n".join(lines)
