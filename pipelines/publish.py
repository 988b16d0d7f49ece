"""The output directory: who may write into it, and how a run's shards replace the old ones.

A run (1) refuses an output it must not touch: one inside an input, or a non-empty one
without ``--overwrite`` or not written by curate; (2) takes the directory's lock; (3) removes
the finished marker and what killed runs left; (4) writes into ``OUT/_tmp-<invocation>/``;
(5) publishes by renaming whole directories: each old shard directory is renamed away to
``OUT/_old-<invocation>/`` and the new one renamed into place, and the old ones are deleted
only after both new ones are in place; (6) writes ``_SUCCESS`` last and releases the lock.

On a local disk a rename is atomic, so at every instant each of ``OUT/corpus`` and
``OUT/rejects`` is entirely old, entirely new, or (between its two renames) absent with the
old one intact under ``_old-*``: never a mix. A killed run leaves no ``_SUCCESS``; the next run
(with ``--overwrite``) clears ``_tmp-*`` and ``_old-*``. Object stores have no directories:
there each object is moved on its own, and the guarantee is ``_SUCCESS`` alone.
"""

from __future__ import annotations

import json
import os
import posixpath
import socket
from collections.abc import Callable
from datetime import UTC, datetime

from apache_beam.io.filesystems import FileSystems

from curation.config import ConfigError, CurationConfig
from pipelines.output import (
    INDEX_DIR,
    KINDS,
    MANIFEST_FILE,
    OUTPUT_MARKER,
    SUCCESS_FILE,
    read_json,
    write_json,
)
from transforms.storage import delete_file, delete_tree, files_below, literal, move_tree

TMP_PREFIX = "_tmp-"
OLD_PREFIX = "_old-"
LOCK_FILE = ".curate-lock"


def refuse_output_inside_inputs(output: str, config: CurationConfig) -> None:
    """An output directory inside (or equal to) an input directory or glob base would be read
    by the next run over that input: refuse it (:class:`ConfigError`)."""
    target = _absolute(output)
    for source in config.sources:
        for path in source.paths:
            root = _input_root(path)
            if root is not None and (target == root or target.startswith(root.rstrip("/") + "/")):
                raise ConfigError(
                    f"--output {output!r} is inside input {path!r} of source {source.name!r}: "
                    "choose an output outside the inputs"
                )


def _absolute(path: str) -> str:
    return path.rstrip("/") if "://" in path else os.path.realpath(path)


def _input_root(path: str) -> str | None:
    """The directory an input path lists: itself, or a glob's fixed leading directories (the
    current directory for ``*.jsonl`` or ``data*/x.jsonl``); None for a path naming a file."""
    if "://" not in path and os.path.isfile(path):
        return None
    if "://" not in path and os.path.isdir(path):  # an existing name is literal, '[' and all
        return _absolute(path)
    if any(char in path for char in "*?["):
        fixed = path[: min(path.index(c) for c in "*?[" if c in path)]
        return _absolute(posixpath.dirname(fixed) or ".")
    return _absolute(path)


def check_output(output: str, overwrite: bool) -> None:
    """Refuse a non-empty output unless ``overwrite`` is given and it holds a curate output
    (:data:`~pipelines.output.OUTPUT_MARKER`, or an older run's manifest or ``_SUCCESS``)."""
    if "://" not in output:
        ancestor = os.path.abspath(output)
        while not os.path.exists(ancestor):
            ancestor = os.path.dirname(ancestor)
        if not os.path.isdir(ancestor):
            raise ConfigError(f"--output {output!r}: {ancestor!r} is not a directory")
    if _is_empty_dir(output):
        return
    if not overwrite:
        raise ConfigError(f"--output {output!r} exists and is not empty (use --overwrite)")
    ours = (OUTPUT_MARKER, MANIFEST_FILE, SUCCESS_FILE)
    if not any(FileSystems.exists(FileSystems.join(output, name)) for name in ours):
        raise ConfigError(
            f"--output {output!r} holds files curate did not write (no {OUTPUT_MARKER}): "
            "refusing to overwrite it"
        )


def _is_empty_dir(path: str) -> bool:
    if not FileSystems.exists(path):
        return True
    if "://" not in path:
        return os.path.isdir(path) and not os.listdir(path)
    return not FileSystems.match([FileSystems.join(literal(path), "*")])[0].metadata_list


class OutputLock:
    """``OUT/.curate-lock`` for the whole run: pid, host and start time of the holder.

    Taken atomically on a local disk (exclusive create); on object stores it is checked,
    then written (two runs starting in the same instant are not caught there). A lock whose
    holder is gone (a dead pid on this host) is stale: with ``overwrite`` (which ``--resume``
    implies) it is taken over, without it the run is refused. Any other lock refuses the
    run, naming its holder.
    """

    def __init__(self, output: str, overwrite: bool) -> None:
        self.path = FileSystems.join(output, LOCK_FILE)
        self._overwrite = overwrite
        self.taken_over: dict | None = None  # the stale holder this run replaced, if any

    def refuse_if_held(self) -> None:
        """Raise :class:`ConfigError` naming the holder if another run holds the lock, or
        one that died does and ``overwrite`` was not given."""
        current = self._holder()
        if current is None:
            return
        where = f"pid {current.get('pid')} on {current.get('host')} since {current.get('started')}"
        if not _is_dead(current):
            raise ConfigError(f"output is in use by another curate run ({where}, {self.path})")
        if not self._overwrite:
            raise ConfigError(
                f"output is locked by a run that died ({where}): rerun with --resume or --overwrite"
            )

    def acquire(self) -> None:
        """Take the lock (taking over a dead holder's with ``overwrite``), or raise
        :class:`ConfigError` naming its holder."""
        directory = FileSystems.split(self.path)[0]
        if not FileSystems.exists(directory):
            FileSystems.mkdirs(directory)
        holder = {"pid": os.getpid(), "host": socket.gethostname()}
        holder["started"] = datetime.now(UTC).isoformat(timespec="seconds")
        while not self._create(holder):
            self.refuse_if_held()
            self.taken_over = self._holder()
            if FileSystems.exists(self.path):
                delete_file(self.path)

    def release(self) -> None:
        if FileSystems.exists(self.path):
            delete_file(self.path)

    def _create(self, holder: dict) -> bool:
        data = json.dumps(holder, sort_keys=True).encode("utf-8")
        if "://" in self.path:
            if FileSystems.exists(self.path):
                return False
            with FileSystems.create(self.path) as handle:
                handle.write(data)
            return True
        try:
            descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        return True

    def _holder(self) -> dict | None:
        try:
            return read_json(self.path)
        except (OSError, ValueError):
            return None if not FileSystems.exists(self.path) else {}


def _is_dead(holder: dict) -> bool:
    """True when the holder ran on this host and its process is gone."""
    if holder.get("host") != socket.gethostname() or not isinstance(holder.get("pid"), int):
        return False
    try:
        os.kill(holder["pid"], 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def clean_output(output: str, keep: str = "") -> None:
    """Mark ``output`` as curate's, remove the finished marker and what killed runs left
    (``_tmp-*`` work directories, ``_old-*`` shard directories) except ``keep`` (the work
    directory a resumed run adopts)."""
    write_json(FileSystems.join(output, OUTPUT_MARKER), {"written_by": "curate"})
    marker = FileSystems.join(output, SUCCESS_FILE)
    if FileSystems.exists(marker):
        delete_file(marker)
    for leftover in _leftovers(output):
        if leftover != keep:
            delete_tree(leftover)


def _leftovers(output: str) -> list[str]:
    """``OUT/_tmp-*`` and ``OUT/_old-*`` directories, found through their files (and, on a
    local disk, empty ones too)."""
    prefix = FileSystems.join(output, "")
    found = set()
    for start in (TMP_PREFIX, OLD_PREFIX):
        pattern = FileSystems.join(literal(output), start + "*", "**")
        for item in FileSystems.match([pattern])[0].metadata_list:
            found.add(FileSystems.join(output, item.path[len(prefix) :].split("/", 1)[0]))
    if "://" not in output and os.path.isdir(output):
        found.update(
            os.path.join(output, name)
            for name in os.listdir(output)
            if name.startswith((TMP_PREFIX, OLD_PREFIX))
        )
    return sorted(found)


def publish(
    work_dir: str, output: str, before_step: Callable[[str], None] = lambda step: None
) -> None:
    """Swap the shard directories of ``work_dir`` into ``output`` (see the module docstring).

    ``before_step(name)`` is called before each step (tests stop a publish there)."""
    old = FileSystems.join(output, OLD_PREFIX + FileSystems.split(work_dir)[1][len(TMP_PREFIX) :])
    for kind in (*KINDS, INDEX_DIR):
        target = FileSystems.join(output, kind)
        before_step(f"move old {kind}")
        if _exists_tree(target):
            move_tree(target, FileSystems.join(old, kind))
        before_step(f"move new {kind}")
        if kind in KINDS or _exists_tree(FileSystems.join(work_dir, kind)):
            move_tree(FileSystems.join(work_dir, kind), target)
    before_step("delete old")
    delete_tree(old)


def _exists_tree(directory: str) -> bool:
    if "://" not in directory:
        return os.path.exists(directory)
    return bool(files_below(directory))
