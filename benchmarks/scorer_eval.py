"""Evaluate a synthetic scorer as `curate run` would use it, on both dev sets, zero-shot.

Usage: ``python benchmarks/scorer_eval.py --dev PATH --dev2 DIR [--scorer module:Class]
[--args JSON] [--threshold T] [--limit N] [--out FILE]``.

Meant for a scorer plug-in (``synthetic.scorer``, docs/synthetic.md): it is not trained on the
dev sets, so scoring every English text once is a held-out test. It prints, at the scorer's own
flag threshold: AUROC and rates over both sets, per domain, per generator (base models
included: the blind spot), and human false positives per length band, with Wilson 95 %
intervals. Without ``--scorer`` it scores with the shipped model, which was trained on these
texts: those figures are in-sample (optimistic); the held-out ones are
``benchmarks/synthetic_eval.py``'s. Needs neither scikit-learn nor a network.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy.stats import rankdata

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curation.config import ConfigError, PluginConfig, SyntheticConfig  # noqa: E402
from curation.synthetic.plugin import build_synthetic_scorer  # noqa: E402
from curation.synthetic.scorer import ScoringScope  # noqa: E402
from curation.synthetic.share import wilson_interval  # noqa: E402
from scripts import synthetic_training as T  # noqa: E402
from scripts import train_synthetic as TS  # noqa: E402


class Outcomes:
    """One array per field over the dev sets' English texts, in file order."""

    def __init__(self, rows: list[dict], results: list[tuple[float | None, bool | None, int]]):
        self.dataset = np.array([r["_dataset"] for r in rows])
        self.domain = np.array([f"{r['_dataset']}/{r['domain']}" for r in rows])
        self.y = np.array([r["label"] == "machine" for r in rows], dtype=int)
        self.generator = np.array([r["generator"] if r["label"] == "machine" else "" for r in rows])
        self.score = np.array([np.nan if s is None else s for s, _, _ in results])
        self.flagged = np.array([bool(f) for _, f, _ in results])
        self.n_words = np.array([n for _, _, n in results])
        self.scored = ~np.isnan(self.score)
        self.chat = (self.y == 0) | np.isin(self.generator, TS.CHAT_GENERATORS)


def auroc(y: np.ndarray, s: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney U over mid-ranks); NaN with one class only."""
    positives, negatives = int(y.sum()), int((y == 0).sum())
    if not positives or not negatives:
        return float("nan")
    ranks = rankdata(s)
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / positives / negatives)


def rate_with_interval(hits: np.ndarray) -> str:
    k, n = int(hits.sum()), len(hits)
    if not n:
        return "n/a"
    low, high = wilson_interval(k, n)
    return f"{k / n:.3f} ({low:.3f}-{high:.3f})"


def _auroc(s: Outcomes, m: np.ndarray) -> str:
    value = auroc(s.y[m], s.score[m])
    return "n/a" if np.isnan(value) else f"{value:.3f}"


def read_rows(dev: Path, dev2: Path | None, limit: int | None) -> list[dict]:
    """The English records of both sets, as the scorer sees them; with ``limit``, at most that
    many of each set, evenly spaced in file order."""
    sets = [("dev1", dev)] + ([("dev2", dev2 / "dev2.jsonl.gz")] if dev2 else [])
    rows = []
    for name, path in sets:
        english = [r for r in T._read(path)[0] if r["lang"] in TS.LANGUAGES]
        if limit is not None:
            english = english[:: max(1, len(english) // limit)][:limit]
        rows += [{**r, "_dataset": name, "text": T.clean_text(r["text"])} for r in english]
    return rows


def score_rows(rows: list[dict], scorer: ScoringScope) -> tuple[list, int]:
    """``(score, flagged, n_words)`` of every row, scored ``scorer.batch_size`` texts at a time
    as in a run (a plug-in's ``score_batch``), and how many the scorer failed on."""
    results, failed = [], 0
    for start in range(0, len(rows), scorer.batch_size):
        texts = [row["text"] for row in rows[start : start + scorer.batch_size]]
        for outcome in scorer.score_many(texts, ["en"] * len(texts)):
            if outcome.failed is not None:  # a run rejects it (plugin:<name>.error)
                failed += 1
                results.append((None, None, 0))
                continue
            result = outcome.result
            results.append((result.score, result.flagged, int(result.signals["n_words"] or 0)))
    return results, failed


def report(s: Outcomes, title: str, failed: int) -> list[str]:
    human, machine = s.scored & (s.y == 0), s.scored & (s.y == 1)
    chat = s.scored & s.chat
    out = [
        f"## {title}\n",
        f"English texts: {len(s.y):,}; scored {int(s.scored.sum()):,} (humans "
        f"{int(human.sum()):,}, machine {int(machine.sum()):,}); abstained "
        f"{int((~s.scored).sum()) - failed:,}; failed (rejected in a run) {failed:,}. Rates at "
        "the scorer's flag threshold, Wilson 95 % intervals.\n",
        "| texts | AUROC, humans vs chat models | human FPR | chat-model TPR |",
        "| --- | --- | --- | --- |",
        f"| both sets | {_auroc(s, chat)} | {rate_with_interval(s.flagged[human])} | "
        f"{rate_with_interval(s.flagged[chat & (s.y == 1)])} |",
    ]
    for name in sorted(set(s.dataset)):
        m = s.dataset == name
        out.append(
            f"| {name} | {_auroc(s, chat & m)} | {rate_with_interval(s.flagged[human & m])} | "
            f"{rate_with_interval(s.flagged[chat & m & (s.y == 1)])} |"
        )
    out += ["\n| domain | humans | machine | AUROC | human FPR | machine TPR |"]
    out += ["| --- | --- | --- | --- | --- | --- |"]
    for domain in sorted(set(s.domain)):
        m = s.scored & (s.domain == domain)
        out.append(
            f"| {domain} | {int((m & (s.y == 0)).sum())} | {int((m & (s.y == 1)).sum())} | "
            f"{_auroc(s, m & s.chat)} | {rate_with_interval(s.flagged[m & (s.y == 0)])} | "
            f"{rate_with_interval(s.flagged[m & (s.y == 1)])} |"
        )
    out += ["\n| generator | texts | AUROC vs all humans | detection rate |"]
    out += ["| --- | --- | --- | --- |"]
    for generator in sorted(set(s.generator[machine])):
        m = machine & (s.generator == generator)
        kind = "" if generator in TS.CHAT_GENERATORS else " (base / not chat)"
        out.append(
            f"| {generator}{kind} | {int(m.sum())} | {_auroc(s, m | human)} | "
            f"{rate_with_interval(s.flagged[m])} |"
        )
    band = TS.band_of(s.n_words)
    out += ["\n| length band (words) | humans | human FPR | chat-model TPR |"]
    out += ["| --- | --- | --- | --- |"]
    for b in range(len(TS.BAND_EDGES)):
        m = band == b
        out.append(
            f"| {TS.band_label(b)} | {int((human & m).sum())} | "
            f"{rate_with_interval(s.flagged[human & m])} | "
            f"{rate_with_interval(s.flagged[chat & m & (s.y == 1)])} |"
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, required=True, help="dev.jsonl.gz")
    parser.add_argument("--dev2", type=Path, default=None, help="the dev2/ directory")
    parser.add_argument("--scorer", default=None, help="module:Class (default: shipped model)")
    parser.add_argument("--args", default="{}", help="the class's keyword arguments, JSON")
    parser.add_argument("--threshold", type=float, default=None, help="synthetic.threshold")
    parser.add_argument("--limit", type=int, default=None, help="English texts per dev set")
    parser.add_argument("--out", type=Path, default=None, help="also write the tables here")
    args = parser.parse_args(argv)
    try:
        spec = None
        if args.scorer:
            spec = PluginConfig(**{"class": args.scorer, "args": json.loads(args.args)})
        scorer = build_synthetic_scorer(SyntheticConfig(scorer=spec, threshold=args.threshold))
    except (ConfigError, ValueError) as error:
        print(f"scorer_eval: {str(error).splitlines()[0]}", file=sys.stderr)
        return 2
    rows = read_rows(args.dev, args.dev2, args.limit)
    results, failed = score_rows(rows, scorer)
    title = (
        f"Scorer plug-in `{args.scorer}` (zero-shot on the dev sets)"
        if args.scorer
        else "Shipped model (in-sample: trained on these texts)"
    )
    text = "\n".join(report(Outcomes(rows, results), title, failed)) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
