"""PII detection: every type found and redacted, and the look-alikes left alone."""

from __future__ import annotations

import pytest

from curation.pii import PLACEHOLDERS, find_pii, redact


def found(text: str) -> list[tuple[str, str]]:
    return [(text[span.start : span.end], span.kind) for span in find_pii(text)]


@pytest.mark.parametrize(
    ("text", "item", "kind"),
    [
        ("Write to jane.doe+lists@example.co.uk today.", "jane.doe+lists@example.co.uk", "email"),
        ("Mail: bob@mail.example.org.", "bob@mail.example.org", "email"),
        ("The server is at 192.168.1.20.", "192.168.1.20", "ipv4"),
        ("ping 10.0.0.1 now", "10.0.0.1", "ipv4"),
        ("host 2001:db8:85a3::8a2e:370:7334 is up", "2001:db8:85a3::8a2e:370:7334", "ipv6"),
        ("link-local fe80::1 only", "fe80::1", "ipv6"),
        ("Call +1 415-555-2671 please", "+1 415-555-2671", "phone"),
        ("Ruf an: +49 30 901820", "+49 30 901820", "phone"),
        ("London office +44 20 7946 0958.", "+44 20 7946 0958", "phone"),
        ("Phone (415) 555-2671 or later", "(415) 555-2671", "phone"),
        ("card 4111 1111 1111 1111 expires", "4111 1111 1111 1111", "payment_card"),
        ("MC 5500-0000-0000-0004.", "5500-0000-0000-0004", "payment_card"),
        ("Amex 378282246310005 ok", "378282246310005", "payment_card"),
        ("IBAN DE89 3704 0044 0532 0130 00 bitte", "DE89 3704 0044 0532 0130 00", "iban"),
        ("pay GB82WEST12345698765432 now", "GB82WEST12345698765432", "iban"),
    ],
)
def test_each_type_is_found(text, item, kind):
    assert found(text) == [(item, kind)]


@pytest.mark.parametrize(
    "text",
    [
        # version numbers and dates are not IP addresses
        "Upgrade to version 1.2.3.4 or release 2.10.0.1, or v1.0.0.1.",
        "Python 3.12.1 was released on 12.10.2023 (2023-10-12).",
        "The OID 1.3.6.1.4.1 names the enterprise arc.",
        "Octets must be <= 255: 300.1.2.3 and 01.02.03.04 are invalid.",
        # times, C++ scopes and hex constants are not IPv6 addresses
        "It starts at 12:30:45 and ends at 14:00:00.",
        "Use std::vector<int> and a::b::c in C++; x = 0xdead;",
        # ISBNs and other Luhn look-alikes are not cards
        "ISBN 978-3-16-148410-0 and ISBN 9780306406157 are books.",
        "Order 4111111111111112 failed the checksum.",
        "Tracking number 1234567890123456 was sent.",
        "Digits 4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 and 4111-1111 1111-1111 are not grouped as cards.",
        # an IBAN with a wrong check digit, an invalid phone, plain numbers
        "Account DE00 1234 5678 9012 3456 78 is bogus.",
        "Page 555-1234, room 123-456, year 1998-2004, id 1234567890.",
        # code: decorators, ssh targets, URLs without addresses
        "@dataclass\nclass A:\n    user@localhost = 1  # git@github:org/repo\n",
        "for i in range(10_000): arr[i] = i * 3.14159265358979",
    ],
)
def test_look_alikes_are_not_pii(text):
    assert found(text) == []


def test_redaction_replaces_each_span_with_its_placeholder():
    text = "Mail a@example.com from 10.1.2.3 or call +1 415-555-2671."
    spans = find_pii(text)
    assert redact(text, spans) == (
        f"Mail {PLACEHOLDERS['email']} from {PLACEHOLDERS['ipv4']} or call {PLACEHOLDERS['phone']}."
    )
    assert redact("no personal data", []) == "no personal data"


def test_an_iban_is_not_also_counted_as_a_card_or_phone():
    text = "IBAN NL91 ABNA 0417 1643 00 and card 4012888888881881"
    assert [kind for _, kind in found(text)] == ["iban", "payment_card"]


def test_text_without_digits_or_at_signs_is_skipped_quickly():
    assert find_pii("Nothing personal here, only words.") == []
