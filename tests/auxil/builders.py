"""Build real .docx, .html and .pdf files of a sample report, for the reader tests.

A table is given as rows of cell texts in which two markers stand for merged cells: LEFT (this
position belongs to the cell on its left) and UP (to the cell above). Every builder turns them
into its own merge syntax (gridSpan/vMerge, colspan/rowspan, reportlab SPAN), and a reader should
give the table back as ``expected_grid``: the text at the merged cell's top-left, "" elsewhere.

``standard_blocks`` lays the three standard tables out as the national template prints them
(国办公开办函〔2021〕30号), filled from the text version's parse, so a built file looks like the
Word/PDF/web originals the text samples were copied from.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from index.document import Block, Paragraph, Table
from index.readers.text import text_to_blocks
from index.report import Cell

LEFT = "\x00<"
UP = "\x00^"


# -- merges -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A merged cell: its top-left position and how many rows and columns it covers."""

    row: int
    col: int
    rows: int
    cols: int


def padded(rows: tuple[tuple[str, ...], ...]) -> list[list[str]]:
    """Rows made rectangular with "" so every builder writes the same grid."""
    width = max(len(row) for row in rows)
    return [list(row) + [""] * (width - len(row)) for row in rows]


def spans(rows: list[list[str]]) -> list[Span]:
    """The merged cells the LEFT/UP markers describe (single cells are not listed)."""
    found = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            if text in (LEFT, UP):
                continue
            cols = 1
            while c + cols < len(row) and row[c + cols] == LEFT:
                cols += 1
            height = 1
            while r + height < len(rows) and rows[r + height][c] == UP:
                height += 1
            if cols > 1 or height > 1:
                found.append(Span(r, c, height, cols))
    return found


def expected_grid(table: Table) -> tuple[tuple[str, ...], ...]:
    """The rows a reader should return for a built table: merge markers read as ""."""
    return tuple(tuple("" if c in (LEFT, UP) else c for c in row) for row in padded(table.rows))


def mark_merges(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Merge, as Word would, the 申请人情况 header across the blank cells on its right and the
    三、本年度办理结果 label down over the blank cells below it."""
    marked: list[Block] = []
    for block in blocks:
        if isinstance(block, Table):
            rows = padded(block.rows)
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    if text == "申请人情况":
                        for k in range(c + 1, len(row)):
                            if row[k]:
                                break
                            row[k] = LEFT
                    if text.startswith("三、本年度办理结果"):
                        for below in rows[r + 1:]:
                            if below[c]:
                                break
                            below[c] = UP
            block = Table(rows=tuple(tuple(row) for row in rows), grid=block.grid)
        marked.append(block)
    return tuple(marked)


# -- the national template ----------------------------------------------------------------

_APPLICANTS = ("natural_person", "business", "research", "public_interest", "legal_service", "other_org", "total")
_OUTCOMES = ("upheld", "corrected", "other", "pending", "total")
_OUTCOME_LABELS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

_ACTIVE = (
    (("第二十条第（一）项", LEFT, LEFT, LEFT), ()),
    (("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"), ()),
    (("规章",), ("rules.issued", "rules.repealed", "rules.in_force")),
    (("行政规范性文件",), ("normative.issued", "normative.repealed", "normative.in_force")),
    (("第二十条第（五）项", LEFT, LEFT, LEFT), ()),
    (("信息内容", "本年处理决定数量", LEFT, LEFT), ()),
    (("行政许可",), ("licensing.decisions",)),
    (("第二十条第（六）项", LEFT, LEFT, LEFT), ()),
    (("信息内容", "本年处理决定数量", LEFT, LEFT), ()),
    (("行政处罚",), ("penalty.decisions",)),
    (("行政强制",), ("compulsion.decisions",)),
    (("第二十条第（八）项", LEFT, LEFT, LEFT), ()),
    (("信息内容", "本年收费金额（单位：万元）", LEFT, LEFT), ()),
    (("行政事业性收费",), ("fees.amount",)),
)

_REQUESTS_HEADER = (
    ("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", LEFT, LEFT,
     "申请人情况", LEFT, LEFT, LEFT, LEFT, LEFT, LEFT),
    (UP, UP, UP, "自然人", "法人或其他组织", LEFT, LEFT, LEFT, LEFT, "总计"),
    (UP, UP, UP, UP, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", UP),
)
_REQUEST_ROWS = (
    ("requests.new", ("一、本年新收政府信息公开申请数量", LEFT, LEFT)),
    ("requests.carried_in", ("二、上年结转政府信息公开申请数量", LEFT, LEFT)),
    ("requests.granted", ("三、本年度办理结果", "（一）予以公开", LEFT)),
    ("requests.partial", (UP, "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", LEFT)),
    ("requests.denied.state_secret", (UP, "（三）不予公开", "1.属于国家秘密")),
    ("requests.denied.law_prohibited", (UP, UP, "2.其他法律行政法规禁止公开")),
    ("requests.denied.three_safety", (UP, UP, "3.危及“三安全一稳定”")),
    ("requests.denied.third_party", (UP, UP, "4.保护第三方合法权益")),
    ("requests.denied.internal_affairs", (UP, UP, "5.属于三类内部事务信息")),
    ("requests.denied.process_info", (UP, UP, "6.属于四类过程性信息")),
    ("requests.denied.enforcement_file", (UP, UP, "7.属于行政执法案卷")),
    ("requests.denied.query_matter", (UP, UP, "8.属于行政查询事项")),
    ("requests.unable.not_held", (UP, "（四）无法提供", "1.本机关不掌握相关政府信息")),
    ("requests.unable.needs_creation", (UP, UP, "2.没有现成信息需要另行制作")),
    ("requests.unable.unclear", (UP, UP, "3.补正后申请内容仍不明确")),
    ("requests.rejected.petition", (UP, "（五）不予处理", "1.信访举报投诉类申请")),
    ("requests.rejected.duplicate", (UP, UP, "2.重复申请")),
    ("requests.rejected.publication", (UP, UP, "3.要求提供公开出版物")),
    ("requests.rejected.excessive", (UP, UP, "4.无正当理由大量反复申请")),
    ("requests.rejected.confirmation", (UP, UP, "5.要求行政机关确认或重新出具已获取信息")),
    ("requests.other.no_correction",
     (UP, "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请")),
    ("requests.other.no_fee", (UP, UP, "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请")),
    ("requests.other.other", (UP, UP, "3.其他")),
    ("requests.other", (UP, "（六）其他处理", LEFT)),  # the old one-row layout (兴隆县 2023)
    ("requests.handled", (UP, "（七）总计", LEFT)),
    ("requests.carried_over", ("四、结转下年度继续办理", LEFT, LEFT)),
)
_REVIEW = (
    ("行政复议", LEFT, LEFT, LEFT, LEFT, "行政诉讼", *[LEFT] * 9),
    (*_OUTCOME_LABELS, "未经复议直接起诉", *[LEFT] * 4, "复议后起诉", *[LEFT] * 4),
    (*[UP] * 5, *_OUTCOME_LABELS, *_OUTCOME_LABELS),
)
_REVIEW_FIELDS = tuple(
    f"{block}.{outcome}" for block in ("review", "lawsuit.direct", "lawsuit.after_review") for outcome in _OUTCOMES
)
_SECTION_HEADINGS = {2: "主动公开政府信息情况", 3: "收到和处理政府信息公开申请情况", 4: "行政复议、行政诉讼情况"}


def standard_tables(cells: tuple[Cell, ...]) -> dict[int, Table]:
    """Tables 二, 三 and 四 in the template's layout, with every value that is not derived.

    A value the text version lost and the parser inferred is printed too, so that a built file
    carries exactly the numbers of the text version's parse.
    """
    printed = {
        (c.field, c.applicant): (f"{c.value:g}" if c.inferred else c.raw) for c in cells if not c.derived
    }
    active = []
    for labels, fields in _ACTIVE:
        values = tuple(printed.get((f, None), "") for f in fields)
        row = labels + values
        active.append(row + (LEFT,) * (4 - len(row)))
    requests = list(_REQUESTS_HEADER)
    for field, labels in _REQUEST_ROWS:
        if any((field, a) in printed for a in _APPLICANTS):
            requests.append(labels + tuple(printed.get((field, a), "") for a in _APPLICANTS))
    review = [*_REVIEW, tuple(printed.get((f, None), "") for f in _REVIEW_FIELDS)]
    return {
        2: Table(rows=tuple(active), grid=True),
        3: Table(rows=tuple(requests), grid=True),
        4: Table(rows=tuple(review), grid=True),
    }


def standard_blocks(text: str, cells: tuple[Cell, ...]) -> tuple[Block, ...]:
    """The sample's paragraphs with the standard tables in template layout after their headings."""
    tables = standard_tables(cells)
    blocks: list[Block] = []
    for block in text_to_blocks(text):
        if isinstance(block, Table):
            continue
        blocks.append(block)
        for number, heading in _SECTION_HEADINGS.items():
            if heading in block.text and len(block.text) < 40 and number in tables:
                blocks.append(tables.pop(number))
    return tuple(blocks)


# -- .docx --------------------------------------------------------------------------------


def build_docx(blocks: tuple[Block, ...], path: Path) -> Path:
    """Write the blocks as a Word document with real tables, merges included."""
    import docx

    document = docx.Document()
    for block in blocks:
        if isinstance(block, Paragraph):
            document.add_paragraph(block.text)
            continue
        rows = padded(block.rows)
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        table.style = "Table Grid"
        for row, docx_row in zip(rows, table.rows):
            for text, cell in zip(row, docx_row.cells):  # table.cell() rescans the table each call
                if text not in (LEFT, UP):
                    cell.text = text
        for span in spans(rows):
            origin = table.cell(span.row, span.col)
            origin.merge(table.cell(span.row + span.rows - 1, span.col + span.cols - 1))
    document.save(str(path))
    return path


# -- .html --------------------------------------------------------------------------------

_PORTAL_HEAD = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title}_伊春市人民政府</title>
<link rel="stylesheet" href="/css/main.css">
<script src="/js/jquery.min.js"></script>
<script>var _hmt = _hmt || []; document.title = "政府信息公开年度报告";</script>
</head>
<body>
<form name="form1" method="post" action="./content.aspx" id="form1">
<div class="header"><div class="logo">伊春市人民政府</div>
<div class="search"><input type="text" value="请输入关键字"><button>搜索</button></div></div>
<div class="nav"><ul>
<li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li>
<li><a href="/hdjl/">互动交流</a></li><li><a href="/zjyc/">走进林都</a></li></ul></div>
<div class="main">
<div class="sidebar"><h3>信息公开</h3><ul>
<li><a href="/zn/">政府信息公开指南</a></li><li><a href="/zd/">政府信息公开制度</a></li>
<li><a href="/nb/">政府信息公开年度报告</a></li><li><a href="/ysq/">依申请公开</a></li></ul></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt;
<span>政府信息公开年度报告</span></div>
<div class="article">
"""
# The title sits in a "header" div, as on many portals: a reader must keep it all the same.
_ARTICLE_HEADER = """<div class="article-header"><h1>{title}</h1>
<div class="info">发布时间：2024-01-20　来源：市政府办公室
<span class="tools">【字体：大 中 小】【打印】</span></div></div>"""
PORTAL_INFO = "发布时间：2024-01-20 来源：市政府办公室"
_PORTAL_TAIL = """<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>
</div>
</div>
<div class="footer"><p>主办单位：伊春市人民政府办公室　<a href="#">网站地图</a>　<a href="#">联系我们</a></p>
<p>网站标识码：2307000001　<a href="https://beian.miit.gov.cn">黑ICP备05002466号</a>
　黑公网安备 23070202000123号</p></div>
<script>document.write("网站标识码 2307000001");</script>
</form>
</body>
</html>
"""


def build_html(blocks: tuple[Block, ...], path: Path, *, portal: bool = True, charset: str = "utf-8") -> Path:
    """Write the blocks as a web page with rowspan/colspan tables, inside a portal page's furniture."""
    title = next((b.text for b in blocks if isinstance(b, Paragraph) and "年度报告" in b.text), "")
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Table):
            parts.append(_html_table(block))
        elif block.text == title and portal:
            parts.append(_ARTICLE_HEADER.format(title=html.escape(title)))
        else:
            tag = "h1" if block.text == title else "p"
            parts.append(f"<{tag}>{html.escape(block.text)}</{tag}>")
    content = "\n".join(parts)
    if portal:
        page = _PORTAL_HEAD.format(charset=charset, title=html.escape(title)) + content + _PORTAL_TAIL
    else:
        page = f'<html><head><meta charset="{charset}"></head><body>\n{content}\n</body></html>'
    path.write_bytes(page.encode("gb18030" if charset.lower() in ("gb2312", "gbk") else charset))
    return path


def _html_table(table: Table) -> str:
    rows = padded(table.rows)
    by_origin = {(s.row, s.col): s for s in spans(rows)}
    lines = ['<table border="1" cellspacing="0" cellpadding="0" class="MsoTableGrid">']
    for r, row in enumerate(rows):
        cells = []
        for c, text in enumerate(row):
            if text in (LEFT, UP):
                continue
            span = by_origin.get((r, c))
            attributes = ""
            if span and span.rows > 1:
                attributes += f' rowspan="{span.rows}"'
            if span and span.cols > 1:
                attributes += f' colspan="{span.cols}"'
            cells.append(f"<td{attributes}><p><span>{html.escape(text)}</span></p></td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</table>")
    return "\n".join(lines)


# -- .pdf ---------------------------------------------------------------------------------


def build_pdf(blocks: tuple[Block, ...], path: Path, *, font_file: Path | None = None) -> Path:
    """Write the blocks as a PDF with a CJK font and ruled tables that pdfplumber can find.

    The font is reportlab's STSong-Light, which the PDF names but does not embed; pass a
    TrueType ``font_file`` to embed it instead, so that a renderer without Chinese fonts draws it."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph as PdfParagraph
    from reportlab.platypus import SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    if font_file is None:
        font = "STSong-Light"
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    else:
        from reportlab.pdfbase.ttfonts import TTFont

        font = f"embedded-{font_file.stem}"
        pdfmetrics.registerFont(TTFont(font, str(font_file)))
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=font, fontSize=7, leading=9, wordWrap="CJK")
    page = landscape(A4)
    margin = 40
    width = page[0] - 2 * margin
    story = []
    for block in blocks:
        if isinstance(block, Paragraph):
            story.append(PdfParagraph(html.escape(block.text), body))
            story.append(Spacer(1, 4))
            continue
        rows = padded(block.rows)
        data = [[PdfParagraph(html.escape(t), cell) if t not in (LEFT, UP) else "" for t in row] for row in rows]
        table = PdfTable(data, colWidths=_column_widths(rows, width), repeatRows=0)
        style = [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
        style += [("SPAN", (s.col, s.row), (s.col + s.cols - 1, s.row + s.rows - 1)) for s in spans(rows)]
        table.setStyle(TableStyle(style))
        story.append(table)
        story.append(Spacer(1, 8))
    SimpleDocTemplate(str(path), pagesize=page, leftMargin=margin, rightMargin=margin,
                      topMargin=margin, bottomMargin=margin).build(story)
    return path


def _column_widths(rows: list[list[str]], total: float) -> list[float]:
    """Widths by the longest single-cell text of each column, label columns wider, summing to ``total``."""
    longest = [
        max((len(row[c]) for row in rows if row[c] not in (LEFT, UP)), default=1)
        for c in range(len(rows[0]))
    ]
    weights = [min(max(n, 4), 24) for n in longest]
    return [total * w / sum(weights) for w in weights]


def build_blank_pdf(path: Path) -> Path:
    """A PDF page with a drawn rectangle and no text: what a scan without OCR looks like to a reader."""
    from reportlab.pdfgen import canvas

    drawing = canvas.Canvas(str(path))
    drawing.rect(100, 100, 300, 500, fill=1)
    drawing.showPage()
    drawing.save()
    return path
