"""Every kind of configuration mistake, through the ``curate run`` command line: exit code 2,
one line on stderr naming the key, file or option, no traceback, and nothing written.

Config validation itself is unit-tested in tests/curation/test_config.py; this checks what a
user sees.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pipelines.cli import main

Case = Callable[[Path], tuple[list[str], list[str]]]


def _input(root: Path) -> Path:
    path = root / "docs.jsonl"
    path.write_text(json.dumps({"id": "a", "text": "a short document"}) + "\n")
    return path


def _config(root: Path, extra: str, paths: str | None = None) -> Path:
    config = root / "config.yaml"
    paths = paths or f"['{_input(root)}']"
    config.write_text(f"sources:\n  - {{name: docs, paths: {paths}}}\n{extra}")
    return config


def unknown_key(root: Path) -> tuple[list[str], list[str]]:
    config = _config(root, "limits: {max_text_bytez: 10}\n")
    return ["--config", str(config)], [str(config), "limits.max_text_bytez", "unknown key"]


def unknown_source_key(root: Path) -> tuple[list[str], list[str]]:
    config = root / "config.yaml"
    config.write_text(f"sources:\n  - {{name: docs, paths: ['{_input(root)}'], licence: MIT}}\n")
    return ["--config", str(config)], [str(config), "sources.0.licence", "unknown key"]


def wrong_type(root: Path) -> tuple[list[str], list[str]]:
    config = _config(root, "limits: {max_text_bytes: lots}\n")
    return ["--config", str(config)], [str(config), "limits.max_text_bytes"]


def out_of_range(root: Path) -> tuple[list[str], list[str]]:
    config = _config(root, "dedup: {threshold: 1.5}\n")
    return ["--config", str(config)], [str(config), "dedup.threshold"]


def misspelled_scorer_threshold(root: Path) -> tuple[list[str], list[str]]:
    config = _config(root, "quality: {scorers: {gopher_quality: {min_wrds: 3}}}\n")
    key = "quality.scorers.gopher_quality.min_wrds"
    return ["--config", str(config)], [str(config), key, "unknown key"]


def unknown_scorer(root: Path) -> tuple[list[str], list[str]]:
    config = _config(root, "quality: {scorers: {gopher_qualty: {enabled: false}}}\n")
    return ["--config", str(config)], [str(config), "quality.scorers.gopher_qualty", "unknown key"]


def scorer_threshold_wrong_type(root: Path) -> tuple[list[str], list[str]]:
    config = _config(root, "quality: {scorers: {c4_quality: {min_sentences: 2.5}}}\n")
    return ["--config", str(config)], [str(config), "quality.scorers.c4_quality.min_sentences"]


def scorer_threshold_negative(root: Path) -> tuple[list[str], list[str]]:
    config = _config(root, "quality: {scorers: {fineweb_quality: {max_list_ratio: -1}}}\n")
    key = "quality.scorers.fineweb_quality.max_list_ratio"
    return ["--config", str(config)], [str(config), key, "greater than or equal to 0"]


def bad_yaml(root: Path) -> tuple[list[str], list[str]]:
    config = root / "config.yaml"
    config.write_text("sources:\n  - {name: docs, paths: ['a.jsonl'\nlimits: {}\n")
    return ["--config", str(config)], [str(config), "invalid YAML"]


def not_a_mapping(root: Path) -> tuple[list[str], list[str]]:
    config = root / "config.yaml"
    config.write_text("- just\n- a list\n")
    return ["--config", str(config)], [str(config), "mapping"]


def missing_config(root: Path) -> tuple[list[str], list[str]]:
    config = root / "missing.yaml"
    return ["--config", str(config)], [str(config)]


def config_is_a_directory(root: Path) -> tuple[list[str], list[str]]:
    return ["--config", str(root)], [str(root), "cannot read config"]


def source_glob_matches_nothing(root: Path) -> tuple[list[str], list[str]]:
    pattern = str(root / "nothing-*.jsonl")
    config = _config(root, "", paths=f"['{pattern}']")
    return ["--config", str(config)], ["'docs'", pattern, "matches no file"]


def source_directory_is_empty(root: Path) -> tuple[list[str], list[str]]:
    (root / "empty").mkdir()
    return ["--input", str(root / "empty")], [str(root / "empty"), "matches no file"]


def unknown_beam_option(root: Path) -> tuple[list[str], list[str]]:
    return ["--input", str(_input(root)), "--direct_num_wrkers=2"], ["--direct_num_wrkers"]


def unknown_subcommand_flag(root: Path) -> tuple[list[str], list[str]]:
    return ["--input", str(_input(root)), "--overwite"], ["--overwite"]


CASES: list[Case] = [
    unknown_key,
    unknown_source_key,
    wrong_type,
    out_of_range,
    misspelled_scorer_threshold,
    unknown_scorer,
    scorer_threshold_wrong_type,
    scorer_threshold_negative,
    bad_yaml,
    not_a_mapping,
    missing_config,
    config_is_a_directory,
    source_glob_matches_nothing,
    source_directory_is_empty,
    unknown_beam_option,
    unknown_subcommand_flag,
]


def curate_run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["run", *args])
    return code, capsys.readouterr().err


def assert_one_line(error: str, needles: list[str]) -> None:
    assert len(error.strip().splitlines()) == 1, error
    assert error.startswith("curate: ") and "Traceback" not in error
    for needle in needles:
        assert needle in error, f"{needle!r} not in {error!r}"


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_mistake_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, case):
    args, needles = case(tmp_path)
    out = tmp_path / "out"
    code, error = curate_run(capsys, *args, "--output", str(out))
    assert code == 2
    assert_one_line(error, needles)
    assert not out.exists()


def test_non_empty_output_without_overwrite_is_left_alone(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("precious")
    code, error = curate_run(capsys, "--input", str(_input(tmp_path)), "--output", str(out))
    assert code == 2
    assert_one_line(error, [str(out), "not empty", "--overwrite"])
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert (out / "keep.txt").read_text() == "precious"


def test_overwrite_refuses_a_directory_curate_did_not_write(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "corpus").mkdir(parents=True)
    (out / "corpus" / "mine.parquet").write_text("precious")
    args = ["--input", str(_input(tmp_path)), "--output", str(out), "--overwrite"]
    code, error = curate_run(capsys, *args)
    assert code == 2
    assert_one_line(error, [str(out), "did not write", "refusing"])
    assert (out / "corpus" / "mine.parquet").read_text() == "precious"
    assert sorted(p.name for p in out.iterdir()) == ["corpus"]


@pytest.mark.parametrize("inside", ["out", "deeper/out", "."])
def test_an_output_inside_an_input_directory_is_refused(tmp_path, capsys, inside):
    data = tmp_path / "data"
    data.mkdir()
    _input(data)
    out = data / inside
    for given in (str(data), str(data / "*.jsonl")):
        code, error = curate_run(capsys, "--input", given, "--output", str(out))
        assert code == 2
        assert_one_line(error, ["inside input", given])
    assert sorted(p.name for p in data.iterdir()) == ["docs.jsonl"]


@pytest.mark.parametrize(
    ("flag", "path", "hint"),
    [
        ("--input", "hf://datasets/org/name", "hf download --repo-type dataset"),
        ("--input", "nosuchscheme://bucket/docs.jsonl", "no filesystem"),
        ("--output", "nosuchscheme://bucket/out", "no filesystem"),
    ],
)
def test_a_path_no_filesystem_serves_is_one_line(tmp_path, capsys, flag, path, hint):
    args = {"--input": str(_input(tmp_path)), "--output": str(tmp_path / "out"), flag: path}
    code, error = curate_run(capsys, *[part for item in args.items() for part in item])
    assert code == 2
    assert_one_line(error, [path, hint])
    assert not (tmp_path / "out").exists()


def test_output_that_is_a_file_is_left_alone(tmp_path, capsys):
    out = tmp_path / "out"
    out.write_text("precious")
    code, error = curate_run(
        capsys, "--input", str(_input(tmp_path)), "--output", str(out), "--overwrite"
    )
    assert code == 2
    assert_one_line(error, [str(out), "not a directory"])
    assert out.read_text() == "precious"


def test_output_below_a_file_exits_2(tmp_path, capsys):
    (tmp_path / "file.txt").write_text("precious")
    out = tmp_path / "file.txt" / "out"
    code, error = curate_run(capsys, "--input", str(_input(tmp_path)), "--output", str(out))
    assert code == 2
    assert_one_line(error, [str(out)])


def test_unknown_runner_exits_2_before_writing(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["--input", str(_input(tmp_path)), "--output", str(out), "--runner=NoSuchRunner"]
    code, error = curate_run(capsys, *args)
    assert code == 2
    assert_one_line(error, ["NoSuchRunner"])
    assert not out.exists()


def test_bad_beam_option_value_gives_one_line(tmp_path, capsys):
    args = ["--input", str(_input(tmp_path)), "--output", str(tmp_path / "out")]
    code, error = curate_run(capsys, *args, "--direct_running_mode=bogus")
    assert code == 2
    assert_one_line(error, ["--direct_running_mode", "bogus"])


def test_real_process_prints_one_line(tmp_path):
    """The installed entry point, as a user runs it: no log lines or traceback around it."""
    args, needles = unknown_key(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "run", *args, "--output", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert_one_line(result.stderr, needles)


def test_an_output_on_a_read_only_filesystem_is_one_line(tmp_path, capsys):
    out = "/proc/curate-test-output"  # procfs refuses new directories, even to root
    code, error = curate_run(capsys, "--input", str(_input(tmp_path)), "--output", out)
    assert code == 2
    assert_one_line(error, [out])
