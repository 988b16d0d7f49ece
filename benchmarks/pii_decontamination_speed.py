"""Speed of PII redaction and of the decontamination test, in docs/s on one core.

Documents are ~2 KB of the sample corpus's technical prose (GNU coding standards, Python
docs: version numbers, dates, code), one in ten with an e-mail address, an IPv4 address,
a phone number, a card number and an IBAN planted. Each step runs over the same documents in
this process (CPU seconds):

- PII: this project's detector and redaction, and scrubadub when importable (it is not a
  dependency: ``pip install --target DIR scrubadub`` and put DIR on ``PYTHONPATH``);
- decontamination: the test of each document against evaluation sets of 1,000 and of
  ``--eval-items`` items (random 20-word questions drawn from the documents' vocabulary),
  to show that the cost per document does not grow with the sets' size.

Run from the repo root::

    .venv/bin/python benchmarks/pii_decontamination_speed.py --docs 2000
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from curation.decontamination import ContaminationIndex  # noqa: E402
from curation.decontamination.ngrams import ngram_words  # noqa: E402
from curation.dedup.normalize import fold_case  # noqa: E402
from curation.pii import find_pii, redact  # noqa: E402

SAMPLE = REPO / "data" / "sample"
PLANTED = (
    "Contact jane.doe@example.org, server 192.0.2.17, phone +44 20 7946 0958, "
    "card 4111 1111 1111 1111, IBAN GB82 WEST 1234 5698 7654 32."
)


def documents(count: int, seed: int = 0) -> list[str]:
    """``count`` documents of ~2 KB built from the sample's paragraphs (see the docstring)."""
    paragraphs = [
        p
        for text in pq.read_table(SAMPLE / "gnu_standards.parquet")["text"].to_pylist()
        for p in text.split("\n\n")
    ]
    with gzip.open(SAMPLE / "python_docs.jsonl.gz", "rt", encoding="utf-8") as handle:
        paragraphs += [p for line in handle for p in json.loads(line)["text"].split("\n\n")]
    rng = random.Random(seed)
    docs = []
    for index in range(count):
        parts: list[str] = []
        while sum(map(len, parts)) < 2000:
            parts.append(rng.choice(paragraphs))
        if index % 10 == 0:
            parts.insert(rng.randrange(len(parts)), PLANTED)
        docs.append("\n\n".join(parts))
    return docs


def rate(docs: Sequence[str], work: Callable[[str], object]) -> float:
    """Documents per CPU second, after one untimed call."""
    work(docs[0])
    start = time.process_time()
    for doc in docs:
        work(doc)
    return len(docs) / max(time.process_time() - start, 1e-9)


def evaluation_items(docs: Sequence[str], count: int, seed: int = 1) -> list[str]:
    """``count`` random 20-word items over the words of ``docs``."""
    vocabulary = sorted({word for doc in docs for word in doc.split()})
    rng = random.Random(seed)
    return [" ".join(rng.choices(vocabulary, k=20)) for _ in range(count)]


def decontamination_rates(docs: Sequence[str], large: int) -> None:
    words = [ngram_words(fold_case(doc)) for doc in docs]  # the scorer has these already
    for size in (1_000, large):
        index = ContaminationIndex.build([("eval", evaluation_items(docs, size))], 13)
        per_second = rate(words, index.first_match)
        print(
            f"decontamination, {size:,} items ({len(index.sets[0].hashes):,} 13-grams): "
            f"{per_second:,.0f} docs/s/core"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--eval-items", type=int, default=100_000)
    args = parser.parse_args()
    docs = documents(args.docs)
    print(f"{len(docs)} documents, {sum(map(len, docs)) / len(docs):,.0f} characters each")
    decontamination_rates(docs, args.eval_items)
    ours = rate(docs, lambda text: redact(text, find_pii(text)))
    print(f"PII, curate (patterns + validators): {ours:,.0f} docs/s/core")
    try:
        import scrubadub
    except ImportError:
        print("scrubadub: not installed, not timed")
        return
    scrubber = scrubadub.Scrubber()
    print(
        f"scrubadub {scrubadub.__version__} (default detectors): "
        f"{rate(docs, scrubber.clean):,.0f} docs/s/core"
    )


if __name__ == "__main__":
    main()
