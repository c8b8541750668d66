"""Decode the bytes of a text report: UTF-8, UTF-16 or GB18030, refusing binary data.

Chinese government offices save text as UTF-8 (often with a BOM from Notepad), as GBK/GB2312
from older Windows tools, or as UTF-16 ("Unicode" in Notepad). Each is tried strictly, in an
order where a wrong guess fails loudly instead of producing mojibake.
"""
from __future__ import annotations

import codecs
import unicodedata

from index.errors import UnreadableFileError

_BINARY = "这不是文本文件，内容无法识别：请发送一份政府信息公开年度报告（txt、docx、pdf 或 html）。"
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Code points text never contains: controls other than layout ones, unassigned, private, surrogates.
_NOT_TEXT = {"Cc", "Cn", "Co", "Cs"}
_LAYOUT_CONTROLS = set("\t\n\r\f\v")
# GB2312 and GBK are subsets of GB18030, so one decoder covers every declared variant.
_GB_ALIASES = {"gb2312", "gbk", "gb18030", "gb_2312-80", "x-gbk", "euc-cn", "cp936", "hz-gb-2312"}
_MAX_JUNK_SHARE = 0.01
_JUNK_SAMPLE = 200_000  # characters checked: binary shows at once, and a 20 MB file stays fast


def decode_text(data: bytes) -> str:
    """Return the text of ``data``; raise UnreadableFileError when it is not text in any known encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(_strict(data, encoding))
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return _checked(utf16)
    if b"\x00" in data:
        raise UnreadableFileError(_BINARY)
    for encoding in ("utf-8", "gb18030"):
        text = _strict(data, encoding)
        if text is not None:
            return _checked(text)
    raise UnreadableFileError(_BINARY)


def has_bom(data: bytes) -> bool:
    """True when the bytes start with a UTF-8 or UTF-16 byte-order mark."""
    return any(data.startswith(bom) for bom, _ in _BOMS)


def decode_declared(data: bytes, charset: str) -> str | None:
    """Decode with a charset a file declares (``gb2312`` → GB18030); None if it does not fit."""
    name = charset.strip().lower()
    if name in _GB_ALIASES:
        name = "gb18030"
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return _strict(data, name)


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _utf16_without_bom(data: bytes) -> str | None:
    """Recognise BOM-less UTF-16 by its NUL bytes: digits, spaces and newlines have a zero high byte."""
    if len(data) < 2 or len(data) % 2 or b"\x00" not in data:
        return None
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    if odd_nuls > 4 * even_nuls:
        return _strict(data, "utf-16-le")
    if even_nuls > 4 * odd_nuls:
        return _strict(data, "utf-16-be")
    return None


def _checked(text: str | None) -> str:
    """Refuse a decoding that 'worked' on binary data: real text has almost no junk code points."""
    if text is None:
        raise UnreadableFileError(_BINARY)
    sample = text[:_JUNK_SAMPLE]
    # Each distinct character looked up once: a report uses a thousand or so, thousands of times.
    junk = sum(
        sample.count(ch) for ch in set(sample) if ch not in _LAYOUT_CONTROLS and unicodedata.category(ch) in _NOT_TEXT
    )
    if junk > _MAX_JUNK_SHARE * max(len(sample), 1):
        raise UnreadableFileError(_BINARY)
    return text
