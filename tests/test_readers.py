"""Readers: every format of a sample report reads to the same paragraphs, tables and numbers,
and every bad upload fails with a one-line Chinese message."""
from __future__ import annotations

import hashlib
import io
import random
import shutil
import stat
import zipfile
from pathlib import Path

import pdfplumber
import pytest

from index.document import Document, Paragraph, Table
from index.errors import UnreadableFileError
from index.parser import parse_report
from index.readers import DEFAULT_MAX_BYTES, read_bytes, read_document
from index.readers.sniff import looks_like_html
from index.readers.spacing import normalize_space
from index.readers.text import text_to_blocks
from tests.auxil.builders import (
    LEFT,
    PORTAL_INFO,
    UP,
    build_blank_pdf,
    build_docx,
    build_html,
    build_pdf,
    expected_grid,
    mark_merges,
    standard_blocks,
)
from tests.auxil.reports import SAMPLES_DIR

SAMPLE_NAMES = sorted(p.stem for p in SAMPLES_DIR.glob("*.txt"))
YICHUN = "yichun-2023"
YICHUN_NUMBERS = ("88300", "362164", "8978.04", "146")
HEADINGS = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项")
MB = 1024 * 1024
BUILDERS = {"docx": build_docx, "html": build_html, "pdf": build_pdf}


def sample_text(name: str) -> str:
    return (SAMPLES_DIR / f"{name}.txt").read_text(encoding="utf-8")


def built(name: str, fmt: str, tmp_path: Path) -> tuple[tuple, Path]:
    """The sample's text blocks (with two merged cells) and the file built from them."""
    blocks = mark_merges(text_to_blocks(sample_text(name)))
    return blocks, BUILDERS[fmt](blocks, tmp_path / f"{name}.{fmt}")


def paragraphs(doc: Document) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, Paragraph)]


def tables(doc: Document) -> list[Table]:
    return [b for b in doc.blocks if isinstance(b, Table)]


def normalized(rows) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(normalize_space(c) for c in row) for row in rows)


def message(excinfo: pytest.ExceptionInfo) -> str:
    text = str(excinfo.value)
    assert text and "\n" not in text and "Traceback" not in text
    return text


# -- each format of a sample -----------------------------------------------------------


def test_text_sample_reads_as_txt_with_its_hash():
    path = SAMPLES_DIR / f"{YICHUN}.txt"
    doc = read_document(path)
    assert (doc.format, doc.source_name) == ("txt", path.name)
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert paragraphs(doc)[0] == "伊春市 2023 年政府信息公开工作年度报告"


def test_markdown_name_gives_md_format():
    doc = read_bytes(sample_text(YICHUN).encode(), "伊春市年报.md")
    assert doc.format == "md"
    assert tables(doc)


@pytest.mark.parametrize("fmt", ["docx", "html", "pdf"])
def test_built_file_keeps_title_headings_and_numbers(fmt, tmp_path):
    _, path = built(YICHUN, fmt, tmp_path)
    doc = read_document(path)
    assert doc.format == fmt and doc.source_name == path.name
    texts = paragraphs(doc)
    assert "伊春市 2023 年政府信息公开工作年度报告" in texts
    for heading in HEADINGS:
        assert heading in texts
    assert all(t.grid for t in tables(doc))
    cells = {cell for t in tables(doc) for row in t.rows for cell in row}
    for number in YICHUN_NUMBERS:
        assert number in cells


@pytest.mark.parametrize("fmt", ["docx", "html"])
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_docx_and_html_tables_come_back_cell_for_cell(name, fmt, tmp_path):
    blocks, path = built(name, fmt, tmp_path)
    want = [normalized(expected_grid(b)) for b in blocks if isinstance(b, Table)]
    assert [t.rows for t in tables(read_document(path))] == want


@pytest.mark.parametrize("fmt", ["docx", "html", "pdf"])
def test_merged_cell_text_appears_once_at_its_top_left(fmt, tmp_path):
    blocks, path = built(YICHUN, fmt, tmp_path)
    source = next(b for b in blocks if isinstance(b, Table) and any("申请人情况" in row for row in b.rows))
    assert LEFT in source.rows[0] and UP in [row[0] for row in source.rows]
    if fmt == "docx":
        markup = zipfile.ZipFile(path).read("word/document.xml").decode()
        assert "w:gridSpan" in markup and "w:vMerge" in markup
    elif fmt == "html":
        markup = path.read_text(encoding="utf-8")
        assert "colspan" in markup and "rowspan" in markup
    requests = next(t for t in tables(read_document(path)) if "申请人情况" in t.rows[0])
    header = requests.rows[0]
    assert header.count("申请人情况") == 1
    assert header[header.index("申请人情况") + 1:header.index("总计")] == ("",) * 5
    label_column = [row[0] for row in requests.rows]
    assert label_column.count("三、本年度办理结果") == 1
    start = label_column.index("三、本年度办理结果")
    assert label_column[start + 1:start + 4] == ["", "", ""]
    # equal numbers in neighbouring cells are different printed values, never merged away
    row = next(row for row in requests.rows if any("其他法律行政法规禁止公开" in cell for cell in row))
    assert row[-7:] == ("8", "0", "0", "0", "0", "0", "8")


def test_docx_nested_table_is_flattened_into_its_cell(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("伊春市2023年政府信息公开工作年度报告")
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "信息内容"
    inner = outer.cell(0, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "本年制发件数"
    inner.cell(0, 1).text = "94"
    path = tmp_path / "nested.docx"
    document.save(str(path))
    (table,) = tables(read_document(path))
    assert table.rows == (("信息内容", "本年制发件数 94"),)


def test_pdf_joins_a_table_continued_on_the_next_page(tmp_path):
    report = read_document(SAMPLES_DIR / f"{YICHUN}.txt")
    path = build_pdf(standard_blocks(sample_text(YICHUN), parse_report(report).cells), tmp_path / "y.pdf")
    with pdfplumber.open(path) as pdf:
        parts = sum(len(page.find_tables()) for page in pdf.pages)
    doc_tables = tables(read_document(path))
    assert parts > len(doc_tables) == 3
    requests = doc_tables[1]
    assert {len(row) for row in requests.rows} == {10}
    assert requests.rows[-1][0] == "四、结转下年度继续办理" and requests.rows[-1][3:] == (
        "3", "0", "0", "0", "0", "0", "3",
    )


# -- html -------------------------------------------------------------------------------


def test_portal_page_drops_site_furniture(tmp_path):
    _, path = built(YICHUN, "html", tmp_path)
    page = path.read_text(encoding="utf-8")
    text = read_document(path).text()
    junk_texts = ("网站标识码", "ICP", "政务服务", "互动交流", "走进林都", "政府信息公开指南", "当前位置",
                  "分享到", "_hmt", "请输入关键字", "字体", "打印")
    for junk in junk_texts:
        assert junk in page
        assert junk not in text
    assert text.startswith("伊春市 2023 年政府信息公开工作年度报告")


def test_bare_html_page_reads_the_same_as_portal_page(tmp_path):
    blocks = mark_merges(text_to_blocks(sample_text(YICHUN)))
    portal = read_document(build_html(blocks, tmp_path / "portal.html"))
    bare = read_document(build_html(blocks, tmp_path / "bare.html", portal=False))
    assert PORTAL_INFO in paragraphs(portal)  # kept: it sits next to the title, in the article
    assert tuple(b for b in portal.blocks if b != Paragraph(PORTAL_INFO)) == bare.blocks


def test_gb2312_page_is_read_by_its_declared_charset(tmp_path):
    blocks = mark_merges(text_to_blocks(sample_text(YICHUN)))
    utf8 = read_document(build_html(blocks, tmp_path / "utf8.html"))
    gb = read_document(build_html(blocks, tmp_path / "gb.html", charset="gb2312"))
    assert gb.blocks == utf8.blocks


def test_old_portal_layout_table_br_and_title_tag():
    """Old portals lay the page out in a table; the report's own table sits in one of its cells."""
    page = """<html><head><meta charset="utf-8">
    <title>伊春市2023年政府信息公开工作年度报告_伊春市人民政府</title></head>
    <body><table width="100%"><tr><td class="left-menu"><a href="/">首页</a><a href="/nb">年度报告</a></td>
    <td>一、总体情况<br>2023 年，我市持续深化政务公开。<br/>二、主动公开政府信息情况
    <table border="1"><tr><td rowspan="2">信息内容</td><td colspan="2">本年处理决定数量</td></tr>
    <tr><td>行政许可</td><td>362164</td></tr></table></td></tr></table></body></html>"""
    doc = read_bytes(page.encode("utf-8"), "nb.htm")
    assert doc.format == "html"
    assert paragraphs(doc) == [
        "伊春市2023年政府信息公开工作年度报告",
        "一、总体情况",
        "2023 年，我市持续深化政务公开。",
        "二、主动公开政府信息情况",
    ]
    (table,) = tables(doc)
    assert table.rows == (("信息内容", "本年处理决定数量", ""), ("", "行政许可", "362164"))


@pytest.mark.parametrize(
    ("text", "is_html"),
    [
        ("\ufeff  <!DOCTYPE html><html><body>一、总体情况</body></html>", True),
        ("<div class=\"content\"><p>一、总体情况</p><table><tr><td>1</td></tr></table></div>", True),
        ("一、总体情况\n<table><tr><td><p>本年</p></td><td>1</td></tr></table>\n", False),
        ("| （二）部分公开<br>（区分处理的） | 13 |\n|---|---|\n", False),
    ],
)
def test_web_page_is_told_from_text_with_some_markup(text, is_html):
    assert looks_like_html(text) is is_html


def test_markdown_with_html_tables_keeps_its_line_breaks():
    """pandoc writes merged tables as HTML inside Markdown: the text is still read line by line."""
    text = (
        "# 伊春市2023年政府信息公开工作年度报告\n\n一、总体情况\n\n2023 年，我市持续深化政务公开。\n\n"
        "二、主动公开政府信息情况\n\n<table>\n<tr><td colspan=\"2\">第二十条第（六）项</td></tr>\n"
        "<tr><td>行政处罚</td><td>88300</td></tr>\n</table>\n\n五、存在的主要问题及改进情况\n"
    )
    doc = read_bytes(text.encode(), "年报.md")
    assert doc.format == "md"
    assert paragraphs(doc) == [
        "伊春市2023年政府信息公开工作年度报告", "一、总体情况", "2023 年，我市持续深化政务公开。",
        "二、主动公开政府信息情况", "五、存在的主要问题及改进情况",
    ]
    assert tables(doc) == [Table(rows=(("第二十条第（六）项", ""), ("行政处罚", "88300")), grid=True)]


def test_deeply_nested_page_is_read():
    content = "一、总体情况<table><tr><td>本年</td><td>1</td></tr></table>"
    page = "<html><body>" + "<div>" * 5000 + content + "</div>" * 5000
    doc = read_bytes(page.encode(), "deep.html")
    assert doc.blocks == (Paragraph("一、总体情况"), Table(rows=(("本年", "1"),), grid=True))


# -- text encodings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("gb18030"),
        lambda t: t.encode("utf-16"),  # with BOM, as Windows Notepad saves "Unicode"
        lambda t: t.encode("utf-16-le"),  # without BOM
        lambda t: t.encode("utf-16-be"),
        lambda t: "\ufeff".encode() + t.encode("utf-8"),  # UTF-8 with BOM
    ],
    ids=["gb18030", "utf-16-bom", "utf-16-le", "utf-16-be", "utf-8-bom"],
)
def test_encodings_decode_to_the_same_text(encode):
    text = sample_text(YICHUN)
    want = read_bytes(text.encode("utf-8"), "y.txt")
    got = read_bytes(encode(text), "y.txt")
    assert got.blocks == want.blocks
    assert got.text() == want.text()


# -- chosen by content, not by name ----------------------------------------------------


@pytest.mark.parametrize(("fmt", "wrong_name"), [("pdf", "报告.txt"), ("docx", "报告.doc"), ("html", "报告.doc")])
def test_reader_is_chosen_by_content(fmt, wrong_name, tmp_path):
    _, path = built(YICHUN, fmt, tmp_path)
    doc = read_document(path, original_name=wrong_name)
    assert (doc.format, doc.source_name) == (fmt, wrong_name)


def test_legacy_doc_is_converted_by_libreoffice(tmp_path, monkeypatch):
    """A stand-in soffice that 'converts' by copying a .docx: checks the command line contract."""
    _, docx_path = built(YICHUN, "docx", tmp_path)
    fake = tmp_path / "soffice"
    fake.write_text(
        "#!/bin/sh\n"
        'while [ "$1" != "--outdir" ]; do shift; done\n'
        f'cp "{docx_path}" "$2/report.docx"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(shutil, "which", lambda name: str(fake) if name == "soffice" else None)
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    doc = read_bytes(ole2, "年报.wps")
    assert doc.format == "doc" and doc.notes
    assert "362164" in doc.text()


# -- bad input --------------------------------------------------------------------------


def zip_bytes(members: dict[str, int]) -> bytes:
    """A zip whose members are that many zero bytes, written in 1 MB chunks (small and fast)."""
    buffer = io.BytesIO()
    chunk = bytes(MB)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, size in members.items():
            with archive.open(name, "w", force_zip64=True) as member:
                for _ in range(size // len(chunk)):
                    member.write(chunk)
    return buffer.getvalue()


def truncated_docx(tmp_path: Path) -> bytes:
    _, path = built(YICHUN, "docx", tmp_path)
    data = path.read_bytes()
    return data[: len(data) // 2]


def encrypted_pdf(tmp_path: Path) -> bytes:
    from reportlab.pdfgen import canvas

    path = tmp_path / "locked.pdf"
    drawing = canvas.Canvas(str(path), encrypt="secret")
    drawing.drawString(100, 700, "annual report")
    drawing.save()
    return path.read_bytes()


# Files no reader accepts, with a word their message must contain (also used by tests/test_ingest.py).
BAD_INPUTS = [
    (lambda tmp: b"", "a.txt", "空"),
    (lambda tmp: b" \r\n\t \n", "a.txt", "空"),
    (lambda tmp: "  \n".encode("utf-16"), "a.txt", "空"),
    (lambda tmp: random.Random(0).randbytes(4096), "a.txt", "不是文本"),
    (lambda tmp: random.Random(1).randbytes(4096).replace(b"\x00", b"\x01"), "a.bin", "不是文本"),
    (truncated_docx, "a.docx", "损坏"),
    (lambda tmp: zip_bytes({"word/document.xml": 300 * MB}), "bomb.docx", "过大"),
    (lambda tmp: zip_bytes({"word/document.xml": MB, "word/media/x.bin": 50 * MB}), "b.docx", "过大"),
    (lambda tmp: zip_bytes({"xl/workbook.xml": MB}), "a.xlsx", "不是 Word"),
    (lambda tmp: build_blank_pdf(tmp / "scan.pdf").read_bytes(), "scan.pdf", "扫描"),
    (lambda tmp: b"%PDF-1.4\n1 0 obj garbage", "a.pdf", "损坏"),
    (encrypted_pdf, "locked.pdf", "密码"),
]
BAD_INPUT_IDS = ["empty", "whitespace", "utf16-whitespace", "random", "random-no-nul", "truncated-docx",
                 "zip-bomb-size", "zip-bomb-ratio", "zip-not-word", "scanned-pdf", "broken-pdf", "encrypted-pdf"]


@pytest.mark.parametrize(("make", "name", "expected"), BAD_INPUTS, ids=BAD_INPUT_IDS)
def test_bad_input_fails_with_a_clear_message(make, name, expected, tmp_path):
    with pytest.raises(UnreadableFileError) as excinfo:
        read_bytes(make(tmp_path), name)
    assert expected in message(excinfo)


def test_legacy_doc_without_libreoffice_says_how_to_convert(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    with pytest.raises(UnreadableFileError) as excinfo:
        read_bytes(ole2, "年报.doc")
    text = message(excinfo)
    assert ".docx" in text and "PDF" in text and "另存为" in text


def test_file_over_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.txt"
    path.write_bytes(sample_text(YICHUN).encode() * 4)
    with pytest.raises(UnreadableFileError) as excinfo:
        read_document(path, max_bytes=MB // 100)
    assert "太大" in message(excinfo) and "MB" in str(excinfo.value)


def test_size_limit_from_environment(monkeypatch):
    data = sample_text(YICHUN).encode()
    assert len(data) < DEFAULT_MAX_BYTES
    monkeypatch.setenv("REPORTBOT_MAX_UPLOAD_MB", "0.001")
    with pytest.raises(UnreadableFileError) as excinfo:
        read_bytes(data, "y.txt")
    assert "0.001 MB" in message(excinfo)


def test_missing_file_is_an_unreadable_file(tmp_path):
    with pytest.raises(UnreadableFileError) as excinfo:
        read_document(tmp_path / "none.txt")
    assert "none.txt" in message(excinfo)


# -- the parser sees the same report in every format ----------------------------------


@pytest.mark.parametrize("fmt", ["docx", "html", "pdf"])
@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_format_parses_to_the_same_cells(name, fmt, tmp_path):
    """Files laid out as the national template (merged headers and labels, tables broken
    across PDF pages) give the parser the same numbers as the text version."""
    text_report = parse_report(read_document(SAMPLES_DIR / f"{name}.txt"))
    blocks = standard_blocks(sample_text(name), text_report.cells)
    report = parse_report(read_document(BUILDERS[fmt](blocks, tmp_path / f"{name}.{fmt}")))
    assert report.title == text_report.title
    assert {(c.field, c.applicant, c.value) for c in report.cells} == {
        (c.field, c.applicant, c.value) for c in text_report.cells
    }
