"""Tables that are large per document shuffled through files: the shuffle carries addresses.

Beam's local runners hold every shuffled collection in the controller process, decoded, and
encode it again when the next stage reads it, so a step that shuffles shingle sets or MinHash
signatures costs the controller about twice their size while it lasts (docs/benchmarks.md,
"Where the controller's memory went"). Such a step writes its tables instead to one Arrow IPC
file per producer in the run's spill directory, one record batch per destination, and
shuffles only ``(destination, address)``; each consumer reads exactly its batches. A retried
producer rewrites its file whole, with the same content, under the same name. The files go
with the run's work directory.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from operator import itemgetter

import pyarrow as pa
from apache_beam.io.filesystems import FileSystems

from transforms.storage import create, open_raw

Address = tuple[str, int]
"""Where one table lives: its file and the index of its record batch there."""


def parts_path(spill_dir: str, step: str, producer: int) -> str:
    """The file of producer ``producer`` (a piece or partition) of step ``step``."""
    return FileSystems.join(spill_dir, f"{step}-{producer:07d}.arrow")


def write_parts(path: str, parts: Iterable[tuple[int, pa.Table]]) -> list[tuple[int, Address]]:
    """Write the non-empty tables of ``(destination, table)`` pairs (one schema) to the file
    ``path``, one record batch each; ``(destination, address)`` of each, in ``parts`` order."""
    written = [(destination, table) for destination, table in parts if table.num_rows]
    if not written:
        return []
    with create(path) as handle, pa.ipc.new_file(handle, written[0][1].schema) as writer:
        for _, table in written:
            writer.write_batch(table.combine_chunks().to_batches()[0])
    return [(destination, (path, index)) for index, (destination, _) in enumerate(written)]


def read_parts(addresses: Iterable[Address]) -> pa.Table:
    """The tables at ``addresses`` (at least one) as one table, in address order whatever
    order they came in; each file is opened once."""
    batches = []
    for path, group in itertools.groupby(sorted(addresses), key=itemgetter(0)):
        with open_raw(path) as handle:
            reader = pa.ipc.open_file(handle)
            batches.extend(reader.get_batch(index) for _, index in group)
    return pa.Table.from_batches(batches)
