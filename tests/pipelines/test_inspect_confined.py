"""``curate inspect`` and ``report`` reach nothing but the run, and print nothing raw from it.

Confinement: SQL from the user (``--where``, ``--columns``) reads the run's rows only, and
nothing is written outside the output: HOME and the current directory are empty temporary
directories during these tests and must stay empty. Terminal safety: control characters and
bidirectional overrides in ids, file names, licences and paths reach the terminal escaped.
(Issue 19 items 1 and 6.)
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import duckdb
import pytest

import pipelines.inspect as inspect_module
from curation.config import ConfigError
from pipelines.cli import main
from pipelines.inspect import Shards, locate, sample_rows
from tests.paths import REPO
from tests.pipelines.helpers import run_cli, sample_texts
from tests.tiny_corpus import EXPECTED_KEPT


@pytest.fixture
def sandbox(tmp_path, monkeypatch) -> Path:
    """An empty HOME and current directory: where DuckDB would write (``~/.duckdb``,
    ``./.tmp``)."""
    for name in ("home", "cwd"):
        (tmp_path / name).mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path / "cwd")
    return tmp_path


def written(sandbox: Path) -> list[Path]:
    return [*(sandbox / "home").rglob("*"), *(sandbox / "cwd").rglob("*")]


def inspect(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["inspect", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# -- confinement -------------------------------------------------------------------------------

#: Each reaches for something outside the run: files, directories, URLs, other databases,
#: extensions, statements, Python objects, the configuration. Relative targets land in the
#: sandbox's current directory.
ESCAPES = [
    "read_text('/etc/passwd') IS NOT NULL",
    "EXISTS (SELECT * FROM read_text('/etc/passwd'))",
    "text IN (SELECT content FROM read_text('/etc/passwd'))",
    "EXISTS (SELECT * FROM read_csv('/etc/passwd'))",
    "EXISTS (SELECT * FROM read_blob('/etc/passwd'))",
    "EXISTS (SELECT * FROM glob('/root/*'))",
    "EXISTS (SELECT * FROM 'https://example.org/data.parquet')",
    "id IN (SELECT id FROM read_parquet('http://127.0.0.1:9/x.parquet'))",
    "EXISTS (SELECT * FROM read_parquet('s3://bucket/x.parquet'))",
    "1 = 1; COPY corpus TO 'copy.csv'",
    "EXISTS (SELECT * FROM query('COPY corpus TO ''copy.csv'''))",
    "1 = 1; ATTACH 'attached.db'",
    "EXISTS (SELECT * FROM query('ATTACH ''attached.db'''))",
    "1 = 1; INSTALL httpfs",
    "EXISTS (SELECT * FROM query('INSTALL httpfs'))",
    "1 = 1; LOAD httpfs",
    "EXISTS (SELECT * FROM query('LOAD httpfs'))",
    "EXISTS (SELECT * FROM query('SELECT * FROM read_text(''/etc/passwd'')'))",
    "EXISTS (SELECT * FROM query('SET enable_external_access = true'))",
    "EXISTS (SELECT * FROM relation)",  # a Python variable where the filter is applied
    "getenv('HOME') IS NOT NULL",
]


def assert_one_line_refusal(code: int, stdout: str, stderr: str, option: str) -> None:
    assert code == 2, stdout
    assert len(stderr.splitlines()) == 1 and "Traceback" not in stderr, stderr
    assert stderr.startswith(f"curate: error: {option}: "), stderr
    assert "root:" not in stdout + stderr  # nothing of /etc/passwd


@pytest.mark.parametrize(
    "where", [*ESCAPES, "CAST(text AS INTEGER) > 0", "no_such_column = 1", "lang = "]
)
def test_where_reaches_nothing_but_the_run(tiny_out, capsys, sandbox, where):
    code, stdout, stderr = inspect(capsys, str(tiny_out), "--where", where)
    assert_one_line_refusal(code, stdout, stderr, "--where")
    assert written(sandbox) == []


@pytest.mark.parametrize("rejects", [False, True])
@pytest.mark.parametrize(
    "column",
    [
        "read_text('/etc/passwd')",
        "glob('/root/*')",
        "(SELECT content FROM read_text('/etc/passwd'))",
        "id FROM 'https://example.org/data.parquet'",
        "id; COPY corpus TO 'copy.csv'",
        "no_such_column",
        "quality.no_such_metric",
        "text.not_a_struct",
    ],
)
def test_columns_reach_nothing_but_the_run(tiny_out, capsys, sandbox, column, rejects):
    args = ["--columns", column, *(["--rejects"] if rejects else [])]
    code, stdout, stderr = inspect(capsys, str(tiny_out), *args)
    assert_one_line_refusal(code, stdout, stderr, "--columns")
    assert written(sandbox) == []


@pytest.mark.parametrize(
    "statement",
    [
        "COPY corpus TO 'copy.csv'",
        "ATTACH 'attached.db'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "CREATE PERSISTENT SECRET (TYPE s3)",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "SET temp_directory = 'spill'",
        "SET enable_progress_bar = true",
    ],
)
def test_the_connection_refuses_statements_and_configuration(tiny_out, sandbox, statement):
    """Even SQL of our own (the report's) cannot leave the run or unlock the connection."""
    shards = Shards(locate(str(tiny_out)))
    with pytest.raises(duckdb.Error):
        shards.connection.execute(statement)
    assert written(sandbox) == []


def test_a_query_larger_than_memory_fails_instead_of_spilling_to_disk(
    tiny_out, sandbox, monkeypatch
):
    """DuckDB spills an in-memory database into ``./.tmp``; here nothing may be written, so a
    query that needs more memory than DuckDB may use is refused in one line."""
    monkeypatch.setitem(inspect_module._CONFINED, "memory_limit", "64MB")
    monkeypatch.setitem(inspect_module._CONFINED, "threads", 1)
    shards = Shards(locate(str(tiny_out)))
    big_sort = (
        "(SELECT max(s) FROM (SELECT md5(i::VARCHAR) || repeat('x', 100) AS s "
        "FROM range(1000000) t(i) ORDER BY s)) IS NOT NULL"
    )
    with pytest.raises(ConfigError, match="^--where: Out of Memory Error"):
        sample_rows(shards, "corpus", big_sort, None, sample=0, seed=0)
    assert written(sandbox) == []  # checked while the connection is open: DuckDB cleans up


def test_no_progress_bar_on_stdout(tiny_out):
    """DuckDB draws a progress bar on stdout for queries over 2 s, into a pipe too, where it
    would corrupt ``--json``. Under pytest's capture DuckDB leaves the bar off by itself, so the
    setting is read in a process of its own, stdout a pipe."""
    script = (
        "import sys; from pipelines.inspect import Shards, locate; "
        "shards = Shards(locate(sys.argv[1])); "
        "print(shards.rows(\"SELECT current_setting('enable_progress_bar') AS bar\")[0]['bar'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tiny_out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    assert done.stdout.strip() == "False"


def test_local_shards_are_scanned_when_queried_with_access_off(tiny_out, tmp_path):
    """The registered pyarrow datasets are read lazily by pyarrow, not loaded up front and not
    through DuckDB's file system: removing the files after opening breaks the next query."""
    copy = tmp_path / "out"
    shutil.copytree(tiny_out, copy)
    shards = Shards(locate(str(copy)))
    assert shards.rows("SELECT count(*) AS n FROM corpus") == [{"n": EXPECTED_KEPT}]
    for shard in (copy / "corpus").rglob("part-*.parquet"):
        shard.unlink()
    with pytest.raises(duckdb.Error, match="part-"):
        shards.rows("SELECT count(*) AS n FROM corpus")


def test_inspect_and_report_write_nothing_outside_the_output(tiny_out, capsys, sandbox):
    copy = sandbox / "out"
    shutil.copytree(tiny_out, copy)
    (copy / "report.html").unlink()
    assert inspect(capsys, str(copy), "--where", "lang = 'de'", "--json")[0] == 0
    assert main(["report", str(copy)]) == 0
    assert (copy / "report.html").stat().st_size > 0
    assert written(sandbox) == []


# -- terminal safety ---------------------------------------------------------------------------

EVIL_ID = "evil\x1b[2J\x07\n"  # clear screen, bell, a forged line
#: Two records with the same text: one is kept, the other rejected as its exact duplicate.
TWIN_IDS = ("twin\x1b]0;pwned\x07", "twin\x9b31m\u202e")  # retitle; C1 CSI, right-to-left
LICENSE = "cc-by\x1b[5m"  # blink
INPUT_FILE = "docs\x1b[31m\u202e.jsonl"
#: Bidirectional formatting characters (marks, embeddings, overrides, isolates).
_BIDI = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F))}
_BIDI |= set(map(chr, range(0x2066, 0x206A)))


def unsafe(text: str, newlines: bool = True) -> list[str]:
    """Characters of ``text`` a terminal would act on (``newlines``: line feeds allowed)."""
    allowed = "\t\n" if newlines else "\t"
    return [
        c
        for c in text
        if (unicodedata.category(c) in ("Cc", "Cs") and c not in allowed) or c in _BIDI
    ]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> tuple[Path, str]:
    """A run whose ids, input file name, licence and output path hold control characters;
    returns the output and everything ``curate run`` printed."""
    root = tmp_path_factory.mktemp("hostile")
    inputs = root / "in\x07"
    inputs.mkdir()
    text, copied = sample_texts(2)
    rows = [
        {"id": EVIL_ID, "text": text + "\x1b]0;pwned\x07 \u202egnirts"},
        *({"id": twin, "text": copied} for twin in TWIN_IDS),
    ]
    (inputs / INPUT_FILE).write_text("".join(json.dumps(row) + "\n" for row in rows))
    out = root / "out\x07\u202e"  # no glob characters: Beam would match them
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        code = run_cli("--input", str(inputs), "--output", str(out), "--license", LICENSE)
    assert code == 0, printed.getvalue()
    return out, printed.getvalue()


def test_run_summary_escapes_the_output_path(hostile_run):
    out, printed = hostile_run
    assert unsafe(printed) == []
    assert "out\\x07\\u202e" in printed


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--sample", "3"],
        ["--rejects"],
        ["--id", EVIL_ID],
        ["--id", TWIN_IDS[0]],
        ["--id", TWIN_IDS[1]],
    ],
)
def test_inspect_escapes_ids_file_names_licences_and_texts(hostile_run, capsys, args):
    out, _ = hostile_run
    code, stdout, stderr = inspect(capsys, str(out), *args)
    assert code == 0, stderr
    assert unsafe(stdout + stderr) == []
    if not args:  # the summary: sources with their licence
        assert "cc-by\\x1b[5m" in stdout
    else:  # records: their file and id
        assert "docs\\x1b[31m\\u202e.jsonl" in stdout
        shown = ("evil\\x1b[2J\\x07", "twin\\x1b]0;pwned\\x07", "twin\\x9b31m\\u202e")
        assert any(ident in stdout for ident in shown)


@pytest.mark.parametrize("args", [["--sample", "3"], ["--rejects"], ["--id", TWIN_IDS[1]]])
def test_json_output_escapes_what_json_dumps_leaves_raw(hostile_run, capsys, args):
    """``json.dumps(ensure_ascii=False)`` escapes C0 controls but not DEL, C1 or bidi."""
    out, _ = hostile_run
    code, stdout, stderr = inspect(capsys, str(out), *args, "--json")
    assert code == 0, stderr
    assert unsafe(stdout) == []
    found = json.loads(stdout)
    rows = [item["record"] for item in found] if "--id" in args else found["sample"]
    assert rows and {row["id"] for row in rows} <= {EVIL_ID, *TWIN_IDS}  # the data, unchanged


def test_mismatch_lines_escape_shard_names(tiny_out, tmp_path, capsys):
    copy = tmp_path / "out"
    shutil.copytree(tiny_out, copy)
    shard = next((copy / "corpus").rglob("part-*.parquet"))
    shutil.copy(shard, shard.with_name("part-x\x1b[2J\u202e.parquet"))
    code, stdout, stderr = inspect(capsys, str(copy))
    assert code == 1
    assert "MISMATCH: corpus/part-x\\x1b[2J\\u202e.parquet: shard not listed" in stderr
    assert unsafe(stdout + stderr) == []


@pytest.mark.parametrize(
    "args",
    [
        ["/nonexistent/a\nb\x1b[2J\u202e"],
        ["{out}", "--where", "id = 'a\nb\x1b[2J' AND no_such_column"],
        ["{out}", "--columns", "a\nb\x1b[2J\u202e"],
        ["{out}", "--id", "no\nsuch\x1b[2J\u202e"],
        ["{out}", "--id", "not utf-8 \udcff"],  # what Python makes of an undecodable byte
    ],
)
def test_error_lines_are_one_line_and_escaped(tiny_out, capsys, args):
    args = [arg.replace("{out}", str(tiny_out)) for arg in args]
    code, stdout, stderr = inspect(capsys, *args)
    assert code in (1, 2) and stdout == ""
    assert len(stderr.splitlines()) == 1 and "Traceback" not in stderr, stderr
    assert unsafe(stderr.removesuffix("\n"), newlines=False) == []
