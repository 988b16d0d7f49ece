"""Function-word rates: topic-free stylometric features (no POS tagger, no lexicon download).

A closed list of English function words (articles, pronouns, auxiliaries, modals, prepositions,
conjunctions, common adverbs), written for this project. Each word's rate per 1,000 word tokens
is a model input named ``fw_<word>`` (``log1p`` in the model). Function words carry style, not
topic, which is why they are the classic authorship features (Mosteller & Wallace 1963) and why
they transfer across domains better than content-word n-grams (see ``docs/synthetic.md``).
They are model inputs only: they are not part of the per-document ``synthetic_signals`` output,
but they do appear in ``top_features`` (e.g. ``fw_a:-1.04``: the article "a" is rarer than
in typical machine text, which lowers the score).
"""

from __future__ import annotations

_WORDS = """
    a about above after again against all also although am an and any are as at be because
    been before being below between both but by can could did do does doing down during each
    either even ever every few for from further had has have having he her here hers herself
    him himself his how however i if in into is it its itself just less may me might more
    most much must my myself neither no nor not now of off on once only or other ought our
    ours ourselves out over own per quite rather same shall she should since so some such than
    that the their theirs them themselves then there these they this those though through thus
    to too under until up upon very was we were what when where whether which while who whom
    whose why will with within without would yet you your yours yourself
"""
FUNCTION_WORDS: tuple[str, ...] = tuple(_WORDS.split())
"""The function words, in the fixed order of their model inputs."""

FEATURE_PREFIX = "fw_"
FUNCTION_WORD_FEATURES: tuple[str, ...] = tuple(FEATURE_PREFIX + w for w in FUNCTION_WORDS)
"""Model input names, ``fw_<word>``."""

_INDEX = {w: i for i, w in enumerate(FUNCTION_WORDS)}


def function_word_rates(lower_tokens: list[str]) -> dict[str, float]:
    """Rate per 1,000 tokens of each function word in lower-cased ``lower_tokens`` (0 if absent)."""
    counts = [0] * len(FUNCTION_WORDS)
    index = _INDEX
    for tok in lower_tokens:
        i = index.get(tok)
        if i is not None:
            counts[i] += 1
    per_k = 1000.0 / len(lower_tokens) if lower_tokens else 0.0
    return {name: c * per_k for name, c in zip(FUNCTION_WORD_FEATURES, counts, strict=True)}
