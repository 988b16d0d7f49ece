"""The resolved run plan: every decision about a run, made once before anything is written.

``curate run`` turns CLI arguments and YAML into one :class:`RunPlan` before it touches the
output directory; the pipeline is built from the plan and every worker receives it, so no
worker re-derives a setting (LSH banding, scorer thresholds, policy, schemas).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import pyarrow as pa

from curation.config import ConfigError, CurationConfig
from curation.dedup.lsh import optimal_bands_rows, recall_bands_rows
from curation.dedup.minhash import MinHasher
from curation.dedup.reference import ReferenceFile
from curation.io.inputs import InputFile, SkippedFile
from curation.io.pieces import Piece, piece_bytes, plan_pieces
from curation.io.schema import (
    PLUGIN_COLUMNS,
    REPEATED_SPANS_COLUMN,
    TEXT_EDITS_COLUMN,
    OutputSchemas,
    file_metadata,
    pii_columns,
)
from curation.pii import PII_TYPES
from curation.plugins import load_plugins
from curation.policy import Policy
from curation.quality import build_scorers
from curation.rights import LicensePolicy, OptOutList, Rights
from curation.synthetic import SIGNAL_FIELDS
from curation.synthetic.plugin import build_synthetic_scorer


def package_version() -> str:
    """The installed ``curate`` version (part of every run id)."""
    try:
        return metadata.version("curate")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def run_id_for(config: CurationConfig, files: Sequence[InputFile], optout_sha256: str = "") -> str:
    """Deterministic run id: same config, package version, input listing (and opt-out list,
    when one is given) -> same id."""
    digest = hashlib.sha256()
    digest.update(config.fingerprint().encode())
    digest.update(package_version().encode())
    digest.update(optout_sha256.encode())
    for file in files:
        digest.update(f"\0{file.source.name}\0{file.name}\0{file.size_bytes}".encode())
    return "run-" + digest.hexdigest()[:16]


def resolve_hasher(config: CurationConfig) -> MinHasher:
    """The run's MinHash parameters: LSH bands x rows as configured, or chosen for the
    threshold by :func:`curation.dedup.lsh.recall_bands_rows` when candidates are verified
    exactly (``dedup.verify``), else by :func:`curation.dedup.lsh.optimal_bands_rows`."""
    dedup = config.dedup
    if dedup.bands is not None and dedup.rows is not None:
        bands, rows = dedup.bands, dedup.rows
    elif dedup.verify:
        bands, rows = recall_bands_rows(dedup.threshold, dedup.num_perm)
    else:
        bands, rows = optimal_bands_rows(dedup.threshold, dedup.num_perm)
    return MinHasher(dedup.num_perm, bands, rows, dedup.ngram, dedup.char_ngram)


def resolve_rights(config: CurationConfig) -> Rights:
    """The licence policy and the opt-out list read from ``optout.domains`` (a local file;
    :class:`ConfigError` when it cannot be read or has a bad line)."""
    optout = None
    if config.optout.domains is not None:
        path = config.optout.domains
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as handle:
                optout = OptOutList.parse(handle)
        except OSError as error:
            raise ConfigError(f"optout.domains: cannot read {path}: {error.strerror}") from None
        except ValueError as error:
            raise ConfigError(f"optout.domains: {path}: {error}") from None
    licenses = LicensePolicy(config.licenses.allow, config.licenses.deny)
    return Rights(licenses=licenses, optout=optout, markers=config.optout.markers)


@dataclass(frozen=True)
class RunPlan:
    """One run, fully resolved: immutable, picklable, handed to every worker."""

    config: CurationConfig
    files: tuple[InputFile, ...]
    #: Files found by listing a directory or glob that are not data (reported, never read).
    skipped: tuple[SkippedFile, ...]
    pieces: tuple[Piece, ...]
    run_id: str
    #: MinHash permutations and the resolved LSH bands x rows.
    hasher: MinHasher
    policy: Policy
    #: Quality metric columns, ``<scorer>__<metric>``, in scorer order, and their types.
    metric_fields: dict[str, type]
    schemas: OutputSchemas
    #: What scores synthetic text (the shipped model or ``synthetic.scorer``): its languages,
    #: minimum length and flag threshold (``ScoringScope.describe``), for the manifest.
    synthetic_scorer: dict[str, Any]
    #: Files of the ``dedup.reference`` corpora, each deduplicated against as one reference
    #: piece numbered after the run's own (:attr:`reference_runs`).
    references: tuple[ReferenceFile, ...] = ()
    #: Where the pipeline writes (``OUT/_tmp-<invocation>``); ``""`` when not running.
    work_dir: str = ""
    #: Local directory for progress counters, or None (cluster runners).
    progress_dir: str | None = None
    #: Pieces a resumed run takes from their checkpoints instead of scoring them again.
    reused: frozenset[int] = frozenset()

    def fingerprint(self) -> str:
        """sha256 of everything that decides what a piece's spill, signatures and digests
        files hold: the run id (config, package version, input listing), the pieces and
        shards, the MinHash parameters and the schemas. Checkpoints carry it: a resumed run
        reuses a piece only under the same fingerprint."""
        hasher = self.hasher
        digest = hashlib.sha256(self.run_id.encode())
        for piece in self.pieces:
            file = piece.file
            digest.update(f"\0{file.name}\0{file.start}\0{file.end}\0{piece.shard}".encode())
        digest.update(f"\0{hasher.num_perm}\0{hasher.bands}\0{hasher.rows}".encode())
        for schema in (self.schemas.spill, self.schemas.corpus, self.schemas.rejects):
            digest.update(schema.serialize().to_pybytes())
        return digest.hexdigest()

    @property
    def input_bytes(self) -> int:
        """Bytes of input the run's own pieces read."""
        return sum(piece_bytes(piece.file) for piece in self.pieces)

    @property
    def reference_runs(self) -> dict[int, str]:
        """Reference piece -> the run (or path) of its reference file."""
        first = len(self.pieces)
        return {first + index: file.run for index, file in enumerate(self.references)}

    def describe(self) -> dict[str, Any]:
        """What was resolved, for the manifest: LSH parameters, policy, every threshold."""
        hasher = self.hasher
        return {
            "lsh": {
                "num_perm": hasher.num_perm,
                "bands": hasher.bands,
                "rows": hasher.rows,
                "threshold": self.config.dedup.threshold,
            },
            "policy": {
                "allowed_languages": self.policy.allowed_languages,
                "min_language_score": self.policy.min_language_score,
                "reject_quality": self.policy.reject_quality,
                "synthetic": self.policy.synthetic,
                "synthetic_cap": self.policy.synthetic_cap,
                "pii": self.policy.pii,
                "keep_order": list(self.policy.keep_order),
                **self.policy.rights.describe(),
            },
            "quality_scorers": self.config.quality.scorers.model_dump(mode="json"),
            **({"plugins": [p.class_ for p in self.config.plugins]} if self.config.plugins else {}),
            "pieces": len(self.pieces),
            **(
                {"references": sorted({file.run for file in self.references})}
                if self.references
                else {}
            ),
        }


def _optional_columns(config: CurationConfig) -> list[pa.Field]:
    """Columns of the optional steps the config turns on (none by default)."""
    pii = config.pii.policy != "off"
    repeated = config.dedup.repeated is not None
    columns = (pii_columns(PII_TYPES) if pii else []) + (PLUGIN_COLUMNS if config.plugins else [])
    columns += [TEXT_EDITS_COLUMN] if pii or config.plugins or repeated else []
    return columns + ([REPEATED_SPANS_COLUMN] if repeated else [])


def resolve_plan(
    config: CurationConfig,
    files: Sequence[InputFile] = (),
    skipped: Sequence[SkippedFile] = (),
    work_dir: str = "",
    progress_dir: str | None = None,
    references: Sequence[ReferenceFile] = (),
) -> RunPlan:
    """Resolve ``config`` over the listed input ``files`` (and the ``skipped`` non-data files)
    into a :class:`RunPlan`."""
    files = tuple(files)
    load_plugins(config.plugins)  # a bad class or argument fails here, before any write
    synthetic_scorer = build_synthetic_scorer(config.synthetic).describe()  # so does a scorer
    rights = resolve_rights(config)
    optout_sha256 = rights.optout.sha256 if rights.optout is not None else ""
    metric_fields = {
        f"{scorer.name}__{metric}": int if metric in scorer.count_metrics else float
        for scorer in build_scorers(config.quality.scorers)
        for metric in scorer.metrics
    }
    run_id = run_id_for(config, files, optout_sha256)
    return RunPlan(
        config=config,
        files=files,
        skipped=tuple(skipped),
        pieces=plan_pieces(files, config.read.split_bytes, config.output.target_shard_bytes),
        run_id=run_id,
        hasher=resolve_hasher(config),
        policy=Policy.of(config, rights),
        metric_fields=metric_fields,
        schemas=OutputSchemas.of(
            metric_fields,
            dict(SIGNAL_FIELDS),
            config.output.partition_by,
            extra_fields=_optional_columns(config),
            metadata=file_metadata(run_id, config.fingerprint()),
        ),
        synthetic_scorer=synthetic_scorer,
        references=tuple(references),
        work_dir=work_dir,
        progress_dir=progress_dir,
    )
