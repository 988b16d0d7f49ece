"""A run that fails for a reason outside curate (disk full, permission denied, a file gone, an
unreachable cluster) is reported as one line naming the cause, not a traceback.

Beam re-raises a worker's error in the launcher wrapped in its own exceptions, with the
worker's traceback as text; the cause is the innermost error, found through the exception
chain and, failing that, the last ``SomethingError: message`` line of that text.
"""

from __future__ import annotations

import re

_ERROR_LINE = re.compile(r"^(?:[\w.]+\.)?(\w*(?:Error|Exception|Exit)): (.+)$", re.MULTILINE)
#: Characters of the cause shown.
MAX_CHARS = 400


def cause_of(error: BaseException) -> str:
    """One line: the innermost error's type and message, with the path or address it
    concerns when an operating-system error names one."""
    chain = [error]
    while (nested := chain[-1].__cause__ or chain[-1].__context__) is not None:
        chain.append(nested)
    system = [e for e in chain if isinstance(e, OSError)]
    with_path = [e for e in system if e.filename]
    if with_path:
        found = with_path[-1]
        return f"{type(found).__name__}: {found.strerror or found}: {found.filename}"[:MAX_CHARS]
    if system:  # e.g. a connection: the outermost message names the address
        return f"{type(system[0]).__name__}: {system[0]}"[:MAX_CHARS]
    text = str(chain[-1])
    lines = _ERROR_LINE.findall(text)
    if lines:
        kind, message = lines[-1]
        return f"{kind}: {message.strip()}"[:MAX_CHARS]
    first = text.strip().splitlines()[0] if text.strip() else ""
    return f"{type(chain[-1]).__name__}: {first}"[:MAX_CHARS]
