"""Licence policy and opt-out end to end, from the YAML and from ``curate run`` flags."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.pipelines.helpers import read_rows, run_cli, sample_texts

#: (licence, url, extra metadata) of each generated record, and the outcome expected.
RECORDS = [
    ("MIT", "https://kept.example.org/a", {}, None),
    ("mit OR gpl-3.0", "https://kept.example.org/b", {}, None),
    ("CC-BY-NC-4.0", "https://kept.example.org/c", {}, "license_not_allowed"),
    ("MIT AND GPL-3.0-only", "https://kept.example.org/d", {}, "license_not_allowed"),
    ("Public Domain", "https://kept.example.org/e", {}, None),  # unknown, allowed
    ("MIT", "https://www.optedout.example.com/post", {}, "opted_out"),
    ("MIT", "https://blog.example.net/private/x", {}, "opted_out"),
    ("MIT", "https://blog.example.net/public/x", {}, None),
    ("MIT", "https://kept.example.org/f", {"tdm-reservation": 1}, "opted_out"),
    ("MIT", "https://kept.example.org/g", {"meta": {"robots": "noai"}}, "opted_out"),
]
ALLOW = ["MIT", "Apache-2.0", "unknown"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("rights")
    texts = sample_texts(len(RECORDS))
    lines = [
        json.dumps({"id": f"r{i}", "text": text, "url": url, "lic": lic, **extra})
        for i, ((lic, url, extra, _), text) in enumerate(zip(RECORDS, texts, strict=True))
    ]
    (tmp / "docs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp / "optout.txt").write_text(
        "# test list\noptedout.example.com\nblog.example.net/private/\n", encoding="utf-8"
    )
    return tmp


def _source(tmp: Path) -> dict:
    return {
        "name": "web",
        "paths": [str(tmp / "docs.jsonl")],
        "url_field": "url",
        "license_field": "lic",
    }


def _check(out: Path) -> None:
    corpus, rejects = read_rows(out, "corpus"), read_rows(out, "rejects")
    assert len(corpus) + len(rejects) == len(RECORDS)
    outcome = {row["id"]: None for row in corpus}
    outcome |= {row["id"]: row["reject_reason"] for row in rejects}
    assert [outcome[f"r{i}"] for i in range(len(RECORDS))] == [r[3] for r in RECORDS]
    details = {row["id"]: row["reject_detail"] for row in rejects}
    assert details["r2"] == "license=CC-BY-NC-4.0 is not in licenses.allow"
    assert details["r5"] == "optout.domains: optedout.example.com"
    assert details["r6"] == "optout.domains: blog.example.net/private/"
    assert details["r8"] == "metadata: tdm-reservation=1"
    assert {row["reject_stage"] for row in rejects} == {"rights"}
    manifest = json.loads((out / "manifest.json").read_text())
    by_license = manifest["counts"]["kept_by_license"]
    assert by_license["MIT"]["documents"] == 2
    assert by_license["MIT OR GPL-3.0-only"]["documents"] == 1
    assert by_license["Public Domain"] == {
        "documents": 1,
        "spdx": False,
        "text_bytes": next(r["text_bytes"] for r in corpus if r["id"] == "r4"),
    }
    assert manifest["policy"]["optout_entries"] == 2
    card = (out / "README.md").read_text()
    assert "| Public Domain *(not SPDX)* | 1 |" in card
    assert "Licences of the kept documents" in (out / "report.html").read_text()


def test_from_yaml(inputs):
    config = {
        "sources": [_source(inputs)],
        "quality": {"reject": False},
        "licenses": {"allow": ALLOW},
        "optout": {"domains": str(inputs / "optout.txt")},
    }
    (inputs / "rights.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    out = inputs / "yaml"
    assert run_cli("--config", str(inputs / "rights.yaml"), "--output", str(out)) == 0
    _check(out)


def test_from_flags(inputs, capsys):
    out = inputs / "flags"
    source = _source(inputs)
    args = ["--input", source["paths"][0], "--source-name", "web", "--url-field", "url"]
    args += ["--license-field", "lic", "--optout-domains", str(inputs / "optout.txt")]
    args += [arg for value in ALLOW for arg in ("--allow-license", value)]
    (inputs / "noreject.yaml").write_text(
        yaml.safe_dump({"sources": [source], "quality": {"reject": False}}), encoding="utf-8"
    )
    assert run_cli("--config", str(inputs / "noreject.yaml"), *args, "--output", str(out)) == 0
    _check(out)
    assert "kept by licence: MIT=2" in capsys.readouterr().out


def test_bad_flag_values_exit_2_before_writing(inputs, capsys):
    out = inputs / "bad"
    base = ["--input", str(inputs / "docs.jsonl"), "--output", str(out)]
    assert run_cli(*base, "--deny-license", "Apache 2.0") == 2
    assert "--deny-license: Value error, 'Apache 2.0' is not an SPDX" in capsys.readouterr().err
    assert run_cli(*base, "--optout-domains", str(inputs / "missing.txt")) == 2
    assert "optout.domains: cannot read" in capsys.readouterr().err
    assert not out.exists()
