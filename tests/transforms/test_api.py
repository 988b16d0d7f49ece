"""The Beam API over dicts runs the pipeline's own stages: the same decisions and scores as
``curate run`` on the same documents, whatever their order, stage by stage or all at once."""

from __future__ import annotations

import json
import random

import apache_beam as beam
import pyarrow.parquet as pq
import pytest
from apache_beam.testing.util import assert_that, equal_to

from curation.config import ConfigError
from tests.paths import REPO
from tests.pipelines.helpers import sample_texts
from tests.transforms.beam_helpers import local_pipeline
from transforms import Curate, Deduplicate, Filter, Score, WriteParquet

CONFIG = {"sources": [{"name": "news", "license": "cc-by-4.0"}]}
#: Columns that must match ``curate run`` (origin columns differ: no file, no record number).
COMPARED = (
    "id",
    "text",
    "license",
    "content_hash",
    "lang",
    "quality",
    "quality_score",
    "synthetic_score",
    "dup_cluster_id",
    "dup_cluster_size",
    "reject_stage",
    "reject_reason",
    "duplicate_of",
)


def _news(tiny_run) -> list[dict]:
    lines = (tiny_run.out.parent / "news.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def _run_rows(tiny_run) -> dict[str, dict]:
    rows = {}
    for kind in ("corpus", "rejects"):
        for path in (tiny_run.out / kind).glob("*.parquet"):
            for row in pq.read_table(path).to_pylist():
                if row["source"] == "news":
                    rows[row["id"]] = {name: row.get(name) for name in COMPARED}
    return rows


def _written(directory) -> list[dict]:
    return [row for path in directory.glob("*.parquet") for row in pq.read_table(path).to_pylist()]


def _curated(docs: list[dict], transform: beam.PTransform, out) -> dict[str, dict]:
    """The corpus and reject rows of ``transform`` (a :class:`Result`), by id, as
    :class:`WriteParquet` wrote them."""
    with local_pipeline() as pipeline:
        result = pipeline | beam.Create(docs) | transform
        _ = result.corpus | "WriteCorpus" >> WriteParquet(str(out / "corpus"), CONFIG)
        _ = result.rejects | "WriteRejects" >> WriteParquet(str(out / "rejects"), kind="rejects")
    rows = _written(out / "corpus") + _written(out / "rejects")
    return {row["id"]: {name: row.get(name) for name in COMPARED} for row in rows}


def test_curate_decides_and_scores_as_curate_run(tiny_run, tmp_path):
    expected = _run_rows(tiny_run)
    assert {row["reject_reason"] for row in expected.values()} >= {
        "exact_duplicate",
        "near_duplicate",
    }
    assert _curated(_news(tiny_run), Curate(CONFIG, pieces=3), tmp_path) == expected


def test_curate_does_not_depend_on_input_order_or_pieces(tiny_run, tmp_path):
    docs = _news(tiny_run)
    shuffled = random.Random(3).sample(docs, len(docs))
    one_piece = _curated(shuffled, Curate(CONFIG, pieces=1), tmp_path / "one")
    assert one_piece == _curated(docs, Curate(CONFIG), tmp_path / "default")


def test_score_filter_deduplicate_compose_to_curate(tiny_run, tmp_path):
    docs = _news(tiny_run)
    with local_pipeline() as pipeline:
        filtered = pipeline | beam.Create(docs) | Score(CONFIG) | Filter(CONFIG)
        deduplicated = filtered.corpus | Deduplicate(CONFIG)
        _ = deduplicated.corpus | WriteParquet(str(tmp_path / "stages"), CONFIG)
    kept = {row["id"]: row for row in _written(tmp_path / "stages")}
    curated = _curated(docs, Curate(CONFIG), tmp_path / "curate")
    assert {i: {n: kept[i].get(n) for n in COMPARED} for i in kept} == {
        i: row for i, row in curated.items() if row["reject_reason"] is None
    }


def test_rows_carry_every_parquet_column_and_other_keys_as_metadata(tmp_path, tiny_run):
    text = "The bus to the station was late again, so I missed the first train of the day. " * 4
    docs = [{"id": "a", "text": text, "tags": ["x"]}, {"id": "b", "text": ""}]
    with local_pipeline() as pipeline:
        result = pipeline | beam.Create(docs) | Curate({"quality": {"reject": False}})
        corpus = result.corpus | "WriteCorpus" >> WriteParquet(str(tmp_path / "c"), CONFIG)
        rejects = result.rejects | "WriteRejects" >> WriteParquet(
            str(tmp_path / "r"), CONFIG, kind="rejects"
        )
        assert_that(
            result.rejects | beam.Map(lambda row: (row["id"], row["reject_reason"])),
            equal_to([("b", "empty_text")]),
        )
        _ = corpus, rejects
    row = pq.read_table(tmp_path / "c" / "part-00000.parquet").to_pylist()[0]
    assert row["metadata"] == '{"tags":["x"]}' and row["source_uri"] == "beam:pcollection"
    for written, kind in (("c", "corpus"), ("r", "rejects")):
        run_schema = pq.read_schema(next((tiny_run.out / kind).glob("*.parquet")))
        assert pq.read_schema(tmp_path / written / "part-00000.parquet").equals(run_schema)


def test_curate_decontaminates_as_configured():
    """The evaluation sets are loaded by every path that scores (not only ``curate run``)."""
    question = json.loads(
        (REPO / "data/evaluation/science_qa_sample.jsonl").read_text().split("\n")[1]
    )
    padding = "The bus to the station was late again, so I missed the first train of the day. "
    docs = [
        {"id": "leak", "text": padding * 2 + question["question"] + " " + padding * 2},
        {"id": "clean", "text": padding * 5},
    ]
    config = {
        "quality": {"reject": False},
        "decontamination": {"paths": [str(REPO / "data/evaluation/science_qa_sample.jsonl")]},
    }
    with local_pipeline() as pipeline:
        result = pipeline | beam.Create(docs) | Curate(config)
        assert_that(
            result.rejects | beam.Map(lambda row: (row["id"], row["reject_reason"])),
            equal_to([("leak", "contaminated")]),
        )


#: The built-in fastText quality plug-in with the shipped tiny model; GOOD passes, SPAM fails.
PLUGIN_CONFIG = {
    "quality": {"reject": False},
    "plugins": [
        {
            "class": "fasttext_quality",
            "args": {"model_path": str(REPO / "tests/data/quality_tiny.bin"), "min_score": 0.5},
        }
    ],
}
GOOD = "The committee published a detailed report on regional water management. " * 5
SPAM = "click here buy now cheap deals free shipping best price click here " * 5


def test_plugins_run_in_the_api(tmp_path):
    with local_pipeline() as pipeline:
        result = pipeline | beam.Create([{"id": "g", "text": GOOD}, {"id": "s", "text": SPAM}])
        rejects = result | Curate(PLUGIN_CONFIG)
        _ = rejects.rejects | WriteParquet(str(tmp_path), PLUGIN_CONFIG, kind="rejects")
    rejected = _written(tmp_path)
    assert [(row["id"], row["reject_reason"]) for row in rejected] == [
        ("s", "plugin:fasttext_quality.low_score")
    ]
    assert dict(rejected[0]["plugin_scores"])["fasttext_quality.score"] < 0.5


SCORER_CONFIG = {
    "quality": {"reject": False},
    "synthetic": {"scorer": {"class": "tests.curation.synthetic.scorer_plugins:BatchMarkerShare"}},
}
MARKED = GOOD + "A crucial testament to the tapestry we delve into."


def test_a_scorer_plugin_scores_in_score_and_curate(tmp_path):
    docs = [
        {"id": "g", "text": GOOD},
        {"id": "m", "text": MARKED},
        {"id": "b", "text": GOOD + "boom"},
    ]

    def outcome(row: dict) -> tuple:
        return row["id"], row["synthetic_score"], row["synthetic"], row.get("reject_reason")

    marker = 10 * 4 / len(MARKED.replace(".", " ").split())  # 4 marker words: 0.68
    expected = [
        ("g", 0.0, False, None),
        ("m", pytest.approx(marker), True, None),
        ("b", None, None, "plugin:batch_markers.error"),
    ]
    with local_pipeline() as pipeline:
        scored = pipeline | beam.Create(docs) | Score(SCORER_CONFIG) | beam.Map(outcome)
        assert_that(scored, equal_to(expected))
    with local_pipeline() as pipeline:
        result = pipeline | beam.Create(docs) | Curate(SCORER_CONFIG)
        _ = result.corpus | "C" >> WriteParquet(str(tmp_path / "c"), SCORER_CONFIG)
        _ = result.rejects | "R" >> WriteParquet(str(tmp_path / "r"), SCORER_CONFIG, "rejects")
    rows = _written(tmp_path / "c") + _written(tmp_path / "r")
    assert sorted(map(outcome, rows)) == sorted(expected, key=lambda e: e[0])


def test_a_bad_config_fails_when_the_transform_is_built():
    with pytest.raises(ConfigError, match="dedup.threshold"):
        Curate({"dedup": {"threshold": 2}})
    with pytest.raises(ConfigError, match="plugins.0.class"):
        Score({"plugins": [{"class": "no_such_module_y:X"}]})


def test_plugins_run_on_dask_as_locally(tmp_path):
    distributed = pytest.importorskip("distributed")
    from apache_beam.options.pipeline_options import PipelineOptions
    from apache_beam.runners.dask.dask_runner import DaskRunner

    from transforms.runner_workarounds import LocalRunner

    docs = [{"id": "g", "text": GOOD}, {"id": "s", "text": SPAM}]

    def run(out, runner, options=None):
        with beam.Pipeline(runner=runner, options=options) as pipeline:
            result = pipeline | beam.Create(docs) | Curate(PLUGIN_CONFIG)
            corpus = result.corpus | "C" >> WriteParquet(str(out / "corpus"), PLUGIN_CONFIG)
            rejects = result.rejects | "R" >> WriteParquet(
                str(out / "rejects"), PLUGIN_CONFIG, "rejects"
            )
            _ = (corpus, rejects) | beam.Flatten() | beam.Map(lambda file: file["path"])

    run(tmp_path / "local", LocalRunner())
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=True, dashboard_address=":0"
    ) as cluster:
        options = PipelineOptions([f"--dask_client_address={cluster.scheduler_address}"])
        run(tmp_path / "dask", DaskRunner(), options)
    rejected = _written(tmp_path / "dask" / "rejects")
    assert [row["reject_reason"] for row in rejected] == ["plugin:fasttext_quality.low_score"]
    for kind in ("corpus", "rejects"):
        local = (tmp_path / "local" / kind / "part-00000.parquet").read_bytes()
        assert (tmp_path / "dask" / kind / "part-00000.parquet").read_bytes() == local


def test_curate_removes_repeated_paragraphs_as_configured():
    """``dedup.repeated`` runs in the API too: counted over the kept documents of every piece,
    cut from them where they are assembled."""
    banner = "We use cookies to improve your experience. By continuing you accept our policy."
    bodies = [text.strip() for text in sample_texts(6)]
    docs = [{"id": f"d{n}", "text": f"{banner}\n\n{body}"} for n, body in enumerate(bodies)]
    docs.append({"id": "short", "text": f"{banner}\n\nSee the tutorial."})
    config = {"quality": {"reject": False}, "dedup": {"repeated": {"max_documents": 3}}}
    with local_pipeline() as pipeline:
        result = pipeline | beam.Create(docs) | Curate(config, pieces=3)
        assert_that(
            result.corpus | beam.Map(lambda row: (row["id"], row["text"])),
            equal_to([(f"d{n}", body) for n, body in enumerate(bodies)]),
            label="Cut",
        )
        assert_that(
            result.rejects | beam.Map(lambda row: (row["id"], row["reject_reason"])),
            equal_to([("short", "repeated_content")]),
            label="TooShort",
        )
