"""Scanned PDFs (图片版): render each page, read it by offline OCR, rebuild its lines as text.

The engine is RapidOCR (package ``rapidocr``) on onnxruntime, with the PP-OCRv6 Chinese
detection and recognition models that ship inside its wheel: they are loaded by path, so no
code that downloads a model is ever reached (docs/ocr.md has the measurements behind the
choice). The text angle classifier is off: on long lines it flips good crops upside down.

OCR gives boxes of text. A page's lines are rebuilt in reading order: boxes overlapping
vertically form a line, ordered left to right; a gap wider than a character becomes two spaces,
so a table row comes out as its label then its numbers, the space-separated layout that
``text_to_blocks`` reads. Prose lines are joined into paragraphs as for a PDF with text.
"""
from __future__ import annotations

import math
import re
import statistics
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from index.errors import UnreadableFileError
from index.readers.text import _spaced_row, text_to_blocks

if TYPE_CHECKING:
    from PIL.Image import Image

    from index.document import Block

OnPage = Callable[[int, int], None]  # (pages done, pages in all)

MAX_PAGES = 60  # at 5–10 s a page on two cores, 60 pages is 5–10 minutes
DPI = 200  # table digits of 7 pt are still 19 px high; more costs detection time, not accuracy
_MAX_SIDE_PX = 3600  # a poster-sized page is rendered smaller rather than into a huge image
_MIN_TEXT_CHARS = 20  # as for a text PDF: fewer recognised characters is not a report
_MAX_SKEW_DEGREES = 10  # a page tilted more is not straightened

_NO_ENGINE = (
    "这个 PDF 没有可提取的文字（扫描图片，或字体缺少编码表），需要文字识别（OCR）才能读取，但没有安装识别组件："
    "请在机器人所在环境运行 pip install 'reportbot[ocr]'（安装 rapidocr 和 onnxruntime）后重新发送，"
    "或发送带文字的 PDF、Word 或网页版。"
)
_NO_MODELS = (
    "这个 PDF 是扫描图片，但文字识别组件里缺少识别模型（应随 rapidocr 安装包一起提供）："
    "请重新安装 pip install --force-reinstall 'rapidocr>=3.10' 后重新发送。"
)
_NOTHING_READ = (
    "这个 PDF 是扫描图片，文字识别也没有读出文字（可能是空白页、照片或字迹太模糊）："
    "请发送带文字的 PDF、Word 或网页版，或更清晰的扫描件。"
)
_BROKEN = "PDF 文件已损坏或不完整，无法读取：请重新下载或导出后再发送。"


def _too_many_pages(pages: int, limit: int) -> str:
    return (
        f"这个 PDF 是扫描图片，共 {pages} 页，超过文字识别的上限 {limit} 页（每页约需 5–10 秒）："
        "请只发送年度报告本身，或发送带文字的 PDF、Word 或网页版。"
    )


@dataclass(frozen=True)
class Box:
    """A piece of text OCR found, with its bounding box in pixels (y grows downwards)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


Recognizer = Callable[["Image"], Sequence[Box]]


def read_scanned_pdf(
    data: bytes, *, on_page: OnPage | None = None, recognize: Recognizer | None = None,
    max_pages: int = MAX_PAGES,
) -> tuple[Block, ...]:
    """The blocks of a PDF without a text layer, read by OCR page by page.

    ``on_page(done, total)`` is called before the first page (done 0) and after each page.
    ``recognize`` replaces the OCR engine (tests inject a fake one).
    """
    return text_to_blocks(scanned_pdf_text(data, on_page=on_page, recognize=recognize, max_pages=max_pages))


def scanned_pdf_text(
    data: bytes, *, on_page: OnPage | None = None, recognize: Recognizer | None = None,
    max_pages: int = MAX_PAGES,
) -> str:
    """A scanned PDF's text, one table row or paragraph a line, pages in order."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise UnreadableFileError(_BROKEN) from exc
    try:
        total = len(pdf)
        if total > max_pages:
            raise UnreadableFileError(_too_many_pages(total, max_pages))
        recognize = recognize or default_recognizer()
        if on_page:
            on_page(0, total)
        lines: list[str] = []
        for number in range(total):
            page = pdf[number]
            try:
                image = _render(page)
            finally:
                page.close()
            lines.extend(page_lines(recognize(image)))
            if on_page:
                on_page(number + 1, total)
    finally:
        pdf.close()
    text = "\n".join(lines)
    if len(re.sub(r"\s", "", text)) < _MIN_TEXT_CHARS:
        raise UnreadableFileError(_NOTHING_READ)
    return text


def _render(page) -> Image:
    """The page as a grayscale image at DPI, or smaller if that would be huge."""
    width, height = page.get_size()  # points
    scale = min(DPI / 72, _MAX_SIDE_PX / max(width, height, 1))
    return page.render(scale=scale, grayscale=True).to_pil()


# -- the engine -----------------------------------------------------------------------------


def default_recognizer() -> Recognizer:
    """RapidOCR with the models shipped in its wheel; a clear message when it is missing."""
    engine, lock = _engine()

    def recognize(image: Image) -> list[Box]:
        with lock:  # RapidOCR keeps per-call options on the instance
            result = engine(image, use_det=True, use_cls=False, use_rec=True)
        if result.boxes is None or result.txts is None:
            return []
        quads = [[(float(x), float(y)) for x, y in quad] for quad in result.boxes]
        return boxes_from_quads(quads, list(result.txts))

    return recognize


def boxes_from_quads(quads: Sequence[Sequence[tuple[float, float]]], texts: Sequence[str]) -> list[Box]:
    """Upright boxes from OCR's four corners (top-left, top-right, bottom-right, bottom-left).

    A page laid askew on the scanner tilts every line the same way; over a wide table row 1.5°
    is more than a line's height. The page is turned back by the median tilt of its long boxes
    before the boxes are made upright, so that rows still group into lines.
    """
    angles = [
        math.atan2(tr[1] - tl[1], tr[0] - tl[0])
        for tl, tr, _, bl in quads
        if math.dist(tl, tr) > 3 * max(math.dist(tl, bl), 1.0)
    ]
    tilt = statistics.median(angles) if angles else 0.0
    if abs(tilt) > math.radians(_MAX_SKEW_DEGREES):
        tilt = 0.0  # not a tilted page: vertical text or a misread
    cos, sin = math.cos(-tilt), math.sin(-tilt)
    boxes = []
    for quad, text in zip(quads, texts):
        if not text.strip():
            continue
        xs = [x * cos - y * sin for x, y in quad]
        ys = [x * sin + y * cos for x, y in quad]
        boxes.append(Box(text, min(xs), min(ys), max(xs), max(ys)))
    return boxes


@lru_cache(maxsize=1)
def _engine():
    """Load the models once a process (about a second)."""
    try:
        import onnxruntime  # noqa: F401  (rapidocr imports it only when a model loads)
        import rapidocr
    except ImportError as exc:
        raise UnreadableFileError(_NO_ENGINE) from exc
    models = Path(rapidocr.__file__).parent / "models"
    det = sorted(models.glob("*_det_*.onnx"))
    rec = sorted(models.glob("*_rec_*.onnx"))
    if not det or not rec:
        raise UnreadableFileError(_NO_MODELS)
    # Explicit model paths: with a path, RapidOCR never reaches its download code.
    engine = rapidocr.RapidOCR(params={
        "Global.log_level": "error",
        "Global.use_cls": False,
        "Det.model_path": str(det[-1]),
        "Rec.model_path": str(rec[-1]),
    })
    return engine, threading.Lock()


# -- boxes to lines ------------------------------------------------------------------------


@dataclass
class _Row:
    boxes: list[Box]
    top: float
    bottom: float

    def overlap(self, box: Box) -> float:
        """How much of the smaller of the two the other covers vertically, 0 to 1."""
        shared = min(self.bottom, box.bottom) - max(self.top, box.top)
        return max(shared, 0.0) / max(min(self.bottom - self.top, box.height), 1.0)


@dataclass(frozen=True)
class _Line:
    """A rebuilt line, with the fields pdf.py's paragraph rules read."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    row: bool  # a table row: cells set apart by wide gaps, or a label with numbers


def page_lines(boxes: Sequence[Box]) -> list[str]:
    """A page's text in reading order: table rows as they are, prose joined into paragraphs."""
    from index.readers.pdf import _PAGE_NUMBER, _ends_paragraph

    lines = _lines(boxes)
    while lines and _PAGE_NUMBER.match(lines[-1].text):  # "- 3 -", "第 3 页" at the foot
        lines.pop()
    while lines and _PAGE_NUMBER.match(lines[0].text):
        lines.pop(0)
    out: list[str] = []
    prose: list[_Line] = []

    def flush() -> None:
        if not prose:
            return
        left = min(line.x0 for line in prose)
        right = max(line.x1 for line in prose)
        current: list[str] = []
        for line, following in zip(prose, [*prose[1:], None]):
            current.append(line.text)
            if following is None or _ends_paragraph(line, following, left, right):
                out.append("".join(current))
                current = []
        prose.clear()

    for line in lines:
        if line.row:
            flush()
            out.append(line.text)
        else:
            prose.append(line)
    flush()
    return out


def _lines(boxes: Sequence[Box]) -> list[_Line]:
    """Group boxes into lines by vertical overlap; order lines top to bottom, boxes left to right."""
    boxes = [b for b in boxes if b.text.strip() and b.height > 0]
    if not boxes:
        return []
    char = statistics.median(b.height for b in boxes)  # a character's size on this page
    rows: list[_Row] = []
    for box in sorted(boxes, key=lambda b: (b.top + b.bottom) / 2):
        best = max(rows[-3:], key=lambda row: row.overlap(box), default=None)
        if best is not None and best.overlap(box) >= 0.5:
            best.boxes.append(box)
            best.top, best.bottom = min(best.top, box.top), max(best.bottom, box.bottom)
        else:
            rows.append(_Row([box], box.top, box.bottom))
    lines = []
    for row in sorted(rows, key=lambda r: (r.top + r.bottom) / 2):
        ordered = sorted(row.boxes, key=lambda b: b.x0)
        text, wide = _join(ordered, char)
        lines.append(_Line(text, ordered[0].x0, max(b.x1 for b in ordered), row.top, row.bottom,
                           row=wide or _spaced_row(text) is not None))
    return lines


def _join(boxes: list[Box], char: float) -> tuple[str, bool]:
    """The boxes' texts left to right; a gap wider than a character becomes two spaces.

    Returns the text and whether any gap was that wide (the line is a table row)."""
    parts = [boxes[0].text.strip()]
    wide = False
    for before, box in zip(boxes, boxes[1:]):
        gap = box.x0 - before.x1
        if gap > char:
            parts.append("  ")
            wide = True
        elif parts[-1][-1:].isascii() and parts[-1][-1:].isalnum() and box.text.strip()[:1].isascii():
            parts.append(" ")
        parts.append(box.text.strip())
    return "".join(parts), wide
