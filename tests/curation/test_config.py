"""Config validation: strict keys, types, ranges, safe YAML, ad-hoc sources, fingerprint."""

from __future__ import annotations

from pathlib import Path

import pytest

from curation.config import (
    KEEP_POLICY_KEYS,
    ConfigError,
    CurationConfig,
    SourceConfig,
    adhoc_sources,
    config_from_mapping,
    load_config,
)


def _mapping(**sections: object) -> dict[str, object]:
    """A minimal valid config mapping with ``sections`` merged in at top level."""
    data: dict[str, object] = {"sources": [{"name": "web", "paths": ["a.jsonl"]}]}
    data.update(sections)
    return data


def _error(data: object) -> str:
    with pytest.raises(ConfigError) as info:
        config_from_mapping(data)
    message = str(info.value)
    assert "\n" not in message, f"error is not one line: {message!r}"
    return message


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_takes_valid_defaults():
    config = config_from_mapping(_mapping())
    assert config.sources[0].format == "auto"
    assert config.sources[0].license == "unknown"
    assert config.sources[0].text_field == "text"
    assert config.dedup.threshold == 0.8
    assert config.dedup.num_perm == 128
    assert config.dedup.keep_policy == KEEP_POLICY_KEYS
    assert config.limits.max_text_bytes > config.limits.max_raw_bytes
    assert config.language.allowed is None
    assert config.synthetic.policy == "tag"


def test_config_is_immutable():
    config = config_from_mapping(_mapping())
    with pytest.raises(ValueError):
        config.dedup.threshold = 0.5  # type: ignore[misc]


def test_unknown_top_level_key_is_named():
    message = _error(_mapping(dedupe={"threshold": 0.5}))
    assert "dedupe" in message
    assert "unknown key" in message


def test_unknown_nested_key_is_named_with_its_path():
    message = _error(_mapping(dedup={"treshold": 0.5}))
    assert "dedup.treshold" in message
    assert "unknown key" in message


def test_unknown_key_in_a_source_is_named_with_its_index():
    data = {"sources": [{"name": "a", "paths": ["x"]}, {"name": "b", "paths": ["y"], "lisence": 1}]}
    assert "sources.1.lisence" in _error(data)


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("dedup", "threshold", 1.0),
        ("dedup", "threshold", 0.0),
        ("dedup", "threshold", "high"),
        ("dedup", "num_perm", 8),
        ("dedup", "num_perm", 4096),
        ("dedup", "num_perm", 128.5),
        ("dedup", "ngram", 0),
        ("dedup", "bands", 0),
        ("dedup", "max_rounds", 0),
        ("limits", "max_text_bytes", 0),
        ("limits", "max_raw_bytes", -1),
        ("limits", "max_scored_chars", 10),
        ("language", "min_score", 1.5),
        ("language", "backend", "cld3"),
        ("language", "allowed", "en"),
        ("synthetic", "policy", "delete"),
        ("synthetic", "threshold", -0.1),
        ("output", "compression", "lz4"),
        ("output", "target_shard_bytes", 10),
        ("quality", "scorers", ["gopher"]),
    ],
)
def test_wrong_type_or_range_names_the_key(section, key, value):
    message = _error(_mapping(**{section: {key: value}}))
    assert f"{section}.{key}" in message


@pytest.mark.parametrize(
    ("source", "key"),
    [
        ({"paths": ["x"]}, "name"),
        ({"name": "", "paths": ["x"]}, "name"),
        ({"name": "has space", "paths": ["x"]}, "name"),
        ({"name": "a"}, "paths"),
        ({"name": "a", "paths": []}, "paths"),
        ({"name": "a", "paths": "x.jsonl"}, "paths"),
        ({"name": "a", "paths": ["x"], "format": "csv"}, "format"),
        ({"name": "a", "paths": ["x"], "priority": 10**7}, "priority"),
    ],
)
def test_invalid_source_names_the_key(source, key):
    assert f"sources.0.{key}" in _error({"sources": [source]})


def test_sources_are_required_and_non_empty():
    assert "sources" in _error({})
    assert "sources" in _error({"sources": []})


@pytest.mark.parametrize("data", [None, [], "sources", 3])
def test_top_level_must_be_a_mapping(data):
    assert "mapping" in _error(data)


def test_non_string_key_is_a_config_error():
    assert "1" in _error({**_mapping(), 1: "x"})


def test_duplicate_source_names_are_rejected():
    data = {"sources": [{"name": "a", "paths": ["x"]}, {"name": "a", "paths": ["y"]}]}
    message = _error(data)
    assert "sources" in message
    assert "'a'" in message


@pytest.mark.parametrize(
    ("policy", "fragment"),
    [(["quality", "bogus"], "bogus"), (["quality", "quality"], "unique")],
)
def test_keep_policy_rejects_unknown_and_repeated_entries(policy, fragment):
    message = _error(_mapping(dedup={"keep_policy": policy}))
    assert "dedup.keep_policy" in message
    assert fragment in message


def test_keep_policy_accepts_a_reordered_subset():
    config = config_from_mapping(_mapping(dedup={"keep_policy": ["priority", "quality"]}))
    assert config.dedup.keep_policy == ("priority", "quality")


def test_bands_times_rows_above_num_perm_is_a_config_error():
    message = _error(_mapping(dedup={"num_perm": 128, "bands": 20, "rows": 20}))
    assert "dedup" in message


def test_a_line_cap_below_the_text_cap_is_a_config_error():
    message = _error(_mapping(limits={"max_text_bytes": 100_000_000}))
    assert message.startswith("config: limits:")
    assert "max_line_bytes (67108864) is below max_text_bytes (100000000)" in message
    raised = {"max_text_bytes": 100_000_000, "max_line_bytes": 600_000_000}
    assert config_from_mapping(_mapping(limits=raised)).limits.max_line_bytes == 600_000_000


def test_bands_without_rows_is_a_config_error():
    message = _error(_mapping(dedup={"bands": 16}))
    assert "dedup" in message


def test_load_config_reads_yaml(tmp_path):
    path = _write(
        tmp_path,
        "sources:\n  - name: web\n    paths: [a.jsonl, b.jsonl.gz]\n    license: cc-by\n"
        "dedup:\n  threshold: 0.7\n",
    )
    config = load_config(path)
    assert config.sources[0].paths == ("a.jsonl", "b.jsonl.gz")
    assert config.sources[0].license == "cc-by"
    assert config.dedup.threshold == 0.7


def test_load_config_error_names_the_file_and_key(tmp_path):
    path = _write(tmp_path, "sources:\n  - name: web\n    paths: [a]\ndedup:\n  treshold: 0.7\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)
    assert "dedup.treshold" in str(info.value)


def test_invalid_yaml_reports_the_line(tmp_path):
    path = _write(
        tmp_path, "sources:\n  - name: web\n    paths: [a]\ndedup:\n  threshold: 0.8: 9\n"
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "invalid YAML" in message
    assert "line 5" in message
    assert "\n" not in message


def test_python_object_tag_is_refused_not_constructed(tmp_path):
    path = _write(
        tmp_path,
        "sources:\n  - name: web\n    paths: [a]\n"
        "limits: !!python/object/apply:os.system ['echo constructed']\n",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "invalid YAML" in str(info.value)
    assert "line 4" in str(info.value)


def test_empty_yaml_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="mapping"):
        load_config(_write(tmp_path, ""))


def test_missing_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "absent.yaml")


def test_non_utf8_file_is_a_config_error(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"sources:\n  - name: caf\xe9\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(path)


def test_adhoc_sources_names_and_formats():
    sources = adhoc_sources(
        ["data/web.jsonl.gz", "other/web.jsonl", "x/books.parquet", "dir/news/", "my file.jsonl"]
    )
    assert [s.name for s in sources] == ["web", "web_2", "books", "news", "my_file"]
    assert {s.format for s in sources} == {"auto"}
    assert sources[0].paths == ("data/web.jsonl.gz",)
    assert {s.license for s in sources} == {"unknown"}
    config = CurationConfig(sources=sources)
    assert len(config.sources) == 5


def test_adhoc_sources_suffix_skips_names_already_taken():
    sources = adhoc_sources(["a/web.jsonl", "web_2.jsonl", "b/web.jsonl"])
    names = [s.name for s in sources]
    assert names == ["web", "web_2", "web_3"]


def test_adhoc_sources_name_files_without_a_stem():
    sources = adhoc_sources([".hidden.jsonl", "/"])
    assert [s.name for s in sources] == ["input", "input_2"]


def test_adhoc_sources_accept_non_ascii_file_names():
    (source,) = adhoc_sources(["données.jsonl"])
    assert source.format == "auto"


def test_fingerprint_is_stable_across_equal_configs():
    first = config_from_mapping(_mapping(dedup={"threshold": 0.8, "num_perm": 128}))
    second = config_from_mapping(_mapping())  # same values, given implicitly
    reordered = config_from_mapping({"dedup": {"num_perm": 128}, **_mapping()})
    assert first.fingerprint() == second.fingerprint() == reordered.fingerprint()
    assert len(first.fingerprint()) == 64


def test_fingerprint_changes_with_a_threshold():
    base = config_from_mapping(_mapping())
    changed = config_from_mapping(_mapping(dedup={"threshold": 0.81}))
    assert base.fingerprint() != changed.fingerprint()


def test_partitioning_is_in_the_fingerprint_only_when_set():
    """Run ids (in every row) of configs without ``partition_by`` stay what they were before
    the key existed, so their shards keep their bytes."""
    base = config_from_mapping(_mapping())
    assert "partition_by" not in base.model_dump(mode="json")["output"]
    explicit = config_from_mapping(_mapping(output={"partition_by": []}))
    assert explicit.fingerprint() == base.fingerprint()
    partitioned = config_from_mapping(_mapping(output={"partition_by": ["lang"]}))
    assert partitioned.model_dump(mode="json")["output"]["partition_by"] == ["lang"]
    assert partitioned.fingerprint() != base.fingerprint()
    assert CurationConfig.model_validate(partitioned.model_dump(mode="json")) == partitioned


def test_repeated_removal_is_in_the_fingerprint_only_when_on():
    """A config without ``dedup.repeated`` (or with it null) keeps its run id and shard bytes."""
    base = config_from_mapping(_mapping())
    assert "repeated" not in base.model_dump(mode="json")["dedup"]
    explicit = config_from_mapping(_mapping(dedup={"repeated": None}))
    assert explicit.fingerprint() == base.fingerprint()
    on = config_from_mapping(_mapping(dedup={"repeated": {"unit": "line"}}))
    assert on.model_dump(mode="json")["dedup"]["repeated"] == {
        "unit": "line",
        "max_documents": 10,
        "min_chars": 20,
        "min_words": 50,
    }
    assert on.fingerprint() != base.fingerprint()
    assert CurationConfig.model_validate(on.model_dump(mode="json")) == on


@pytest.mark.parametrize(
    ("repeated", "key"),
    [
        ({"unit": "sentence"}, "dedup.repeated.unit"),
        ({"max_documents": 0}, "dedup.repeated.max_documents"),
        ({"min_chars": 0}, "dedup.repeated.min_chars"),
        ({"min_words": 0}, "dedup.repeated.min_words"),
        ({"max_docs": 3}, "dedup.repeated.max_docs: unknown key; did you mean 'max_documents'"),
    ],
)
def test_bad_repeated_settings_name_the_key(repeated, key):
    assert key in _error(_mapping(dedup={"repeated": repeated}))


def test_an_unknown_key_suggests_the_closest_one(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(
        "sources: [{name: a, paths: [x], text_feild: body}]\n"
        "quality: {scorers: {gopher_quality: {min_wrds: 3}}}\n"
    )
    with pytest.raises(ConfigError, match="text_feild: unknown key; did you mean 'text_field'"):
        load_config(config)
    config.write_text("sources: [{name: a, paths: [x]}]\nlanguage: {min_scor: 0.5}\n")
    with pytest.raises(ConfigError, match="did you mean 'min_score'"):
        load_config(config)


def test_new_sections_at_their_defaults_keep_the_fingerprint():
    plain = CurationConfig(sources=(SourceConfig(name="s", paths=("f",)),))
    explicit = CurationConfig(
        sources=plain.sources,
        pii={"policy": "off"},
        decontamination={"paths": [], "ngram": 13},
        quality={"languages": {}},
    )
    assert explicit.fingerprint() == plain.fingerprint()
    dumped = plain.model_dump(mode="json")
    assert "pii" not in dumped and "decontamination" not in dumped
    assert "languages" not in dumped["quality"]
    changed = CurationConfig(sources=plain.sources, quality={"languages": {"de": {}}})
    assert changed.fingerprint() != plain.fingerprint()


@pytest.mark.parametrize("code", ["DE", "german", "d", "de-AT"])
def test_language_override_keys_are_language_codes(code):
    with pytest.raises(ConfigError, match="quality.languages"):
        config_from_mapping(
            {"sources": [{"name": "s", "paths": ["f"]}], "quality": {"languages": {code: {}}}}
        )


def test_language_overrides_reject_enabled_and_unknown_thresholds():
    for overrides in ({"c4_quality": {"enabled": False}}, {"gopher_quality": {"min_wrds": 1}}):
        with pytest.raises(ConfigError, match="unknown key"):
            config_from_mapping(
                {
                    "sources": [{"name": "s", "paths": ["f"]}],
                    "quality": {"languages": {"de": overrides}},
                }
            )


def test_a_dumped_config_with_plugins_reads_back():
    """The manifest's ``config`` (and the CLI's flag merging) writes ``class``, not ``class_``."""
    config = config_from_mapping(
        {
            "sources": [{"name": "s", "paths": ["f"]}],
            "plugins": [{"class": "fasttext_quality", "args": {"threshold": 0.5}}],
        },
        origin="test",
    )
    dumped = config.model_dump(mode="json")
    assert dumped["plugins"] == [
        {"class": "fasttext_quality", "name": None, "args": {"threshold": 0.5}}
    ]
    assert config_from_mapping(dumped, origin="test") == config
