"""Run configuration: a validated, immutable description of one curation run.

Configs are YAML files read with ``yaml.safe_load`` and validated with pydantic; unknown keys,
wrong types and out-of-range values are errors that name the offending key
(:class:`ConfigError`). Every threshold's default and its source are documented in
``docs/configuration.md``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_serializer,
    field_validator,
    model_serializer,
    model_validator,
)

from curation.quality import LanguageScorerSettings, QualityScorerSettings
from curation.rights.licenses import check_policy_entry

KEEP_POLICY_KEYS = ("not_synthetic", "quality", "created", "priority", "id")


class ConfigError(ValueError):
    """A configuration problem, phrased as one line that names the key or file."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceConfig(_Strict):
    """One input source: files of one format, one licence, one field mapping."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    paths: tuple[str, ...] = Field(min_length=1)
    #: ``auto``: per file, from its name and first bytes (:mod:`curation.io.formats`).
    format: Literal["auto", "jsonl", "parquet"] = "auto"
    #: The source's licence; a record's own licence (``license_field``) takes precedence.
    license: str = "unknown"
    #: Field names: a top-level key, or a dotted path into nested objects (``metadata.url``).
    text_field: str = "text"
    id_field: str = "id"
    url_field: str | None = None
    created_field: str | None = None
    license_field: str | None = None
    priority: int = Field(default=0, ge=-1_000_000, le=1_000_000)


class LimitsConfig(_Strict):
    """Bounds that keep one bad record from hurting a run."""

    #: Documents whose text is longer than this (UTF-8 bytes) are rejected ``text_too_long``.
    max_text_bytes: int = Field(default=8_000_000, ge=1)
    #: Raw bytes of an unparseable record kept in the reject row (``raw`` column; 0: none, null).
    max_raw_bytes: int = Field(default=65_536, ge=0)
    #: JSONL lines longer than this (bytes, decompressed) are rejected ``line_too_long``
    #: without being parsed; a worker never holds more of one line. At least
    #: ``max_text_bytes``: a line holds its text and more (JSON escapes such as ``\u00e9``
    #: take up to 6 bytes per text byte, so the default leaves room for 8 MB texts escaped).
    max_line_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    #: A compressed file that decompresses to more than this many bytes is rejected whole
    #: (``corrupt_file``): bounds the time a decompression bomb can take.
    max_decompressed_bytes: int = Field(default=64 * 1024**3, ge=1024)
    #: Characters of a document that scorers look at (language, quality, synthetic);
    #: the stored text is never truncated.
    max_scored_chars: int = Field(default=100_000, ge=1_000)
    #: A file (or the rest of one) that cannot be read becomes one ``unreadable_file`` reject
    #: either way; ``fail`` also makes ``curate run`` exit 1 naming the files (after
    #: publishing everything that was read), ``continue`` exits 0.
    on_unreadable: Literal["continue", "fail"] = "continue"

    @model_validator(mode="after")
    def _lines_hold_texts(self) -> LimitsConfig:
        if self.max_line_bytes < self.max_text_bytes:
            raise ValueError(
                f"max_line_bytes ({self.max_line_bytes}) is below max_text_bytes "
                f"({self.max_text_bytes}): a text that long could never be read; "
                "raise max_line_bytes"
            )
        return self


class ReadConfig(_Strict):
    """How inputs are spread over workers."""

    #: Uncompressed JSONL files larger than this are read in byte ranges of about this size
    #: (split at line boundaries) so one big file spreads over workers. Gzip files and Parquet
    #: files are read whole. ``None`` (default): chosen from the input size, see
    #: :func:`curation.io.pieces.auto_split_bytes`.
    split_bytes: int | None = Field(default=None, ge=1024)
    #: Read files that symbolic links below an input directory lead to outside it (and descend
    #: into linked directories). Off: such links are skipped and listed, so a link cannot
    #: widen what a run reads beyond the directories it was given.
    follow_symlinks: bool = False


class LanguageConfig(_Strict):
    """Language identification backend and policy."""

    backend: Literal["hybrid", "langdetect", "fasttext"] = "hybrid"
    #: Characters of cleaned text the backends read: fastText the head, langdetect two windows
    #: spread over the document (docs/language.md: at 200 the hybrid is within 0.06 points of 300
    #: on the evaluation set and fastText alone 1.1-1.3x faster).
    max_chars: int = Field(default=200, ge=20, le=100_000)
    #: Texts with fewer letters than this (CJK characters count 3) are marked unreliable.
    min_chars: int = Field(default=20, ge=0, le=10_000)
    #: ``hybrid``: fastText's answer is kept at or above this probability, else langdetect decides.
    hybrid_threshold: float = Field(default=0.8, ge=0.0, le=1.0)
    #: Store per-paragraph language shares (``lang_shares``) for mixed-language documents; costs
    #: one detection per paragraph.
    paragraph_shares: bool = False
    #: ISO 639-1 codes to keep; ``None`` keeps every language.
    allowed: tuple[str, ...] | None = None
    #: Documents whose top-language probability is below this are rejected
    #: ``language_low_confidence`` (0 disables the rule).
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)


class QualityConfig(_Strict):
    """Quality scorers (always computed and stored) and whether failing a rule rejects."""

    reject: bool = True
    #: ``{scorer_name: {"enabled": bool, <threshold>: value}}``, typed per scorer
    #: (:data:`curation.quality.QualityScorerSettings`); unknown names are errors.
    scorers: QualityScorerSettings = QualityScorerSettings()
    #: ``{lang: {scorer_name: {<threshold>: value}}}``: thresholds for documents identified as
    #: ``lang`` (an ISO 639-1 code, or the 639-3 code langid reports), over ``scorers``.
    languages: dict[str, LanguageScorerSettings] = {}

    @field_validator("languages")
    @classmethod
    def _language_codes(cls, value: dict[str, BaseModel]) -> dict[str, BaseModel]:
        for code in value:
            if not (code.isascii() and code.isalpha() and code.islower() and 2 <= len(code) <= 3):
                raise ValueError(f"{code!r} is not a language code (two or three a-z letters)")
        return value

    @field_serializer("scorers")
    def _only_given_scorer_settings(self, scorers: BaseModel) -> dict[str, Any]:
        """Dump only what the config set, so the config's fingerprint (and the run id derived
        from it) depends on what was written, not on the scorers' current defaults."""
        return scorers.model_dump(mode="json", exclude_unset=True)

    @field_serializer("languages")
    def _only_given_language_settings(self, languages: dict[str, BaseModel]) -> dict[str, Any]:
        return {
            lang: settings.model_dump(mode="json", exclude_unset=True)
            for lang, settings in sorted(languages.items())
        }

    @model_serializer(mode="wrap")
    def _without_default_languages(self, dump: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave out empty ``languages`` (the fingerprint of older configs stays the same)."""
        data = dump(self)
        if not self.languages:
            data.pop("languages", None)
        return data


class PluginConfig(_Strict):
    """A user's per-document stage (docs/api.md): ``class`` is ``module:Class`` (importable
    from the working directory or an installed package) or a built-in plug-in's name."""

    # dumped as ``class`` (the manifest's config, the CLI's flag merging), so it reads back;
    # merged with _Strict's settings
    model_config = ConfigDict(serialize_by_alias=True)

    class_: str = Field(alias="class", min_length=1)
    #: Names its reject reasons (``plugin:<name>.<reason>``) and scores; default: the class's
    #: ``name`` attribute, else the class name.
    name: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]+$")
    #: Keyword arguments of the class's constructor.
    args: dict[str, Any] = {}


class SyntheticConfig(_Strict):
    """Synthetic-text policy: ``tag`` keeps and flags, ``drop`` rejects every flagged document,
    ``cap`` keeps at most ``max_share`` flagged documents per source (highest scores dropped
    first, after deduplication)."""

    policy: Literal["tag", "drop", "cap"] = "tag"
    #: With ``cap``: largest share (0..1) of flagged documents among a source's kept ones.
    max_share: float = Field(default=0.1, ge=0.0, le=1.0)
    #: Flag threshold on the calibrated score; ``None`` uses the shipped model's default.
    threshold: float | None = Field(default=None, ge=0.0, le=1.0)
    #: Also score documents already rejected by a licence, language or quality rule; by
    #: default they are not scored (synthetic columns null, ``abstain_reason`` ``rejected``),
    #: which saves the scorer's time on them (docs/synthetic.md).
    score_rejected: bool = False
    #: A scorer of the user's in place of the shipped model (a plug-in class with
    #: ``score(text, lang)``; docs/synthetic.md, Scorer plug-ins). ``None``: the shipped model.
    scorer: PluginConfig | None = None

    @model_serializer(mode="wrap")
    def _without_default_scorer(self, dump: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave out ``scorer: null``: a config without it keeps its fingerprint (and run id)."""
        data = dump(self)
        if self.scorer is None:
            data.pop("scorer", None)
        return data


class PiiConfig(_Strict):
    """Personal data (e-mail and IP addresses, phone, card and IBAN numbers; docs/pii.md):
    ``off`` does not look, ``redact`` replaces each with a typed placeholder (``<EMAIL>``) and
    keeps the document, ``reject`` rejects documents holding any (reason ``pii``)."""

    policy: Literal["off", "redact", "reject"] = "off"


class DecontaminationConfig(_Strict):
    """Benchmark decontamination (docs/decontamination.md): documents sharing a word n-gram
    with any evaluation set are rejected ``contaminated``."""

    #: Evaluation sets: JSONL, Parquet or plain-text files (local or object-store paths).
    paths: tuple[str, ...] = ()
    #: Words per n-gram (GPT-3, Brown et al. 2020, appendix C, and datatrove: 13).
    ngram: int = Field(default=13, ge=3, le=64)


class RepeatedConfig(_Strict):
    """Removal of paragraphs or lines repeated across documents (boilerplate; docs/dedup.md):
    a segment found in more than ``max_documents`` kept documents is cut from all of them."""

    #: ``paragraph``: blocks separated by blank lines (Dolma); ``line``: lines (C4).
    unit: Literal["paragraph", "line"] = "paragraph"
    #: A segment in more kept documents than this is removed (each document counts once).
    max_documents: int = Field(default=10, ge=1)
    #: Segments shorter than this (characters, normalised) are neither counted nor removed.
    min_chars: int = Field(default=20, ge=1)
    #: A document left with fewer words is rejected ``repeated_content`` (gopher_quality's
    #: ``min_words`` default); documents nothing was removed from are never rejected here.
    min_words: int = Field(default=50, ge=1)


class DedupConfig(_Strict):
    """Exact and MinHash near-duplicate removal."""

    exact: bool = True
    near: bool = True
    num_perm: int = Field(default=128, ge=16, le=1024)
    #: Word n-gram size for space-delimited scripts (datatrove, Penedo et al. 2024: 5).
    ngram: int = Field(default=5, ge=1, le=32)
    #: Character n-gram size for scripts written without spaces (CJK, Thai).
    char_ngram: int = Field(default=5, ge=1, le=32)
    #: Jaccard similarity above which two documents are near-duplicates.
    threshold: float = Field(default=0.8, gt=0.0, lt=1.0)
    #: LSH bands x rows; derived from ``threshold`` and ``num_perm`` when not given.
    bands: int | None = Field(default=None, ge=1)
    rows: int | None = Field(default=None, ge=1)
    #: Drop LSH candidate pairs whose exact shingle-set Jaccard is below ``threshold``.
    verify: bool = True
    #: Unrolled rounds of the distributed connected-components step before its exact fallback
    #: (two shuffles each). 6 leaves a margin over the ~4 that near-duplicate graphs need
    #: (measured on the scaling corpus with random names); long chains of near-duplicates
    #: (a 10,000-node path needs 11) are labelled by the fallback on one worker instead.
    max_rounds: int = Field(default=6, ge=1, le=64)
    #: Keeper policy, most important first.
    keep_policy: tuple[str, ...] = KEEP_POLICY_KEYS
    #: Earlier corpora to deduplicate against (curate outputs, or Parquet files/directories
    #: with a text column): new copies of their documents are rejected, they are never changed
    #: (docs/dedup.md, incremental dedup). ``curate run --dedup-against PATH`` adds to it.
    reference: tuple[str, ...] = ()
    #: Repeated paragraphs or lines to remove from kept documents; ``None`` (default): off.
    #: ``curate run --remove-repeated paragraph|line`` sets it.
    repeated: RepeatedConfig | None = None

    @model_serializer(mode="wrap")
    def _without_default_repeated(self, dump: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave out ``repeated`` while off: the fingerprint (run id, shard bytes) of a config
        without it is what it was before the key existed."""
        data = dump(self)
        if self.repeated is None:
            data.pop("repeated", None)
        return data

    @field_validator("keep_policy")
    @classmethod
    def _known_policy_keys(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [key for key in value if key not in KEEP_POLICY_KEYS]
        if unknown:
            raise ValueError(f"unknown keep_policy entry {unknown[0]!r}; use {KEEP_POLICY_KEYS}")
        if len(set(value)) != len(value):
            raise ValueError("keep_policy entries must be unique")
        if "id" in value and value[-1] != "id":
            raise ValueError("'id' must be the last keep_policy entry (it breaks every tie)")
        return value

    @model_validator(mode="after")
    def _bands_and_rows(self) -> DedupConfig:
        if (self.bands is None) != (self.rows is None):
            raise ValueError("give both bands and rows, or neither (then they are derived)")
        if (
            self.bands is not None
            and self.rows is not None
            and self.bands * self.rows > self.num_perm
        ):
            raise ValueError(
                f"bands x rows = {self.bands * self.rows} exceeds num_perm = {self.num_perm}"
            )
        return self


class OutputConfig(_Strict):
    """Shard sizing, compression and partitioning of the written Parquet files."""

    #: Target uncompressed input bytes per corpus shard; the shard count is derived from the
    #: total input size, so it is the same on every runner.
    target_shard_bytes: int = Field(default=256 * 1024 * 1024, ge=1024)
    compression: Literal["zstd", "snappy", "gzip", "none"] = "zstd"
    #: Hive-style directories of the corpus, e.g. ``[lang]``: ``corpus/lang=en/part-*.parquet``
    #: (:mod:`curation.io.partition`). Rejects are not partitioned.
    partition_by: tuple[Literal["lang", "source"], ...] = ()
    #: Write ``OUT/index/`` (with ``dedup.near``): what a later run's ``dedup.reference`` /
    #: ``--dedup-against`` reads instead of re-indexing this output's text. Off by default: its
    #: shingle sets take more disk than the corpus itself (docs/dedup.md).
    index: bool = False

    @field_validator("partition_by")
    @classmethod
    def _unique_partition_columns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("partition_by columns must be unique")
        return value

    @model_serializer(mode="wrap")
    def _without_default_partitioning(self, dump: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave out an empty ``partition_by`` and ``index: false``: a config without them keeps
        the fingerprint, and so the run id in every row and the shard bytes, it had before the
        keys existed."""
        data = dump(self)
        if not self.partition_by:
            data.pop("partition_by", None)
        if not self.index:
            data.pop("index", None)
        return data


class LicensesConfig(_Strict):
    """Licence policy (:mod:`curation.rights.licenses`): SPDX ids or expressions, or
    ``unknown`` (every licence that is not SPDX)."""

    #: Keep only documents whose licence these allow; ``None`` allows every licence.
    allow: tuple[str, ...] | None = None
    #: Reject documents under any of these licences (``license_not_allowed``).
    deny: tuple[str, ...] = ()

    @field_validator("allow", "deny")
    @classmethod
    def _spdx_entries(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for entry in value or ():
            problem = check_policy_entry(entry)
            if problem:
                raise ValueError(problem)
        return value


class OptOutConfig(_Strict):
    """Opt-out (:mod:`curation.rights.optout`): documents rejected ``opted_out``."""

    #: File of opted-out domains (subdomains included) and URL prefixes, one a line.
    domains: str | None = None
    #: Honour opt-out markers in a record's metadata (``tdm-reservation``, ``noai``, robots).
    markers: bool = True


#: Sections left out of the config's dump while they hold their defaults, so a config without
#: them keeps the fingerprint (and run id, and shard bytes) it had before they existed.
_OMITTED_WHEN_DEFAULT = {
    "pii": PiiConfig(),
    "decontamination": DecontaminationConfig(),
    "licenses": LicensesConfig(),
    "optout": OptOutConfig(),
    "plugins": (),
}


class CurationConfig(_Strict):
    """A whole run."""

    sources: tuple[SourceConfig, ...] = Field(min_length=1)
    limits: LimitsConfig = LimitsConfig()
    read: ReadConfig = ReadConfig()
    language: LanguageConfig = LanguageConfig()
    quality: QualityConfig = QualityConfig()
    synthetic: SyntheticConfig = SyntheticConfig()
    dedup: DedupConfig = DedupConfig()
    output: OutputConfig = OutputConfig()
    pii: PiiConfig = PiiConfig()
    decontamination: DecontaminationConfig = DecontaminationConfig()
    #: User plug-ins, run in this order in the per-document pass (curation/plugins).
    plugins: tuple[PluginConfig, ...] = ()
    licenses: LicensesConfig = LicensesConfig()
    optout: OptOutConfig = OptOutConfig()

    @model_serializer(mode="wrap")
    def _without_default_sections(self, dump: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Leave out the sections at their defaults that :data:`_OMITTED_WHEN_DEFAULT` names:
        a config without them keeps its fingerprint (and so the run id in every row) from
        before the keys existed."""
        data = dump(self)
        for name, default in _OMITTED_WHEN_DEFAULT.items():
            if getattr(self, name) == default:
                data.pop(name, None)
        return data

    @field_validator("sources")
    @classmethod
    def _unique_source_names(cls, value: tuple[SourceConfig, ...]) -> tuple[SourceConfig, ...]:
        names = [source.name for source in value]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"source name {duplicates[0]!r} is used more than once")
        return value

    def fingerprint(self) -> str:
        """sha256 of the canonical JSON form of the resolved config."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _format_validation_error(error: ValidationError, origin: str) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "unknown key" + did_you_mean(str(first["loc"][-1]), _keys_at(first["loc"][:-1]))
    return f"{origin}: {key}: {message}"


def did_you_mean(given: str, known: Sequence[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``known`` (difflib), or ``""``."""
    close = difflib.get_close_matches(given, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _keys_at(loc: Sequence[int | str]) -> list[str]:
    """The keys a config mapping at ``loc`` may have (list indices skipped)."""
    model: Any = CurationConfig
    for part in loc:
        if isinstance(part, int) or not _is_model(model):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return []
        candidates = (field.annotation, *getattr(field.annotation, "__args__", ()))
        model = next((arg for arg in candidates if _is_model(arg)), None)
    return list(model.model_fields) if _is_model(model) else []


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def config_from_mapping(data: object, origin: str = "config") -> CurationConfig:
    """Validate a parsed mapping; raise :class:`ConfigError` with a one-line message."""
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: top level must be a mapping, got {type(data).__name__}")
    try:
        return CurationConfig.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_format_validation_error(error, origin)) from None


def load_config(path: str | Path) -> CurationConfig:
    """Read and validate a YAML config file (``yaml.safe_load``: no object construction)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read config: {error}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        line = ""
        mark = getattr(error, "problem_mark", None)
        if mark is not None:
            line = f" at line {mark.line + 1}"
        raise ConfigError(f"{path}: invalid YAML{line}") from None
    return config_from_mapping(data, origin=str(path))


def adhoc_sources(
    paths: Sequence[str],
    keys: dict[str, Any] | None = None,
    option_names: dict[str, str] | None = None,
) -> tuple[SourceConfig, ...]:
    """Sources for ``--input PATH`` arguments, with the source ``keys`` given on the command
    line (field names, licence, format; ``name`` makes one source of all paths).

    Without a name, each path is one source named after it (without extensions); repeated
    names get a numeric suffix. The licence defaults to ``unknown``, the format to ``auto``.
    Raises :class:`ConfigError` for a bad value, naming the key as ``option_names`` calls
    it (the CLI's flags) or by its own name.
    """
    keys = dict(keys or {})
    if "name" in keys:
        groups = [(keys.pop("name"), tuple(paths))]
    else:
        groups = []
        used: set[str] = set()
        for path in paths:
            candidate = name = _name_of(path)
            counter = 2
            while candidate in used:
                candidate, counter = f"{name}_{counter}", counter + 1
            used.add(candidate)
            groups.append((candidate, (path,)))
    try:
        return tuple(SourceConfig(name=name, paths=group, **keys) for name, group in groups)
    except ValidationError as error:
        first = error.errors()[0]
        key = str(first["loc"][0])
        raise ConfigError(f"{(option_names or {}).get(key, key)}: {first['msg']}") from None


def _name_of(path: str) -> str:
    base = Path(path.rstrip("/")).name or "input"
    stem = base.split(".")[0] or "input"
    return "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "_.-" else "_" for ch in stem)
