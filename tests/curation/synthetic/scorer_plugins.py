"""Scorer plug-ins for the tests (``synthetic.scorer``): small real classes of the interface."""

from __future__ import annotations

#: Words the marker scorer counts (a toy lexicon; the score is their share of the words, x10).
MARKERS = frozenset({"delve", "tapestry", "testament", "crucial"})


class MarkerShare:
    """P(machine) = 10 x the share of marker words (at most 1), with an interval of +-0.1;
    abstains on texts holding ``ABSTAIN``, raises on ``BOOM``, answers NaN on ``NAN``."""

    name = "markers"
    threshold = 0.5
    languages = ("en", "fr")
    min_words = 5

    def __init__(self, scale: float = 10.0) -> None:
        self.scale = scale

    def score(self, text: str, lang: str) -> tuple[float, float, float] | float | None:
        words = text.lower().replace(".", " ").split()
        if "abstain" in words:
            return None
        if "boom" in words:
            raise RuntimeError("kaboom")
        if "nan" in words:
            return float("nan")
        p = min(1.0, self.scale * sum(w in MARKERS for w in words) / len(words))
        return p, max(0.0, p - 0.1), min(1.0, p + 0.1)


class PlainProbability:
    """A bare probability, no interval, no threshold of its own (``synthetic.threshold``)."""

    def score(self, text: str, lang: str) -> float:
        return 0.7


class FilterOnly:
    """Has a plug-in method, but not ``score``."""

    def filter(self, doc: dict) -> bool:
        return True


class BadLanguages:
    languages = "en"  # a string, not a collection of codes
    threshold = 0.5

    def score(self, text: str, lang: str) -> float:
        return 0.5


class Answers:
    """Answers whatever it was built with (for the interface's checks)."""

    threshold = 0.5

    def __init__(self, answer: object = None) -> None:
        self.answer = answer

    def score(self, text: str, lang: str) -> object:
        return self.answer


class BatchMarkerShare(MarkerShare):
    """:class:`MarkerShare` answering a batch at a time (raising for the whole batch when one
    text raises); each batch's size is appended to ``log`` (a file), if given."""

    name = "batch_markers"
    batch_size = 3

    def __init__(self, scale: float = 10.0, log: str | None = None) -> None:
        super().__init__(scale)
        self.log = log

    def score_batch(self, texts: list[str], langs: list[str]) -> list:
        if self.log:
            with open(self.log, "a", encoding="utf-8") as handle:
                handle.write(f"{len(texts)}\n")
        return [self.score(text, lang) for text, lang in zip(texts, langs, strict=True)]


class ShortBatch(MarkerShare):
    """Answers a batch with one answer too few (the pipeline asks text by text instead)."""

    def score_batch(self, texts: list[str], langs: list[str]) -> list:
        return [0.9] * (len(texts) - 1)


class BadBatchSize(MarkerShare):
    batch_size = 0


class ArrayBatch(MarkerShare):
    """Answers a batch with a numpy array of probabilities (as a GPU model would)."""

    calls = 0

    def score_batch(self, texts: list[str], langs: list[str]) -> object:
        import numpy as np

        type(self).calls += 1
        return np.array([0.25] * len(texts), dtype=np.float32)


class SetUpOnce(MarkerShare):
    """Counts its ``setup`` calls (class-wide) and refuses to score before it."""

    setups = 0

    def __init__(self) -> None:
        super().__init__()
        self.ready = False

    def setup(self) -> None:
        type(self).setups += 1
        self.ready = True

    def score(self, text: str, lang: str) -> float:
        assert self.ready, "scored before setup"
        return super().score(text, lang)
