"""Opt-out: documents whose URL or metadata says their rights holder reserved them.

``optout.domains`` is a text file, one entry a line (blank lines and ``#`` comments skipped):

- a domain (``example.com``, ``*.example.com``) opts out that host and every subdomain;
- a URL prefix (anything with a ``/`` after the host: ``example.org/private/``,
  ``https://example.net/a``) opts out URLs that start with it, on that host only.

Scheme, ``user@`` and port are ignored and hosts are lower-cased, in entries and URLs alike.
Matching costs a set lookup per label of the host and per character of the URL after the
host, whatever the list's size (:class:`OptOutList`).

Metadata markers (:func:`metadata_marker`), looked for among a record's unmapped fields (the
``metadata`` column) at the top level and one object down (``{"meta": {"noai": true}}``):

- ``tdm-reservation`` / ``tdm_reservation`` / ``tdmReservation`` = ``1`` or ``true``
  (W3C TDM Reservation Protocol, TDMRep);
- ``noai`` / ``noimageai`` = ``true`` or ``1``;
- ``robots`` / ``x-robots-tag`` / ``x_robots_tag`` text holding the directive ``noai`` or
  ``noimageai`` (comma- or space-separated, as in ``<meta name="robots">``).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

TDM_KEYS = ("tdm-reservation", "tdm_reservation", "tdmReservation")
FLAG_KEYS = ("noai", "noimageai")
ROBOTS_KEYS = ("robots", "x-robots-tag", "x_robots_tag")
_ROBOTS_OPT_OUT = frozenset(FLAG_KEYS)
_ALL_KEYS = TDM_KEYS + FLAG_KEYS + ROBOTS_KEYS
_DIRECTIVE_SPLIT = re.compile(r"[\s,]+")


def url_key(url: str) -> tuple[str, str]:
    """``(host, host + path and query)`` of a URL or scheme-less entry, host lower-cased."""
    text = url.strip()
    if "://" not in text:
        text = "//" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return "", ""
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    return host, host + rest


@dataclass(frozen=True)
class OptOutList:
    """Opted-out domains and URL prefixes (see the module docstring)."""

    domains: frozenset[str]
    prefixes: frozenset[str]
    sha256: str = ""

    @classmethod
    def parse(cls, lines: Iterable[str]) -> OptOutList:
        """Entries from the file's lines (raises ValueError naming a bad line)."""
        domains, prefixes = set(), set()
        digest = hashlib.sha256()
        for number, line in enumerate(lines, 1):
            digest.update(line.encode("utf-8", "surrogateescape"))
            entry = line.split("#", 1)[0].strip()
            if not entry:
                continue
            if any(ch.isspace() for ch in entry):
                raise ValueError(f"line {number}: {entry!r} is not a domain or URL prefix")
            host, key = url_key(entry.removeprefix("*."))
            if not host:
                raise ValueError(f"line {number}: {entry!r} has no host")
            if len(key) > len(host):
                prefixes.add(key)
            else:
                domains.add(host)
        return cls(frozenset(domains), frozenset(prefixes), digest.hexdigest())

    def __len__(self) -> int:
        return len(self.domains) + len(self.prefixes)

    def match(self, url: str | None) -> str | None:
        """The entry ``url`` falls under (a domain or a prefix), or None."""
        if not url:
            return None
        host, key = url_key(url)
        if not host:
            return None
        labels = host.split(".")
        for start in range(len(labels)):
            domain = ".".join(labels[start:])
            if domain in self.domains:
                return domain
        if self.prefixes:
            for end in range(len(host) + 1, len(key) + 1):
                if key[:end] in self.prefixes:
                    return key[:end]
        return None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return value is True or (isinstance(value, int | float) and value == 1)


def _marker_in(fields: Mapping[str, Any]) -> str | None:
    for key in TDM_KEYS + FLAG_KEYS:
        if key in fields and _truthy(fields[key]):
            return f"{key}={json.dumps(fields[key])}"
    for key in ROBOTS_KEYS:
        value = fields.get(key)
        if isinstance(value, str):
            directives = {d.lower() for d in _DIRECTIVE_SPLIT.split(value)}
            if directives & _ROBOTS_OPT_OUT:
                return f"{key}={json.dumps(value)}"
    return None


def metadata_marker(metadata: str | None) -> str | None:
    """The opt-out marker in a document's ``metadata`` JSON text (``key=value``), or None.

    The JSON is parsed only when one of the marker keys occurs in the text at all.
    """
    if not metadata or not any(key in metadata for key in _ALL_KEYS):
        return None
    try:
        fields = json.loads(metadata)
    except ValueError:
        return None
    if not isinstance(fields, dict):
        return None
    found = _marker_in(fields)
    for value in fields.values():
        if found is None and isinstance(value, dict):
            found = _marker_in(value)
    return found
