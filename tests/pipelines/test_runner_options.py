"""Which runner a run uses, and what the manifest records of it."""

from __future__ import annotations

import json

import pytest

from curation.config import ConfigError
from pipelines.run import beam_options, describe_runner


def test_direct_runner_means_the_default_local_runner():
    default = describe_runner(beam_options([]))
    assert default["runner"] == "LocalRunner"
    assert default["mode"] == "multi_processing"
    assert default["workers"] >= 1
    assert describe_runner(beam_options(["--runner=DirectRunner"])) == default


def test_explicit_local_settings_win():
    runner = describe_runner(beam_options(["--runner=DirectRunner", "--direct_num_workers=1"]))
    assert runner == {"runner": "LocalRunner", "mode": "multi_processing", "workers": 1}
    runner = describe_runner(beam_options(["--direct_running_mode=in_memory"]))
    assert runner["mode"] == "in_memory"


def test_other_runners_have_no_local_settings():
    runner = describe_runner(beam_options(["--runner=DaskRunner", "--dask_npartitions=2"]))
    assert runner == {"runner": "DaskRunner", "mode": None, "workers": None}


def test_unknown_option_is_a_config_error():
    with pytest.raises(ConfigError, match="did you mean '--direct_num_workers'"):
        beam_options(["--direct_num_wrkers=2"])
    with pytest.raises(ConfigError, match="did you mean '--overwrite'"):
        beam_options(["--overwrit"], other_options=["--overwrite", "--output"])


def test_a_bad_option_value_has_one_prefix(capsys):
    from pipelines.cli import main

    assert main(["run", "--direct_num_workers=abc"]) == 2
    error = capsys.readouterr().err.strip()
    assert error == "curate: error: argument --direct_num_workers: invalid int value: 'abc'"


def test_verbose_is_accepted_after_run(capsys):
    from pipelines.cli import main

    assert main(["run", "-v", "--direct_num_wrkers=1"]) == 2  # -v is not passed to Beam
    assert "--v" not in capsys.readouterr().err


def test_the_manifest_records_what_ran(tiny_out):
    manifest = json.loads((tiny_out / "manifest.json").read_text())
    assert manifest["runner"]["runner"] == "LocalRunner"
    assert manifest["runner"]["mode"] == "in_memory"
    assert manifest["runner"]["workers"] == 1
