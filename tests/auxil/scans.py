"""Scanned PDFs for tests: a report built as a PDF, printed to page images, saved as images only.

The text PDF embeds a TrueType Chinese font (SimHei, shipped by mplfonts, a dependency), since
pdfium draws nothing for reportlab's non-embedded STSong-Light on a machine without Chinese
fonts. Each page is rendered in grey and stored as a JPEG, as a scanner's PDF stores it.
"""
from __future__ import annotations

import io
from pathlib import Path

from index.document import Block
from index.readers.ocr import Box
from tests.auxil.builders import build_pdf


def cjk_font() -> Path:
    import mplfonts

    return Path(mplfonts.__file__).parent / "fonts" / "SimHei.ttf"


def build_scanned_pdf(blocks: tuple[Block, ...], path: Path, *, dpi: int = 200, skew: float = 0.0) -> Path:
    """Write the blocks as a PDF with no text layer: each page only a picture of itself,
    turned ``skew`` degrees anticlockwise as a page laid askew on the scanner."""
    text_pdf = path.with_name(path.stem + "-text.pdf")
    build_pdf(blocks, text_pdf, font_file=cjk_font())
    images = render_pages(text_pdf.read_bytes(), dpi=dpi)
    if skew:
        from PIL import Image

        images = [image.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=255) for image in images]
    images_to_pdf(images, path, dpi=dpi)
    text_pdf.unlink()
    return path


def render_pages(data: bytes, *, dpi: int = 200) -> list:
    """The PDF's pages as grey PIL images."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        return [page.render(scale=dpi / 72, grayscale=True).to_pil() for page in pdf]
    finally:
        pdf.close()


def images_to_pdf(images: list, path: Path, *, dpi: int = 200) -> Path:
    """Save page images as a PDF of JPEG pages, with no text."""
    pages = []
    for image in images:  # JPEG first, as a scanner would: its artefacts are part of the test
        buffer = io.BytesIO()
        image.convert("L").save(buffer, "JPEG", quality=80)
        buffer.seek(0)
        from PIL import Image

        pages.append(Image.open(buffer))
    pages[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return path


def build_blank_pages_pdf(path: Path, pages: int, *, size: tuple[float, float] = (595, 842)) -> Path:
    """A PDF of ``pages`` pages (A4 unless ``size`` in points) with a drawn box and no text."""
    from reportlab.pdfgen import canvas

    drawing = canvas.Canvas(str(path), pagesize=size)
    for _ in range(pages):
        drawing.rect(size[0] / 6, size[1] / 8, size[0] / 2, size[1] / 2)
        drawing.showPage()
    drawing.save()
    return path


def row_boxes(row: tuple[str, ...], *, top: float) -> list[Box]:
    """A table row as OCR sees it: a box per cell, a little uneven, the cells far apart."""
    label, *numbers = row
    boxes = [Box(label, 100, top, 100 + 28 * len(label), top + 28)]
    for i, number in enumerate(numbers):
        x = 1300 + 120 * i
        boxes.append(Box(number, x, top + (i % 3) - 1, x + 15 * len(number), top + 27 + (i % 2)))
    return boxes


def text_boxes(*lines: str, top: float = 100) -> list[Box]:
    """Lines of prose as OCR sees them: a box a line, 40 px apart."""
    return [Box(line, 100, top + 40 * i, 100 + 28 * len(line), top + 40 * i + 28) for i, line in enumerate(lines)]
