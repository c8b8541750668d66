"""Write a report whose cells are known in each degraded form real reports come in.

The forms are those of shared/real-world.md. A ``Known`` report is a sample's hand-written gold
cells (tests/seed_expectations.py, never the parser's output) plus its prose; each form is one
function ``Known -> (bytes, file name)``, and ``FORMS`` lists them all. Every form prints the same
numbers, so a reader must give back ``Known.gold()`` or flag what it could not read.

The three tables are laid out as the national template (国办公开办函〔2021〕30号) by
``builders.standard_tables``, as grids whose LEFT/UP markers stand for merged cells; a form edits
the grid (blank totals, typos, full-width digits) and renders it (flat text, aligned text,
Markdown, HTML, .docx, .pdf).
"""
from __future__ import annotations

import html
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from index.document import Block, Paragraph, Table
from index.report import Cell
from tests.auxil.builders import LEFT, UP, build_docx, build_pdf, padded, spans, standard_tables
from tests.auxil.reports import SAMPLES_DIR
from tests.seed_expectations import SEEDS

APPLICANTS = ("natural_person", "business", "research", "public_interest", "legal_service", "other_org", "total")
REVIEW_FIELDS = tuple(f"{block}.{outcome}" for block in ("review", "lawsuit.direct", "lawsuit.after_review")
                      for outcome in ("upheld", "corrected", "other", "pending", "total"))
HEADINGS = {2: "二、主动公开政府信息情况", 3: "三、收到和处理政府信息公开申请情况",
            4: "四、政府信息公开行政复议、行政诉讼情况"}
VALUES_FROM = {2: 1, 3: 3, 4: 0}  # the first value column of a data row, per table
Key = tuple[str, str, str | None]  # (table, field, applicant)


# -- the known report ----------------------------------------------------------------------


@dataclass(frozen=True)
class Known:
    """A report whose every cell is known: its gold cells, and the prose around its tables."""

    name: str  # e.g. "yichun-2023"
    title: str
    body: str
    head: tuple[str, ...]  # paragraphs from the start to table 二 (title excluded)
    tail: tuple[str, ...]  # sections 五 and 六
    active: dict[str, float]
    requests: dict[str, tuple[float, ...]]  # every row printed, seven columns
    review: tuple[float, ...]

    def gold(self) -> dict[Key, float]:
        cells: dict[Key, float] = {("active", f, None): v for f, v in self.active.items()}
        for field, row in self.requests.items():
            cells.update({("requests", field, a): v for a, v in zip(APPLICANTS, row)})
        cells.update({("review", f, None): v for f, v in zip(REVIEW_FIELDS, self.review)})
        return cells

    def truth(self) -> dict[Key, float]:
        """The gold cells and every cell they imply: the subtotal rows (requests.denied …), the
        法人或其他组织 column (legal_persons) and the lawsuit totals. A number a parser prints for
        any of them must be this one."""
        cells = self.gold()
        implied: dict[Key, float] = {}
        for (table, field, applicant), value in cells.items():
            sums = []
            if table == "requests" and field.count(".") == 2:
                sums.append(("requests", field.rsplit(".", 1)[0], applicant))
            if table == "review" and field.startswith("lawsuit."):
                sums.append(("review", "lawsuit." + field.rsplit(".", 1)[1], None))
            for key in sums:
                implied[key] = implied.get(key, 0) + value
        cells.update(implied)
        for (table, field, applicant), value in list(cells.items()):
            if applicant in APPLICANTS[1:6]:
                key = (table, field, "legal_persons")
                cells[key] = cells.get(key, 0) + value
        return cells


@cache
def known(sample: str) -> Known:
    """The sample's gold cells from seed_expectations, and its prose from the sample's text."""
    seed = SEEDS[sample]
    lines = [re.sub(r"\[bookmark:[^]]*\]", "", line).strip()
             for line in (SAMPLES_DIR / sample).read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]

    def heading(pattern: str) -> int:
        return next(i for i, line in enumerate(lines) if len(line) < 30 and re.search(pattern, line))

    title = re.sub(r"\s", "", seed["title"])
    head = [line for line in lines[:heading("主动公开政府信息情况")] if re.sub(r"\s", "", line) not in title]
    zeros = (0,) * 7
    return Known(
        name=sample.removesuffix(".txt"), title=seed["title"], body=seed["body"],
        head=tuple(head), tail=tuple(lines[heading("存在的主要问题"):]),
        active=dict(seed["active"]),
        requests={f: tuple(seed["requests"].get(f, zeros)) for f in seed["request_rows"]},
        review=tuple(seed["review"]),
    )


def printed(value: float) -> str:
    """A number as a report prints it: 38.09533, 12372.0506, 0."""
    return str(int(value)) if value == int(value) else repr(value)


# -- the report as blocks; a grid edit per form ----------------------------------------------

Grid = list[list[str]]
Edit = Callable[[int, Grid], Grid]  # (table number 2/3/4, grid) -> grid


def grids(k: Known) -> dict[int, Grid]:
    """Tables 二, 三, 四 in the template's layout, every gold cell printed."""
    cells = [Cell(table=t, field=f, label="", applicant=a, value=v, unit="", raw=printed(v))
             for (t, f, a), v in k.gold().items()]
    return {n: padded(table.rows) for n, table in standard_tables(tuple(cells)).items()}


def is_data_row(row: list[str]) -> bool:
    return any(re.fullmatch(r"[\d０-９.．]+", cell) for cell in row)


def blocks(k: Known, edit: Edit | None = None) -> tuple[Block, ...]:
    """Title, prose and the three tables (grids with merge markers) in reading order."""
    out: list[Block] = [Paragraph(k.title), *map(Paragraph, k.head)]
    for number, grid in grids(k).items():
        grid = edit(number, grid) if edit else grid
        out += [Paragraph(HEADINGS[number]), Table(tuple(tuple(row) for row in grid), grid=True)]
    return tuple(out + [Paragraph(line) for line in k.tail])


def numbered(items: tuple[Block, ...]) -> Iterator[tuple[int, Block]]:
    """Each block with the number of the section it is in (tables: 2, 3 or 4)."""
    number = 1
    for b in items:
        if isinstance(b, Paragraph):
            number = next((n for n, h in HEADINGS.items() if h == b.text), number)
        yield number, b


def row_parts(number: int, row: list[str]) -> tuple[list[str], list[str]]:
    """A row's labels (merge markers and blanks left out) and, for a data row, its value cells."""
    cut = VALUES_FROM[number] if is_data_row(row) else len(row)
    labels = [c for c in row[:cut] if c and c not in (LEFT, UP)]
    return labels, [c for c in row[cut:] if c not in (LEFT, UP)]


def edit_values(number_wanted: int, columns: range | None, change: Callable[[str], str]) -> Edit:
    """An edit of the value cells of one table's data rows (of some columns only, if given)."""
    def edit(number: int, grid: Grid) -> Grid:
        if number != number_wanted and number_wanted != 0:
            return grid
        start = VALUES_FROM[number]
        return [[change(c) if is_data_row(row) and i >= start and c not in (LEFT, UP)
                 and (columns is None or i in columns) else c for i, c in enumerate(row)] for row in grid]
    return edit


def edit_labels(replacements: dict[str, str]) -> Edit:
    def edit(number: int, grid: Grid) -> Grid:
        return [[replacements.get(c, c) for c in row] for row in grid]
    return edit


# -- text renderers -------------------------------------------------------------------------


def tab_lines(items: tuple[Block, ...]) -> list[str]:
    """One paragraph or table row a line, cells separated by tabs (a Word table copied as text)."""
    return [b.text if isinstance(b, Paragraph) else "\t".join("" if c in (LEFT, UP) else c for c in row)
            for b in items for row in ([None] if isinstance(b, Paragraph) else b.rows)]


def spaced_lines(items: tuple[Block, ...], glue: tuple[int, ...] = ()) -> list[str]:
    """One row a line, labels and values separated by single spaces; tables in ``glue`` have a
    row's values run together (``一、本年新收政府信息公开申请数量 582000060``)."""
    lines: list[str] = []
    for number, b in numbered(items):
        if isinstance(b, Paragraph):
            lines.append(b.text)
            continue
        for row in b.rows:
            labels, values = row_parts(number, list(row))
            values = [v for v in values if v]
            lines.append(" ".join(labels + (["".join(values)] if number in glue else values)).strip())
    return [line for line in lines if line]


CRAWLER_HEADER = ("标题: {title}\n发布时间: 2024-02-05 09:30\n发布机构: {body}\n栏目: 政府信息公开年报\n"
                  "原文链接: https://www.example.gov.cn/zwgk/ndbg/{name}.html\n==== 正文 ====\n")


def crawled_text(k: Known, lines: list[str]) -> bytes:
    return (CRAWLER_HEADER.format(title=k.title, body=k.body, name=k.name) + " ".join(lines) + "\n").encode()


def width(text: str) -> int:
    """Columns a text takes in a monospaced layout: a CJK character takes two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def wrapped(text: str, room: int) -> list[str]:
    """A cell's text wrapped to ``room`` monospaced columns."""
    lines = [""]
    for ch in text:
        if lines[-1] and width(lines[-1] + ch) > room:
            lines.append("")
        lines[-1] += ch
    return lines


def aligned_lines(items: tuple[Block, ...]) -> list[str]:
    """pdftotext -layout: prose wrapped and indented, table columns padded with spaces, long
    labels wrapped inside their column, numbers right-aligned."""
    lines: list[str] = []
    for b in items:
        if isinstance(b, Paragraph):
            lines += ["    " + b.text[i:i + 38] for i in range(0, len(b.text), 38)] + [""]
            continue
        rows = [list(row) for row in b.rows]
        span = [[next((k for k, c in enumerate(row[i + 1:], 1) if c != LEFT), len(row) - i) for i in range(len(row))]
                for row in rows]
        widths = [min(24, max((width(row[i]) for r, row in enumerate(rows)
                               if row[i] not in (LEFT, UP) and span[r][i] == 1), default=0)) + 3
                  for i in range(len(rows[0]))]
        for r, row in enumerate(rows):
            cells = [(i, wrapped("" if c == UP else c, sum(widths[i:i + span[r][i]]) - 3))
                     for i, c in enumerate(row) if c != LEFT]
            for j in range(max(len(pieces) for _, pieces in cells)):
                line = ""
                for i, pieces in cells:
                    room = sum(widths[i:i + span[r][i]])
                    piece = pieces[j] if j < len(pieces) else ""
                    line += (" " * (room - 3 - len(piece)) + piece + "   " if re.fullmatch(r"[\d.]+", piece)
                             else piece + " " * (room - width(piece)))
                lines.append("  " + line.rstrip())
        lines.append("")
    return lines


def broken(label: str, size: int = 9) -> list[str]:
    """A label broken over lines as a narrow PDF cell wraps it (at most three lines)."""
    size = max(size, -(-len(label) // 3))
    return [label[i:i + size] for i in range(0, len(label), size)]


VERTICAL = "三、本年度办理结果"  # the merged label down the left of table 三, printed vertically


def pdf_text_lines(items: tuple[Block, ...]) -> list[str]:
    """pdfplumber's text: each value row before its labels, labels broken over lines, a label
    merged down several rows printed in the middle of them, the vertical header one character
    a line beside its rows."""
    lines: list[str] = []
    for number, b in numbered(items):
        if isinstance(b, Paragraph):
            lines.append(b.text)
            continue
        rows = [list(row) for row in b.rows]
        before: dict[int, list[str]] = {}  # row -> lines printed before it
        after: dict[int, list[str]] = {}  # row -> lines printed after it
        merged_down: set[tuple[int, int]] = set()
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                span = next((i for i, below in enumerate(rows[r + 1:], 1) if below[c] != UP), len(rows) - r)
                if span == 1 or cell in (LEFT, UP):
                    continue
                merged_down.add((r, c))
                if cell == VERTICAL:
                    start = r + max(0, (span - len(cell)) // 2)
                    for i, ch in enumerate(cell):
                        before.setdefault(min(start + i, r + span - 1), []).append(ch)
                else:
                    after.setdefault(r + (span - 1) // 2, []).extend(broken(cell))
        for r, row in enumerate(rows):
            lines += before.get(r, [])
            cut = VALUES_FROM[number] if is_data_row(row) else len(row)
            if cut < len(row):
                lines.append(" ".join(c for c in row[cut:] if c not in (LEFT, UP, "")))
            for i, cell in enumerate(row[:cut]):
                if cell not in (LEFT, UP, "") and (r, i) not in merged_down:
                    lines += broken(cell)
            lines += after.get(r, [])
    return lines


def markdown_lines(items: tuple[Block, ...]) -> list[str]:
    """A PDF-to-Markdown converter's output: table 二 under the wrong row's labels as header, with
    a page footer as a row; table 三 cut into one mini-table per block under invented headers
    (数据1 | 数据2 | …), a page footer between two rows; table 四's header of 12 labels over its
    row of 15 values."""
    def pipe(cells: list[str]) -> str:
        return "| " + " | ".join("" if c in (LEFT, UP) else c for c in cells) + " |"

    def header(cells: list[str]) -> list[str]:
        return [pipe(cells), "|" + "---|" * len(cells)]

    lines: list[str] = []
    for number, b in numbered(items):
        if isinstance(b, Paragraph):
            lines += [b.text, ""]
            continue
        rows = [list(row) for row in b.rows]
        if number == 2:
            lines += header(rows[1]) + [pipe(row) for row in rows[:7]] + [pipe(["— 5 —", "", "", ""])]
            lines += [pipe(row) for row in rows[7:]]
        elif number == 3:
            starts = [r for r, row in enumerate(rows) if r == 0 or is_data_row(row) and
                      (row[0] not in (UP, LEFT) or row[1] not in (UP, LEFT))]
            for start, end in zip(starts, starts[1:] + [len(rows)]):
                lines += header([f"数据{i + 1}" for i in range(len(rows[0]))])
                block = [pipe(row) for row in rows[start:end]]
                if end - start > 4:
                    block.insert(3, "— 6 —")
                lines += block + [""]
        else:
            labels = [c for row in rows[:-1] for c in row if c not in (LEFT, UP, "")]
            lines += header(labels[:12]) + [pipe(rows[-1])]
        lines.append("")
    return lines


# -- Word-exported portal HTML ----------------------------------------------------------------

PORTAL_HEAD = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{title}_{body}门户网站</title>
<script type="text/javascript">var siteConfig = {{siteId: "1301", column: "政府信息公开年报", year: 2024}};
document.write('<div class="weather">今日 12℃ 多云</div>');</script>
<style>p.MsoNormal {{margin:0cm; font-size:10.5pt; font-family:"仿宋_GB2312";}} td {{border:solid windowtext 1.0pt;}}</style>
</head><body>
<div class="top">网站首页 | 无障碍浏览 | 长者模式 | 繁體</div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>
<div class="article"><h1 class="title">{title}</h1>
<div class="meta">发布时间：2024-02-05 09:30　来源：{body}　浏览次数：<script>document.write(1024)</script></div>
<div class="TRS_Editor"><div class="WordSection1">
"""
PORTAL_TAIL = """</div></div></div>
<div class="footer">主办：{body}　网站标识码：1301000001　备案号：冀ICP备00000000号</div>
<script src="/js/stat.js"></script><script>_trackPage("{name}");</script>
</body></html>
"""


def runs(text: str) -> str:
    """A cell's text cut into the several <span>/<font> runs Word exports (``1`` ``37`` for 137),
    its tags broken over lines as Word breaks them."""
    if not text:
        return "<span lang=EN-US>&nbsp;<o:p></o:p></span>"
    cuts = sorted({0, len(text) // 3, 2 * len(text) // 3, len(text)})
    pieces = [html.escape(text[a:b]) for a, b in zip(cuts, cuts[1:]) if a < b]
    return "".join(f"<span\nlang=EN-US style='font-size:10.5pt;font-family:仿宋_GB2312'>{p}</span>" if i % 2 == 0
                   else f"<font face=\"宋体\">{p}</font>" for i, p in enumerate(pieces))


def word_table(rows: list[list[str]]) -> str:
    origin = {(s.row, s.col): s for s in spans(rows)}
    out = ["<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse'>"]
    for r, row in enumerate(rows):
        out.append("<tr style='height:20.25pt'>")
        for c, text in enumerate(row):
            if text in (LEFT, UP):
                continue
            span = origin.get((r, c))
            merge = (f" rowspan={span.rows}" if span and span.rows > 1 else "") + \
                    (f" colspan={span.cols}" if span and span.cols > 1 else "")
            out.append(f"<td{merge} valign=middle style='padding:0cm 5.4pt'><p class=MsoNormal align=center>"
                       f"{runs(text)}</p></td>")
        out.append("</tr>")
    return "\n".join(out + ["</table>"])


def portal_page(k: Known, items: tuple[Block, ...]) -> bytes:
    parts = []
    for b in items:
        if isinstance(b, Table):
            parts.append(word_table([list(row) for row in b.rows]))
        elif b.text != k.title:
            parts.append(f"<p class=MsoNormal style='text-indent:32.0pt'>{runs(b.text)}</p>")
    page = PORTAL_HEAD.format(title=html.escape(k.title), body=html.escape(k.body)) + "\n".join(parts) + \
        PORTAL_TAIL.format(body=html.escape(k.body), name=k.name)
    return page.encode("utf-8")


# -- the forms ---------------------------------------------------------------------------------

Rendered = tuple[bytes, str]  # the file's bytes and its name


def text(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def built(k: Known, build: Callable[[tuple[Block, ...], Path], Path], suffix: str) -> Rendered:
    with tempfile.TemporaryDirectory() as folder:
        return build(blocks(k), Path(folder) / f"{k.name}{suffix}").read_bytes(), f"{k.name}{suffix}"


FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")
TYPOS = {"本年废止件数": "本年度止件数", "2.其他法律行政法规禁止公开": "2.其他法律行政止公开", "行政复议": "行政法复议"}


def plain(k: Known) -> Rendered:
    """Control: one table row a line, cells separated by tabs, as the clean samples."""
    return text(tab_lines(blocks(k))), f"{k.name}.txt"


def crawled(k: Known) -> Rendered:
    """A crawled portal page: crawler header, then the whole report on one line."""
    return crawled_text(k, spaced_lines(blocks(k))), f"{k.name}.txt"


def glued_requests(k: Known) -> Rendered:
    """One row a line; in table 三 a row's numbers run together with no separator."""
    return text(spaced_lines(blocks(k), glue=(3,))), f"{k.name}.txt"


def glued_active(k: Known) -> Rendered:
    """One row a line; in table 二 a row's numbers run together (only the prose can settle them)."""
    return text(spaced_lines(blocks(k), glue=(2,))), f"{k.name}.txt"


def glued_crawled(k: Known) -> Rendered:
    """A crawled page on one line whose table rows (二, 三 and 四) have their numbers run together."""
    return crawled_text(k, spaced_lines(blocks(k), glue=(2, 3, 4))), f"{k.name}.txt"


def aligned(k: Known) -> Rendered:
    """pdftotext -layout: columns aligned by spaces."""
    return text(aligned_lines(blocks(k))), f"{k.name}.txt"


def pdf_text(k: Known) -> Rendered:
    """pdfplumber text: value rows before labels, broken labels, a vertical header."""
    return text(pdf_text_lines(blocks(k))), f"{k.name}.txt"


def markdown(k: Known) -> Rendered:
    """A converter's broken Markdown: false headers, mini-tables, page footers inside tables."""
    return text(markdown_lines(blocks(k))), f"{k.name}.md"


def pdf(k: Known) -> Rendered:
    """A real PDF (reportlab, STSong-Light) with ruled tables and merged cells."""
    return built(k, build_pdf, ".pdf")


def docx(k: Known) -> Rendered:
    """A real .docx with merged label cells, as the national template."""
    return built(k, build_docx, ".docx")


def portal_html(k: Known) -> Rendered:
    """A portal page saved whole: navigation, scripts, a Word-exported table in span/font runs."""
    return portal_page(k, blocks(k)), f"{k.name}.html"


def portal_html_blank(k: Known) -> Rendered:
    """The portal page with every 0 of table 三's organisation columns left blank (&nbsp;)."""
    return portal_page(k, blocks(k, edit_values(3, range(4, 9), lambda c: "" if c == "0" else c))), f"{k.name}.html"


def blank_totals(k: Known) -> Rendered:
    """Tab rows with the 总计 column of table 三 left blank in every row."""
    return text(tab_lines(blocks(k, edit_values(3, range(9, 10), lambda c: "")))), f"{k.name}.txt"


def typos(k: Known) -> Rendered:
    """Tab rows with slips in labels: 本年度止件数, 其他法律行政止公开, 行政法复议."""
    return text(tab_lines(blocks(k, edit_labels(TYPOS)))), f"{k.name}.txt"


def fullwidth(k: Known) -> Rendered:
    """Tab rows with every number in full-width digits (１３７)."""
    return text(tab_lines(blocks(k, edit_values(0, None, lambda c: c.translate(FULL_WIDTH))))), f"{k.name}.txt"


FORMS: tuple[Callable[[Known], Rendered], ...] = (
    plain, crawled, glued_requests, glued_active, glued_crawled, aligned, pdf_text, markdown,
    pdf, docx, portal_html, portal_html_blank, blank_totals, typos, fullwidth,
)
SAMPLES = tuple(name.removesuffix(".txt") for name in SEEDS)


def with_requests(k: Known, requests: dict[str, tuple[float, ...]]) -> Known:
    """The same report with another table 三 (for generated tables)."""
    return replace(k, requests=requests)
