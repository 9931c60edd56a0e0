"""Company-name normalization and near-miss matching (pure functions, no I/O).

"ACME Ltd", "«Acme»" and "acme" are one company; "Acmee" is a near miss worth asking about.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz, process

# Legal forms dropped when comparing names (Latin and Cyrillic, lower-case, no dots).
LEGAL_FORMS: frozenset[str] = frozenset(
    {
        # English / international
        "llc", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "co", "plc",
        "gmbh", "ag", "sa", "srl", "bv", "nv", "oy", "ab", "as", "sia", "uab", "ou", "kft",
        "sro", "spa", "lp", "llp",
        # Russian / CIS
        "ооо", "оао", "зао", "пао", "ао", "нао", "ип", "тоо", "чп", "ooo", "oao", "zao", "pao",
        # Bulgarian
        "еоод", "оод", "ад", "еад", "ет", "кд", "сд", "eood", "ood", "ead",
    }
)  # fmt: skip

_QUOTES = "\"'«»„“”‘’‚`´"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)

#: Scores at or above this are "did you mean …?" candidates.
NEAR_MISS_SCORE = 85.0


def normalize_company(name: str) -> str:
    """Return the comparison key of a company name: case-folded, no quotes, no legal form."""
    text = unicodedata.normalize("NFKC", name).casefold()
    for quote in _QUOTES:
        text = text.replace(quote, " ")
    text = text.replace(".", "")  # "L.L.C." -> "llc", "Tele.2" rarely matters
    words = _WORD.findall(text)
    kept = [w for w in words if w not in LEGAL_FORMS]
    # A name that is only a legal form ("ООО") keeps it rather than becoming empty.
    return " ".join(kept or words)


def clean_company_name(name: str) -> str:
    """Return a display name: trimmed, inner whitespace collapsed, wrapping quotes removed."""
    text = unicodedata.normalize("NFKC", name)
    # Control characters have no place in a name (and no glyph in a chart).
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc")
    text = " ".join(text.split())
    while len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text[:100]


def _similarity(a: str, b: str, **_: object) -> float:
    score = fuzz.ratio(a, b)
    if min(len(a), len(b)) >= 3:
        # "tele2" vs "tele2 latvia": one name contained in the other, word-wise.
        score = max(score, fuzz.token_set_ratio(a, b) - 5)
    return float(score)


def near_misses(norm: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """Return up to ``limit`` normalized candidates that look like ``norm`` but are not equal."""
    pool = [c for c in candidates if c != norm]
    found = process.extract(norm, pool, scorer=_similarity, limit=limit)
    return [choice for choice, score, _ in found if score >= NEAR_MISS_SCORE]
