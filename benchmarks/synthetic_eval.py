"""Evaluate the synthetic-text scorer on the dev set and print a Markdown section.

Usage: ``python benchmarks/synthetic_eval.py [--dev PATH] [--out FILE]`` (needs scikit-learn).

Reports, all with grouped cross-validation (``group`` + first 20 words): AUROC, TPR at 1 % / 5 %
FPR and ECE for the model, the lexicon-only baseline (marker-word rate) and the zero-shot
compression baseline (zlib ratio); leave-one-domain-out and leave-one-generator-out AUROC;
a reliability table; human FPR per subgroup at the shipped threshold; corpus-share estimation
on mixtures of held-apart texts; and single-core scoring speed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curation.synthetic import SyntheticScorer, estimate_share  # noqa: E402
from curation.synthetic.model import ModelArtefact, sigmoid  # noqa: E402
from curation.synthetic.share import wilson_interval  # noqa: E402
from scripts import synthetic_training as T  # noqa: E402
from scripts import train_synthetic as TS  # noqa: E402

MIXTURE_SHARES = (0.0, 0.05, 0.20, 0.50)
MIXTURE_SIZE = 1000
MIXTURE_REPS = 200
SPEED_DOCS = 3000
SHORT_WORDS = 120


def _fmt(v: float) -> str:
    return "n/a" if np.isnan(v) else f"{v:.3f}"


def _metrics_row(name: str, y: np.ndarray, s: np.ndarray) -> str:
    return (
        f"| {name} | {_fmt(T.auroc(y, s))} | {_fmt(T.tpr_at_fpr(y, s, 0.01))} | "
        f"{_fmt(T.tpr_at_fpr(y, s, 0.05))} |"
    )


# (label, features, C) of the models compared in every table: the shipped one first.
CONFIGS = (
    ("shipped: signals + function words", TS.MODEL_FEATURES, TS.C, TS.CLIP),
    ("signals only (model before 2026-11-26)", TS.SIGNAL_FEATURES, 1.0, None),
)


def side_by_side(
    dev: T.DevSet, oof: np.ndarray, prev_oof: np.ndarray, burst_oof: np.ndarray
) -> list[str]:
    """Model vs baselines on chat generators and on base models."""
    lex = np.array([s["marker_rate"] for s in dev.signals])
    zlib = -np.array([s["zlib_ratio"] for s in dev.signals])
    chat = TS.training_mask(dev)
    base = (dev.y == 0) | ~chat
    out = []
    for title, m in (("chat generators (training target)", chat), ("base models + davinci", base)):
        out += [
            f"\n**Human vs {title}**: {int((dev.y[m] == 0).sum())} human / "
            f"{int((dev.y[m] == 1).sum())} machine texts.\n",
            "| method | AUROC | TPR @ 1 % FPR | TPR @ 5 % FPR |",
            "| --- | --- | --- | --- |",
            _metrics_row("shipped model (grouped 5-fold OOF)", dev.y[m], oof[m]),
            _metrics_row("signals only (previous model)", dev.y[m], prev_oof[m]),
            _metrics_row("model + burstiness (ablation, not shipped)", dev.y[m], burst_oof[m]),
            _metrics_row("lexicon only: marker-word rate (zero-shot)", dev.y[m], lex[m]),
            _metrics_row("compression: -zlib ratio (zero-shot)", dev.y[m], zlib[m]),
        ]
    return out


def leave_one_out(dev: T.DevSet) -> list[str]:
    """Leave-one-domain-out and leave-one-generator-out AUROC / TPR@5 %, for every CONFIGS."""
    chat = TS.training_mask(dev)
    heads = " | ".join(f"AUROC / TPR@5 % ({name})" for name, *_ in CONFIGS)
    rule = "| --- " * (len(CONFIGS) + 1) + "|"
    out = [
        "\n**Leave one domain out** (train on the other English domains, test on this one; "
        "human vs chat):\n"
    ]
    out += [f"| held-out domain | {heads} |", rule]
    for dom in sorted(set(dev.domain)):
        tr = chat & (dev.domain != dom)
        te = chat & (dev.domain == dom)
        has_both = len(np.unique(dev.y[te])) == 2
        cells = []
        for _, names, c, clip in CONFIGS:
            x = T.feature_matrix(dev.signals, names)
            w = T.balanced_weights(dev.y[tr], dev.generator[tr])
            s = T.fit_linear(x[tr], dev.y[tr], w, names, c, clip).decision(x[te])
            tpr = T.tpr_at_fpr(dev.y[te], s, 0.05) if has_both else float("nan")
            cells.append(f"{_fmt(T.auroc(dev.y[te], s))} / {_fmt(tpr)}")
        note = "" if has_both else " (no chat texts in this domain)"
        out.append(f"| {dom}{note} | {' | '.join(cells)} |")
    out += ["\n**Leave one generator out** (its texts never trained on; OOF, grouped):\n"]
    out += [f"| generator | n | {heads} |", rule + " --- |"]
    for gen in sorted(set(dev.generator) - {""}):
        te = (dev.y == 0) | (dev.generator == gen)
        cells = []
        for _, names, c, clip in CONFIGS:
            oof = T.out_of_fold(dev, names, chat & (dev.generator != gen), c, clip)
            tpr = T.tpr_at_fpr(dev.y[te], oof[te], 0.05)
            cells.append(f"{_fmt(T.auroc(dev.y[te], oof[te]))} / {_fmt(tpr)}")
        kind = " (trained on others)" if gen in TS.CHAT_GENERATORS else " (never trained)"
        out.append(f"| {gen}{kind} | {int((dev.generator == gen).sum())} | {' | '.join(cells)} |")
    return out


def reliability(dev: T.DevSet, p: np.ndarray) -> list[str]:
    """ECE and reliability bins on chat + human OOF probabilities (class-balanced)."""
    m = TS.training_mask(dev)
    w = T.balanced_weights(dev.y[m], dev.generator[m])
    ece, rows = T.expected_calibration_error(dev.y[m], p[m], w)
    out = [f"\n**Calibration** (50/50 prior, class-balanced weights): ECE = {ece:.3f}.\n"]
    out += ["| mean predicted | observed machine rate | weight share |", "| --- | --- | --- |"]
    out += [f"| {c:.2f} | {r:.2f} | {s:.3f} |" for c, r, s in rows]
    return out


def subgroup_fpr(dev: T.DevSet, p: np.ndarray, threshold: float) -> list[str]:
    """Human false-positive rate per subgroup at the shipped threshold, with Wilson 95 % CI."""
    human = dev.y == 0
    n_words = np.array([s["n_words"] for s in dev.signals])
    groups = [("all English humans", human)]
    groups += [(f"domain {d}", human & (dev.domain == d)) for d in sorted(set(dev.domain))]
    groups += [(f"short ({TS.MIN_WORDS}-{SHORT_WORDS} words)", human & (n_words < SHORT_WORDS))]
    # Plain-prose proxies (fairness): the quarter of human texts with the shortest words / the
    # lowest lexical variety (MATTR).
    for sig, label in (("mean_word_chars", "shortest words"), ("mattr", "lowest MATTR")):
        v = np.array([s[sig] for s in dev.signals])
        groups.append(
            (f"plain: {label} (lowest quarter)", human & (v <= np.quantile(v[human], 0.25)))
        )
    out = [f"\n**Human FPR at the default threshold {threshold:.3f}** (grouped OOF):\n"]
    out += ["| subgroup | n | FPR | 95 % CI |", "| --- | --- | --- | --- |"]
    for name, m in groups:
        k, n = int((p[m] >= threshold).sum()), int(m.sum())
        lo, hi = wilson_interval(k, n)
        out.append(f"| {name} | {n} | {k / max(n, 1):.3f} | {lo:.3f}-{hi:.3f} |")
    return out


def sample_docs_fpr(threshold: float) -> list[str]:
    """Flag rate of the shipped model on the sample corpus's English human documentation."""
    import gzip
    import json

    root = Path(__file__).resolve().parents[1] / "data" / "sample"

    def read(name: str) -> list[dict]:
        opener = gzip.open if name.endswith(".gz") else open
        with opener(root / name, "rt", encoding="utf-8") as f:
            return [json.loads(x) for x in f]

    sources = {
        "Python 3.11 docs": read("python_docs.jsonl.gz"),
        "Debian Reference": read("debian_reference.jsonl"),
        "UDHR (English)": read("udhr.jsonl.gz"),
    }
    scorer = SyntheticScorer()
    out = [
        "\n**Out-of-domain human text** (sample corpus documentation, never trained on; flag "
        f"rate at {threshold:.3f}):\n",
        "| source | n scored | flagged | 95 % CI | mean score |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, recs in sources.items():
        english = [r for r in recs if not r["id"].startswith(("debref-ja", "debref-zh", "udhr-"))]
        english += [r for r in recs if r["id"].startswith("udhr-eng")]
        scores = [scorer.score(r["text"], "en").score for r in english]
        scores = np.array([x for x in scores if x is not None])
        k = int((scores >= threshold).sum())
        lo, hi = wilson_interval(k, len(scores))
        out.append(
            f"| {name} | {len(scores)} | {k / max(len(scores), 1):.3f} | {lo:.3f}-{hi:.3f} | "
            f"{scores.mean():.3f} |"
        )
    return out


def mixtures(dev: T.DevSet, oof: np.ndarray) -> list[str]:
    """Share estimation on mixtures of held-apart texts: calibrate on half A, mix half B."""
    rng = np.random.default_rng(T.SEED)
    half_b = np.isin(dev.group, rng.permutation(np.unique(dev.group))[::2])
    chat = TS.training_mask(dev)
    a = chat & ~half_b
    w = T.balanced_weights(dev.y[a], dev.generator[a])
    platt = T.fit_platt(oof[a], dev.y[a], w)
    p = sigmoid(platt[0] * oof + platt[1])
    thr = TS.choose_threshold(p[~half_b], dev.subset(~half_b))
    tpr = float(np.mean(p[a & (dev.y == 1)] >= thr))
    fpr = float(np.mean(p[a & (dev.y == 0)] >= thr))
    humans = np.flatnonzero(half_b & (dev.y == 0))
    pools = {
        "chat": np.flatnonzero(half_b & chat & (dev.y == 1)),
        "base models": np.flatnonzero(half_b & ~chat),
    }
    out = [
        f"\n**Corpus share on mixtures** ({MIXTURE_REPS} mixtures of {MIXTURE_SIZE} texts per "
        "row, drawn with replacement from held-apart half B; calibration, threshold, TPR/FPR "
        "from half A):\n",
        "| machine pool | true share | method | mean estimate | mean abs error | CI coverage |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for pool_name, pool in pools.items():
        for share in MIXTURE_SHARES:
            k = round(share * MIXTURE_SIZE)
            for method in ("mle", "acc"):
                est = []
                for _ in range(MIXTURE_REPS):
                    idx = np.concatenate(
                        [rng.choice(pool, k), rng.choice(humans, MIXTURE_SIZE - k)]
                    )
                    kw = {"threshold": thr, "tpr": tpr, "fpr": fpr} if method == "acc" else {}
                    est.append(estimate_share(p[idx].tolist(), method=method, **kw))
                vals = np.array([e.share for e in est])
                cover = np.mean([e.low <= share <= e.high for e in est])
                out.append(
                    f"| {pool_name} | {share:.2f} | {method} | {vals.mean():.3f} | "
                    f"{np.abs(vals - share).mean():.3f} | {cover:.2f} |"
                )
    return out


def speed(rows: list[dict]) -> list[str]:
    """Single-process scoring throughput on English dev texts (one core)."""
    scorer = SyntheticScorer()
    texts = [r["text"] for r in rows if r["lang"] == "en"][:SPEED_DOCS]
    wall, cpu = time.perf_counter(), time.process_time()
    for t in texts:
        scorer.score(t, "en")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    chars = np.mean([len(t) for t in texts])
    return [
        f"\n**Speed** (single process, {len(texts)} English dev texts, mean {chars:,.0f} "
        f"characters, `SyntheticScorer.score` incl. all signals; target 2,000 docs/s/core): "
        f"{len(texts) / cpu:,.0f} docs per CPU-second, {len(texts) / wall:,.0f} docs/s wall "
        "clock (wall time depends on other load on the machine).",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dev", type=Path, required=True, help="shared/data/synthetic/dev.jsonl.gz"
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    full = T.load_dev(args.dev)
    dev = TS.scored_english(full)
    art = ModelArtefact.load()
    chat = TS.training_mask(dev)
    oof = T.out_of_fold(dev, TS.MODEL_FEATURES, chat, TS.C, TS.CLIP)
    prev_oof = T.out_of_fold(dev, TS.SIGNAL_FEATURES, chat)
    burst_oof = T.out_of_fold(dev, (*TS.MODEL_FEATURES, "burstiness"), chat, TS.C, TS.CLIP)
    a, b = art.model.platt
    p = sigmoid(a * oof + b)
    lines = [
        "## Synthetic-text scorer: dev-set evaluation",
        f"\nDev set sha256 `{dev.sha256[:16]}...`; {len(dev.y)} English texts with >= "
        f"{TS.MIN_WORDS} words (other languages abstain). Produced by "
        "`benchmarks/synthetic_eval.py`.",
    ]
    lines += side_by_side(dev, oof, prev_oof, burst_oof)
    lines += leave_one_out(dev)
    lines += reliability(dev, p)
    lines += subgroup_fpr(dev, p, art.threshold)
    lines += sample_docs_fpr(art.threshold)
    lines += mixtures(dev, oof)
    lines += speed(full.rows)
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
