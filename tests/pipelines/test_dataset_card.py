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


def _estimate(share: float | None, n: int, agreement: str = "agree", note: str = "") -> dict:
    reliable = share is not None
    return {
        "share": share,
        "low": 0.0 if reliable else None,
        "high": share + 0.1 if reliable else None,
        "n": n,
        "method": "score_checked" if reliable else None,
        "reliable": reliable,
        "agreement": agreement,
        "note": note,
    }


def test_the_card_states_the_machine_written_share_and_what_it_covers():
    manifest = {
        "run_id": "run-0123456789abcdef",
        "counts": {"input_records": 9, "kept": 6, "rejected": 3, "by_source": {}},
        "synthetic_share": {
            "scorer": {"scorer": "shipped", "languages": ["en"], "min_words": 30},
            "corpus": _estimate(0.05, 40),
            "by_source": {
                "a": _estimate(None, 30, "disagree", "unreliable: the estimators disagree (...)"),
                "b": _estimate(0.2, 10),
                "c": None,
            },
        },
    }
    card = dataset_card(manifest, SCHEMAS)
    assert "among the 40 kept documents that have a `synthetic_score`: **5.0% (0.0%-15.0%" in card
    assert "not 2019-2022 base models; only documents in en of at least 30 words" in card
    assert "| a | 30 | unreliable: the estimators disagree (...) |" in card
    assert "| b | 10 | 20.0% (0.0%-30.0%, score_checked) |" in card
    assert "| c | 0 | no scored documents |" in card
    manifest["synthetic_share"]["scorer"] = {
        "scorer": "my_det:Det",
        "languages": ["en", "fr"],
        "min_words": 10,
    }
    card = dataset_card(manifest, SCHEMAS)
    expected = "Scored by the scorer plug-in `my_det:Det`; only documents in en, fr of at least 10"
    assert expected in card
