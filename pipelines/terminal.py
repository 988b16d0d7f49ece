"""Text from the data made safe to print on a terminal.

Ids, texts, licences and file names come from the input and may hold control characters:
escape sequences that move the cursor, recolour or retitle the terminal, bells, carriage
returns or line feeds that overwrite a line or forge one, or bidirectional overrides that
reorder what is shown. Each is printed as its Python escape (``\\x1b``, ``\\n``, ``\\u202e``)
instead, so every value prints on one line; JSON output gets JSON escapes (``\\u009b``).
Lone surrogates (undecodable bytes of a file name) are escaped too: they cannot be printed.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: DEL, C1 controls, bidirectional marks and overrides, lone surrogates: what ``json.dumps``
#: with ``ensure_ascii=False`` leaves raw (it escapes C0 controls itself).
_UNSAFE_IN_JSON = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE = re.compile(f"[\x00-\x08\x0a-\x1f{_UNSAFE_IN_JSON}]")  # and C0 except tab
_UNSAFE_JSON = re.compile(f"[{_UNSAFE_IN_JSON}]")


def printable(text: str) -> str:
    """``text`` on one line with every unsafe character written as its escape."""
    return _UNSAFE.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), text)


def printable_json(value: Any) -> str:
    """``value`` as indented JSON, non-ASCII text kept readable, unsafe characters escaped."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return _UNSAFE_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
