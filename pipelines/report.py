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
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from apache_beam.io.filesystems import FileSystems

from curation.config import ConfigError
from curation.decisions import Reason
from curation.diversity.compare import RULES, Comparison, compare_runs
from curation.quality import build_scorers
from curation.synthetic import SyntheticScorer
from curation.synthetic.scorer import SHIPPED_SCORER
from pipelines.inspect import Shards, Summary, locate, summarise
from pipelines.output import REPORT_FILE
from pipelines.plots import LOG_RATIO, Panel, bar_chart, funnel_chart, histograms

#: Histograms are drawn from at most this many documents (a seeded reservoir sample beyond).
HISTOGRAM_ROWS = 200_000
#: The row of the share table that pools every source.
ALL_KEPT = "all kept"
#: Legend of a histogram's red group (quality) and of the grey group (every chart).
RULE_LABEL, SYNTHETIC_LABEL, OTHER_LABEL = (
    "rejected by this rule",
    "rejected as synthetic",
    "rejected elsewhere",
)
#: Languages drawn individually; the rest are summed as "other".
TOP_LANGUAGES = 20
_SCORED_SQL = """
    SELECT {column} AS value, NULL AS reason FROM corpus
    UNION ALL
    SELECT {column}, reject_reason FROM rejects WHERE {column} IS NOT NULL
"""


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _cell(value: Any) -> Any:
    """Integers with thousands separators (``12,345``); other values as they are."""
    return (
        f"{value:,}"
        if isinstance(value, int | np.integer) and not isinstance(value, bool)
        else value
    )


def _table(frame: pd.DataFrame) -> str:
    shown = frame.astype(object).where(frame.notna(), "–").map(_cell)
    return shown.to_html(index=False, escape=True, border=0, classes="data")


def _img(uri: str, alt: str) -> str:
    return f'<img src="{uri}" alt="{_esc(alt)}">'


def scored_values(shards: Shards, column: str) -> tuple[pa.Array, np.ndarray]:
    """``column`` of kept documents and of scored rejects, with each row's reject reason
    (``None`` when kept); a seeded sample of :data:`HISTOGRAM_ROWS` rows when there are more."""
    sql = _SCORED_SQL.format(column=column)
    sample = f" USING SAMPLE reservoir({HISTOGRAM_ROWS} ROWS) REPEATABLE (0)"
    table = shards.connection.sql(f"SELECT * FROM ({sql}){sample}").to_arrow_table()
    return table["value"].combine_chunks(), np.asarray(table["reason"].to_pylist(), dtype=object)


def grouped(
    values: pa.Array, reasons: np.ndarray, own: Collection[str], own_label: str
) -> dict[str, np.ndarray]:
    """``values`` as floats (null -> NaN) in three groups, in drawing order: kept, rejected
    for one of the ``own`` reasons (the chart's own rule; red), rejected for any other reason
    (grey)."""
    floats = values.cast(pa.float64()).to_numpy(zero_copy_only=False)
    kept = np.equal(reasons, None)
    mine = np.isin(reasons, list(own)) & ~kept
    return {"kept": floats[kept], own_label: floats[mine], OTHER_LABEL: floats[~kept & ~mine]}


def quality_reasons(scorer_config: Mapping[str, Any] | None) -> dict[str, set[str]]:
    """``{metric column: reject reasons of the enabled rules on that metric}``."""
    reasons: dict[str, set[str]] = {}
    for scorer in build_scorers(scorer_config):
        for rule in getattr(scorer, "rules", ()):
            column = f"{scorer.name}__{rule.metric}"
            reasons.setdefault(column, set()).add(Reason.quality(scorer.name, rule.name))
    return reasons


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
    reasons = quality_reasons(config["quality"]["scorers"]) if config else {}
    structs, rejected_for = scored_values(shards, "quality")
    by_scorer: dict[str, list[Panel]] = {}
    constant = []
    for name in metrics:
        own = reasons.get(name, set())
        groups = grouped(structs.field(name), rejected_for, own, RULE_LABEL)
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
        "are counted in the edge bins. Red: rejected by the rule on this metric (a document "
        "is rejected for the first rule it fails, in scorer order); grey: rejected by another "
        "rule or at another stage, whatever its value here. Counts are on a log scale where "
        f"the panel says so (its bins differ {LOG_RATIO}-fold or more).</p>"
    ]
    for scorer, panels in by_scorer.items():
        parts.append(f"<h3>{_esc(scorer)}</h3>" + _img(histograms(panels), f"{scorer} metrics"))
    if constant:
        parts.append(
            "<h3>Metrics with one value in every scored document</h3>"
            + _table(pd.DataFrame(constant))
        )
    return "\n".join(parts)


#: Stages whose rules judge one document at a time (rejects per language and rule).
_RULE_STAGES = ("language", "quality", "synthetic", "pii", "decontamination")


def _rejects_by_language(shards: Shards) -> str:
    """Rejects of the per-document rules, one row per rule, one column per language (the
    :data:`TOP_LANGUAGES` with most such rejects, the rest summed as "other")."""
    stages = ", ".join(f"'{stage}'" for stage in _RULE_STAGES)
    rows = shards.rows(
        "SELECT coalesce(lang, 'und') AS lang, reject_reason AS rule, count(*) AS rejects "
        f"FROM rejects WHERE reject_stage IN ({stages}) GROUP BY 1, 2 ORDER BY 1, 2"
    )
    if not rows:
        return (
            "<p>No document was rejected by a language, quality, synthetic, PII or "
            "decontamination rule.</p>"
        )
    frame = pd.DataFrame(rows)
    top = frame.groupby("lang")["rejects"].sum().sort_values(ascending=False, kind="stable")
    keep = set(top.index[:TOP_LANGUAGES])
    frame["lang"] = frame["lang"].where(frame["lang"].isin(keep), "other")
    table = frame.pivot_table(
        index="rule", columns="lang", values="rejects", aggfunc="sum", fill_value=0
    )
    columns = [lang for lang in top.index if lang in keep] + (
        ["other"] if "other" in table.columns else []
    )
    table = table[columns]
    table.insert(0, "all", table.sum(axis=1))
    table = table.sort_values("all", ascending=False, kind="stable").reset_index()
    table.columns.name = None  # no header cell for the pivot's column index
    note = (
        "<p>Rejects per rule (reject reason) and language (<code>und</code>: not identified), "
        f"for the stages {', '.join(_RULE_STAGES)}; thresholds per language are set with "
        "<code>quality.languages</code>.</p>"
    )
    return note + _table(table)


def _abstentions(shards: Shards) -> dict[str, dict[str, int]]:
    """``{source: {abstain reason: kept documents}}`` of the kept documents without a score."""
    rows = shards.rows(
        "SELECT source, synthetic_signals.abstain_reason AS reason, count(*) AS n FROM corpus "
        "WHERE synthetic_score IS NULL GROUP BY ALL ORDER BY ALL"
    )
    found: dict[str, dict[str, int]] = {}
    for row in rows:
        found.setdefault(row["source"], {})[row["reason"] or "none"] = row["n"]
    return found


def _share_coverage(
    summary: Summary, abstained: Mapping[str, Mapping[str, int]], scorer: Mapping[str, Any]
) -> str:
    """What the share estimates cover: scored documents only, and who abstained."""
    reasons: dict[str, int] = {}
    for by_reason in abstained.values():
        for reason, n in by_reason.items():
            reasons[reason] = reasons.get(reason, 0) + n
    total = sum(reasons.values())
    listed = ", ".join(f"{_esc(reason)} {n:,}" for reason, n in sorted(reasons.items()))
    languages = ", ".join(scorer["languages"])
    return (
        "<p>The shares cover <b>scored documents only</b>: kept documents in the scorer's "
        f"languages ({_esc(languages)}) with at least {scorer['min_words']} words, "
        f"{summary.kept_documents - total:,} of {summary.kept_documents:,} kept. The scorer "
        f"abstains on the other {total:,} ({listed or 'none'}): they count neither as human "
        "nor as machine-written, so a share is of the scored text of its rows, not of the whole "
        "corpus. Each row is estimated from its own scored documents, so <i>all kept</i> "
        "pools every scored document: it is weighted by each source's scored documents, not an "
        "average of the source rows.</p>"
    )


def _headline_share(manifest: Mapping[str, Any] | None) -> str:
    """The corpus's estimated machine-written share, saying which documents it covers."""
    estimate = ((manifest or {}).get("synthetic_share") or {}).get("corpus")
    if not estimate:
        return " No machine-written share: no scored kept documents."
    scorer = _scorer(manifest)
    languages = ", ".join(scorer["languages"])
    share = (
        f"<b>{estimate['share']:.1%}</b> (validated interval "
        f"{estimate['low']:.1%} – {estimate['high']:.1%})"
        if estimate.get("reliable", True)
        else _unreliable(estimate)
    )
    return (
        f" Estimated machine-written share {share} of the {estimate['n']:,} scored kept "
        f"documents (in {_esc(languages)}, at least {scorer['min_words']} words; the others are "
        'abstentions, not counted: <a href="#synthetic">details</a>).'
    )


def _scorer(manifest: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """What scored the run (``ScoringScope.describe``); the shipped model's for manifests
    written before the manifest said."""
    described = ((manifest or {}).get("synthetic_share") or {}).get("scorer")
    if described:
        return described
    config = (manifest or {}).get("config", {}).get("synthetic", {})
    return SyntheticScorer(threshold=config.get("threshold")).describe()


def _unreliable(estimate: Mapping[str, Any]) -> str:
    """Why a group of documents has no share: the estimators disagree, or none applies."""
    if estimate.get("agreement") == "disagree":
        return "<b>unreliable</b> (the two estimators disagree)"
    return f"<b>n/a</b> ({_esc(estimate.get('note'))})"


def _synthetic(shards: Shards, summary: Summary, manifest: Mapping[str, Any] | None) -> str:
    config = (manifest or {}).get("config", {}).get("synthetic", {})
    scorer = _scorer(manifest)
    threshold = scorer["threshold"] if manifest else None
    values, reasons = scored_values(shards, "synthetic_score")
    groups = grouped(values, reasons, {Reason.SYNTHETIC, Reason.SYNTHETIC_CAP}, SYNTHETIC_LABEL)
    panel = Panel("synthetic_score (P(machine-written))", groups, None, threshold)
    plugged = scorer["scorer"] != SHIPPED_SCORER
    source = f"scorer plug-in <code>{_esc(scorer['scorer'])}</code>" if plugged else "model"
    text = (
        f"<p>Scores from the {source}. Dashed line: flag threshold {threshold:.3f}; documents at "
        f"or above it are tagged <code>synthetic</code> (policy "
        f"<code>{_esc(config.get('policy'))}</code>). Documents the {source} abstains on "
        "(other languages, short texts) have no score, nor, unless "
        "<code>synthetic.score_rejected</code>, those a licence, language or quality rule "
        "rejected.</p>"
        if threshold is not None
        else "<p>No manifest: threshold not drawn.</p>"
    )
    abstained = _abstentions(shards)
    shares = (manifest or {}).get("synthetic_share") or {}
    kept = {name: entry["kept"] for name, entry in summary.by_source.items()}
    rows = (
        [(ALL_KEPT, shares.get("corpus"), summary.kept_documents, list(abstained.values()))]
        + [
            (name, estimate, kept.get(name, 0), [abstained.get(name, {})])
            for name, estimate in sorted((shares.get("by_source") or {}).items())
        ]
        + [
            (f"language {lang}", estimate, None, None)
            for lang, estimate in sorted((shares.get("by_language") or {}).items())
        ]
    )
    frame = pd.DataFrame([_share_row(*row) for row in rows])
    validation = shares.get("validation") or {}
    about = (
        "<p>Intervals are 95 % statistical intervals widened by the error seen on mixtures of "
        f"held-apart domains ({_esc(validation.get('validation'))}). Where the two estimators' "
        "intervals do not overlap, the share is <b>unreliable</b> and none is given.</p>"
        if validation
        else ""
    )
    return (
        text
        + _img(histograms([panel], columns=1, bins=20), "synthetic scores")
        + "<h3>Estimated machine-written share of the scored kept documents</h3>"
        + _share_coverage(summary, abstained, scorer)
        + about
        + _table(frame)
    )


def _interval(e: Mapping[str, Any]) -> str:
    return f"{e['share']:.1%} ({e['low']:.1%} – {e['high']:.1%})"


def _share_row(
    name: str,
    e: Mapping[str, Any] | None,
    kept: int | None,
    abstained: list[Mapping[str, int]] | None,
) -> dict[str, Any]:
    """One row of the share table; ``kept`` and ``abstained`` (by reason) are ``None`` for
    the per-language rows (manifests before the word estimator lack ``estimates``)."""
    row: dict[str, Any] = {
        "documents": name,
        "kept documents": "–" if kept is None else kept,
        "abstained": "–" if abstained is None else sum(sum(a.values()) for a in abstained),
        "scored documents": e["n"] if e else 0,
    }
    if not e:
        return row | {"estimated share": "n/a (no scored documents)"}
    estimates = e.get("estimates", {})
    return row | {
        "estimated share": _interval(e)
        if e.get("reliable", True)
        else ("unreliable" if e.get("agreement") == "disagree" else "n/a"),
        "estimators": e.get("agreement", "–"),
        **{method: _interval(estimate) for method, estimate in estimates.items()},
        "reported method": e["method"] or "–",
    }


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
        ("rules", "Rejects per language and rule", _rejects_by_language(shards)),
        ("synthetic", "Synthetic (machine-written) text", _synthetic(shards, summary, manifest)),
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
        f"({summary.kept_text_bytes:,} bytes of text), <b>{summary.rejected:,}</b> rejected."
        f"{_headline_share(manifest)}</p>"
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
