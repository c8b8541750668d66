"""Turn an uploaded file into a Document, whatever its format: txt, md, docx, html, pdf or doc.

The reader is chosen by the file's content (magic bytes), not its name, and every failure a
user can cause comes out as UnreadableFileError with a short Chinese message saying what to do.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from index.document import Block, Document
from index.errors import UnreadableFileError
from index.readers.docx import read_docx
from index.readers.encoding import decode_text
from index.readers.html import decode_html, read_html, read_text_with_tables
from index.readers.legacy import convert_to_docx
from index.readers.ocr import OnPage, read_scanned_pdf
from index.readers.pdf import ScannedPdfError, read_pdf
from index.readers.sniff import Kind, has_html_table, looks_like_html, sniff_bytes
from index.readers.text import text_to_blocks

__all__ = ["DEFAULT_MAX_BYTES", "read_bytes", "read_document"]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # overridable by env REPORTBOT_MAX_UPLOAD_MB
_MAX_BYTES_ENV = "REPORTBOT_MAX_UPLOAD_MB"
_MARKDOWN_SUFFIXES = {".md", ".markdown"}
_EMPTY = "文件是空的：请发送一份政府信息公开年度报告（txt、docx、pdf 或 html）。"
_NO_TEXT = "文件里没有可读的文字：请发送一份政府信息公开年度报告（txt、docx、pdf 或 html）。"


def read_document(
    path: Path, *, max_bytes: int | None = None, original_name: str | None = None,
    on_page: OnPage | None = None,
) -> Document:
    """Read the file at ``path``; ``original_name`` is the name the user gave it, if it differs.

    ``on_page(done, total)`` reports progress while a scanned PDF is read by OCR (slow: seconds
    a page); it is not called for other files."""
    name = original_name or path.name
    limit = _limit(max_bytes)
    try:
        size = path.stat().st_size
        if size > limit:
            raise UnreadableFileError(_too_large(limit))
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFileError(f"无法打开文件“{name}”：请确认文件存在且可读后再试。") from exc
    return read_bytes(data, name, max_bytes=limit, on_page=on_page)


def read_bytes(
    data: bytes, name: str, *, max_bytes: int | None = None, on_page: OnPage | None = None
) -> Document:
    """Read a file's bytes; ``name`` is its original file name (used for Markdown and messages)."""
    limit = _limit(max_bytes)
    if len(data) > limit:
        raise UnreadableFileError(_too_large(limit))
    if not data.strip():
        raise UnreadableFileError(_EMPTY)
    blocks, file_format, notes = _read(data, name, on_page)
    if not blocks:
        raise UnreadableFileError(_NO_TEXT)
    return Document(
        blocks=blocks,
        source_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        format=file_format,
        notes=notes,
    )


def _read(data: bytes, name: str, on_page: OnPage | None = None) -> tuple[tuple[Block, ...], str, tuple[str, ...]]:
    """Pick the reader by content; return the blocks, the format name and notes."""
    kind = sniff_bytes(data)
    if kind is Kind.PDF:
        try:
            return read_pdf(data), "pdf", ()
        except ScannedPdfError:  # no text layer: read the page images (the parser flags its cells "ocr")
            return read_scanned_pdf(data, on_page=on_page), "pdf", ("OCR",)
    if kind is Kind.ZIP:
        return read_docx(data), "docx", ()
    if kind is Kind.LEGACY:
        converted = convert_to_docx(data, name)
        return read_docx(converted), "doc", ("converted from .doc by LibreOffice",)
    text = decode_text(data)
    if not text.strip():
        raise UnreadableFileError(_EMPTY)
    if looks_like_html(text):
        return read_html(decode_html(data)), "html", ()
    file_format = "md" if Path(name).suffix.lower() in _MARKDOWN_SUFFIXES else "txt"
    if has_html_table(text):
        return read_text_with_tables(text), file_format, ()
    return text_to_blocks(text), file_format, ()


def _limit(max_bytes: int | None) -> int:
    """The size limit: the caller's, else REPORTBOT_MAX_UPLOAD_MB, else 20 MB."""
    if max_bytes is not None:
        return max_bytes
    configured = os.environ.get(_MAX_BYTES_ENV, "").strip()
    return round(float(configured) * 1024 * 1024) if configured else DEFAULT_MAX_BYTES


def _too_large(limit: int) -> str:
    megabytes = f"{limit / 1024 / 1024:.3g}"
    return f"文件太大（上限 {megabytes} MB）：请只发送年度报告本身，或删去图片后另存再发送。"
