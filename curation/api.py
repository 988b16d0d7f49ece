"""Plans for the Beam API over dicts (docs/api.md): a config as a model or a YAML-shaped dict.

The API reads no files, so a config needs no ``sources``; its first source (or
:data:`DEFAULT_SOURCE`) names the documents' ``source`` and maps their fields (``text_field``,
``id_field``, ...) and licence, as for a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from curation.config import CurationConfig, SourceConfig, config_from_mapping
from curation.plan import RunPlan, resolve_plan

#: The source of dicts when the config names none.
DEFAULT_SOURCE = {"name": "pcollection", "paths": ["-"]}


def api_config(config: CurationConfig | Mapping[str, Any] | None) -> CurationConfig:
    """``config`` validated (one-line :class:`~curation.config.ConfigError`); a mapping
    without ``sources`` gets :data:`DEFAULT_SOURCE`, a source without ``paths`` ``["-"]``."""
    if isinstance(config, CurationConfig):
        return config
    data = dict(config or {})
    sources = data.get("sources", [DEFAULT_SOURCE])
    if isinstance(sources, list | tuple):  # no files are read: paths may be left out
        sources = [{"paths": ["-"], **s} if isinstance(s, Mapping) else s for s in sources]
    data["sources"] = sources
    return config_from_mapping(data, origin="Curate config")


def api_source(config: CurationConfig) -> SourceConfig:
    """The source whose field mapping and licence the dicts get."""
    return config.sources[0]


def api_plan(config: CurationConfig, work_dir: str) -> RunPlan:
    """The run plan of dicts (no files: no pieces, shards or input listing in it)."""
    return resolve_plan(config, work_dir=work_dir)
