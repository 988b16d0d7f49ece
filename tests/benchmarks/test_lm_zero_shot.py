"""The zero-shot token-probability statistics (no language model needed: the statistics are
functions of next-token distributions, which these tests write down)."""

import numpy as np
import pytest

from benchmarks.lm_zero_shot import (
    CRITERIA,
    TokenStatistics,
    main,
    report,
    stratified_sample,
    token_statistics,
)


def _log_probs(rng: np.random.Generator, tokens: int, vocabulary: int) -> np.ndarray:
    logits = rng.normal(0.0, 2.0, size=(tokens, vocabulary))
    return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))


def test_uniform_distribution_statistics():
    vocabulary = 8
    log_probs = np.full((5, vocabulary), -np.log(vocabulary))
    stats = token_statistics(log_probs, np.array([0, 3, 7, 1, 2]))
    assert stats.tokens == 5
    assert stats.log_likelihood == pytest.approx(-5 * np.log(vocabulary))
    assert stats.expected == pytest.approx(-5 * np.log(vocabulary))
    assert stats.variance == pytest.approx(0.0, abs=1e-9)
    assert stats.log_rank == 0.0  # no token is strictly more likely than any other


def test_rank_counts_the_strictly_more_likely_tokens():
    log_probs = np.log(np.array([[0.5, 0.3, 0.2], [0.5, 0.3, 0.2]]))
    stats = token_statistics(log_probs, np.array([2, 0]))
    assert stats.log_rank == pytest.approx(np.log(3) + np.log(1))


def test_fast_detect_is_standard_normal_on_text_sampled_from_the_model():
    """Fast-DetectGPT's criterion is centred and scaled under the model's own sampling: text
    drawn from the distributions scores ~N(0, 1); the most likely tokens score far above it and
    the least likely far below."""
    rng = np.random.default_rng(0)
    sampled, greedy, unlikely = [], [], []
    for _ in range(200):
        log_probs = _log_probs(rng, 60, 50)
        probs = np.exp(log_probs)
        draws = np.array([rng.choice(50, p=p / p.sum()) for p in probs])
        sampled.append(CRITERIA["fast_detect"](token_statistics(log_probs, draws)))
        greedy.append(CRITERIA["fast_detect"](token_statistics(log_probs, probs.argmax(1))))
        unlikely.append(CRITERIA["fast_detect"](token_statistics(log_probs, probs.argmin(1))))
    assert abs(np.mean(sampled)) < 0.2
    assert 0.8 < np.std(sampled) < 1.2
    assert min(greedy) > 3 > -3 > max(unlikely)


def test_every_criterion_ranks_greedy_text_above_sampled_text():
    rng = np.random.default_rng(1)
    log_probs = _log_probs(rng, 80, 40)
    probs = np.exp(log_probs)
    draws = np.array([rng.choice(40, p=p / p.sum()) for p in probs])
    greedy = token_statistics(log_probs, probs.argmax(1))
    sampled = token_statistics(log_probs, draws)
    for name, criterion in CRITERIA.items():
        if name != "low_entropy":  # the same distributions: equal entropy
            assert criterion(greedy) > criterion(sampled), name


def _row(dataset, domain, label, generator, i):
    return {
        "_dataset": dataset,
        "domain": domain,
        "label": label,
        "generator": generator,
        "text": f"text {i}",
        "id": f"{dataset}-{domain}-{label}-{generator}-{i}",
    }


def test_stratified_sample_caps_each_cell_and_is_seeded():
    rows = (
        [_row("dev1", "xsum", "human", None, i) for i in range(100)]
        + [_row("dev1", "xsum", "machine", "gpt2-xl", i) for i in range(100)]
        + [_row("dev1", "xsum", "machine", "gpt-4", i) for i in range(5)]
        + [_row("dev2", "legal", "machine", "gpt-4o", i) for i in range(60)]
        + [_row("dev2", "legal", "machine", "llama-3-70b", i) for i in range(60)]
    )
    sample = stratified_sample(rows, per_cell=30)
    count = lambda **kv: sum(all(r[k] == v for k, v in kv.items()) for r in sample)  # noqa: E731
    assert count(_dataset="dev1", label="human") == 30
    assert count(generator="gpt2-xl") == 10  # dev1 machine cells: a third, at least 10
    assert count(generator="gpt-4") == 5
    assert count(_dataset="dev2", label="machine") == 30  # dev2's generators share a cell
    assert [r["id"] for r in sample] == [r["id"] for r in stratified_sample(rows, per_cell=30)]


def test_report_applies_the_dev1_threshold_to_every_genre():
    rows, stats = [], []
    for i in range(200):
        for dataset, domain in (("dev1", "xsum"), ("dev2", "legal")):
            rows.append(_row(dataset, domain, "human", None, i))
            stats.append(TokenStatistics(50, -150.0 - i, -140.0, 100.0, 60.0))
        rows.append(_row("dev1", "xsum", "machine", "gpt2-xl", i))
        stats.append(TokenStatistics(50, -100.0, -140.0, 100.0, 30.0))
    text = "\n".join(report(rows, stats, seconds=2.0))
    # humans' fast_detect runs from -1.0 down to -20.9 in steps of 0.1: two are above the
    # 99 % quantile (-1.199)
    assert "`fast_detect` >= -1.199" in text
    assert "| humans, dev2 legal | 200 | 0.010" in text
    assert "| gpt2-xl (base) | 200 | 1.000" in text
    assert "| gpt2-xl (base) | dev1 | 200 | 1.000 | 1.000 | 1.000 | 0.500 |" in text


def test_missing_model_file_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["--dev", "d", "--dev2", "d2", "--model", str(tmp_path / "no.gguf")]) == 2
    assert capsys.readouterr().err.strip() == f"lm_zero_shot: no model file at {tmp_path}/no.gguf"
