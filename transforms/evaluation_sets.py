"""Loading the run's evaluation sets (``decontamination.paths``) into a contamination index.

Called by each scoring worker in ``DoFn.setup`` and once by the launcher before anything is
written, so a missing or unreadable set is one line (exit 2) instead of a worker failure.
"""

from __future__ import annotations

from collections.abc import Iterator

from apache_beam.io.filesystem import BeamIOError

from curation.config import DecontaminationConfig
from curation.decontamination import ContaminationIndex, EvaluationSetError, evaluation_texts
from transforms.storage import match_files, open_raw, storage_problem


def _texts(uri: str) -> Iterator[str]:
    try:
        with open_raw(uri) as stream:
            yield from evaluation_texts(uri, stream)
    except (UnicodeDecodeError, OSError, BeamIOError) as error:
        raise EvaluationSetError(f"{uri}: {storage_problem(error)}") from None


def _files(path: str) -> list[str]:
    try:
        matched = sorted(uri for uri, _ in match_files(path))
    except (BeamIOError, OSError, ValueError) as error:
        raise EvaluationSetError(f"{path}: {storage_problem(error)}") from None
    if not matched:
        raise EvaluationSetError(f"{path}: no such file")
    return matched


def load_contamination_index(config: DecontaminationConfig) -> ContaminationIndex | None:
    """The index of every file ``config.paths`` names (a path or a glob; sets named by their
    file name), or ``None`` without paths. Raises :class:`EvaluationSetError` (one line)."""
    if not config.paths:
        return None
    named = []
    for path in config.paths:
        for uri in _files(path):
            named.append((uri.rstrip("/").rsplit("/", 1)[-1], _texts(uri)))
    return ContaminationIndex.build(named, config.ngram)
