"""Opt-out lists (domains with their subdomains, URL prefixes) and metadata markers."""

from __future__ import annotations

import pytest

from curation.rights import OptOutList, Rights
from curation.rights.optout import metadata_marker

LIST = [
    "# publishers who opted out",
    "example.com",
    "*.news.example.org   # a wildcard is the same as the domain",
    "https://Blog.example.net/private/",
    "archive.example.net/2019?page=",
    "",
]


@pytest.fixture(scope="module")
def optout() -> OptOutList:
    return OptOutList.parse(LIST)


@pytest.mark.parametrize(
    ("url", "entry"),
    [
        ("https://example.com/a", "example.com"),
        ("http://www.EXAMPLE.com:8080/x", "example.com"),
        ("example.com", "example.com"),
        ("https://user@deep.sub.example.com/", "example.com"),
        ("https://notexample.com/", None),
        ("https://example.com.evil.org/", None),
        ("https://news.example.org/", "news.example.org"),
        ("https://a.news.example.org/x", "news.example.org"),
        ("https://example.org/", None),
        ("http://blog.example.net/private/post-1", "blog.example.net/private/"),
        ("https://blog.example.net/public/post-1", None),
        ("https://www.blog.example.net/private/", None),  # a prefix names one host
        ("https://archive.example.net/2019?page=3", "archive.example.net/2019?page="),
        ("https://archive.example.net/2020?page=3", None),
        (None, None),
        ("", None),
        ("not a url", None),
    ],
)
def test_matching(optout, url, entry):
    assert optout.match(url) == entry


def test_a_line_with_inner_spaces_is_an_error():
    with pytest.raises(ValueError, match="line 2: 'exa mple.com x' is not a domain"):
        OptOutList.parse(["ok.com", "exa mple.com x"])


class _CountingSet(frozenset):
    lookups = 0

    def __contains__(self, item: object) -> bool:
        type(self).lookups += 1
        return super().__contains__(item)


def _lookups(listed: OptOutList, url: str) -> tuple[str | None, int]:
    counted = OptOutList(_CountingSet(listed.domains), _CountingSet(listed.prefixes))
    _CountingSet.lookups = 0
    found = counted.match(url)
    return found, _CountingSet.lookups


def test_a_list_of_100000_entries_costs_what_a_short_one_does():
    domains = [f"site{i}.example{i % 97}.com" for i in range(60_000)]
    prefixes = [f"host{i % 500}.org/path{i}/" for i in range(40_000)]
    big = OptOutList.parse(domains + prefixes)
    small = OptOutList.parse(domains[:3] + prefixes[:3])
    assert len(big) == 100_000
    urls = [
        "https://www.site59999.example53.com/page",
        "https://host250.org/path39250/doc?id=1",
        "https://host250.org/path392/doc",  # a prefix of an entry, not under one
        "https://unlisted.example.net/some/long/path/to/a/document.html",
    ]
    assert [big.match(url) for url in urls] == [
        "site59999.example53.com",
        "host250.org/path39250/",
        None,
        None,
    ]
    for url in urls[2:]:
        assert _lookups(big, url)[1] == _lookups(small, url)[1]


@pytest.mark.parametrize(
    ("metadata", "marker"),
    [
        ('{"tdm-reservation":1}', "tdm-reservation=1"),
        ('{"tdm_reservation":"1"}', 'tdm_reservation="1"'),
        ('{"meta":{"tdmReservation":true}}', "tdmReservation=true"),
        ('{"noai":true}', "noai=true"),
        ('{"robots":"index, follow, NoAI"}', 'robots="index, follow, NoAI"'),
        ('{"x-robots-tag":"noimageai"}', 'x-robots-tag="noimageai"'),
        ('{"tdm-reservation":0}', None),
        ('{"noai":false}', None),
        ('{"robots":"noindex, nofollow"}', None),
        ('{"title":"why noai matters"}', None),
        (None, None),
    ],
)
def test_metadata_markers(metadata, marker):
    assert metadata_marker(metadata) == marker


def test_rights_verdict_order_and_details(optout):
    rights = Rights(optout=optout)
    doc = {"license": "MIT", "url": "https://example.com/x", "metadata": '{"noai":true}'}
    assert tuple(rights.verdict(doc)) == ("rights", "opted_out", "optout.domains: example.com")
    doc["url"] = "https://other.org/"
    assert tuple(rights.verdict(doc)) == ("rights", "opted_out", "metadata: noai=true")
    assert Rights(optout=optout, markers=False).verdict(doc) is None
