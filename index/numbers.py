"""Numbers as reports print them: full-width digits, thousands separators, blanks and dashes."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NUMBER = re.compile(r"^[+\-−]?\d+(?:\.\d+)?$")
_BLANK = {"", "-", "—", "–", "/", "／", "--", "——"}


@lru_cache(maxsize=16384)  # table cells repeat ("0", labels): the parser asks many times each
def normalize(text: str) -> str:
    """Fold full-width forms and drop all white space, for matching labels and numbers."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


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
    return float(text)


@lru_cache(maxsize=16384)
def is_numeric_cell(raw: str) -> bool:
    """Tell whether a cell holds a value (a number or a blank), as opposed to a label."""
    return is_blank(raw) or parse_number(raw) is not None
