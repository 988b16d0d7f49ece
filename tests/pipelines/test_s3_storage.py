"""``curate run`` reading from and writing to S3, against a real S3-compatible server (moto's
server mode in its own process, on a free local port); then ``curate inspect`` of the S3 run."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest

boto3 = pytest.importorskip("boto3", reason="boto3 is in the test extra (pip install -e .[test])")

from pipelines.cli import main  # noqa: E402
from tests.pipelines.helpers import IN_MEMORY, sample_texts  # noqa: E402

BUCKET = "curate-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint():
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def s3(endpoint, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket=BUCKET)
    return client


def test_run_reads_and_writes_s3_and_inspect_reads_it_back(s3, endpoint, monkeypatch, capsys):
    texts = sample_texts(6)
    lines = "".join(json.dumps({"id": f"d{i}", "text": t}) + "\n" for i, t in enumerate(texts))
    s3.put_object(Bucket=BUCKET, Key="in/docs.jsonl", Body=lines.encode())
    s3.put_object(Bucket=BUCKET, Key="in/README.md", Body=b"not data")
    args = ["run", "--input", f"s3://{BUCKET}/in/", "--output", f"s3://{BUCKET}/out"]
    assert main([*args, f"--s3_endpoint_url={endpoint}", *IN_MEMORY]) == 0
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    for name in (
        "manifest.json",
        "README.md",
        "report.html",
        "_SUCCESS",
        "corpus/part-00000.parquet",
    ):
        assert f"out/{name}" in keys, name
    assert not [key for key in keys if "/_tmp-" in key]
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key="out/manifest.json")["Body"].read())
    assert manifest["counts"]["input_records"] == 6
    assert [item["uri"] for item in manifest["skipped_inputs"]] == [f"s3://{BUCKET}/in/README.md"]
    capsys.readouterr()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)
    assert main(["inspect", f"s3://{BUCKET}/out", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["kept"] + summary["rejected"] == 6
    assert summary["check"]["mismatches"] == []
