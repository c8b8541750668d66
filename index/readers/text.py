"""Plain-text reports: find the tables in the three text layouts seen in the wild.

Text copied out of Word or a web page keeps tables in one of three shapes (standard-format.md):
one row a line with tab-separated cells; one cell a line, rows separated by blank lines; or
Markdown pipe tables. A fourth is handled too: rows with spaces for tabs, recognised by a
label followed by three or more numbers. This module turns such text into Paragraph and Table
blocks.
"""
from __future__ import annotations

import re

from index.document import Block, Paragraph, Table

_ARTIFACT = re.compile(r"\[bookmark:[^\]]*\]")
_SEPARATOR_CELL = re.compile(r"^[\s:：\-—=]*$")
_TOP_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+|\d{1,2})\s*[、.．]\s*\S")
_SINGLE_CELL = re.compile(r"^[ \u3000]*\t[^\t]*$")
_CONTINUATION_MAX = 15
# A table row pasted with spaces for tabs: a label, then numbers — three or more, or any number
# of them set off by two or more spaces (prose has at most one space around a number).
_SPACED_ROW = re.compile(r"^(?P<label>.*?[^\d\s.,\-])??\s*(?P<numbers>(?:[\-\d][\d.,]*\s+){2,}[\-\d][\d.,]*)\s*$")
_WIDE_ROW = re.compile(r"^(?P<label>.*?[^\d\s.,\-])\s{2,}(?P<numbers>[\-\d][\d.,]*(?:\s{2,}[\-\d][\d.,]*)*)\s*$")
_NUMBER_TOKEN = re.compile(r"^-?[\d,]*\d(?:\.\d+)?$")


def _clean(cell: str) -> str:
    return cell.replace("\u3000", " ").replace("**", "").strip()


def _is_markdown_row(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") and stripped.count("|") >= 2


def _markdown_cells(line: str) -> tuple[str, ...]:
    stripped = line.strip()
    inner = stripped[1:-1] if stripped.endswith("|") else stripped[1:]
    return tuple(_clean(c) for c in inner.split("|"))


def _is_separator(cells: tuple[str, ...]) -> bool:
    return all(_SEPARATOR_CELL.match(c) for c in cells)


def _is_multi_cell(line: str) -> bool:
    return "\t" in line and not _SINGLE_CELL.match(line)


def _is_continuation(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and "\t" not in line and len(stripped) <= _CONTINUATION_MAX and "。" not in stripped


def _spaced_row(line: str) -> tuple[str, ...] | None:
    """Cells of a table row whose cells are separated by spaces, or None for prose."""
    text = line.replace("\u3000", " ").strip()
    # Both patterns end in a number: a line that does not (prose ends in 。) is not tried.
    if not text or not (text[-1].isdecimal() or text[-1] in ".,-"):
        return None
    match = _SPACED_ROW.match(text) or _WIDE_ROW.match(text)
    if match is None:
        return None
    numbers = match.group("numbers").split()
    if not all(_NUMBER_TOKEN.match(n) for n in numbers):
        return None
    labels = [part for part in re.split(r"\s{2,}", (match.group("label") or "").strip()) if part]
    return tuple(labels) + tuple(numbers)


def _heading_row(cells: tuple[str, ...]) -> str | None:
    filled = [c for c in cells if c]
    if len(filled) == 1 and _TOP_HEADING.match(filled[0]) and not re.search(r"\d+\s*$", filled[0]):
        return filled[0]
    return None


class _Builder:
    """Collects rows into tables, closing a table when prose or a heading interrupts it."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.rows: list[tuple[str, ...]] = []

    def row(self, cells: tuple[str, ...]) -> None:
        if _is_separator(cells):
            return
        heading = _heading_row(cells)
        if heading is not None:
            self.paragraph(heading)
            return
        self.rows.append(tuple("" if _SEPARATOR_CELL.match(c) else c for c in cells))

    def paragraph(self, text: str) -> None:
        self.close()
        text = re.sub(r"^#+\s*", "", _clean(text))
        if text:
            self.blocks.append(Paragraph(text))

    def close(self) -> None:
        if self.rows:
            self.blocks.append(Table(rows=tuple(self.rows), grid=False))
            self.rows = []


Lines = list[str]
Read = tuple[tuple[str, ...], int]  # a row's cells and the index of the line after it


def _markdown_row(lines: Lines, i: int) -> Read | None:
    return (_markdown_cells(lines[i]), i + 1) if _is_markdown_row(lines[i]) else None


def _tab_row(lines: Lines, i: int) -> Read | None:
    return (tuple(_clean(c) for c in lines[i].split("\t")), i + 1) if _is_multi_cell(lines[i]) else None


def _cell_per_line_row(lines: Lines, i: int) -> Read | None:
    """One cell a line (a tab, then the cell), a long cell's text wrapped onto plain lines."""
    if not _SINGLE_CELL.match(lines[i]):
        return None
    cells: list[str] = []
    while i < len(lines) and (_SINGLE_CELL.match(lines[i]) or (cells and _is_continuation(lines[i]))):
        if _SINGLE_CELL.match(lines[i]):
            cells.append(_clean(lines[i]))
        else:
            cells[-1] += _clean(lines[i])
        i += 1
    return tuple(cells), i


def _spaced_line_row(lines: Lines, i: int) -> Read | None:
    cells = _spaced_row(lines[i])
    return (cells, i + 1) if cells is not None else None


# Each layout reads one table row at line i, or None; the first that reads wins. The flag says
# whether a blank line after the row ends the table (one cell a line uses blank lines between rows).
_LAYOUTS = ((_markdown_row, True), (_tab_row, True), (_cell_per_line_row, False), (_spaced_line_row, True))


def text_to_blocks(text: str) -> tuple[Block, ...]:
    """Split a plain-text report into paragraphs and tables, in reading order."""
    lines = _ARTIFACT.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).split("\n")
    out = _Builder()
    i = 0
    while i < len(lines):
        for layout, blank_ends_table in _LAYOUTS:
            read = layout(lines, i)
            if read is not None:
                cells, i = read
                out.row(cells)
                if blank_ends_table and i < len(lines) and not lines[i].strip():
                    out.close()
                break
        else:
            if lines[i].strip():
                out.paragraph(lines[i])
            i += 1
    out.close()
    return tuple(out.blocks)
