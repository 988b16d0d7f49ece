"""``curate`` on S3, against a real S3-compatible server (moto's server mode in its own process,
on a free local port; no boto mocks): a run reads from and writes to S3 and ``curate inspect``
reads it back; object names are literal; a store that cannot be used (no boto3, no or refused
credentials, no bucket, no server) is one line, exit 2, before anything is written."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

boto3 = pytest.importorskip("boto3", reason="boto3 is in the test extra (pip install -e .[test])")
pytest.importorskip("moto.server", reason="moto[server] is in the test extra")

from apache_beam.io.filesystems import FileSystems  # noqa: E402
from apache_beam.options.pipeline_options import PipelineOptions  # noqa: E402

from curation.config import SourceConfig  # noqa: E402
from curation.io.inputs import expand_source  # noqa: E402
from pipelines.cli import main  # noqa: E402
from tests.paths import REPO  # noqa: E402
from tests.pipelines.helpers import sample_texts  # noqa: E402
from transforms.storage import list_path, open_raw  # noqa: E402

BUCKET = "curate-test"
#: The default runner's worker processes (one), so the S3 options must reach them.
ONE_WORKER = ("--direct_running_mode=multi_processing", "--direct_num_workers=1")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _moto_server(**env: str) -> Iterator[str]:
    """A moto S3 server process on a free local port (``env`` added to its environment);
    yields its URL."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with _moto_server() as url:
        yield url


@pytest.fixture
def s3(endpoint, monkeypatch, tmp_path):
    """A client of the server, the bucket created; credentials and region from the
    environment (any keys will do for moto), no AWS config files of the machine."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket=BUCKET)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _keys(s3, prefix: str = "") -> set[str]:
    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return {item["Key"] for item in listing.get("Contents", [])}


def _jsonl(texts: list[str], prefix: str) -> bytes:
    lines = (json.dumps({"id": f"{prefix}{i}", "text": t}) + "\n" for i, t in enumerate(texts))
    return "".join(lines).encode("utf-8")


def test_run_reads_and_writes_s3_and_inspect_reads_it_back(s3, endpoint, monkeypatch, capsys):
    """Corpus, rejects, manifest, card, report and _SUCCESS land under an output whose name
    holds '[' (a literal name, not a glob: on main the shards were never published); a near
    copy is found with the work directory on S3 (its candidates go through files there)."""
    texts = sample_texts(6)
    words = texts[0].split()
    texts.append(" ".join(words[:10] + ["changed"] + words[11:]))
    s3.put_object(Bucket=BUCKET, Key="in/docs.jsonl", Body=_jsonl(texts, "d") + b"{broken\n")
    s3.put_object(Bucket=BUCKET, Key="in/README.md", Body=b"not data")
    out = "runs/[draft]"
    args = ["run", "--input", f"s3://{BUCKET}/in/", "--output", f"s3://{BUCKET}/{out}"]
    assert main([*args, f"--s3_endpoint_url={endpoint}", *ONE_WORKER]) == 0
    keys = _keys(s3, f"{out}/")
    for name in ("manifest.json", "README.md", "report.html", "_SUCCESS"):
        assert f"{out}/{name}" in keys, name
    for kind in ("corpus", "rejects"):
        assert f"{out}/{kind}/part-00000.parquet" in keys, kind
    assert not [key for key in keys if "/_tmp-" in key or "/_old-" in key or "lock" in key]
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=f"{out}/manifest.json")["Body"].read())
    assert manifest["counts"]["input_records"] == 8
    assert manifest["counts"]["rejected_by_reason"]["invalid_json"] == 1
    assert manifest["counts"]["rejected_by_reason"]["near_duplicate"] == 1
    assert [item["uri"] for item in manifest["skipped_inputs"]] == [f"s3://{BUCKET}/in/README.md"]
    capsys.readouterr()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    assert main(["inspect", f"s3://{BUCKET}/{out}", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["kept"] + summary["rejected"] == 8
    assert summary["check"]["mismatches"] == []


@pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")  # '[[]' is escaped
def test_an_object_name_that_exists_is_literal_not_a_glob(s3, endpoint, monkeypatch):
    """``data[1].jsonl`` names that object; on main it was a glob and listed data1.jsonl."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    FileSystems.set_options(PipelineOptions([]))
    s3.put_object(Bucket=BUCKET, Key="lit [x]/data[1].jsonl", Body=b'{"text": "a"}\n')
    s3.put_object(Bucket=BUCKET, Key="lit [x]/data1.jsonl", Body=b'{"text": "b"}\n')
    found = {
        path: [file.uri for file in expand_source(source, list_path, open_raw)[0]]
        for path in (f"s3://{BUCKET}/lit [x]/data[1].jsonl", f"s3://{BUCKET}/lit [x]/")
        for source in [SourceConfig(name="s", paths=[path])]
    }
    assert found == {
        f"s3://{BUCKET}/lit [x]/data[1].jsonl": [f"s3://{BUCKET}/lit [x]/data[1].jsonl"],
        f"s3://{BUCKET}/lit [x]/": [
            f"s3://{BUCKET}/lit [x]/data1.jsonl",
            f"s3://{BUCKET}/lit [x]/data[1].jsonl",
        ],
    }


def _refused(capsys, s3, args: list[str], needles: list[str]) -> None:
    """``curate ARGS`` exits 2 with one line holding ``needles`` and writes no object."""
    before = _keys(s3)
    capsys.readouterr()
    assert main(args) == 2
    error = capsys.readouterr().err
    assert len(error.strip().splitlines()) == 1 and error.startswith("curate: error: "), error
    for needle in needles:
        assert needle in error, f"{needle!r} not in {error!r}"
    assert _keys(s3) == before


def _stored_input(s3) -> str:
    s3.put_object(Bucket=BUCKET, Key="in/docs.jsonl", Body=_jsonl(["a text"], "d"))
    return f"s3://{BUCKET}/in/docs.jsonl"


def test_a_missing_bucket_is_one_line_before_anything_is_written(s3, endpoint, capsys, tmp_path):
    run = ["run", f"--s3_endpoint_url={endpoint}"]
    missing = "s3://no-such-bucket/in/docs.jsonl"
    _refused(
        capsys,
        s3,
        [*run, "--input", missing, "--output", f"s3://{BUCKET}/out"],
        [missing, "bucket 'no-such-bucket' does not exist"],
    )
    _refused(
        capsys,
        s3,
        [*run, "--input", _stored_input(s3), "--output", "s3://no-such/out"],
        ["--output 's3://no-such/out'", "bucket 'no-such' does not exist"],
    )
    assert not (tmp_path / "out").exists()


def test_missing_credentials_are_one_line(s3, endpoint, capsys, monkeypatch):
    path = _stored_input(s3)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    args = ["run", "--input", path, "--output", f"s3://{BUCKET}/out"]
    _refused(
        capsys,
        s3,
        [*args, f"--s3_endpoint_url={endpoint}"],
        [path, "no AWS credentials", "AWS_ACCESS_KEY_ID", "--s3_access_key_id"],
    )


def test_refused_keys_are_one_line(s3, capsys):
    path = _stored_input(s3)
    with _moto_server(INITIAL_NO_AUTH_ACTION_COUNT="0") as checking:  # checks keys, knows none
        args = ["run", "--input", path, "--output", f"s3://{BUCKET}/out"]
        args.append(f"--s3_endpoint_url={checking}")
        _refused(capsys, s3, args, [path, "refused the credentials (InvalidAccessKeyId)"])


def test_an_unreachable_endpoint_is_one_line_not_minutes_of_retries(s3, capsys, monkeypatch):
    path = _stored_input(s3)
    nothing = f"http://127.0.0.1:{_free_port()}"
    args = [
        "run",
        "--input",
        path,
        "--output",
        f"s3://{BUCKET}/out",
        f"--s3_endpoint_url={nothing}",
    ]
    _refused(capsys, s3, args, [path, f"cannot reach the S3 endpoint {nothing}"])
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", nothing)
    _refused(capsys, s3, ["inspect", f"s3://{BUCKET}/out"], [nothing, "AWS_ENDPOINT_URL_S3"])


def test_without_boto3_s3_paths_say_what_to_install(s3, endpoint, tmp_path):
    """A fresh ``curate`` process in which boto3 cannot be imported, as if not installed."""
    source = tmp_path / "docs.jsonl"
    source.write_bytes(_jsonl(["a text"], "d"))
    args = ["run", "--input", str(source), "--output", f"s3://{BUCKET}/out"]
    without_boto3 = (
        "import sys; sys.modules['boto3'] = None; from pipelines.cli import main; "
        f"sys.exit(main({[*args, f'--s3_endpoint_url={endpoint}']!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", without_boto3], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert "--output 's3://curate-test/out'" in done.stderr
    assert "pip install 'curate[s3]'" in done.stderr
    assert _keys(s3) == set()
