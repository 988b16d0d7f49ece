"""A model-based quality score: a user's fastText classifier, as a built-in plug-in.

The DCLM baseline filter (Li et al. 2024, "DataComp-LM", section 4.4: a fastText bigram
classifier of OpenHermes/ELI5 text vs RefinedWeb, keeping the top 10% by its score) and
FineWeb-Edu's annotation-trained filter (Penedo et al. 2024) are both "a classifier's
probability that a document is like the good examples". This plug-in loads such a fastText
model (``.bin`` or ``.ftz``) from ``model_path``, stores the probability of ``label`` as
``plugin_scores["<name>.score"]`` and, with ``min_score``, rejects documents below it
(``plugin:<name>.low_score``). Like DCLM, the text is scored as one line (newlines become
spaces), up to ``max_chars`` characters.
"""

from __future__ import annotations

from typing import Any

import fasttext


class FastTextQuality:
    """``plugins: [{class: fasttext_quality, args: {model_path: ..., label: ...}}]``."""

    name = "fasttext_quality"

    def __init__(
        self,
        model_path: str,
        label: str = "__label__hq",
        min_score: float | None = None,
        max_chars: int = 100_000,
    ) -> None:
        self._predict = fasttext.load_model(model_path).f.predict
        # fasttext-predict has no label list: every label comes back with k=-1
        labels = [label for _, label in self._predict("\n", -1, 0.0, "strict")]
        if label not in labels:
            raise ValueError(f"{model_path} has no label {label!r}; it has {sorted(labels)}")
        if min_score is not None and not 0.0 <= min_score <= 1.0:
            raise ValueError(f"min_score must be in [0, 1], got {min_score}")
        self._label = label
        self._min_score = min_score
        self._max_chars = max_chars

    def score(self, doc: dict[str, Any]) -> dict[str, float]:
        """The probability of ``label`` for the document's text."""
        line = " ".join(doc["text"][: self._max_chars].split())
        for prob, label in self._predict(line + "\n", -1, 0.0, "strict"):
            if label == self._label:
                return {"score": min(1.0, max(0.0, float(prob)))}
        return {"score": 0.0}

    def filter(self, doc: dict[str, Any]) -> bool | tuple[bool, str]:
        """Keep documents scoring at least ``min_score`` (all, without it)."""
        if self._min_score is None:
            return True
        score = doc["plugin_scores"][f"{self.name}.score"]
        return score >= self._min_score, "low_score"
