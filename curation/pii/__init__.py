"""Personal data in text: detection by validated patterns, and redaction to typed placeholders."""

from curation.pii.detect import PII_TYPES, PLACEHOLDERS, PiiSpan, find_pii, redact

__all__ = ["PII_TYPES", "PLACEHOLDERS", "PiiSpan", "find_pii", "redact"]
