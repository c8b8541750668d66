"""Read a PDF's text layer: ruled tables as grids, the text around them as paragraphs.

PDF has no paragraphs, only positioned lines. A line ends its paragraph when it ends a sentence,
is a heading, stops short of the right margin, or is followed by an indented line or a gap.

A long table (table 三 has 28 rows) often breaks across pages. Each part has only the column
edges its own cells draw, so a part whose rows all have a label spanning three columns comes out
two columns narrower; the parts are laid on the columns of the wider one and joined.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from index.document import Block, Paragraph, Table
from index.errors import UnreadableFileError
from index.readers.spacing import join_lines, normalize_space

_SCANNED = "这个 PDF 是扫描图片，没有可提取的文字：请发送带文字的 PDF、Word 或网页版，或先做文字识别（OCR）。"
_ENCRYPTED = "这个 PDF 有密码保护，无法读取：请发送未加密的 PDF 或 Word 版。"
_BROKEN = "PDF 文件已损坏或不完整，无法读取：请重新下载或导出后再发送。"
_NO_UNICODE = "这个 PDF 的文字无法提取（字体缺少编码表，复制出来是乱码）：请发送 Word 或网页版。"

_MIN_TEXT_CHARS = 20  # fewer non-space characters in the whole file: a scan with a page number
_SENTENCE_END = tuple("。；;：:！!？?")
_HEADING = re.compile(
    r"^\s*(第[一二三四五六七八九十]+[章节部分]|[一二三四五六七八九十]+[、.．]|"
    r"[（(][一二三四五六七八九十]+[)）]|\d+[、.．](?!\d))"
)
_HEADING_MAX_CHARS = 30
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d+(\s*页)?(\s*[/共]\s*\d+\s*页?)?[-—–\s]*$")
_CID = re.compile(r"\(cid:\d+\)")
_EDGE_TOLERANCE = 2.0  # points: the same column edge drawn on two pages


class ScannedPdfError(UnreadableFileError):
    """The PDF has no usable text layer (a scan, or fonts without a character map): OCR may read it."""


@dataclass(frozen=True)
class _Grid:
    """A table found on a page, with the x position where each of its columns starts."""

    rows: tuple[tuple[str, ...], ...]
    starts: tuple[float, ...]


@dataclass(frozen=True)
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float


def read_pdf(data: bytes) -> tuple[Block, ...]:
    """Return the blocks of a PDF with a text layer, page by page in reading order."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            items: list[_Line | _Grid] = []
            for page in pdf.pages:
                _append_page(items, _page_items(page))
    except (PdfminerException, MalformedPDFException) as exc:
        # pdfplumber wraps every pdfminer failure; a password is the one the user can fix.
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
            raise UnreadableFileError(_ENCRYPTED) from exc
        raise UnreadableFileError(_BROKEN) from exc
    except (ValueError, KeyError, TypeError, IndexError) as exc:  # damaged objects seen lazily
        raise UnreadableFileError(_BROKEN) from exc
    _check_text_layer(items)
    return tuple(_blocks(items))


def _page_items(page) -> list[_Line | _Grid]:
    """One page's text lines outside tables, and its tables, sorted top to bottom."""
    found = [table for table in page.find_tables() if table.cells]
    boxes = [table.bbox for table in found]

    def outside_tables(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)

    lines = [
        _Line(line["text"], line["x0"], line["x1"], line["top"], line["bottom"])
        for line in page.filter(outside_tables).extract_text_lines(return_chars=False)
        if normalize_space(line["text"])
    ]
    items: list[tuple[float, _Line | _Grid]] = [(line.top, line) for line in _without_page_numbers(lines)]
    for table in found:
        grid = _Grid(_cell_texts(table.extract()), tuple(sorted({cell[0] for cell in table.cells})))
        if grid.rows:
            items.append((table.bbox[1], grid))
    return [item for _, item in sorted(items, key=lambda pair: pair[0])]


def _append_page(items: list[_Line | _Grid], page: list[_Line | _Grid]) -> None:
    """Add a page's items; a table opening the page continues one that closed the page before."""
    if page and items and isinstance(page[0], _Grid) and isinstance(items[-1], _Grid):
        joined = _continued(items[-1], page[0])
        if joined is not None:
            items[-1] = joined
            page = page[1:]
    items.extend(page)


def _continued(first: _Grid, part: _Grid) -> _Grid | None:
    """The two parts of a table on the columns of the one with more edges, or None if the
    edges of one are not all edges of the other (then they are two tables)."""
    wide = first if len(first.starts) >= len(part.starts) else part
    first_rows = _on_columns(first, wide.starts)
    part_rows = _on_columns(part, wide.starts)
    if first_rows is None or part_rows is None:
        return None
    return _Grid(first_rows + part_rows, wide.starts)


def _on_columns(grid: _Grid, starts: tuple[float, ...]) -> tuple[tuple[str, ...], ...] | None:
    """``grid``'s rows laid on columns starting at ``starts``: each text at its own column start."""
    columns: list[int] = []
    for start in grid.starts:
        matches = [i for i, x in enumerate(starts) if abs(x - start) <= _EDGE_TOLERANCE]
        if not matches:
            return None
        columns.append(matches[0])
    rows = []
    for row in grid.rows:
        cells = [""] * len(starts)
        for column, text in zip(columns, row):
            cells[column] = text
        rows.append(tuple(cells))
    return tuple(rows)


def _without_page_numbers(lines: list[_Line]) -> list[_Line]:
    """Drop a page number printed as the first or last line ("- 3 -", "第 3 页 共 9 页")."""
    if lines and _PAGE_NUMBER.match(lines[-1].text):
        lines = lines[:-1]
    if lines and _PAGE_NUMBER.match(lines[0].text):
        lines = lines[1:]
    return lines


def _cell_texts(rows: list[list[str | None]]) -> tuple[tuple[str, ...], ...]:
    """pdfplumber's rows with None (a merged area) as "" and wrapped cell lines joined."""
    return tuple(
        cells
        for cells in (tuple(join_lines((cell or "").split("\n")) for cell in row) for row in rows)
        if any(cells)
    )


def _check_text_layer(items: list[_Line | _Grid]) -> None:
    """Refuse a PDF without real text: a scan, or fonts that map to no characters (both go to OCR)."""
    text = "".join(
        item.text if isinstance(item, _Line) else "".join("".join(row) for row in item.rows)
        for item in items
    )
    text = re.sub(r"\s", "", text)
    if len(_CID.sub("", text)) < _MIN_TEXT_CHARS:
        raise ScannedPdfError(_NO_UNICODE if _CID.search(text) else _SCANNED)


def _blocks(items: list[_Line | _Grid]):
    """Join runs of lines into paragraphs; tables pass through in place."""
    run: list[_Line] = []
    for item in items:
        if isinstance(item, _Grid):
            yield from _paragraphs(run)
            run = []
            yield Table(rows=item.rows, grid=True)
        else:
            run.append(item)
    yield from _paragraphs(run)


def _paragraphs(lines: list[_Line]):
    """Join consecutive lines into paragraphs, measuring margins on this run of lines."""
    if not lines:
        return
    right = max(line.x1 for line in lines)
    left = min(line.x0 for line in lines)
    current: list[str] = []
    for line, following in zip(lines, [*lines[1:], None]):
        current.append(line.text)
        if following is None or _ends_paragraph(line, following, left, right):
            text = join_lines(current)
            if text:
                yield Paragraph(text)
            current = []


def _ends_paragraph(line: _Line, following: _Line, left: float, right: float) -> bool:
    """True when ``line`` is the last line of its paragraph (distances in line heights)."""
    text = normalize_space(line.text)
    height = max(line.bottom - line.top, 1.0)
    if text.endswith(_SENTENCE_END) or _HEADING.match(following.text):
        return True
    if _HEADING.match(text) and len(text) <= _HEADING_MAX_CHARS:
        return True
    if following.top - line.bottom > height:  # a blank line's worth of gap
        return True
    if line.x1 < right - 2 * height:  # stops well short of the margin: the paragraph's last line
        return True
    # the next line is indented: a new paragraph starts
    return following.x0 > left + 1.5 * height and following.x0 > line.x0 + height
