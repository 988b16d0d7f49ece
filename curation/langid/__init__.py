"""Language identification: fastText lid.176 first, langdetect where fastText is unsure."""

from curation.langid.identifier import BACKENDS, LanguageIdentifier
from curation.langid.result import LanguageResult
from curation.langid.shares import paragraph_language_shares

__all__ = ["BACKENDS", "LanguageIdentifier", "LanguageResult", "paragraph_language_shares"]
