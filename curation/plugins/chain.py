"""Running the plug-ins on one document, inside the per-document pass.

Edits (``format``) run before the built-in scorers, so every score, hash and signature sees
the text that is stored; scores and filters run after them on the scored row. A plug-in that
raises, or returns something outside its interface, rejects the document
(``plugin:<name>.error``) instead of failing the run; nothing it returned is kept.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from curation.decisions import (
    PLUGIN_EMPTIED,
    PLUGIN_ERROR,
    PLUGIN_FILTERED,
    Reason,
    Stage,
    Verdict,
)
from curation.plugins.loader import LoadedPlugin

#: Longest ``reject_detail`` a plug-in error writes (characters).
MAX_DETAIL_CHARS = 300


def _verdict(plugin: LoadedPlugin, reason: str, detail: str) -> Verdict:
    return Verdict(Stage.PLUGIN, Reason.plugin(plugin.name, reason), detail[:MAX_DETAIL_CHARS])


def error_verdict(name: str, method: str, problem: str) -> Verdict:
    """The reject of a document plug-in ``name``'s ``method`` failed on: reason
    ``plugin:<name>.error``, the problem in the detail."""
    detail = f"{method}: {problem}"[:MAX_DETAIL_CHARS]
    return Verdict(Stage.PLUGIN, Reason.plugin(name, PLUGIN_ERROR), detail)


def _error(plugin: LoadedPlugin, method: str, problem: str) -> Verdict:
    return error_verdict(plugin.name, method, problem)


def _raised(plugin: LoadedPlugin, method: str, error: Exception) -> Verdict:
    return _error(plugin, method, f"{type(error).__name__}: {error}")


@dataclass
class Edited:
    """The text after every ``format``, each edit that changed it, and the reject of the
    first plug-in whose edit failed (its text and the later edits are not applied)."""

    text: str
    edits: list[dict[str, Any]] = field(default_factory=list)
    verdict: Verdict | None = None


@dataclass
class Judged:
    """Every plug-in score (``<plugin>.<key>``) and the first plug-in reject."""

    scores: dict[str, float] = field(default_factory=dict)
    verdict: Verdict | None = None


class PluginChain:
    """The run's plug-ins, in config order, on a worker: building the chain runs each
    plug-in's ``setup()`` (loading a model, say), which the launcher's check never does."""

    def __init__(self, plugins: Sequence[LoadedPlugin]) -> None:
        for plugin in plugins:
            if setup := plugin.method("setup"):
                setup()  # a failure here is the run's: it stops with the error
        self._formats = [(p, p.method("format")) for p in plugins if p.method("format")]
        self._scores = [(p, p.method("score")) for p in plugins if p.method("score")]
        self._filters = [(p, p.method("filter")) for p in plugins if p.method("filter")]

    def format(self, text: str) -> Edited:
        """Apply each ``format(text) -> str`` in order."""
        edited = Edited(text)
        for plugin, method in self._formats:
            try:
                new = method(edited.text)
            except Exception as error:  # the plug-in's code: reject the document, go on
                edited.verdict = _raised(plugin, "format", error)
                return edited
            if not isinstance(new, str):
                edited.verdict = _error(plugin, "format", f"returned {type(new).__name__}")
                return edited
            if not new.strip():
                edited.verdict = _verdict(plugin, PLUGIN_EMPTIED, "format left no text")
                return edited
            if new != edited.text:
                edited.edits.append(
                    {
                        "step": f"plugin:{plugin.name}",
                        "spans": None,
                        "chars_before": len(edited.text),
                        "chars_after": len(new),
                    }
                )
                edited.text = new
        return edited

    def judge(self, doc: Mapping[str, Any]) -> Judged:
        """Every ``score(doc)``, then each ``filter(doc)`` until one rejects; ``doc`` is the
        scored row, read-only (filters also see ``plugin_scores``)."""
        view: Mapping[str, Any] = MappingProxyType(doc)
        judged = Judged()
        for plugin, method in self._scores:
            try:
                scores = method(view)
            except Exception as error:  # the plug-in's code: reject the document, go on
                judged.verdict = judged.verdict or _raised(plugin, "score", error)
                continue
            problem = _score_problem(scores)
            if problem:
                judged.verdict = judged.verdict or _error(plugin, "score", problem)
                continue
            for key, value in scores.items():
                judged.scores[f"{plugin.name}.{key}"] = float(value)
        if judged.verdict is not None:
            return judged
        view = MappingProxyType({**doc, "plugin_scores": judged.scores})
        for plugin, method in self._filters:
            judged.verdict = _filter_verdict(plugin, method, view)
            if judged.verdict is not None:
                break
        return judged


def _score_problem(scores: Any) -> str | None:
    """What is wrong with a ``score`` result (``None``: a ``dict[str, finite number]``)."""
    if not isinstance(scores, Mapping):
        return f"returned {type(scores).__name__}, not a dict"
    for key, value in scores.items():
        if not isinstance(key, str):
            return f"key {key!r} is not text"
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return f"{key}={value!r} is not a number"
        if not math.isfinite(value):
            return f"{key}={value!r} is not finite"
    return None


def _filter_verdict(plugin: LoadedPlugin, method: Any, doc: Mapping[str, Any]) -> Verdict | None:
    """``None`` when ``filter`` keeps the document, else its reject."""
    try:
        result = method(doc)
    except Exception as error:  # the plug-in's code: reject the document, go on
        return _raised(plugin, "filter", error)
    reason = None
    if isinstance(result, tuple) and len(result) == 2:
        result, reason = result
    if not isinstance(result, (bool, np.bool_)):
        return _error(plugin, "filter", f"returned {result!r}, not a bool or (bool, reason)")
    if result:
        return None
    if reason is None:
        return _verdict(plugin, PLUGIN_FILTERED, "filter returned False")
    if not isinstance(reason, str) or not reason:
        return _error(plugin, "filter", f"reason {reason!r} is not text")
    return _verdict(plugin, reason, "filter returned False")
