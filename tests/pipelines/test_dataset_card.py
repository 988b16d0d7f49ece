"""The dataset card's text: a header the Hugging Face Hub accepts, data-derived text inert.

Loading a real run's output with ``datasets`` is tested in test_readers.py and
test_partitioning.py; these tests build cards from manifests directly.
"""

from __future__ import annotations

import pytest
import yaml

from curation.io.schema import OutputSchemas
from pipelines.dataset_card import dataset_card

SCHEMAS = OutputSchemas.of({"gopher_quality__word_count": int}, {"n_words": int})


def _card(licenses: dict[str, str]) -> str:
    by_source = {
        name: {"license": license_, "input_records": 3, "kept": 2, "rejected": 1}
        for name, license_ in licenses.items()
    }
    manifest = {
        "run_id": "run-0123456789abcdef",
        "counts": {
            "input_records": 3 * len(licenses),
            "kept": 2 * len(licenses),
            "rejected": len(licenses),
            "by_source": by_source,
        },
    }
    return dataset_card(manifest, SCHEMAS)


def _header(card: str) -> dict:
    assert card.startswith("---\n")
    return yaml.safe_load(card.split("---\n")[1])


@pytest.mark.parametrize(
    "licenses, expected",
    [
        ({"web": "CC-BY-4.0"}, "cc-by-4.0"),
        ({"web": "MIT", "docs": "mit"}, "mit"),
        ({"web": "unknown"}, "unknown"),
        ({"web": "GPL-2.0-or-later"}, "other"),  # SPDX, but not a Hub identifier
        ({"web": "cc0-1.0 <see NOTICE>"}, "other"),
        ({"web": "MIT", "docs": "PSF-2.0"}, "other"),
    ],
)
def test_the_header_names_only_licences_the_hub_knows(licenses, expected):
    header = _header(_card(licenses))
    assert header["license"] == expected
    assert [config["config_name"] for config in header["configs"]] == ["corpus", "rejects"]


def test_licence_text_is_shown_literally_in_the_table():
    card = _card({"web": "see <NOTICE> | & LICENSE"})
    assert "| web | see &lt;NOTICE&gt; \\| &amp; LICENSE | 3 | 2 | 1 |" in card
    assert "<NOTICE>" not in card


def test_the_card_lists_the_columns_of_both_configs():
    card = _card({"web": "MIT"})
    assert "| `gopher_quality__word_count` | `int64` |" not in card  # a struct member
    assert "| `quality` | `struct<gopher_quality__word_count: int64>` |" in card
    assert "| `reject_reason` | `string` |" in card
    assert "run-0123456789abcdef" in card
