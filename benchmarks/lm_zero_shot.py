"""Zero-shot token-probability detectors from a small local causal LM, on both dev sets.

Usage: ``python benchmarks/lm_zero_shot.py --dev PATH --dev2 DIR --model FILE.gguf
[--per-cell N] [--max-tokens T] [--out FILE]`` (needs the ``lm`` extra and a GGUF model file;
docs/synthetic.md, "Base models and sampled text", says which one and how to get it without a
network at run time; ~10-15 min for the default sample on the 2-core machine).

The shipped scorer cannot see 2019-2022 base-model samples (GPT-2 ... davinci): they are as
plain as human text. What they do have is token probabilities: sampled text sits where a
language model puts its mass. This measures four such statistics per text, each higher = more
machine-like, with no training at all:

* ``fast_detect``: the analytic sampling-discrepancy criterion of Fast-DetectGPT (Bao et al.,
  ICLR 2024), ``(sum log p(x_t) - sum E[log p]) / sqrt(sum Var[log p])``, expectations under the
  model's own next-token distribution;
* ``log_likelihood``: mean token log-probability (Solaiman et al. 2019; GLTR, Gehrmann et al.
  2019);
* ``log_rank``: minus the mean log(1 + rank) of each token (GLTR; Mitchell et al. 2023);
* ``low_entropy``: minus the mean entropy of the next-token distribution.

It prints AUROC per domain (humans vs chat models) and per generator, and whether one
threshold carries across genres: ``fast_detect``'s threshold at the 99th percentile of dev1's
human texts (the domains the base-model samples come from) applied to every dev2 genre's humans,
which the statistic never saw. Texts are sampled per (set, domain, label[, generator]) cell and
truncated to ``--max-tokens`` tokens.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.scorer_eval import auroc, rate_with_interval, read_rows  # noqa: E402
from scripts import train_synthetic as TS  # noqa: E402

TRANSFER_QUANTILE = 0.99
BATCH = 16


@dataclass(frozen=True)
class TokenStatistics:
    """Sums over a text's predicted tokens (natural logs): ``log_likelihood`` of the actual
    tokens, ``expected`` and ``variance`` of the log-probability under the model's own
    next-token distribution, ``log_rank`` = sum of log(1 + rank) of the actual tokens."""

    tokens: int
    log_likelihood: float
    expected: float
    variance: float
    log_rank: float


def token_statistics(log_probs: np.ndarray, targets: np.ndarray) -> TokenStatistics:
    """Statistics of one text from its next-token ``log_probs`` (tokens x vocabulary, each row
    normalised) and the ``targets`` that followed (one token id per row)."""
    actual = log_probs[np.arange(len(targets)), targets]
    probs = np.exp(log_probs)
    expected = (probs * log_probs).sum(axis=1)
    variance = (probs * log_probs**2).sum(axis=1) - expected**2
    rank = (log_probs > actual[:, None]).sum(axis=1)
    return TokenStatistics(
        tokens=len(targets),
        log_likelihood=float(actual.sum()),
        expected=float(expected.sum()),
        variance=float(np.maximum(variance, 0.0).sum()),
        log_rank=float(np.log1p(rank).sum()),
    )


CRITERIA: dict[str, Callable[[TokenStatistics], float]] = {
    "fast_detect": lambda s: (s.log_likelihood - s.expected) / np.sqrt(max(s.variance, 1e-12)),
    "log_likelihood": lambda s: s.log_likelihood / s.tokens,
    "log_rank": lambda s: -s.log_rank / s.tokens,
    "low_entropy": lambda s: s.expected / s.tokens,
}


def stratified_sample(rows: list[dict], per_cell: int, seed: int = 0) -> list[dict]:
    """At most ``per_cell`` texts of each (set, domain, label) cell, seeded; dev1's machine
    cells are per generator too (its base models are few and matter here), with a third as
    many texts each (at least 10)."""
    cells: dict[tuple, list[dict]] = {}
    for row in rows:
        dev1_machine = row["_dataset"] == "dev1" and row["label"] == "machine"
        generator = (row["generator"] or "") if dev1_machine else ""
        key = (row["_dataset"], row["domain"], row["label"], generator)
        cells.setdefault(key, []).append(row)
    rng = random.Random(seed)
    sample = []
    for key in sorted(cells):
        members = list(cells[key])
        rng.shuffle(members)
        dev1_machine = key[0] == "dev1" and key[2] == "machine"
        sample += members[: max(per_cell // 3, 10) if dev1_machine else per_cell]
    return sample


class CausalLM:
    """A GGUF causal LM through transformers (dequantised to float32 on the CPU)."""

    def __init__(self, path: Path, max_tokens: int) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
        self.model = AutoModelForCausalLM.from_pretrained(
            path.parent, gguf_file=path.name, dtype=torch.float32
        ).eval()
        self.start = self.tokenizer.bos_token_id
        self.max_tokens = max_tokens

    def statistics(self, texts: list[str]) -> list[TokenStatistics]:
        """Each text's :class:`TokenStatistics`, ``BATCH`` texts of similar length at a time."""
        ids = [
            [self.start] + self.tokenizer(t, add_special_tokens=False)["input_ids"] for t in texts
        ]
        ids = [i[: self.max_tokens] for i in ids]
        out: list[TokenStatistics | None] = [None] * len(texts)
        order = np.argsort([len(i) for i in ids], kind="stable")
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            width = max(len(ids[i]) for i in batch)
            tokens = np.full((len(batch), width), self.start, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                tokens[row, : len(ids[i])] = ids[i]
                mask[row, : len(ids[i])] = 1
            with self.torch.inference_mode():
                logits = self.model(
                    input_ids=self.torch.from_numpy(tokens),
                    attention_mask=self.torch.from_numpy(mask),
                ).logits
                log_probs = self.torch.log_softmax(logits.float(), dim=-1).numpy()
            for row, i in enumerate(batch):
                n = len(ids[i]) - 1
                out[i] = token_statistics(log_probs[row, :n], tokens[row, 1 : n + 1])
        return out


def report(rows: list[dict], stats: list[TokenStatistics], seconds: float) -> list[str]:
    """The tables: per domain, per generator, and the threshold transfer across genres."""
    dataset = np.array([r["_dataset"] for r in rows])
    domain = np.array([r["domain"] for r in rows])
    y = np.array([r["label"] == "machine" for r in rows], dtype=int)
    generator = np.array([(r["generator"] or "") if r["label"] == "machine" else "" for r in rows])
    chat = (y == 0) | np.isin(generator, TS.CHAT_GENERATORS)
    score = {name: np.array([f(s) for s in stats]) for name, f in CRITERIA.items()}
    names = list(CRITERIA)
    tokens = sum(s.tokens for s in stats)
    out = [
        f"Texts: {len(rows):,} ({tokens:,} predicted tokens) in {seconds:.0f} s "
        f"({len(rows) / seconds:.1f} texts/s, {tokens / seconds:,.0f} tokens/s).\n",
        "**AUROC, humans vs chat models, per domain** (zero-shot, no training):\n",
        "| set | domain | humans | machine | " + " | ".join(names) + " |",
        "| --- | --- | --- | --- | " + " | ".join("---" for _ in names) + " |",
    ]
    for ds, dom in sorted(set(zip(dataset, domain, strict=True))):
        m = chat & (dataset == ds) & (domain == dom)
        if not y[m].sum():
            continue
        cells = " | ".join(f"{auroc(y[m], score[n][m]):.3f}" for n in names)
        out.append(f"| {ds} | {dom} | {int((y[m] == 0).sum())} | {int(y[m].sum())} | {cells} |")
    out += [
        "\n**AUROC per generator** (against the human texts of the same set):\n",
        "| generator | set | texts | " + " | ".join(names) + " |",
        "| --- | --- | --- | " + " | ".join("---" for _ in names) + " |",
    ]
    for g in sorted(set(generator) - {""}, key=lambda g: (g not in TS.CHAT_GENERATORS, g)):
        for ds in sorted(set(dataset[generator == g])):
            m = (dataset == ds) & ((y == 0) | (generator == g))
            kind = "" if g in TS.CHAT_GENERATORS else " (base)"
            cells = " | ".join(f"{auroc(y[m], score[n][m]):.3f}" for n in names)
            out.append(f"| {g}{kind} | {ds} | {int((generator[m] == g).sum())} | {cells} |")
    human = y == 0
    fd = score["fast_detect"]
    threshold = float(np.quantile(fd[human & (dataset == "dev1")], TRANSFER_QUANTILE))
    out += [
        f"\n**One threshold across genres**: `fast_detect` >= {threshold:.3f}, the "
        f"{TRANSFER_QUANTILE:.0%} quantile of dev1's human texts; flagged share, Wilson 95 % "
        "intervals (dev2's genres never informed the threshold):\n",
        "| texts | n | flagged |",
        "| --- | --- | --- |",
    ]
    flagged = fd >= threshold
    for ds, dom in sorted(set(zip(dataset[human], domain[human], strict=True))):
        m = human & (dataset == ds) & (domain == dom)
        out.append(f"| humans, {ds} {dom} | {int(m.sum())} | {rate_with_interval(flagged[m])} |")
    for ds in ("dev1", "dev2"):
        m = human & (dataset == ds)
        out.append(f"| **humans, {ds}** | {int(m.sum())} | {rate_with_interval(flagged[m])} |")
    for g in sorted(set(generator) - {""}, key=lambda g: (g not in TS.CHAT_GENERATORS, g)):
        m = generator == g
        kind = "chat" if g in TS.CHAT_GENERATORS else "base"
        out.append(f"| {g} ({kind}) | {int(m.sum())} | {rate_with_interval(flagged[m])} |")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, required=True, help="dev.jsonl.gz")
    parser.add_argument("--dev2", type=Path, required=True, help="the dev2/ directory")
    parser.add_argument("--model", type=Path, required=True, help="a GGUF causal LM file")
    parser.add_argument("--per-cell", type=int, default=50, help="texts per sample cell")
    parser.add_argument("--max-tokens", type=int, default=192, help="tokens per text, at most")
    parser.add_argument("--out", type=Path, default=None, help="also write the tables here")
    args = parser.parse_args(argv)
    if not args.model.is_file():
        print(f"lm_zero_shot: no model file at {args.model}", file=sys.stderr)
        return 2
    rows = [
        r
        for r in stratified_sample(read_rows(args.dev, args.dev2, None), args.per_cell)
        if len(r["text"].split()) >= TS.MIN_WORDS
    ]
    lm = CausalLM(args.model, args.max_tokens)
    began = time.perf_counter()
    stats = lm.statistics([r["text"] for r in rows])
    text = "\n".join(report(rows, stats, time.perf_counter() - began)) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
