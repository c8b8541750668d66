"""Read a report published as a web page on a government portal.

The page wraps the report in site furniture (menus, breadcrumbs, a sidebar of links, a footer
with 网站标识码 and ICP numbers). The report is the smallest element holding its title and its
tables; furniture inside it is dropped by tag and by class/id names, except what holds the title
or a table (old portals wrap the whole page in a <form>; some put the title in a "header" div).
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import PageElement, PreformattedString

from index.document import Block, Paragraph, Table
from index.readers.encoding import decode_declared, decode_text, has_bom
from index.readers.sniff import HTML_TABLE
from index.readers.spacing import normalize_space
from index.readers.text import text_to_blocks

_CODE_TAGS = ("script", "style", "noscript", "template")
_JUNK_TAGS = (
    *_CODE_TAGS, "iframe", "svg", "canvas", "object", "embed",
    "nav", "header", "footer", "aside", "form", "button", "select", "input", "textarea",
)
_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Class/id words of site furniture: "top-nav", "breadcrumb", "footer_wrap", "sidebar", ...
_JUNK_NAME = re.compile(
    r"(^|[-_\s])(nav|navbar|menu|breadcrumbs?|crumbs?|position|location|footer|foot|header|"
    r"sidebar|side|share|toolbar|tools?|copyright|links?)([-_\s\d]|$)",
    re.IGNORECASE,
)
_BLOCK_TAGS = frozenset({
    "address", "article", "blockquote", "caption", "center", "dd", "div", "dl", "dt", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol", "p", "pre", "section",
    "td", "th", "tr", "ul",
})
_TITLE_WORD = "年度报告"
_TITLE_MAX_CHARS = 80  # a title, not a sentence that mentions the report
# Words of the standard tables 二/三/四: a link list laid out as a table has none of them.
_REPORT_TABLE = re.compile(r"本年|申请|复议|诉讼|自然人|总计|信息内容")
_HIDDEN = re.compile(r"display\s*:\s*none", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"[_|｜\-—–]+")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w:.-]+)""", re.IGNORECASE)
_MAX_SPAN = 100  # a colspan="100000" must not allocate a huge grid


def decode_html(data: bytes) -> str:
    """Decode a page by the charset it declares (gb2312/gbk read as GB18030), else by detection.

    A page that is valid UTF-8 (or has a BOM) is read as such whatever it declares: portals
    often keep a stale ``charset=gb2312`` in templates that now serve UTF-8.
    """
    head = data[:4096]
    declared = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if declared and not has_bom(data) and decode_declared(data, "utf-8") is None:
        text = decode_declared(data, declared.group(1).decode("ascii"))
        if text is not None:
            return text
    return decode_text(data)


def read_html(text: str) -> tuple[Block, ...]:
    """Return the report's paragraphs and tables from a decoded web page, in page order."""
    soup = BeautifulSoup(text, "lxml")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    body = soup.body or soup
    tables = [t for t in body.find_all("table") if _is_report_table(t)]
    title = _find_title(body, tables)
    keep = [t for t in (title, *tables) if t is not None]
    root = _report_root(body, title, tables)
    for tag in root.find_all(_is_junk):
        if not tag.decomposed and (tag.name in _CODE_TAGS or not any(_holds(tag, k) for k in keep)):
            tag.decompose()
    blocks = list(_walk(root))
    if not any(isinstance(b, Paragraph) and _TITLE_WORD in b.text for b in blocks):
        page_title = _page_title(soup)
        if page_title:
            blocks.insert(0, Paragraph(page_title))
    return tuple(blocks)


def read_text_with_tables(text: str) -> tuple[Block, ...]:
    """Read text with HTML tables in it: the text by its own layouts, each <table> as a grid.

    Read as a web page, its line breaks would vanish and every paragraph would run into one.
    """
    blocks: list[Block] = []
    position = 0
    for match in HTML_TABLE.finditer(text):
        blocks.extend(text_to_blocks(text[position:match.start()]))
        table = BeautifulSoup(match.group(), "lxml").table
        if table is not None:
            blocks.append(_grid(table))
        position = match.end()
    blocks.extend(text_to_blocks(text[position:]))
    return tuple(blocks)


def _find_title(body: Tag, tables: list[Tag]) -> Tag | None:
    """The block holding the report title: short text naming the 年度报告, not a link or menu entry.

    Breadcrumbs and sidebars name the report too, so a title outside site furniture wins, then
    one in a heading (h1–h6 or a "title" class), then the first. Furniture that holds the report
    tables is not furniture here: old portals wrap the whole page in a <form>.
    """
    candidates: list[Tag] = []
    for string in body.find_all(string=lambda s: _TITLE_WORD in s):
        if string.find_parent(["a", "li", "option", *_CODE_TAGS]):
            continue
        holder = string.parent
        while holder.name not in _BLOCK_TAGS and holder.parent is not None:
            holder = holder.parent
        if len(normalize_space(holder.get_text())) <= _TITLE_MAX_CHARS:
            candidates.append(holder)

    def in_furniture(tag: Tag) -> bool:
        return any(
            _is_junk(a) and not any(_holds(a, t) for t in tables) for a in (tag, *tag.parents)
        )

    def heading(tag: Tag) -> bool:
        return tag.name in _HEADING_TAGS or "title" in _names(tag).lower()

    ranked = sorted(candidates, key=lambda tag: (in_furniture(tag), not heading(tag)))
    return ranked[0] if ranked else None


def _is_report_table(table: Tag) -> bool:
    """A leaf table (one holding tables is page layout, as on old portals) with report words."""
    return table.find("table") is None and bool(_REPORT_TABLE.search(table.get_text()))


def _report_root(body: Tag, title: Tag | None, tables: list[Tag]) -> Tag:
    """The smallest element holding the title and every report table; the body when unsure."""
    if title is None or not tables:
        return body
    for candidate in (title, *title.parents):
        if all(_holds(candidate, t) for t in tables):
            return candidate
    return body


def _holds(ancestor: Tag, tag: Tag) -> bool:
    """True if ``tag`` is ``ancestor`` or inside it (by identity: bs4's == compares markup)."""
    return tag is ancestor or any(parent is ancestor for parent in tag.parents)


def _names(tag: Tag) -> str:
    return " ".join([*(tag.get("class") or []), str(tag.get("id") or "")])


def _is_junk(tag: Tag) -> bool:
    """Site furniture by tag, by class/id words, or hidden by style."""
    if tag.name in _JUNK_TAGS or _HIDDEN.search(str(tag.get("style") or "")):
        return True
    return bool(_JUNK_NAME.search(_names(tag)))


def _walk(root: Tag) -> Iterator[Block]:
    """Yield blocks in page order: block-level elements and <br> end a paragraph.

    Iterative, not recursive: a page nested a few thousand <div>s deep must not crash the reader.
    """
    buffer: list[str] = []
    stack: list[PageElement | None] = [root]  # None marks the end of a block-level element
    while stack:
        node = stack.pop()
        if isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, doctypes, CDATA
                buffer.append(str(node))
        elif node is None or node.name == "br":
            yield from _flush(buffer)
        elif node.name == "table" and node.find("table") is None:  # a layout table is walked into
            yield from _flush(buffer)
            table = _grid(node)
            if table.rows:
                yield table
        else:
            if node.name in _BLOCK_TAGS or node.name == "table":
                yield from _flush(buffer)
                stack.append(None)
            stack.extend(reversed(node.contents))
    yield from _flush(buffer)


def _flush(buffer: list[str]) -> Iterator[Paragraph]:
    text = normalize_space("".join(buffer))
    buffer.clear()
    if text:
        yield Paragraph(text)


def _grid(table: Tag) -> Table:
    """Expand rowspan/colspan into a full grid: text at the origin cell, "" where it spans."""
    grid: dict[tuple[int, int], str] = {}
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    for r, tr in enumerate(rows):
        c = 0
        for cell in tr.find_all(["td", "th"], recursive=False):
            while (r, c) in grid:
                c += 1
            rowspan = min(_span(cell, "rowspan"), len(rows) - r)
            colspan = _span(cell, "colspan")
            for dr in range(rowspan):
                for dc in range(colspan):
                    grid[(r + dr, c + dc)] = ""
            grid[(r, c)] = _cell_text(cell)
            c += colspan
    if not grid:
        return Table(rows=(), grid=True)
    width = max(c for _, c in grid) + 1
    return Table(
        rows=tuple(tuple(grid.get((r, c), "") for c in range(width)) for r in range(len(rows))),
        grid=True,
    )


def _span(cell: Tag, attribute: str) -> int:
    value = re.match(r"\s*(\d+)", str(cell.get(attribute) or ""))
    return min(max(int(value.group(1)), 1), _MAX_SPAN) if value else 1


def _cell_text(cell: Tag) -> str:
    for junk in cell.find_all(["script", "style"]):
        junk.decompose()
    return normalize_space(cell.get_text())


def _page_title(soup: BeautifulSoup) -> str | None:
    """The report title from <title>, without the site name: "X年度报告_XX市人民政府" → "X年度报告"."""
    if soup.title is None:
        return None
    for part in _TITLE_SEPARATORS.split(soup.title.get_text()):
        part = normalize_space(part)
        if "年度报告" in part:
            return part
    return None
