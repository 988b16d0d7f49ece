"""The examples of docs/api.md, executed as a user would: on the local runner and on Dask."""

from __future__ import annotations

import re

import pyarrow.parquet as pq
import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from tests.paths import REPO
from transforms.runner_workarounds import LocalRunner

API_DOC = REPO / "docs" / "api.md"


def _example(function: str) -> dict:
    """The namespace of the ``python`` block of docs/api.md that defines ``function``."""
    blocks = re.findall(r"```python\n(.*?)```", API_DOC.read_text(encoding="utf-8"), re.S)
    (source,) = [block for block in blocks if f"def {function}(" in block]
    namespace: dict = {"__name__": "docs_api_example"}
    exec(compile(source, str(API_DOC), "exec"), namespace)  # noqa: S102 - the doc's own code
    return namespace


def _outcomes(output) -> tuple[list, list]:
    corpus = pq.read_table(output / "corpus" / "part-00000.parquet")
    rejects = pq.read_table(output / "rejects" / "part-00000.parquet")
    kept = corpus.select(["id", "url", "metadata"]).to_pylist()
    rejected = rejects.select(["id", "reject_reason", "duplicate_of"]).to_pylist()
    return kept, sorted(rejected, key=lambda row: row["id"])


EXPECTED_KEPT = [{"id": "a", "url": "https://example.org/a", "metadata": '{"year":2021}'}]
EXPECTED_REJECTED = [
    {"id": "b", "reject_reason": "exact_duplicate", "duplicate_of": "a"},
    {"id": "c", "reject_reason": "quality:gopher_quality.word_count", "duplicate_of": None},
    {"id": "d", "reject_reason": "non_string_text", "duplicate_of": None},
]


def test_first_example_on_the_local_runner(tmp_path):
    _example("run")["run"](str(tmp_path), LocalRunner())
    assert _outcomes(tmp_path) == (EXPECTED_KEPT, EXPECTED_REJECTED)


def test_first_example_on_dask_gives_the_same_bytes(tmp_path):
    distributed = pytest.importorskip("distributed")
    from apache_beam.runners.dask.dask_runner import DaskRunner

    example = _example("run")
    example["run"](str(tmp_path / "local"), LocalRunner())
    # worker processes: an in-process (threads) cluster groups some elements twice
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=True, dashboard_address=":0"
    ) as cluster:
        options = PipelineOptions([f"--dask_client_address={cluster.scheduler_address}"])
        example["run"](str(tmp_path / "dask"), DaskRunner(), options)
    assert _outcomes(tmp_path / "dask") == (EXPECTED_KEPT, EXPECTED_REJECTED)
    for kind in ("corpus", "rejects"):
        local = (tmp_path / "local" / kind / "part-00000.parquet").read_bytes()
        assert (tmp_path / "dask" / kind / "part-00000.parquet").read_bytes() == local


def test_stages_example_runs(capsys):
    text = "The bus to the station was late again, so I missed the first train of the day. " * 3
    documents = [{"id": "x", "text": text}, {"id": "y", "text": text}]
    _example("only_some_stages")["only_some_stages"](documents, LocalRunner())
    printed = capsys.readouterr().out
    assert "'id': 'x'" in printed and "'id': 'y'" not in printed
