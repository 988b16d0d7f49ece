"""Licence strings normalised to SPDX, and the allow/deny policy on ids and expressions."""

from __future__ import annotations

import pytest

from curation.config import ConfigError, config_from_mapping
from curation.rights import LicensePolicy, normalise_license


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("mit", ("MIT", True)),
        ("cc-by-4.0", ("CC-BY-4.0", True)),
        ("GPL-3.0+", ("GPL-3.0-or-later", True)),
        ("mit or apache-2.0", ("MIT OR Apache-2.0", True)),
        (
            "gpl-2.0 with classpath-exception-2.0",
            ("GPL-2.0-only WITH Classpath-exception-2.0", True),
        ),
        ("Apache 2.0", ("Apache 2.0", False)),
        ("public domain", ("public domain", False)),
        ("MIT AND (", ("MIT AND (", False)),
        ("MIT OR FooBar", ("MIT OR FooBar", False)),
        ("", ("unknown", False)),
        (None, ("unknown", False)),
    ],
)
def test_normalised_to_spdx_or_kept_verbatim_and_flagged(given, expected):
    assert tuple(normalise_license(given)) == expected


def test_allow_list_with_expressions():
    policy = LicensePolicy(allow=("MIT", "apache-2.0"))
    assert policy.violation("mit") is None
    assert policy.violation("MIT OR GPL-3.0-only") is None  # the user may pick MIT
    assert policy.violation("MIT AND GPL-3.0-only") == (
        "license=MIT AND GPL-3.0-only is not in licenses.allow"
    )
    assert policy.violation("GPL-3.0") == "license=GPL-3.0-only is not in licenses.allow"
    assert policy.violation("Apache 2.0") == "license=Apache 2.0 (unknown) is not in licenses.allow"


def test_unknown_can_be_allowed_or_denied():
    assert LicensePolicy(allow=("MIT", "unknown")).violation("public domain") is None
    denied = LicensePolicy(deny=("unknown",))
    assert denied.violation(None) == "license=unknown (unknown) is denied by licenses.deny"
    assert denied.violation("MIT") is None


def test_deny_list():
    policy = LicensePolicy(deny=("GPL-3.0-only", "CC-BY-NC-4.0"))
    assert policy.violation("gpl-3.0") == "license=GPL-3.0-only is denied by licenses.deny"
    assert policy.violation("MIT OR GPL-3.0") is None
    assert policy.violation("MIT AND GPL-3.0") == (
        "license=MIT AND GPL-3.0-only needs a licence in licenses.deny"
    )
    assert policy.violation("public domain") is None


def test_compound_entry_matches_the_same_expression():
    policy = LicensePolicy(allow=("MIT AND Apache-2.0",))
    assert policy.violation("mit and apache-2.0") is None
    assert policy.violation("MIT") == "license=MIT is not in licenses.allow"


@pytest.mark.parametrize("key", ["allow", "deny"])
def test_a_value_that_is_not_spdx_is_a_config_error(key):
    with pytest.raises(ConfigError, match=f"licenses.{key}: .*'Apache 2.0' is not an SPDX"):
        config_from_mapping(
            {"sources": [{"name": "a", "paths": ["x"]}], "licenses": {key: ["Apache 2.0"]}}
        )
