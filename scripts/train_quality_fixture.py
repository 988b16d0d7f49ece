"""Train the tiny fastText quality classifier the tests use (tests/data/quality_tiny.bin).

DCLM-style binary classifier (``__label__hq`` vs ``__label__cc``) on a handful of crafted
lines: what matters to the tests is a real fastText model file that scores the two kinds of
text apart, not its quality. Training needs the full ``fasttext`` package
(``fasttext-numpy2-wheel``), which clashes with the ``fasttext-predict`` module the project
uses, so install it elsewhere and put it first on the path:

    pip install --target /tmp/fttrain fasttext-numpy2-wheel
    PYTHONPATH=/tmp/fttrain python scripts/train_quality_fixture.py tests/data/quality_tiny.bin
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import fasttext

HIGH = (
    "the committee published a detailed report on regional water management and policy",
    "researchers describe the experimental method and discuss the results in context",
    "this chapter explains the history of the river valley and its early settlements",
    "the article reviews evidence from several studies and summarises their findings",
)
LOW = (
    "click here buy now cheap deals free shipping best price click here",
    "win win win free prize click now limited offer buy buy buy",
    "cheap cheap deals click subscribe now free free free offer",
    "buy now best price free shipping click here deals deals",
)


def train(path: Path) -> None:
    lines = [f"__label__hq {text}" for text in HIGH] + [f"__label__cc {text}" for text in LOW]
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(lines * 20) + "\n")
    for seed in range(1, 20):  # fastText 0.9.2 sometimes ends a tiny run with "Encountered NaN"
        try:
            model = fasttext.train_supervised(
                handle.name, dim=4, epoch=20, lr=0.3, thread=1, seed=seed, verbose=0
            )
        except RuntimeError:
            continue
        if model.predict(HIGH[0])[0] != ("__label__hq",) or model.predict(LOW[0])[0] != (
            "__label__cc",
        ):
            continue
        model.save_model(str(path))
        return
    raise SystemExit("fastText training failed for every seed")


if __name__ == "__main__":
    train(Path(sys.argv[1]))
