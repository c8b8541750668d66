"""Scanned PDFs (图片版): read by offline OCR, lines rebuilt in reading order, cells flagged "ocr".

The real engine reads one generated page (a title, a heading and a fragment of table 三) once
for the module; the rest runs on boxes or a fake recogniser, so the file takes seconds.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from index.document import Paragraph, Table
from index.errors import UnreadableFileError
from index.ingest import prepare_report
from index.readers import ocr, read_bytes, read_document
from index.readers.ocr import Box, boxes_from_quads, page_lines, read_scanned_pdf
from tests.auxil.scans import build_blank_pages_pdf, build_scanned_pdf, row_boxes, text_boxes

TITLE = "青山市2023年政府信息公开工作年度报告"
HEADING = "三、收到和处理政府信息公开申请情况"
HEADER = ("", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
ROWS = (
    ("一、本年新收政府信息公开申请数量", "137", "3", "0", "2", "0", "4", "146"),
    ("二、上年结转政府信息公开申请数量", "5", "0", "1", "0", "0", "0", "6"),
    ("（一）予以公开", "57", "2", "0", "2", "0", "4", "65"),
    ("（七）总计", "134", "3", "0", "2", "0", "4", "143"),
    ("四、结转下年度继续办理", "8", "0", "1", "0", "0", "0", "9"),
)
SCAN_BLOCKS = (
    Paragraph(TITLE),
    Paragraph("一、总体情况"),
    Paragraph("2023年，青山市全年共受理政府信息公开申请146件，均在法定期限内予以答复。"),
    Paragraph(HEADING),
    Table(rows=(HEADER, *ROWS), grid=True),
)


@pytest.fixture(scope="module")
def scanned_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_scanned_pdf(SCAN_BLOCKS, tmp_path_factory.mktemp("scan") / "青山市2023年报.pdf")


@pytest.fixture(scope="module")
def scanned_document(scanned_page: Path):
    """The page read by the real engine, loaded afresh with its download code made to fail."""
    pytest.importorskip("rapidocr", reason="the ocr extra is not installed")
    from rapidocr.utils.download_file import DownloadFile

    def no_download(*args: object, **kwargs: object) -> None:
        raise AssertionError("RapidOCR tried to download a model")

    progress: list[tuple[int, int]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DownloadFile, "run", no_download)
        ocr._engine.cache_clear()
        document = read_document(scanned_page, on_page=lambda done, total: progress.append((done, total)))
    return document, progress


# -- the real engine, one page --------------------------------------------------------------


def test_scanned_report_page_is_read_with_its_numbers(scanned_page: Path, scanned_document) -> None:
    import pdfplumber

    with pdfplumber.open(scanned_page) as pdf:  # really a scan: no text at all
        assert [page.extract_text() for page in pdf.pages] == [""]
    document, progress = scanned_document
    assert (document.format, document.notes) == ("pdf", ("OCR",))
    assert progress == [(0, 1), (1, 1)]
    paragraphs = [b.text for b in document.blocks if isinstance(b, Paragraph)]
    assert paragraphs[0] == TITLE and HEADING in paragraphs
    assert any("146件" in text for text in paragraphs)
    rows = [row for block in document.blocks if isinstance(block, Table) for row in block.rows]
    for label, *numbers in ROWS:
        assert any(row[-7:] == tuple(numbers) for row in rows), (label, rows)


def test_cells_of_a_scan_are_flagged_as_read_by_ocr(scanned_document) -> None:
    from index.parser import parse_report

    report = parse_report(scanned_document[0])
    cells = {(c.field, c.applicant): c for c in report.cells}
    new = cells[("requests.new", "natural_person")]
    assert (new.value, new.method) == (137, "ocr")
    assert cells[("requests.new", "total")].value == 146
    assert {c.method for c in report.cells if not c.derived} == {"ocr"}


def test_a_scan_with_nothing_readable_says_so(tmp_path: Path) -> None:
    pytest.importorskip("rapidocr", reason="the ocr extra is not installed")
    path = build_blank_pages_pdf(tmp_path / "blank.pdf", 1, size=(300, 200))  # small: OCR takes a second
    with pytest.raises(UnreadableFileError, match="扫描图片，文字识别也没有读出文字"):
        read_document(path)


# -- limits and messages, no OCR run --------------------------------------------------------


def test_too_many_pages_are_refused_before_any_ocr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "default_recognizer", lambda: pytest.fail("OCR ran"))
    data = build_blank_pages_pdf(tmp_path / "long.pdf", ocr.MAX_PAGES + 1).read_bytes()
    with pytest.raises(UnreadableFileError, match=f"共 {ocr.MAX_PAGES + 1} 页，超过文字识别的上限 {ocr.MAX_PAGES} 页"):
        read_bytes(data, "long.pdf")


def test_a_missing_engine_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rapidocr", None)  # import rapidocr raises ImportError
    ocr._engine.cache_clear()
    try:
        with pytest.raises(UnreadableFileError, match=r"pip install 'reportbot\[ocr\]'"):
            read_document(build_blank_pages_pdf(tmp_path / "scan.pdf", 1))
    finally:
        ocr._engine.cache_clear()


def test_progress_goes_through_prepare_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Three pages read by a fake recogniser: progress after each, the report parsed, cells "ocr"."""
    pages = iter([
        text_boxes(TITLE, HEADING),
        row_boxes(ROWS[0], top=100) + row_boxes(ROWS[1], top=140),
        [Box("- 3 -", 500, 1500, 560, 1530)],
    ])
    monkeypatch.setattr(ocr, "default_recognizer", lambda: lambda image: next(pages))
    progress: list[tuple[int, int]] = []
    prepared = prepare_report(build_blank_pages_pdf(tmp_path / "scan.pdf", 3),
                              on_page=lambda done, total: progress.append((done, total)))
    assert progress == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert prepared.document.notes == ("OCR",)
    cells = {(c.field, c.applicant): c for c in prepared.report.cells}
    assert (cells[("requests.new", "total")].value, cells[("requests.new", "total")].method) == (146, "ocr")
    assert cells[("requests.carried_in", "research")].value == 1


# -- boxes to lines -------------------------------------------------------------------------


def test_boxes_become_rows_with_wide_gaps_kept_as_two_spaces() -> None:
    boxes = row_boxes(ROWS[1], top=140) + row_boxes(ROWS[0], top=100)  # any order in
    assert page_lines(boxes[::-1]) == [
        "一、本年新收政府信息公开申请数量  137  3  0  2  0  4  146",
        "二、上年结转政府信息公开申请数量  5  0  1  0  0  0  6",
    ]


def test_a_page_laid_askew_still_gives_its_rows() -> None:
    """Turned 2°, the first cell and the last of a wide row are more than a line apart."""
    turn = math.radians(-2)  # anticlockwise on the page: y grows downwards

    def turned(box: Box) -> list[tuple[float, float]]:
        corners = [(box.x0, box.top), (box.x1, box.top), (box.x1, box.bottom), (box.x0, box.bottom)]
        return [(x * math.cos(turn) - y * math.sin(turn), x * math.sin(turn) + y * math.cos(turn)) for x, y in corners]

    boxes = row_boxes(ROWS[0], top=1000) + row_boxes(ROWS[1], top=1045)
    assert page_lines([Box(b.text, min(x for x, _ in q), min(y for _, y in q), max(x for x, _ in q), max(y for _, y in q))
                       for b, q in ((b, turned(b)) for b in boxes)]) != page_lines(boxes)  # askew, rows mix
    straightened = boxes_from_quads([turned(b) for b in boxes], [b.text for b in boxes])
    assert page_lines(straightened) == page_lines(boxes) == [
        "一、本年新收政府信息公开申请数量  137  3  0  2  0  4  146",
        "二、上年结转政府信息公开申请数量  5  0  1  0  0  0  6",
    ]


def test_prose_lines_join_into_paragraphs_and_page_numbers_go() -> None:
    boxes = [
        Box("— 2 —", 500, 20, 560, 48),
        Box("（二）依申请公开情况", 100, 100, 400, 128),
        Box("全年共受理依申请公开75件，均在法定期限内予以答复，未向申请人收取任", 100, 150, 1000, 178),
        Box("何费用。", 100, 190, 200, 218),
        Box("第 3 页", 500, 1500, 580, 1528),
    ]
    assert page_lines(boxes) == [
        "（二）依申请公开情况",
        "全年共受理依申请公开75件，均在法定期限内予以答复，未向申请人收取任何费用。",
    ]


def test_close_boxes_join_without_a_gap_and_latin_words_keep_one_space() -> None:
    boxes = [Box("推进", 100, 100, 156, 128), Box("IPv6", 160, 101, 220, 127), Box("适配", 224, 100, 280, 128),
             Box("2021", 300, 150, 360, 178), Box("年", 365, 150, 393, 178)]
    assert page_lines(boxes) == ["推进IPv6适配", "2021年"]


def test_read_scanned_pdf_takes_an_injected_recogniser(tmp_path: Path) -> None:
    data = build_blank_pages_pdf(tmp_path / "scan.pdf", 1).read_bytes()
    blocks = read_scanned_pdf(data, recognize=lambda image: [Box(TITLE, 100, 100, 900, 130)] + row_boxes(ROWS[0], top=200))
    assert blocks == (Paragraph(TITLE), Table(rows=(ROWS[0],)))
