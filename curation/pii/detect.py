"""Finding e-mail addresses, IP addresses, phone numbers, payment cards and IBANs in text.

Each type is a regular expression that proposes candidates and a validator that confirms
them, so look-alikes are left alone (docs/pii.md):

- ``email``: ``local@domain.tld`` with a letters-only top-level domain (``user@host`` and
  ``@decorator`` are not addresses).
- ``ipv4``: four dotted decimal octets 0-255 without leading zeros, not part of a longer dotted
  number and not after "version", "release", "build" or "v" (``1.2.3.4`` in "version 1.2.3.4").
- ``ipv6``: colon-separated hex groups that :class:`ipaddress.IPv6Address` accepts, with at
  least two non-empty groups and a digit (``12:30:45`` and ``std::map`` are not addresses).
- ``phone``: a number written as ``+CC ...`` or ``(AAA) BBB-CCCC`` / ``AAA-BBB-CCCC``, that
  ``phonenumbers`` (Google's libphonenumber metadata) calls valid (international form, else
  as a North American number); dates and ISBNs do not have these shapes.
- ``payment_card``: 13-19 digits (optionally in groups of at least four, separated by single
  spaces or by single hyphens) that pass the Luhn check (``stdnum.luhn``) and start with a
  card network's prefix (2-6: Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay,
  Maestro); ISBN-13s start with 978/979.
- ``iban``: country code, check digits and account (optionally in groups of four) that pass
  ``stdnum.iban`` (country length and the ISO 13616 mod-97 check).

Spans of different types never overlap: types are matched in :data:`PII_TYPES` order and a
later candidate overlapping an earlier span is dropped.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterator
from typing import NamedTuple

import phonenumbers
from stdnum import iban, luhn

#: Detected types, in matching order (the per-document counts use these names).
PII_TYPES = ("email", "iban", "payment_card", "ipv6", "ipv4", "phone")
#: What each type's spans are replaced with.
PLACEHOLDERS = {
    "email": "<EMAIL>",
    "iban": "<IBAN>",
    "payment_card": "<CARD_NUMBER>",
    "ipv6": "<IP_ADDRESS>",
    "ipv4": "<IP_ADDRESS>",
    "phone": "<PHONE_NUMBER>",
}


class PiiSpan(NamedTuple):
    """One detected item: ``text[start:end]`` is of type ``kind``."""

    start: int
    end: int
    kind: str


_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])"
)
_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\w]|\.\d)")
_VERSION_CUE = re.compile(r"(?:version|release|build|\bver\.?|\bv)\s*$", re.IGNORECASE)
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:.])")
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,5}(?:[ .-]\d{1,6}){1,5}|\+\d{8,15}"
    r"|\(\d{3}\) ?\d{3}[ .-]\d{4}|\d{3}[.-]\d{3}[.-]\d{4}"
    r")(?![\w-]|\.\d)"
)
_CARD = re.compile(r"(?<![\w.-])\d(?:[ -]?\d){12,18}(?![\w-]|\.\d)")
_CARD_PREFIX = re.compile(r"(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6[0-9])")
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?!\w)")
_DIGIT = re.compile(r"\d")


def _ipv4(text: str, match: re.Match[str]) -> bool:
    return _VERSION_CUE.search(text, max(0, match.start() - 12), match.start()) is None


def _ipv6(_: str, match: re.Match[str]) -> bool:
    candidate = match.group()
    groups = [group for group in candidate.split(":") if group]
    if len(groups) < 2 or not any(ch.isdigit() for ch in candidate):
        return False
    try:
        ipaddress.IPv6Address(candidate)
    except ValueError:
        return False
    return True


def _phone(_: str, match: re.Match[str]) -> bool:
    candidate = match.group()
    try:
        number = phonenumbers.parse(candidate, None if candidate.startswith("+") else "US")
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


def _card(_: str, match: re.Match[str]) -> bool:
    candidate = match.group()
    separators = set(candidate) - set("0123456789")
    if len(separators) > 1:
        return False
    if separators and min(map(len, candidate.split(separators.pop())[:-1])) < 4:
        return False  # cards are written in groups of 4 to 6 (4-4-4-4, 4-6-5), not "1 2 3"
    digits = candidate.replace(" ", "").replace("-", "")
    return _CARD_PREFIX.match(digits) is not None and luhn.is_valid(digits)


def _iban(_: str, match: re.Match[str]) -> bool:
    return iban.is_valid(match.group())


def _email(_: str, __: re.Match[str]) -> bool:
    return True


_DETECTORS: dict[str, tuple[re.Pattern[str], Callable[[str, re.Match[str]], bool], str]] = {
    # type: (candidate pattern, validator, a character every candidate contains)
    "email": (_EMAIL, _email, "@"),
    "iban": (_IBAN, _iban, ""),
    "payment_card": (_CARD, _card, ""),
    "ipv6": (_IPV6, _ipv6, ":"),
    "ipv4": (_IPV4, _ipv4, "."),
    "phone": (_PHONE, _phone, ""),
}


def _candidates(text: str) -> Iterator[PiiSpan]:
    for kind in PII_TYPES:
        pattern, valid, needle = _DETECTORS[kind]
        if needle and needle not in text:
            continue
        for match in pattern.finditer(text):
            if valid(text, match):
                yield PiiSpan(match.start(), match.end(), kind)


def find_pii(text: str) -> list[PiiSpan]:
    """Non-overlapping PII spans of ``text`` in text order (see the module docstring)."""
    if "@" not in text and _DIGIT.search(text) is None:  # every type needs one of these
        return []
    taken: list[PiiSpan] = []
    for span in _candidates(text):
        if all(span.end <= other.start or span.start >= other.end for other in taken):
            taken.append(span)
    return sorted(taken)


def redact(text: str, spans: list[PiiSpan]) -> str:
    """``text`` with each of ``spans`` (sorted, non-overlapping) replaced by its placeholder."""
    parts: list[str] = []
    position = 0
    for span in spans:
        parts.append(text[position : span.start])
        parts.append(PLACEHOLDERS[span.kind])
        position = span.end
    parts.append(text[position:])
    return "".join(parts)
