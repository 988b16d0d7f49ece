"""Beam transforms. The public API over plain dicts (docs/api.md): :class:`Curate`,
:class:`Score`, :class:`Filter`, :class:`Deduplicate`, :class:`WriteParquet`, :class:`Result`
(imported on first use, so ``transforms.storage`` alone, as ``curate inspect`` uses it, does
not load the pipeline's stages)."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["Curate", "Deduplicate", "Filter", "Result", "Score", "WriteParquet"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("transforms.api"), name)
    raise AttributeError(f"module 'transforms' has no attribute {name!r}")
