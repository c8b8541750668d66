"""From a read Document to a Report: metadata, sections, passages, table cells, findings."""
from __future__ import annotations

import re
from dataclasses import replace

from index.checks import derive_cells, find_inconsistencies
from index.document import Document, Paragraph, Table
from index.errors import NotAReportError
from index.identity import chinese_year, find_year, identify, split_body  # noqa: F401  (importable from here)
from index.lexicon import Lexicon, load_lexicon
from index.numbers import normalize
from index.report import Cell, Passage, RawRow, Report, Section, TableRead
from index.align import TABLE_OF_KIND, align_table, table_start
from index.tables import GridRow

SECTION_NAMES = ("总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
                 "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项")
_SECTION_PATTERNS = (
    re.compile(r"总体情况"),
    re.compile(r"主动公开(政府)?信息(的)?情况|主动公开情况"),
    re.compile(r"(收到和处理|收到和办理|受理和处理).*申请|依申请公开.*情况"),
    re.compile(r"行政复议.*行政诉讼|复议.*诉讼情况"),
    re.compile(r"存在的?(主要)?问题"),
    re.compile(r"其他需要报告|其他需报告"),
)
_TOP_NUMBER = re.compile(r"^\s*(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+\s*[、.．]|\d{1,2}\s*[、.．](?!\d))\s*")
_SUB_NUMBER = re.compile(r"^\s*[（(]\s*[一二三四五六七八九十\d]+\s*[）)]\s*")
_BLANK_IS_ZERO = re.compile(r"(空白|空格|未填)[^。\n]{0,8}(表示|为|视为|即)\s*[0零]")
_PASSAGE_MAX = 300


_NOT_A_HEADING = re.compile(r"[。，,；;：:\d]")
_HEADING_END = re.compile(r"(?:情况|问题|事项|改进)$")


def _section_number(text: str, current: int) -> int | None:
    compact = normalize(text)
    if len(compact) > 40 or _SUB_NUMBER.match(compact):
        return None
    rest = _TOP_NUMBER.sub("", compact)
    if rest == compact and (_NOT_A_HEADING.search(rest) or not _HEADING_END.search(rest)):
        # Unnumbered, it must look like a heading: a prose line wrapped at the page edge
        # (涉及政府信息公开的行政复议与行政诉讼。) names the same things.
        return None
    if rest != compact or len(compact) <= 24:
        for number, pattern in enumerate(_SECTION_PATTERNS, start=1):
            if number > current and pattern.search(rest) and len(rest) <= 30:
                return number
    return None


def _subheading(text: str) -> str | None:
    compact = text.strip()
    if not _SUB_NUMBER.match(compact):
        return None
    head = re.split(r"[。：:]", compact, maxsplit=1)[0]
    return head if len(head) <= 24 else None


def _split_passage(text: str) -> list[str]:
    if len(text) <= _PASSAGE_MAX:
        return [text]
    sentences = re.findall(r"[^。；！？]+[。；！？]?", text)
    chunks, current = [], ""
    for sentence in sentences:
        if current and len(current) + len(sentence) > _PASSAGE_MAX:
            chunks.append(current)
            current = ""
        current += sentence
    if current:
        chunks.append(current)
    return chunks


def _table_passages(cells: list[Cell], section: str, applicant_labels: dict[str, str]) -> list[Passage]:
    rows: dict[str, list[Cell]] = {}
    for cell in cells:
        if not cell.derived:
            rows.setdefault(cell.field if cell.table == "requests" else cell.field.rsplit(".", 1)[0], []).append(cell)
    passages = []
    for row in rows.values():
        parts = []
        for cell in row:
            # Zero and blank applicant columns are left out: most of table 三 is zeros, and
            # spelling them out made table rows two thirds of the search index (docs/benchmarks.md).
            if cell.table == "requests" and cell.applicant != "total" and not cell.value:
                continue
            shown = cell.raw if cell.raw else ("（推算）" if cell.inferred else "空白")
            name = applicant_labels.get(cell.applicant or "", "") if cell.table == "requests" else cell.label.split("：")[-1]
            parts.append(f"{name} {shown}")
        head = row[0].label if row[0].table == "requests" else row[0].label.split("：")[0]
        passages.append(Passage(section=section, text=f"{head}：" + "，".join(parts), kind="table"))
    return passages


def parse_report(document: Document, lexicon: Lexicon | None = None) -> Report:
    """Parse a read document into a Report; NotAReportError when it is not an annual report."""
    lexicon = lexicon or load_lexicon()
    paragraphs = [b.text for b in document.blocks if isinstance(b, Paragraph)]
    identity = identify(paragraphs, lexicon, source_name=document.source_name)
    text = document.text()  # the whole text, made once: five uses below
    blank_is_zero = bool(_BLANK_IS_ZERO.search(text))
    current = 0
    headings: dict[int, str] = {}
    subsections: dict[int, list[str]] = {}
    subsection = ""
    passages: list[Passage] = []
    table_rows: dict[int, list[GridRow]] = {2: [], 3: [], 4: []}
    zones: dict[int, list[str]] = {2: [], 3: [], 4: []}
    last_table_kind: int | None = None
    for block in _with_inline_headings(document.blocks):
        if isinstance(block, Paragraph):
            number = _section_number(block.text, current)
            if number is not None:
                current, subsection = number, ""
                headings[number] = block.text.strip()
                continue
            if current in zones:
                zones[current].append(block.text)
            if current == 0 and normalize(block.text) in identity.title:
                continue
            sub = _subheading(block.text)
            if sub is not None and current:
                subsection = sub
                subsections.setdefault(current, []).append(sub)
                if sub == block.text.strip():
                    continue
            path = headings.get(current, "前言") + (f" / {subsection}" if subsection else "")
            passages.extend(Passage(section=path, text=chunk) for chunk in _split_passage(block.text.strip()))
        else:
            kind = _table_kind(block, current, last_table_kind)
            for row in block.rows:
                # A portal page may print all three tables as one: a row that starts another
                # table (its header) switches the table the following rows belong to.
                kind = _row_kind(row) or kind
                if kind in table_rows:
                    table_rows[kind].append((row, block.grid))
                    zones[kind].append("\t".join(row))
                elif any(row):
                    passages.append(Passage(section=headings.get(current, "前言"), text=" ".join(c for c in row if c), kind="table"))
            last_table_kind = kind
    if not _has_table_label(text):
        raise NotAReportError("这份文件不像政府信息公开工作年度报告：找不到“主动公开政府信息情况”“收到和处理政府信息公开申请情况”等表格或章节。")
    cells: list[Cell] = []
    raw_rows: list[RawRow] = []
    for kind in (2, 3, 4):
        zone = "\n".join(zones[kind]) or _unheaded_zone(text, TABLE_OF_KIND[kind])
        found, raw = align_table(TABLE_OF_KIND[kind], table_rows[kind], zone, lexicon,
                                 blank_is_zero=blank_is_zero, prose=text)
        cells.extend(found)
        raw_rows.extend(raw)
    cells.extend(derive_cells(cells, lexicon))
    applicant_labels = {a.code: a.label for a in lexicon.applicants}
    for kind in (2, 3, 4):
        section_cells = [c for c in cells if c.table == ("active", "requests", "review")[kind - 2]]
        passages.extend(_table_passages(section_cells, headings.get(kind, SECTION_NAMES[kind - 1]), applicant_labels))
    table_reads = read_methods(cells, raw_rows, ocr="OCR" in document.notes)
    if "OCR" in document.notes:
        cells = [c if c.method != "printed" else replace(c, method="ocr") for c in cells]
    layout = "2019" if any(c.field.endswith((".new_made", ".prev_items")) for c in cells) else "2021"
    return Report(
        title=identity.title, body=identity.body, region=identity.region, level=identity.level, year=identity.year,
        published=identity.published, layout=layout,
        sections=tuple(Section(n, headings[n], tuple(subsections.get(n, ()))) for n in sorted(headings)),
        passages=tuple(passages), cells=tuple(cells), findings=tuple(find_inconsistencies(cells, lexicon)),
        raw_rows=tuple(raw_rows), table_reads=table_reads,
        body_id=identity.body_id, region_code=identity.region_code, printed_body=identity.printed_body,
        identity_notes=identity.notes,
    )


_TABLE_NAMES = {"active": "表二（主动公开）", "requests": "表三（依申请公开）", "review": "表四（复议诉讼）"}
# The least certain way a table's cells were read decides how the table is described.
_METHOD_RANK = ("printed", "ocr", "derived", "split", "inferred", "raw", "missing")
_METHOD_NOTES = {
    "printed": "按原文读取", "ocr": "由扫描件文字识别读取，请与原件核对", "derived": "总计列空白，已按各列相加推算（标为推算）",
    "split": "数字粘连，已按表内合计唯一拆分", "inferred": "原文缺一格，已按表内合计补出（标为推算）",
    "raw": "有数字粘连或错位，无法唯一拆分到各格，已保留原文（这些格未存数字）", "missing": "文件里没有找到这张表",
}


def read_methods(cells: list[Cell], raw_rows: list[RawRow], *, ocr: bool = False) -> tuple[TableRead, ...]:
    """Say, for each of tables 二/三/四, the least certain way any of its cells was read."""
    reads = []
    for table, name in _TABLE_NAMES.items():
        # Subtotals and legal_persons are always computed; a derived cell with a printed row label
        # stands in for a blank printed cell (a blank 总计 column) and does count.
        methods = {c.method for c in cells if c.table == table and (not c.derived or c.row_label)}
        if any(r.table == table and r.reason for r in raw_rows):
            method = "raw"
        elif not methods:
            method = "raw" if any(r.table == table for r in raw_rows) else "missing"
        else:
            method = max(methods, key=_METHOD_RANK.index)
            if ocr and method == "printed":
                method = "ocr"
        reads.append(TableRead(table=table, method=method, note=f"{name}{_METHOD_NOTES[method]}"))
    return tuple(reads)


# Labels only the national format's tables print: a file with none of them is not a report.
_TABLE_LABELS = re.compile(r"本年新收|予以公开|不予公开|第二十条|规范性文件|行政许可|行政处罚|复议后起诉|未经复议|结果维持|尚未审结")
# A section heading in the middle of a line (crawled pages put the whole report on one line).
_INLINE_HEADING = re.compile(r"(?:第[一二三四五六]部分|(?:[一二三四五六]|(?<![\d.])[1-6])\s*[、.．])\s*[^\s。；，]{2,26}?(?:情况|问题|事项)")


_SECTION_FIVE = re.compile(r"存在的?主要问题|其他需要报告")


def _unheaded_zone(text: str, table: str) -> str:
    """A table's zone when its section heading is missing: from where the table starts to where
    another table or section 五 starts (or the end)."""
    start = table_start(text, table)
    if start is None:
        return ""
    ends = [start + 1 + found for other in TABLE_OF_KIND.values() if other != table
            for found in [table_start(text[start + 1:], other)] if found is not None]
    five = _SECTION_FIVE.search(text, start)
    return text[start:min(ends + [five.start() if five else len(text)])]


def _has_table_label(text: str) -> bool:
    # The labels are plain ideographs, which folding never makes nor unmakes, and joining
    # cells only adds matches: a label found as printed is found folded, without folding the
    # whole text (0.3 ms a report).
    return bool(_TABLE_LABELS.search(text) or _TABLE_LABELS.search(normalize(text)))


def _with_inline_headings(blocks: tuple) -> list:
    """Split long paragraphs at the section headings printed inside them, heading on its own."""
    out: list = []
    for block in blocks:
        if not isinstance(block, Paragraph) or len(block.text) < 60:
            out.append(block)
            continue
        text, last, current = block.text, 0, 0
        for match in _INLINE_HEADING.finditer(text):
            number = _section_number(match.group(0), current)
            if number is None:
                continue
            current = number
            if text[last:match.start()].strip():
                out.append(Paragraph(text[last:match.start()].strip()))
            out.append(Paragraph(match.group(0).strip()))
            last = match.end()
        if last == 0:
            out.append(block)
        elif text[last:].strip():
            out.append(Paragraph(text[last:].strip()))
    return out


def _row_kind(row: tuple[str, ...]) -> int | None:
    """The table a header row starts: 第二十条 → 二, 申请人情况 → 三, 行政复议 with 行政诉讼 → 四."""
    text = normalize("".join(row))
    if "第二十条" in text:
        return 2
    if "申请人情况" in text or ("自然人" in text and "法人" in text):
        return 3
    if "行政复议" in text and "行政诉讼" in text:
        return 4
    return None


def _table_kind(table: Table, section: int, previous: int | None) -> int | None:
    text = normalize("".join(c for row in table.rows[:12] for c in row))
    if "第二十条" in text or "信息内容" in text or "规范性文件" in text:
        return 2
    if "本年新收" in text or "申请人情况" in text or "予以公开" in text:
        return 3
    if "行政复议" in text and ("行政诉讼" in text or "维持" in text):
        return 4
    if section in (2, 3, 4):
        return section
    return previous
