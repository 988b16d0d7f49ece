"""Text from the data made safe to print on a terminal.

Ids, texts, licences and file names come from the input and may hold control characters:
escape sequences that move the cursor, recolour or retitle the terminal, bells, carriage
returns that overwrite a line, or bidirectional overrides that reorder what is shown. Each is
printed as its Python escape (``\\x1b``, ``\\u202e``) instead.
"""

from __future__ import annotations

import re

#: C0 and C1 controls except tab and newline, DEL, and the bidirectional marks and overrides.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every unsafe character written as its escape."""
    return _UNSAFE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)
