"""Fit the word-occurrence reference of the distributional share estimator.

Usage: ``python scripts/fit_share_reference.py --dev PATH/dev.jsonl.gz --dev2 PATH/dev2
[--out curation/synthetic/word_reference.npz]`` (~10 s; numpy only).

What it fits (``curation/synthetic/word_share.py``, ``docs/synthetic.md``): for every reference
genre (a ``domain`` of either dev set) and class, the share of its windows of
``WINDOW_WORDS`` words that contain each vocabulary word (add-0.5 smoothing). Texts used are the
ones the pipeline scores: English, >= the scorer's ``min_words`` word tokens, with the dev sets'
label-leaking markup stripped as for the scorer (``synthetic_training.clean_text``). Machine
texts are
chat/instruction-tuned models only (dev: gpt-3.5-turbo, gpt-4, Claude 3, Gemini 1.5; dev2:
Llama-3-70B, GPT-4o, GPT-3.5, Gemini 1.5); the 2019-2022 base-model samples of dev are left out,
as in the scorer (neither estimator can see them). A genre x class with fewer than
``MIN_TEXTS`` texts gets no component (dev's squad has humans only).

Vocabulary (:func:`style_vocabulary`): of the ``CANDIDATES`` words with the highest mean
presence over all components (each component counts once), the ``VOCAB_SIZE`` whose
machine-minus-human log-odds of presence is the most consistent across the reference genres
that have both classes (largest ``|mean| / sd`` over genres): words machine text uses more (or
less) in every genre, by about the same amount. On held-apart domains (``benchmarks/share_eval.py``)
this brought the mean absolute error from 0.129 (the 4,000 most frequent words, content words
included) to 0.096; 100-1,000 words all gave 0.09-0.11 (``docs/synthetic.md``, what was tried).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curation.synthetic.model import ModelArtefact  # noqa: E402
from curation.synthetic.text import normalise, tokenize  # noqa: E402
from curation.synthetic.word_share import (  # noqa: E402
    DEFAULT_REFERENCE_PATH,
    WordReference,
    word_windows,
)
from scripts.synthetic_training import add_dev_set_arguments, clean_text  # noqa: E402

WINDOW_WORDS = 50
MAX_WINDOWS = 10
VOCAB_SIZE = 300
CANDIDATES = 8000
MIN_TEXTS = 30
LANGUAGES = ("en",)
DEV_CHAT_GENERATORS = frozenset(
    {
        "gpt-3.5-turbo",
        "gpt-4",
        "claude-3-opus-20240229",
        "claude-3-sonnet-20240229",
        "gemini-1.5-pro",
    }
)


@dataclass(frozen=True)
class ReferenceText:
    """One scoreable English text of either dev set, with its windows' word sets."""

    dataset: str  # "dev" or "dev2"
    domain: str
    machine: bool
    generator: str  # "" for human text
    doc_id: str
    group: str
    text: str
    windows: tuple[frozenset[str], ...]

    @property
    def component(self) -> str:
        return f"{self.dataset}/{self.domain}/{'machine' if self.machine else 'human'}"


def _rows(path: Path) -> tuple[list[dict], str]:
    raw = path.read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").splitlines()
    return [json.loads(line) for line in lines], hashlib.sha256(raw).hexdigest()


def load_references(dev: Path, dev2: Path) -> tuple[list[ReferenceText], dict[str, str]]:
    """Scoreable English human and chat-model texts of both dev sets (``dev2``: the directory
    holding ``dev2.jsonl.gz``), and each file's sha256."""
    min_words = ModelArtefact.load().min_words
    texts, hashes = [], {}
    for dataset, path in (("dev", dev), ("dev2", dev2 / "dev2.jsonl.gz")):
        rows, hashes[dataset] = _rows(path)
        for row in rows:
            machine = row["label"] == "machine"
            text = clean_text(row["text"])
            if row["lang"] not in LANGUAGES or len(tokenize(normalise(text))) < min_words:
                continue
            if dataset == "dev" and machine and row["generator"] not in DEV_CHAT_GENERATORS:
                continue
            texts.append(
                ReferenceText(
                    dataset=dataset,
                    domain=row["domain"],
                    machine=machine,
                    generator=(row["generator"] or "") if machine else "",
                    doc_id=row["id"],
                    group=f"{dataset}:{row.get('group') or row['id']}",
                    text=text,
                    windows=tuple(
                        frozenset(w) for w in word_windows(text, WINDOW_WORDS, MAX_WINDOWS)
                    ),
                )
            )
    return texts, hashes


def _logit_presence(counter: Counter, n: int, words: Sequence[str]) -> np.ndarray:
    """Smoothed (add-0.5) log-odds that a window contains each of ``words``."""
    p = np.array([(counter[w] + 0.5) / (n + 1) for w in words])
    return np.log(p) - np.log1p(-p)


def style_vocabulary(
    names: Sequence[str], counts: Sequence[Counter], windows: Sequence[int], size: int
) -> list[str]:
    """The ``size`` words (sorted) whose machine-minus-human log-odds of presence is the most
    consistent over the genres with both classes: the largest ``|mean| / sd`` over genres,
    among the ``CANDIDATES`` words of highest mean presence over the components ``names``
    (window counts ``counts`` of ``windows`` windows each)."""
    mean_presence: Counter = Counter()
    for counter, n in zip(counts, windows, strict=True):
        for word, c in counter.items():
            mean_presence[word] += c / n / len(names)
    ranked = sorted(mean_presence.items(), key=lambda kv: (-kv[1], kv[0]))
    candidates = [w for w, _ in ranked[:CANDIDATES]]
    index = {name: i for i, name in enumerate(names)}
    shifts = np.array(
        [
            _logit_presence(counts[index[machine]], windows[index[machine]], candidates)
            - _logit_presence(counts[index[human]], windows[index[human]], candidates)
            for human, machine in (
                (name, name.removesuffix("/human") + "/machine")
                for name in names
                if name.endswith("/human")
            )
            if machine in index
        ]
    )
    if len(shifts) < 2:
        raise ValueError("the vocabulary needs >= 2 reference genres with both classes")
    consistency = np.abs(shifts.mean(axis=0)) / (shifts.std(axis=0, ddof=1) + 1e-3)
    order = sorted(range(len(candidates)), key=lambda i: (-consistency[i], candidates[i]))
    return sorted(candidates[i] for i in order[:size])


def fit_reference(
    texts: Sequence[ReferenceText], metadata: dict, vocab_size: int = VOCAB_SIZE
) -> WordReference:
    """Per-component window presence probabilities over the chosen vocabulary."""
    by_component: dict[str, list[ReferenceText]] = {}
    for text in texts:
        by_component.setdefault(text.component, []).append(text)
    names = sorted(c for c, members in by_component.items() if len(members) >= MIN_TEXTS)
    counts, windows = [], []
    for name in names:
        counter: Counter = Counter()
        n = 0
        for text in by_component[name]:
            for words in text.windows:
                counter.update(words)
                n += 1
        counts.append(counter)
        windows.append(n)
    vocab = style_vocabulary(names, counts, windows, vocab_size)
    presence = np.array(
        [
            [(counter[w] + 0.5) / (n + 1) for w in vocab]
            for counter, n in zip(counts, windows, strict=True)
        ]
    )
    return WordReference.from_probabilities(
        vocab=vocab,
        presence=presence,
        components=names,
        machine=[name.endswith("/machine") for name in names],
        languages=LANGUAGES,
        window_words=WINDOW_WORDS,
        max_windows=MAX_WINDOWS,
        metadata={
            **metadata,
            "components": {name: len(by_component[name]) for name in names},
            "windows": dict(zip(names, windows, strict=True)),
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_dev_set_arguments(parser)
    parser.add_argument("--out", type=Path, default=DEFAULT_REFERENCE_PATH)
    args = parser.parse_args()
    texts, hashes = load_references(args.dev, args.dev2)
    reference = fit_reference(
        texts,
        {
            "fitted_by": "scripts/fit_share_reference.py",
            "sha256": hashes,
            "texts": len(texts),
            "vocab_size": VOCAB_SIZE,
            "vocab_rule": (
                f"of the {CANDIDATES} words of highest mean presence, the {VOCAB_SIZE} with the "
                "most consistent machine-minus-human log-odds over genres (|mean| / sd)"
            ),
            "window_words": WINDOW_WORDS,
            "max_windows": MAX_WINDOWS,
            "machine_generators": sorted({t.generator for t in texts if t.machine}),
        },
    )
    reference.save(args.out)
    print(
        f"{args.out}: {len(reference.components)} components, {len(reference.vocab)} words, "
        f"{args.out.stat().st_size / 1024:.0f} KB"
    )


if __name__ == "__main__":
    main()
