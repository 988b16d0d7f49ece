"""``curate report``: one self-contained HTML file describing a run.

Charts are PNGs inlined as base64 ``data:`` URIs, styles are inline, and a Content-Security-
Policy forbids every network load, so the file opens anywhere offline. Tables are
``pandas.DataFrame.to_html`` (which HTML-escapes cell text); every other data-derived string
goes through :func:`html.escape`. A tiny inline script records in ``<body data-images-ok>``
how many charts decoded, for automated checks in a headless browser.

Counts come from the shards (as in ``curate inspect``) and are checked against the manifest;
quality thresholds come from the scorers built from the run's config, the synthetic threshold
from the synthetic scorer.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from apache_beam.io.filesystems import FileSystems

from curation.config import ConfigError
from curation.diversity.compare import RULES, Comparison, compare_runs
from curation.quality import build_scorers
from curation.synthetic import SyntheticScorer
from pipelines.inspect import Shards, Summary, locate, summarise
from pipelines.output import REPORT_FILE
from pipelines.plots import Panel, bar_chart, funnel_chart, histograms

#: Histograms are drawn from at most this many documents (a seeded reservoir sample beyond).
HISTOGRAM_ROWS = 200_000
#: Languages drawn individually; the rest are summed as "other".
TOP_LANGUAGES = 20
_STATUS_SQL = """
    SELECT {column} AS value, 'kept' AS status FROM corpus
    UNION ALL
    SELECT {column}, CASE WHEN reject_stage = '{stage}' THEN 'rejected by this stage'
                          ELSE 'rejected at another stage' END
    FROM rejects WHERE {column} IS NOT NULL
"""
_GROUPS = ("kept", "rejected by this stage", "rejected at another stage")


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _table(frame: pd.DataFrame) -> str:
    shown = frame.astype(object).where(frame.notna(), "–")
    return shown.to_html(index=False, escape=True, border=0, classes="data")


def _img(uri: str, alt: str) -> str:
    return f'<img src="{uri}" alt="{_esc(alt)}">'


def _scored(shards: Shards, column: str, stage: str) -> tuple[pa.Array, np.ndarray]:
    """``column`` of kept documents and of scored rejects, with each row's group (see
    :data:`_GROUPS`); a seeded sample of :data:`HISTOGRAM_ROWS` rows when there are more."""
    sql = _STATUS_SQL.format(column=column, stage=stage)
    sample = f" USING SAMPLE reservoir({HISTOGRAM_ROWS} ROWS) REPEATABLE (0)"
    table = shards.connection.sql(f"SELECT * FROM ({sql}){sample}").to_arrow_table()
    return table["value"].combine_chunks(), np.asarray(table["status"].to_pylist(), dtype=object)


def _grouped(values: pa.Array, status: np.ndarray) -> dict[str, np.ndarray]:
    floats = values.cast(pa.float64()).to_numpy(zero_copy_only=False)  # null -> NaN
    return {group: floats[status == group] for group in _GROUPS}


def quality_thresholds(scorer_config: Mapping[str, Any] | None) -> dict[str, tuple] | None:
    """``{column: (low, high)}`` of every enabled rule, from the configured scorers; ``None``
    when a scorer does not expose its rules (then no threshold is drawn)."""
    bounds: dict[str, tuple] = {}
    for scorer in build_scorers(scorer_config):
        rules = getattr(scorer, "rules", None)
        if rules is None:
            return None
        for rule in rules:
            low = getattr(scorer, rule.min_arg) if rule.min_arg else None
            high = getattr(scorer, rule.max_arg) if rule.max_arg else None
            column = f"{scorer.name}__{rule.metric}"
            old_low, old_high = bounds.get(column, (None, None))
            lows = [v for v in (low, old_low) if v is not None]
            highs = [v for v in (high, old_high) if v is not None]
            bounds[column] = (max(lows) if lows else None, min(highs) if highs else None)
    return bounds


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{_esc(title)}</h2>\n{body}\n</section>'


def _funnel(summary: Summary) -> str:
    funnel = summary.counts.funnel(summary.kept_documents + summary.rejected)
    chart = funnel_chart(
        [row["stage"] for row in funnel],
        [row["in"] for row in funnel],
        [row["rejected"] for row in funnel],
    )
    frame = pd.DataFrame(
        [
            {
                "stage": row["stage"],
                "in": row["in"],
                "rejected": row["rejected"],
                "out": row["out"],
                "reasons": ", ".join(f"{k} {v:,}" for k, v in row["reasons"].items()),
            }
            for row in funnel
        ]
    )
    return _img(chart, "documents through the stages") + _table(frame)


def _languages(summary: Summary) -> str:
    if not summary.by_language:
        return "<p>No kept documents.</p>"
    items = list(summary.by_language.items())
    top, rest = items[:TOP_LANGUAGES], items[TOP_LANGUAGES:]
    labels = [lang for lang, _ in top] + (["other"] if rest else [])
    values = [v["documents"] for _, v in top] + (
        [sum(v["documents"] for _, v in rest)] if rest else []
    )
    total = summary.kept_documents
    frame = pd.DataFrame(
        [
            {
                "language": lang,
                "documents": v["documents"],
                "share": f"{v['documents'] / total:.1%}",
                "text bytes": v["text_bytes"],
            }
            for lang, v in items
        ]
    )
    return _img(bar_chart(labels, values, "language", "kept documents"), "languages") + _table(
        frame
    )


def _threshold_note(config: Mapping[str, Any] | None, drawn: bool) -> str:
    if not config:
        return "<strong>No thresholds drawn</strong>: there is no manifest with the run's config."
    if not drawn:
        return "<strong>No thresholds drawn</strong>: the scorers do not expose their rules."
    note = (
        "Dashed lines are the thresholds of the enabled rules (from the run's config); a "
        "document outside them fails the rule."
    )
    if not config.get("quality", {}).get("reject", True):
        note += " The rules were recorded but did not reject (<code>quality.reject</code> is off)."
    return note


def _quality(shards: Shards, config: Mapping[str, Any] | None) -> str:
    metrics = [field.name for field in shards.schemas["corpus"].field("quality").type]
    if not metrics:
        return "<p>No quality metrics were recorded.</p>"
    thresholds = quality_thresholds(config["quality"]["scorers"]) if config else None
    structs, status = _scored(shards, "quality", "quality")
    by_scorer: dict[str, list[Panel]] = {}
    constant = []
    for name in metrics:
        groups = _grouped(structs.field(name), status)
        low, high = (thresholds or {}).get(name, (None, None))
        scorer, _, metric = name.partition("__")
        finite = np.concatenate(list(groups.values()))
        finite = finite[np.isfinite(finite)]
        if finite.size and finite.min() == finite.max():
            constant.append({"metric": name, "value": finite[0], "min": low, "max": high})
        else:
            by_scorer.setdefault(scorer, []).append(Panel(metric, groups, low, high))
    parts = [
        f"<p>{_threshold_note(config, thresholds is not None)} Histograms show up to "
        f"{HISTOGRAM_ROWS:,} documents that were scored; values beyond the 0.5–99.5 % quantiles "
        "are counted in the edge bins.</p>"
    ]
    for scorer, panels in by_scorer.items():
        parts.append(f"<h3>{_esc(scorer)}</h3>" + _img(histograms(panels), f"{scorer} metrics"))
    if constant:
        parts.append(
            "<h3>Metrics with one value in every scored document</h3>"
            + _table(pd.DataFrame(constant))
        )
    return "\n".join(parts)


def _synthetic(shards: Shards, manifest: Mapping[str, Any] | None) -> str:
    config = (manifest or {}).get("config", {}).get("synthetic", {})
    threshold = SyntheticScorer(threshold=config.get("threshold")).threshold if manifest else None
    groups = _grouped(*_scored(shards, "synthetic_score", "synthetic"))
    panel = Panel("synthetic_score (P(machine-written))", groups, None, threshold)
    text = (
        f"<p>Dashed line: flag threshold {threshold:.3f}; documents at or above it are tagged "
        f"<code>synthetic</code> (policy <code>{_esc(config.get('policy'))}</code>). Documents "
        "the model abstains on (other languages, short texts) have no score.</p>"
        if threshold is not None
        else "<p>No manifest: threshold not drawn.</p>"
    )
    shares = (manifest or {}).get("synthetic_share") or {}
    rows = [("all kept", shares.get("corpus"))] + sorted((shares.get("by_source") or {}).items())
    frame = pd.DataFrame(
        [
            {
                "source": name,
                "estimated share": f"{e['share']:.1%}",
                "95 % interval": f"{e['low']:.1%} – {e['high']:.1%}",
                "scored documents": e["n"],
                "method": e["method"],
            }
            if e
            else {"source": name, "estimated share": "n/a (no scored documents)"}
            for name, e in rows
        ]
    )
    return (
        text
        + _img(histograms([panel], columns=1, bins=20), "synthetic scores")
        + ("<h3>Estimated machine-written share of the kept text</h3>" + _table(frame))
    )


def _duplicates(shards: Shards, summary: Summary) -> str:
    clusters = shards.rows(
        "SELECT dup_cluster_size AS size, count(*) AS clusters FROM corpus "
        "WHERE dup_cluster_id IS NOT NULL GROUP BY 1 ORDER BY 1"
    )
    removed = {
        r["reason"]: r["records"]
        for r in summary.rejects
        if r["stage"] in ("exact_dedup", "near_dedup", "ids")
    }
    text = (
        "<p>Duplicates removed: "
        + (", ".join(f"{_esc(k)} {v:,}" for k, v in removed.items()) or "none")
        + ".</p>"
    )
    if not clusters:
        return text + "<p>No duplicate clusters among the kept documents.</p>"
    chart = bar_chart(
        [str(r["size"]) for r in clusters],
        [r["clusters"] for r in clusters],
        "cluster size (documents, kept copy included)",
        "clusters",
    )
    return text + _img(chart, "duplicate cluster sizes") + _table(pd.DataFrame(clusters))


def _sources(summary: Summary, manifest: Mapping[str, Any] | None) -> str:
    listed = (manifest or {}).get("counts", {}).get("by_source", {})
    frame = pd.DataFrame(
        [
            {
                "source": name,
                "licence": listed.get(name, {}).get("license", entry["license"]),
                "in": entry["input_records"],
                "kept": entry["kept"],
                "rejected": entry["rejected"],
                "kept text bytes": entry["kept_text_bytes"],
            }
            for name, entry in summary.by_source.items()
        ]
    )
    return _table(frame) if len(frame) else "<p>No records.</p>"


def _licenses(summary: Summary) -> str:
    table = summary.counts.kept_by_license()
    if not table:
        return "<p>No kept documents.</p>"
    frame = pd.DataFrame(
        [
            {
                "licence": name,
                "SPDX": "yes" if entry["spdx"] else "no (kept as given)",
                "kept documents": entry["documents"],
                "kept text bytes": entry["text_bytes"],
            }
            for name, entry in table.items()
        ]
    )
    return (
        "<p>Licences normalised to SPDX expressions; a licence that is not SPDX is shown as "
        "given and counts as <code>unknown</code> for <code>licenses.allow</code>/"
        "<code>deny</code>.</p>" + _table(frame)
    )


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"


def _diversity(manifest: Mapping[str, Any] | None) -> str:
    diversity = (manifest or {}).get("diversity")
    if not diversity:
        return "<p>No diversity figures in the manifest.</p>"
    comparison = compare_runs([("this run", diversity)])
    rows = [
        {"scope": scope, **{label: _figure(v[0]) for label, v in figures.items()}}
        for scope, figures in comparison.values.items()
    ]
    sampled = {"all kept": diversity["corpus"], **diversity["by_source"]}
    for row in rows:
        row["sample tokens"] = sampled.get(row["scope"], {}).get("sample_tokens", 0)
    return (
        "<p>Figures of a deterministic sample of the kept text (docs/inspect.md, "
        "“Diversity early warning”); compare runs with "
        "<code>curate report OUT --compare EARLIER_OUT</code>.</p>" + _table(pd.DataFrame(rows))
    )


def _run_over_run(comparison: Comparison) -> str:
    flags = "".join(f"<li>{_esc(flag)}</li>" for flag in comparison.flags)
    parts = [
        f'<div class="problem">Changes beyond the thresholds:<ul>{flags}</ul></div>'
        if flags
        else '<p class="ok">No figure changed beyond its threshold.</p>'
    ]
    rules = ", ".join(f"{rule.label} ({rule.kind} {rule.threshold:g})" for rule in RULES)
    parts.append(f"<p>Runs oldest first; thresholds: {_esc(rules)}.</p>")
    for scope, figures in comparison.values.items():
        frame = pd.DataFrame(
            [
                {"figure": label, **dict(zip(comparison.runs, map(_figure, values), strict=True))}
                for label, values in figures.items()
            ]
        )
        parts.append(f"<h3>{_esc(scope)}</h3>" + _table(frame))
    return "\n".join(parts)


def _metadata(manifest: Mapping[str, Any] | None) -> str:
    if manifest is None:
        return "<p>No manifest.json next to these shards.</p>"
    facts = {
        "run id": manifest.get("run_id"),
        "config sha256": manifest.get("config_sha256"),
        "started": manifest.get("timing", {}).get("started"),
        "seconds": manifest.get("timing", {}).get("seconds"),
        "runner": manifest.get("runner", {}).get("runner"),
        **{f"{k} version": v for k, v in manifest.get("versions", {}).items()},
        **{f"dedup {k}": v for k, v in manifest.get("dedup_parameters", {}).items()},
        "shards": ", ".join(f"{k} {len(v)}" for k, v in manifest.get("outputs", {}).items()),
    }
    frame = pd.DataFrame({"": list(facts), "value": [str(v) for v in facts.values()]})
    inputs = pd.DataFrame(manifest.get("inputs", []))
    config = json.dumps(manifest.get("config"), indent=2, sort_keys=True)
    options = json.dumps(manifest.get("runner", {}).get("options"), indent=2, sort_keys=True)
    return (
        _table(frame)
        + "<h3>Inputs</h3>"
        + (_table(inputs) if len(inputs) else "<p>none</p>")
        + f"<details><summary>Resolved config</summary><pre>{_esc(config)}</pre></details>"
        + f"<details><summary>Pipeline options</summary><pre>{_esc(options)}</pre></details>"
    )


_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1180px;padding:0 16px;color:#222}
h1{margin-top:24px} h2{border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:36px}
nav a{margin-right:12px} img{max-width:100%;display:block;margin:8px 0}
table.data{border-collapse:collapse;margin:8px 0;font-size:13px}
table.data th,table.data td{border:1px solid #ddd;padding:3px 8px;text-align:left}
table.data td{font-variant-numeric:tabular-nums} pre{background:#f6f6f6;padding:8px;overflow:auto}
.problem{background:#fdd;border:1px solid #c66;padding:8px} .ok{color:#275}
"""
#: Counts the charts that decoded, for headless-browser checks (see the module docstring).
_SCRIPT = """
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  document.body.dataset.imagesTotal = images.length;
  document.body.dataset.imagesOk = images.filter(function (i) {
    return i.complete && i.naturalWidth > 0;
  }).length;
});
"""
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'"


def _check(summary: Summary) -> str:
    if summary.manifest is None:
        return '<p class="problem">No manifest: counts are not checked.</p>'
    if summary.mismatches:
        items = "".join(f"<li>{_esc(m)}</li>" for m in summary.mismatches)
        return f'<div class="problem">Shards and manifest disagree:<ul>{items}</ul></div>'
    return '<p class="ok">Counts read from the shards match the manifest.</p>'


def compare_with(path: str, earlier: Sequence[str]) -> Comparison:
    """The diversity figures of the runs at ``earlier`` (oldest first) and at ``path``."""
    runs = [*earlier, path]
    manifests = [locate(run).manifest for run in runs]
    for run, manifest in zip(runs, manifests, strict=True):
        if manifest is None:
            raise ConfigError(f"{run}: no manifest.json to compare")
    return compare_runs(
        [(run, manifest.get("diversity")) for run, manifest in zip(runs, manifests, strict=True)]
    )


def build_report(path: str, comparison: Comparison | None = None) -> str:
    """The report of the run (or shards) at ``path`` as one HTML document, with the run over
    run section of ``comparison`` (:func:`compare_with`) when given."""
    shards = Shards(locate(path))
    summary = summarise(shards)
    manifest = shards.selection.manifest
    config = manifest.get("config") if manifest else None
    sections = [
        ("funnel", "Documents through the stages", _funnel(summary)),
        ("sources", "Sources", _sources(summary, manifest)),
        ("licences", "Licences of the kept documents", _licenses(summary)),
        ("languages", "Languages of the kept documents", _languages(summary)),
        ("quality", "Quality metrics", _quality(shards, config)),
        ("synthetic", "Synthetic (machine-written) text", _synthetic(shards, manifest)),
        ("duplicates", "Duplicates", _duplicates(shards, summary)),
        ("diversity", "Diversity early warning", _diversity(manifest)),
        ("run", "Run", _metadata(manifest)),
    ]
    if comparison is not None:
        sections.insert(-1, ("compare", "Run over run", _run_over_run(comparison)))
    title = f"curate report {summary.run_id or summary.path}"
    nav = "".join(f'<a href="#{anchor}">{_esc(name)}</a>' for anchor, name, _ in sections)
    headline = (
        f"<p>{_esc(summary.path)}: <b>{summary.kept_documents:,}</b> documents kept "
        f"({summary.kept_text_bytes:,} bytes of text), <b>{summary.rejected:,}</b> rejected.</p>"
    )
    body = "\n".join(_section(anchor, name, content) for anchor, name, content in sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        f"<title>{_esc(title)}</title><style>{_STYLE}</style></head>\n<body>"
        f"<h1>{_esc(title)}</h1>{headline}{_check(summary)}<nav>{nav}</nav>\n{body}\n"
        f"<script>{_SCRIPT}</script></body></html>\n"
    )


def write_report(
    path: str, html_file: str | None = None, comparison: Comparison | None = None
) -> str:
    """Write the report of the run (or shards) at ``path`` (with ``comparison``'s run over
    run section) to ``html_file`` and return where it went. Without ``html_file`` it goes to
    ``PATH/report.html``, which is allowed only for a run directory (a report among the
    shards would break readers of the shard directory): otherwise :class:`ConfigError`."""
    selection = locate(path)
    if html_file is None:
        if not selection.whole_run:
            raise ConfigError(f"{path} is not a run directory: give --html FILE for its report")
        html_file = FileSystems.join(selection.path, REPORT_FILE)
    document = build_report(path, comparison)
    with FileSystems.create(html_file) as handle:
        handle.write(document.encode("utf-8"))
    return html_file
