"""Numbers as reports print them: full-width digits, thousands separators, blanks and dashes."""
from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

# Exponent notation (1.2E+05) is read, never dropped: a converter wrote it, and the load
# reports it as a finding (index/checks.py, numbers.suspicious).
_NUMBER = re.compile(r"^[+\-−]?\d+(?:\.\d+)?(?:[eE][+\-]?\d{1,3})?$")
_BLANK = {"", "-", "—", "–", "/", "／", "--", "——"}


# The full-width forms Chinese prose is full of, and the ideographic space: NFKC makes each one
# ASCII character.
_WIDE_PUNCTUATION = tuple((wide, unicodedata.normalize("NFKC", wide)) for wide in "，（）：；？！％\u3000")
_SPACES = re.compile(r"\s+")


def nfkc(text: str) -> str:
    """unicodedata.normalize("NFKC", text), many times faster on Chinese text.

    Chinese prose is full of full-width punctuation (，（）：), which sends NFKC down its slow path
    character by character; a third of segmenting a report went to it. Those characters are
    replaced by their ASCII forms first, and if the result passes NFKC's quick check it is the
    answer: each of them decomposes to that one ASCII character, which neither reorders nor
    composes with its neighbours. Anything else (０, ①, a combining accent) takes the full path.
    """
    if unicodedata.is_normalized("NFKC", text):
        return text
    folded = text
    for wide, narrow in _WIDE_PUNCTUATION:
        if wide in folded:
            folded = folded.replace(wide, narrow)
    if folded is not text and unicodedata.is_normalized("NFKC", folded):
        return folded
    return unicodedata.normalize("NFKC", text)


def squeeze(text: str) -> str:
    """NFKC and no white space: 政策 解读 51 件 reads as 政策解读51件 (a text read once)."""
    return _SPACES.sub("", nfkc(text))


@lru_cache(maxsize=16384)  # table cells repeat ("0", labels): the parser asks many times each
def normalize(text: str) -> str:
    """Fold full-width forms and drop all white space, for matching labels and numbers."""
    return squeeze(text)


def is_blank(raw: str) -> bool:
    """Tell whether a cell is empty or a dash, the ways reports leave a number out."""
    return normalize(raw) in _BLANK


@lru_cache(maxsize=4096)
def parse_number(raw: str) -> float | None:
    """Return the number a cell prints, or None when the cell is not a number.

    >>> parse_number("１２,３７２.０５０６")
    12372.0506
    """
    text = normalize(raw)
    text = re.sub(r"(?<=\d)[,，](?=\d{3})", "", text)
    text = re.sub(r"(?<=\d)(件|个|项|条|次|万元|元)$", "", text.replace("−", "-"))
    if not _NUMBER.match(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def as_printed(value: float | None) -> int | float | None:
    """A stored number as the report printed it: a count as an integer (88300, not 88300.0).

    A decimal is returned as is: Python prints the shortest text that reads back as the same
    number, so 12372.0506 stays 12372.0506 (the exact text is in the cell's ``raw``).
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def has_exponent(raw: str) -> bool:
    """Tell whether a cell prints its number in exponent notation (1.2E+05)."""
    return bool(re.search(r"\d[eE][+\-]?\d", normalize(raw)))


@lru_cache(maxsize=16384)
def is_numeric_cell(raw: str) -> bool:
    """Tell whether a cell holds a value (a number or a blank), as opposed to a label."""
    return is_blank(raw) or parse_number(raw) is not None
