"""The rights policy as the plan resolves it: the opt-out file read once, into the run id."""

from __future__ import annotations

import pytest

from curation.config import ConfigError, config_from_mapping
from curation.plan import resolve_plan


def _config(**optout):
    return config_from_mapping(
        {"sources": [{"name": "a", "paths": ["x"]}], "optout": optout}
        if optout
        else {"sources": [{"name": "a", "paths": ["x"]}]}
    )


def test_the_list_is_read_into_the_plan_and_its_digest_into_the_run_id(tmp_path):
    listed = tmp_path / "optout.txt"
    listed.write_text("example.com\n", encoding="utf-8")
    first = resolve_plan(_config(domains=str(listed)))
    assert first.policy.rights.optout.match("https://www.example.com/") == "example.com"
    assert first.describe()["policy"]["optout_entries"] == 1
    listed.write_text("example.com\nexample.org\n", encoding="utf-8")
    second = resolve_plan(_config(domains=str(listed)))
    assert second.run_id != first.run_id
    assert resolve_plan(_config()).run_id != first.run_id


def test_default_rights_leave_the_config_dump_and_run_id_alone():
    config = _config()
    assert "licenses" not in config.model_dump() and "optout" not in config.model_dump()
    assert resolve_plan(config).policy.rights.optout is None


@pytest.mark.parametrize(
    ("text", "message"),
    [(None, "optout.domains: cannot read"), ("a b\n", "line 1: 'a b' is not a domain")],
)
def test_a_missing_or_bad_file_is_a_config_error(tmp_path, text, message):
    listed = tmp_path / "optout.txt"
    if text is not None:
        listed.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        resolve_plan(_config(domains=str(listed)))
