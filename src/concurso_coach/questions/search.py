"""Accent- and case-folding for the portable search, with no database in sight.

PostgreSQL searches with the ``portuguese`` text search configuration over
``unaccent`` (stemming included); the embedded SQLite matches each folded
query term as a substring of ``questions.search_text``, which holds the folded
statement and options. Both fold the same way: "Licitação" and "LICITACAO"
become "licitacao".
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)
# Combining marks (U+0300–U+036F) are what NFKD splits accents into.
_COMBINING = re.compile("[\u0300-\u036f]")
MAX_TERMS = 12


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents (ç → c, ã → a)."""
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def search_terms(query: str) -> list[str]:
    """The folded words of a query, de-duplicated, at most ``MAX_TERMS``."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(fold(query)):
        seen.setdefault(word, None)
    return list(seen)[:MAX_TERMS]


def like_pattern(term: str) -> str:
    """A ``LIKE … ESCAPE '\\'`` pattern that finds ``term`` anywhere."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_document(statement: str, options_text: str) -> str:
    return fold(f"{statement} {options_text}")
