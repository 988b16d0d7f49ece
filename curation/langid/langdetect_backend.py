"""langdetect 1.0.9 (Shuyo 2010, naive Bayes over character 1-3-grams), seeded, compiled.

The 55 bundled profiles are read once per process (file order sorted, so the language order does
not depend on the file system) into the arrays of ``langdetect_compiled``, which runs the
library's detection with its exact results, a few times faster. Determinism: langdetect seeds a
new ``random.Random`` with the factory's seed for every text, so with the seed fixed to 0 (the
value the outside evaluation used) a text's result does not depend on call history, process or
worker.

Speed knob: ``n_trial``, the library's own ``Detector.n_trial`` (default 7), is how many random
walks over the text's n-grams are averaged (measurements in docs/language.md).
"""

from __future__ import annotations

import os
from functools import lru_cache

from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from curation.langid.codes import merge_ranked
from curation.langid.langdetect_compiled import (
    Profiles,
    detector_text,
    language_probabilities,
    ngram_rows,
)

SEED = 0
LIBRARY_N_TRIAL = 7  # ``Detector.n_trial`` as langdetect 1.0.9 sets it


@lru_cache(maxsize=1)
def _profile_texts() -> tuple[str, ...]:
    """The 55 bundled JSON profiles, sorted by file name."""
    texts = []
    for name in sorted(os.listdir(PROFILES_DIRECTORY)):
        with open(os.path.join(PROFILES_DIRECTORY, name), encoding="utf-8") as handle:
            texts.append(handle.read())
    return tuple(texts)


@lru_cache(maxsize=1)
def _load_profiles() -> Profiles:
    return Profiles(_profile_texts(), SEED)


@lru_cache(maxsize=1)
def _load_factory() -> DetectorFactory:
    """The library itself on the same profiles, for walks longer than the compiled stream."""
    factory = DetectorFactory()
    factory.load_json_profile(list(_profile_texts()))
    factory.set_seed(SEED)
    return factory


class LangdetectBackend:
    """Top-k language probabilities from langdetect (codes normalised, ``zh-*`` merged).

    Probabilities below langdetect's own reporting threshold (``Detector.PROB_THRESHOLD``, 0.1)
    are not reported by the library. ``n_trial``: random walks averaged per text (the library's
    ``Detector.n_trial``; 7 reproduces stock langdetect exactly).
    """

    name = "langdetect"

    def __init__(self, n_trial: int = LIBRARY_N_TRIAL) -> None:
        if n_trial < 1:
            raise ValueError(f"n_trial must be >= 1, got {n_trial}")
        self._profiles = _load_profiles()
        self.n_trial = n_trial

    def predict(self, text: str, k: int = 3) -> tuple[tuple[str, float], ...]:
        """Top-``k`` ``(code, probability)`` pairs, best first; empty when no n-gram is known."""
        found = ngram_rows(detector_text(text), self._profiles)
        if not found.size:  # the library raises LangDetectException
            return ()
        langprob = language_probabilities(found, self._profiles, self.n_trial)
        if langprob is None:
            return self._library_predict(text, k)
        pairs = zip(self._profiles.languages, langprob.tolist(), strict=True)
        return merge_ranked([pair for pair in pairs if pair[1] > Detector.PROB_THRESHOLD], k)

    def _library_predict(self, text: str, k: int) -> tuple[tuple[str, float], ...]:
        detector = _load_factory().create()
        detector.n_trial = self.n_trial
        detector.append(text)
        try:
            ranked = detector.get_probabilities()
        except LangDetectException:
            return ()
        return merge_ranked([(item.lang, item.prob) for item in ranked], k)
