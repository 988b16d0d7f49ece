"""Importing and building the configured plug-ins, with one-line errors.

A plug-in is any class with at least one of ``filter(doc)``, ``score(doc)`` and
``format(text)`` (docs/api.md). ``class: "my_module:MyFilter"`` is imported with the working
directory on the import path (as ``python -m`` would), so a module next to the config works
without installing it; built-in plug-ins are named by a short name (:data:`BUILTIN_PLUGINS`).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from curation.config import ConfigError, PluginConfig

#: Short names of the plug-ins that ship with curate.
BUILTIN_PLUGINS = {"fasttext_quality": "curation.plugins.fasttext_quality:FastTextQuality"}
#: What a plug-in name may be (it is part of reject reasons and score keys).
PLUGIN_NAME = re.compile(r"[A-Za-z0-9_-]+")
#: The methods a plug-in may define (at least one).
PLUGIN_METHODS = ("format", "score", "filter")


@dataclass(frozen=True)
class LoadedPlugin:
    """A built plug-in and the name its reasons and scores carry."""

    name: str
    instance: Any

    def method(self, name: str) -> Any:
        """The plug-in's bound ``name`` method, or ``None`` when it has none."""
        method = getattr(self.instance, name, None)
        return method if callable(method) else None


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _import_class(path: str, where: str) -> type:
    target = BUILTIN_PLUGINS.get(path, path)
    module_name, sep, class_name = target.partition(":")
    if not sep or not module_name or not class_name:
        known = ", ".join(sorted(BUILTIN_PLUGINS))
        raise ConfigError(f"{where}.class: {path!r} is neither 'module:Class' nor one of {known}")
    if os.getcwd() not in sys.path:
        sys.path.append(os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # an import runs the user's module: any error is theirs
        raise ConfigError(
            f"{where}.class: cannot import {module_name!r}: {_one_line(error)}"
        ) from None
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        raise ConfigError(f"{where}.class: module {module_name!r} has no class {class_name!r}")
    return cls


def load_plugin(spec: PluginConfig, where: str = "plugins") -> LoadedPlugin:
    """Import and build one plug-in; :class:`ConfigError` naming ``where`` if that fails."""
    cls = _import_class(spec.class_, where)
    if not any(callable(getattr(cls, method, None)) for method in PLUGIN_METHODS):
        raise ConfigError(f"{where}.class: {cls.__name__} has none of {', '.join(PLUGIN_METHODS)}")
    try:
        instance = cls(**spec.args)
    except Exception as error:  # the constructor is the user's code
        raise ConfigError(f"{where}.args: {cls.__name__}(...): {_one_line(error)}") from None
    name = spec.name or getattr(instance, "name", None) or cls.__name__
    if not isinstance(name, str) or not PLUGIN_NAME.fullmatch(name):
        raise ConfigError(f"{where}: plug-in name {name!r} is not letters, digits, '_' or '-'")
    return LoadedPlugin(name=name, instance=instance)


def load_plugins(specs: Sequence[PluginConfig]) -> tuple[LoadedPlugin, ...]:
    """Build every configured plug-in, in order; names must be unique."""
    plugins = tuple(load_plugin(spec, f"plugins.{index}") for index, spec in enumerate(specs))
    names = [plugin.name for plugin in plugins]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise ConfigError(f"plugins.{index}: name {name!r} is used twice; set 'name'")
    return plugins
