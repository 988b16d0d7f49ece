"""``curate run --resume``: pick up the work directory a killed or crashed run left behind.

Every run writes :data:`RESUME_FILE` into its work directory ``OUT/_tmp-<id>/`` before the
pipeline starts: the plan's fingerprint (:meth:`curation.plan.RunPlan.fingerprint`), the
config's and the input listing. Each piece it finishes gets a checkpoint
(:mod:`curation.io.checkpoint`). A resumed run adopts the work directory made for the same
plan, reuses every piece whose checkpoint is whole and whose input bytes still have the
recorded sha256, and scores the rest. A work directory made for another config or input is
a :class:`ConfigError` (one line, exit 2) before anything is written.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from apache_beam.io.filesystems import FileSystems

from curation.config import ConfigError
from curation.io.checkpoint import (
    CHECKPOINT_SUFFIX,
    PieceCheckpoint,
    checkpoint_name,
    digests_name,
    piece_checksum,
)
from curation.io.spill import signatures_name, spill_name
from curation.plan import RunPlan, package_version
from pipelines.curate_pipeline import RUN_RECORD, SPILL_DIR
from pipelines.output import KINDS, read_json, write_json
from pipelines.progress import PROGRESS_DIR
from pipelines.publish import TMP_PREFIX
from transforms.storage import delete_file, delete_tree, files_below, literal, open_raw, read_bytes

#: In a run's work directory: what it was planned for.
RESUME_FILE = "_resume.json"
_AFRESH = "rerun without --resume (with --overwrite) to start afresh"


def resume_record(plan: RunPlan) -> dict:
    """What :data:`RESUME_FILE` holds for ``plan``."""
    return {
        "plan": plan.fingerprint(),
        "config_sha256": plan.config.fingerprint(),
        "curate": package_version(),
        "inputs": [[file.name, file.size_bytes] for file in plan.files],
    }


def write_resume_record(plan: RunPlan) -> None:
    write_json(FileSystems.join(plan.work_dir, RESUME_FILE), resume_record(plan))


@dataclass(frozen=True)
class Resumable:
    """A killed run's work directory and the pieces of it that can be reused."""

    work_dir: str
    reused: frozenset[int]


def find_resumable(output: str, plan: RunPlan) -> Resumable | None:
    """The work directory in ``output`` made for ``plan`` (the one with most checkpoints, if
    several), and its reusable pieces; None when ``output`` holds no work directory.

    Raises :class:`ConfigError` when the work directories there were made for another config
    or input, or a reusable piece's input bytes changed.
    """
    pattern = FileSystems.join(literal(output), TMP_PREFIX + "*", RESUME_FILE)
    records = {
        FileSystems.split(meta.path)[0]: _record(meta.path)
        for meta in FileSystems.match([pattern])[0].metadata_list
    }
    if not records:
        return None
    expected = resume_record(plan)
    matching = [work for work, record in records.items() if record == expected]
    if not matching:
        found = next((record for record in records.values() if record is not None), None)
        raise ConfigError(f"--resume: {_difference(found, expected)}: {_AFRESH}")
    candidates = {work: _checkpoints(FileSystems.join(work, SPILL_DIR)) for work in matching}
    work_dir = max(sorted(candidates), key=lambda work: len(candidates[work]))
    return Resumable(work_dir, _verified(candidates[work_dir], plan))


def _record(path: str) -> dict | None:
    try:
        return read_json(path)
    except (OSError, ValueError):
        return None


def _difference(found: dict | None, expected: dict) -> str:
    """What differs between a killed run's resume record and this run's, in words."""
    if found is None:
        return "the killed run's work directory is unreadable"
    if found.get("config_sha256") != expected["config_sha256"]:
        return "the config differs from the killed run's"
    if found.get("inputs") != expected["inputs"]:
        before = {name: size for name, size in found.get("inputs", [])}
        now = dict(expected["inputs"])
        changed = sorted(n for n in before.keys() | now.keys() if before.get(n) != now.get(n))
        return (
            f"the input files differ from the killed run's ({len(changed)} added, removed or "
            f"resized, e.g. {changed[0]})"
        )
    if found.get("curate") != expected["curate"]:
        return f"the killed run used curate {found.get('curate')}, this is {expected['curate']}"
    return "the run plan differs from the killed run's"


def _checkpoints(spill_dir: str) -> dict[int, PieceCheckpoint]:
    """The whole checkpoints in ``spill_dir`` whose piece files are all present."""
    names = {FileSystems.split(path)[1] for path in files_below(spill_dir)}
    found = {}
    for name in sorted(names):
        if not name.endswith(CHECKPOINT_SUFFIX):
            continue
        checkpoint = PieceCheckpoint.decode(read_bytes(FileSystems.join(spill_dir, name)))
        if checkpoint is None or name != checkpoint_name(checkpoint.piece):
            continue
        needed = (spill_name, signatures_name, digests_name)
        if all(file_name(checkpoint.piece) in names for file_name in needed):
            found[checkpoint.piece] = checkpoint
    return found


def _verified(checkpoints: dict[int, PieceCheckpoint], plan: RunPlan) -> frozenset[int]:
    """Pieces of ``plan`` whose checkpoint matches the plan and whose input bytes still have
    the recorded sha256 (hashed here, on every core); a changed input is a ConfigError."""
    fingerprint = plan.fingerprint()
    usable = [
        checkpoint
        for checkpoint in checkpoints.values()
        if checkpoint.plan == fingerprint and checkpoint.piece < len(plan.pieces)
    ]
    files = [plan.pieces[checkpoint.piece].file for checkpoint in usable]
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        checksums = list(pool.map(lambda file: piece_checksum(open_raw, file), files))
    for checkpoint, file, checksum in zip(usable, files, checksums, strict=True):
        if checksum != checkpoint.checksum:
            raise ConfigError(
                f"--resume: input {file.name} changed since the killed run read it "
                f"(bytes {file.start}-{file.end or file.size_bytes}: sha256 differs): {_AFRESH}"
            )
    return frozenset(checkpoint.piece for checkpoint in usable)


def clear_stale(work_dir: str) -> None:
    """Remove what the killed run left in ``work_dir`` besides its spill directory and resume
    record: partial shards, the run record, progress counters."""
    for name in (*KINDS, PROGRESS_DIR):
        delete_tree(FileSystems.join(work_dir, name))
    delete_file(FileSystems.join(work_dir, RUN_RECORD))


def checkpointed(work_dir: str) -> int:
    """How many pieces of the run in ``work_dir`` have a checkpoint."""
    spill_dir = FileSystems.join(work_dir, SPILL_DIR)
    return sum(path.endswith(CHECKPOINT_SUFFIX) for path in files_below(spill_dir))
