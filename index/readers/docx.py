"""Read a .docx: paragraphs and real tables in body order, merged cells kept on their grid."""
from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator

import docx
from docx.blkcntnr import BlockItemContainer
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree

from index.document import Block, Paragraph, Table
from index.errors import UnreadableFileError
from index.readers.spacing import join_lines, normalize_space

# Zip-bomb limits, checked on the zip's directory before anything is unpacked (python-docx
# loads every part of the package into memory, images included).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_CHECK_FROM = 10 * 1024 * 1024  # small members compress well legitimately (XML of zeros)
_CHUNK = 1024 * 1024  # bytes inflated at a time while counting

_BROKEN = "Word 文件已损坏或不完整，无法打开：请重新保存为 .docx 或导出为 PDF 后再发送。"
_NOT_WORD = "这个压缩文件不是 Word 文档：请发送 .docx、PDF、txt 或网页格式的年度报告。"
_BOMB = "Word 文件解压后过大，疑似异常文件，已拒绝：请重新保存为 .docx 或导出为 PDF 后再发送。"
_RUNS_OUTSIDE_TEXTBOXES = ".//w:r[not(ancestor::w:txbxContent)]"


def read_docx(data: bytes) -> tuple[Block, ...]:
    """Return the blocks of a .docx file's body, in document order."""
    check_docx_zip(data)
    try:
        document = docx.Document(io.BytesIO(data))
        return tuple(_container_blocks(document.element.body, document._body))
    except (
        PackageNotFoundError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        KeyError,
        ValueError,
        NotImplementedError,
        etree.LxmlError,
    ) as exc:
        raise UnreadableFileError(_BROKEN) from exc


def check_docx_zip(data: bytes) -> None:
    """Refuse a zip that is damaged, is not a Word document, or would unpack to a bomb.

    First the sizes the zip's directory declares; then every member is inflated as a stream
    and counted against the same hard cap, without keeping it: a directory that lies about a
    size (smaller than the real data) is caught here, before python-docx unpacks anything.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if "word/document.xml" not in {member.filename for member in members}:
                raise UnreadableFileError(_NOT_WORD)
            if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
                raise UnreadableFileError(_BOMB)
            for member in members:
                ratio = member.file_size / max(member.compress_size, 1)
                if member.file_size > RATIO_CHECK_FROM and ratio > MAX_RATIO:
                    raise UnreadableFileError(_BOMB)
            budget = MAX_UNPACKED_BYTES
            for member in members:
                inflated = 0
                with archive.open(member) as part:
                    while chunk := part.read(_CHUNK):
                        inflated += len(chunk)
                        budget -= len(chunk)
                        if budget < 0 or inflated > member.file_size:
                            raise UnreadableFileError(_BOMB)
    # BadZipFile also when a member's data does not match its declared size or checksum;
    # RuntimeError: an encrypted member; NotImplementedError: an unknown compression method.
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, RuntimeError, NotImplementedError) as exc:
        raise UnreadableFileError(_BROKEN) from exc


def _container_blocks(element: etree._Element, parent: BlockItemContainer) -> Iterator[Block]:
    """Yield the paragraphs and tables under ``element``, looking into content controls (w:sdt)."""
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            for line in _paragraph_text(child).split("\n"):
                text = normalize_space(line)
                if text:
                    yield Paragraph(text)
        elif child.tag == qn("w:tbl"):
            table = _grid_table(DocxTable(child, parent))
            if table.rows:
                yield table
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _container_blocks(content, parent)


def _paragraph_text(p: etree._Element) -> str:
    """Text of a paragraph, including runs inside hyperlinks, insertions and fields.

    python-docx's ``Paragraph.text`` reads only direct runs and hyperlinks, so text inside a
    tracked insertion (w:ins) or smart tag would be lost; text boxes are left out because Word
    stores each one twice (a drawing and its fallback).
    """
    return "".join(run.text for run in p.xpath(_RUNS_OUTSIDE_TEXTBOXES))


def _grid_table(table: DocxTable) -> Table:
    """Turn a Word table into a rectangular grid.

    ``row.cells`` repeats a merged cell at every grid position it covers (gridSpan across,
    vMerge down). The same ``w:tc`` element means the same cell, so its text goes to the first
    (top-left) position only and every covered position is "". Equal text in two different
    cells is kept twice: it is two printed values.
    """
    seen: set[etree._Element] = set()
    rows: list[list[str]] = []
    for row in table.rows:
        cells = [""] * row.grid_cols_before
        for cell in row.cells:
            if cell._tc in seen:
                cells.append("")
            else:
                seen.add(cell._tc)
                cells.append(_cell_text(cell))
        rows.append(cells)
    width = max((len(row) for row in rows), default=0)
    return Table(rows=tuple(tuple(row + [""] * (width - len(row))) for row in rows), grid=True)


def _cell_text(cell: _Cell) -> str:
    """A cell's paragraphs and any nested table flattened into one line."""
    parts: list[str] = []
    for item in cell.iter_inner_content():
        if isinstance(item, DocxParagraph):
            parts.append(_paragraph_text(item._p))
        else:
            parts.extend(text for row in _grid_table(item).rows for text in row if text)
    return join_lines(parts)
