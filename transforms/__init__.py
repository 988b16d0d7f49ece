"""Beam transforms. The public API over plain dicts (docs/api.md): :class:`Curate`,
:class:`Score`, :class:`Filter`, :class:`Deduplicate`, :class:`WriteParquet`."""

from transforms.api import Curate, Deduplicate, Filter, Result, Score, WriteParquet

__all__ = ["Curate", "Deduplicate", "Filter", "Result", "Score", "WriteParquet"]
