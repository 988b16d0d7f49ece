"""``OUT/README.md``: the run's output as a Hugging Face dataset repository.

The YAML header declares two configs, ``corpus`` (the default) and ``rejects``, each one
split of its own shards, so ``datasets.load_dataset(OUT)`` gives the corpus and
``load_dataset(OUT, "rejects")`` the rejects (the two have different columns and cannot be
one dataset). Features are not declared in the header: ``datasets`` reads them from the
Parquet schema; the card lists them for people. The body gives the run id, counts, the
licences per source and the estimated machine-written share.

The Hub accepts only its own licence identifiers in ``license`` (and refuses a card with any
other value), so the header names a licence only when every source has the same one and it is
among :data:`HUB_LICENSES`; otherwise it says ``other`` and the body lists them.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import yaml

from curation.io.schema import OutputSchemas
from curation.synthetic.scorer import SHIPPED_SCORER
from pipelines.output import CORPUS_DIR, REJECTS_DIR

#: Hub licence identifiers that are also SPDX identifiers (lower-cased), from
#: https://huggingface.co/docs/hub/repositories-licenses; ``unknown`` is ``--input``'s default.
HUB_LICENSES = frozenset(
    {
        "agpl-3.0",
        "apache-2.0",
        "bsd-2-clause",
        "bsd-3-clause",
        "cc-by-3.0",
        "cc-by-4.0",
        "cc-by-nc-4.0",
        "cc-by-nc-nd-4.0",
        "cc-by-nc-sa-4.0",
        "cc-by-nd-4.0",
        "cc-by-sa-3.0",
        "cc-by-sa-4.0",
        "cc0-1.0",
        "gpl-2.0",
        "gpl-3.0",
        "lgpl-2.1",
        "lgpl-3.0",
        "mit",
        "mpl-2.0",
        "odbl",
        "odc-by",
        "pddl",
        "unknown",
        "unlicense",
    }
)


def _header(licenses: set[str]) -> str:
    configs = [
        {
            "config_name": CORPUS_DIR,
            "default": True,
            "data_files": [{"split": "train", "path": f"{CORPUS_DIR}/**/*.parquet"}],
        },
        {
            "config_name": REJECTS_DIR,
            "data_files": [{"split": "train", "path": f"{REJECTS_DIR}/**/*.parquet"}],
        },
    ]
    header: dict[str, Any] = {"configs": configs}
    names = sorted({license_.lower() for license_ in licenses})
    header["license"] = names[0] if len(names) == 1 and names[0] in HUB_LICENSES else "other"
    header["tags"] = ["curate"]
    return "---\n" + yaml.safe_dump(header, sort_keys=False) + "---\n"


def _cell(text: str) -> str:
    """``text`` as literal Markdown table cell content (no markup, no column break)."""
    return html.escape(text).replace("|", "\\|")


def _features(schema: pa.Schema) -> list[str]:
    return [f"| `{field.name}` | `{field.type}` |" for field in schema]


def _share(estimate: Mapping[str, Any] | None) -> str:
    """One estimate as a table cell: the share and validated interval, or why there is none."""
    if not estimate:
        return "no scored documents"
    if not estimate["reliable"]:
        return _cell(estimate["note"])
    return (
        f"{estimate['share']:.1%} ({estimate['low']:.1%}-{estimate['high']:.1%}, "
        f"{estimate['method']})"
    )


def _machine_written(shares: Mapping[str, Any]) -> list[str]:
    """The estimated machine-written share of the kept documents, as the manifest gives it."""
    scorer = shares["scorer"]
    plugged = scorer["scorer"] != SHIPPED_SCORER
    by = (
        f"the scorer plug-in `{_cell(scorer['scorer'])}`"
        if plugged
        else "curate's shipped model, which detects chat and instruction-tuned models, not "
        "2019-2022 base models"
    )
    languages = ", ".join(scorer["languages"])
    corpus = shares.get("corpus")
    lines = [
        "",
        "## Machine-written text",
        "",
        f"Estimated share of machine-written documents among the "
        f"{corpus['n'] if corpus else 0:,} kept documents that have a `synthetic_score`: "
        f"**{_share(corpus)}**. Scored by {by}; only documents in {_cell(languages)} of at "
        f"least {scorer['min_words']} words are scored, the other kept documents are "
        "not counted. The interval is a 95 % interval widened by the error seen on held-apart "
        "domains. Per document: the `synthetic_score` and `synthetic` columns.",
        "",
        "| source | scored kept documents | estimated share (validated interval, method) |",
        "|---|---|---|",
    ]
    lines += [
        f"| {name} | {estimate['n'] if estimate else 0:,} | {_share(estimate)} |"
        for name, estimate in sorted((shares.get("by_source") or {}).items())
    ]
    return lines


def dataset_card(manifest: Mapping[str, Any], schemas: OutputSchemas) -> str:
    """The card's Markdown text for a finished run's manifest."""
    counts = manifest["counts"]
    sources = counts["by_source"]
    licenses = {entry["license"] or "unknown" for entry in sources.values()}
    lines = [
        _header(licenses),
        f"# Curated corpus `{manifest['run_id']}`",
        "",
        "Written by `curate run` (training-data curation on Apache Beam). Every kept document "
        "carries its provenance (`source`, `source_uri`, `source_record`, `license`) and its "
        "scores; every dropped record is in `rejects` with `reject_reason`.",
        "",
        "```python",
        "from datasets import load_dataset",
        'corpus = load_dataset("PATH")             # the kept documents',
        'rejects = load_dataset("PATH", "rejects")  # every rejected record and why',
        "```",
        "",
        f"Input records: {counts['input_records']:,}; kept: {counts['kept']:,}; "
        f"rejected: {counts['rejected']:,}.",
        "",
        "| source | licence | input records | kept | rejected |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {_cell(entry['license'] or 'unknown')} | {entry['input_records']:,} | "
        f"{entry['kept']:,} | {entry['rejected']:,} |"
        for name, entry in sorted(sources.items())
    ]
    lines += ["", "Per-record licences (`license_field`) override the source's in `license`."]
    by_license = counts.get("kept_by_license") or {}
    if by_license:
        lines += [
            "",
            "Kept documents per licence (SPDX; *not SPDX* ones are shown as given):",
            "",
            "| licence | kept documents | kept text bytes |",
            "|---|---|---|",
        ]
        lines += [
            f"| {_cell(name)}{'' if entry['spdx'] else ' *(not SPDX)*'} | "
            f"{entry['documents']:,} | {entry['text_bytes']:,} |"
            for name, entry in by_license.items()
        ]
    if manifest.get("synthetic_share"):
        lines += _machine_written(manifest["synthetic_share"])
    lines += ["", "## Corpus features", "", "| column | type |", "|---|---|"]
    lines += _features(schemas.corpus)
    lines += ["", "`rejects` has the same columns plus:", "", "| column | type |", "|---|---|"]
    corpus_names = set(schemas.corpus.names)
    lines += [line for line in _features(schemas.rejects) if line.split("`")[1] not in corpus_names]
    lines += ["", "See `manifest.json` for the config, inputs, checksums and the full counts."]
    return "\n".join(lines) + "\n"
