"""Tell a file's kind from its first bytes, because uploads often carry the wrong suffix.

A report saved from a portal as "报告.doc" may really be HTML; a ".txt" may be a PDF. The magic
bytes decide; the name only separates Markdown from plain text.
"""
from __future__ import annotations

import re
from enum import Enum


class Kind(Enum):
    """What reader a file needs."""

    PDF = "pdf"
    ZIP = "zip"  # a .docx is a zip; whether it holds word/document.xml is checked when opened
    LEGACY = "legacy"  # OLE2 (.doc/.wps/.et) or RTF: LibreOffice converts it
    TEXT = "text"  # plain text, Markdown or HTML: told apart once the bytes are decoded


_MAGIC = (
    (b"%PDF", Kind.PDF),
    (b"PK\x03\x04", Kind.ZIP),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", Kind.LEGACY),
    (b"{\\rtf", Kind.LEGACY),
)
# Some PDF writers put junk before the header; readers accept it within the first kilobyte.
_PDF_HEADER_WINDOW = 1024
_HTML_START = re.compile(r"^\s*(<!doctype\s+html|<html[\s>]|<\?xml[^>]*>\s*<html)", re.IGNORECASE)
# Block markup of running text. Markdown may hold <table> elements (pandoc) and <br> or <span>
# inside table cells, but not these.
_HTML_TEXT_MARKUP = re.compile(r"<(body|p|div|h[1-6])[\s>]", re.IGNORECASE)
HTML_TABLE = re.compile(r"<table[\s>].*?</table\s*>", re.IGNORECASE | re.DOTALL)


def sniff_bytes(data: bytes) -> Kind:
    """Return the kind the magic bytes show, or TEXT when there are none."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if b"%PDF-" in data[:_PDF_HEADER_WINDOW]:
        return Kind.PDF
    return Kind.TEXT


def looks_like_html(text: str) -> bool:
    """True for a web page: it starts as HTML, or has HTML markup outside its tables."""
    if _HTML_START.match(text.lstrip("\ufeff")):
        return True
    return bool(_HTML_TEXT_MARKUP.search(HTML_TABLE.sub("", text)))


def has_html_table(text: str) -> bool:
    """True for text with an HTML <table> in it (Markdown written by pandoc, for one)."""
    return bool(HTML_TABLE.search(text))
