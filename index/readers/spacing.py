"""Whitespace rules shared by the readers, so a label reads the same from every file format.

Word, HTML and PDF all break Chinese text in places a reader never sees: a PDF wraps lines, a
Word-saved web page wraps its source at 80 columns, a table cell holds several paragraphs.
Between two Chinese characters such a break means nothing; between two Latin words it is a space.
"""
from __future__ import annotations

import re

# CJK ideographs, CJK punctuation and full-width forms: no space is written between these.
_CJK = r"\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f"
_SPACE_RUN = re.compile(r"[\s\u00a0\u3000\u200b\ufeff]+")
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_CJK_END = re.compile(rf"[{_CJK}]$")
_CJK_START = re.compile(rf"^[{_CJK}]")
_DIGIT_END = re.compile(r"\d$")
_DIGIT_START = re.compile(r"^\d")


def normalize_space(text: str) -> str:
    """Collapse runs of whitespace to one space, drop it between CJK characters, and strip."""
    text = _SPACE_RUN.sub(" ", text).strip()
    return _CJK_GAP.sub("", text)


def join_lines(lines: list[str] | tuple[str, ...]) -> str:
    """Join wrapped lines into one string: no space where CJK meets CJK, one space elsewhere.

    A number wrapped in a narrow table column (``3621`` / ``64``) is joined back without a space.
    """
    joined = ""
    for line in lines:
        line = normalize_space(line)
        if not line:
            continue
        glued = (_CJK_END.search(joined) and _CJK_START.search(line)) or (
            _DIGIT_END.search(joined) and _DIGIT_START.search(line)
        )
        if joined and not glued:
            joined += " "
        joined += line
    return joined
