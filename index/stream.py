"""Rebuild table rows from a stream of labels and numbers, whatever the line structure was.

Flattened portal pages put a whole table on one line; PDF text prints a row's values before its
label and breaks labels over lines; converters invent headers and cut tables into mini-tables.
What survives all of these is the order of labels and numbers. This module turns the text of one
table's zone into that stream, then pairs each row label of the national template with the
numbers next to it — after it (``labels_first``) or before it (PDF text) — and returns plain
rows, the same shape every other layout gives the table readers in index/tables.py.

Example: ``规章 0 0 5 行政规范性文件1264310`` → ``("规章", "0", "0", "5")``,
``("行政规范性文件", "1264310")`` (the run-together number is split later, by arithmetic).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.numbers import normalize, parse_number

Row = tuple[str, ...]

# Page furniture inside tables: "— 3 —", "- 12 -", "第 3 页", "共 12 页".
FOOTER = re.compile(r"(?<!\S)[—–－\-]{1,2}\s*\d{1,3}\s*[—–－\-]{1,2}(?!\S)|第\s*\d{1,3}\s*页|共\s*\d{1,3}\s*页")
_SPLIT = re.compile(r"[\s|｜\u3000]+")
_RULE = re.compile(r"^[:：\-—=_]{3,}$")
_BLANK_MARK = {"-", "—", "–", "/", "／", "--", "——"}
# An invented column header of a converter: 数据1, 列2, Column3, col 4.
_INVENTED = re.compile(r"^(?:数据|列|栏|Column|column|col|Col)\s*\d{1,2}$")
# List numbering glued to a label: 1.属于国家秘密, 2、重复申请, (3)其他 — not a number.
_NUMBERING_DIGITS = re.compile(r"(?<![\d.])\d{1,2}(?=[.．、]\s*[\u4e00-\u9fff])|[（(]\d{1,2}[)）]")
# A block header inside table 二: what comes before it belongs to another block.
_BLOCK_HEADER = re.compile(r"第二十条|信息内容")
# A value run glued to the next row's numbered label: 1000001三、本年度办理结果, 0（七）总计.
_NUMBER_THEN_LABEL = re.compile(r"(?<=\d)(?=[一二三四五六七八九十]{1,2}、|[（(][一二三四五六七八九十]{1,2}[)）])")
_DIGIT_RUN = re.compile(r"-?\d[\d,，.]*\d|-?\d")  # a minus sign is the number's (本年增/减 -15)


@dataclass(frozen=True)
class Token:
    """One label or number of the stream, as printed."""

    text: str
    number: bool


def _is_number(text: str) -> bool:
    return parse_number(text) is not None or text in _BLANK_MARK


# A list number glued to the value run before it: 00000002.其他法律… is 0000000 then 2.其他法律….
_NUMBER_THEN_ITEM = re.compile(r"(?<=\d)(?=\d[.．、]\s*[\u4e00-\u9fff])")


# The start of a numbered row label inside run-together words: （一） 三、 2. (not 第（一）项).
_LABEL_NUMBER = re.compile(r"(?<!第)(?:[（(][一二三四五六七八九十]{1,2}[)）]|[一二三四五六七八九十]{1,2}、|\d{1,2}[.．、](?=[\u4e00-\u9fff]))")


def _label_cuts(text: str, phrases: tuple[str, ...]) -> list[str]:
    """Cut run-together words before every row label in them.

    A numbered label starts at its number (三、本年度办理结果（一）予以公开 → 三、本年度办理结果 |
    （一）予以公开); words with no number before them are cut before each row name
    (…现行有效件数规章 → …现行有效件数 | 规章). A numbered label is never cut inside
    (1.属于国家秘密 stays whole).
    """
    starts = sorted({0} | {m.start() for m in _LABEL_NUMBER.finditer(text)})
    pieces: list[str] = []
    for begin, end in zip(starts, starts[1:] + [len(text)]):
        segment = text[begin:end]
        if not segment:
            continue
        if _LABEL_NUMBER.match(segment) or not phrases:
            pieces.append(segment)
            continue
        taken: list[tuple[int, int]] = []
        for phrase in sorted(phrases, key=len, reverse=True):
            at = segment.find(phrase)
            while at >= 0:
                if not any(s < at + len(phrase) and at < e for s, e in taken):
                    taken.append((at, at + len(phrase)))
                at = segment.find(phrase, at + len(phrase))
        cuts = sorted({0} | {at for at, _ in taken}) + [len(segment)]
        pieces.extend(segment[a:b] for a, b in zip(cuts, cuts[1:]) if segment[a:b])
    return pieces


def _pieces(token: str, phrases: tuple[str, ...], cut_at: tuple[str, ...]) -> list[Token]:
    """Split a token where digits are glued to table labels: 行政规范性文件1264310规章000."""
    if _is_number(token):
        return [Token(token, True)]
    compact = normalize(token)
    if not any(p in compact for p in phrases):
        return [Token(token, False)]
    compact = _NUMBER_THEN_ITEM.sub(" ", compact)
    masked = _NUMBERING_DIGITS.sub(lambda m: "#" * len(m.group(0)), compact)
    out: list[Token] = []
    last = 0

    def words(text: str) -> None:
        for part in text.split():
            out.extend(Token(piece, False) for piece in _label_cuts(part, cut_at))

    for match in _DIGIT_RUN.finditer(masked):
        if match.start() > last:
            words(compact[last:match.start()])
        out.append(Token(compact[match.start():match.end()], True))
        last = match.end()
    if last < len(compact):
        words(compact[last:])
    return out


def tokens(text: str, phrases: tuple[str, ...], cut_at: tuple[str, ...] = ()) -> list[Token]:
    """Turn a table zone's text into labels and numbers, dropping page furniture.

    ``phrases`` name the table's rows; a token holding one is split where digits meet words,
    and its words are cut before each of ``cut_at`` (the row names safe to cut at).
    """
    out: list[Token] = []
    text = _NUMBER_THEN_LABEL.sub(" ", FOOTER.sub(" ", text))
    for raw in _SPLIT.split(text):
        raw = raw.strip("*")
        if not raw or _RULE.match(raw) or _INVENTED.match(raw):
            continue
        out.extend(_pieces(raw, phrases, cut_at))
    return out


def _runs(stream: list[Token]) -> list[tuple[bool, list[str]]]:
    runs: list[tuple[bool, list[str]]] = []
    for token in stream:
        if runs and runs[-1][0] == token.number:
            runs[-1][1].append(token.text)
        else:
            runs.append((token.number, [token.text]))
    return runs


@lru_cache(maxsize=8192)  # asked for every span of every label run, of every reading
def _names_row(text: str, phrases: tuple[str, ...]) -> bool:
    compact = normalize(text)
    return any(p in compact for p in phrases if len(p) > 2) or any(
        re.sub(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]", "", compact) == p for p in phrases if len(p) <= 2)


def _split_label(labels: list[str], phrases: tuple[str, ...], weak: frozenset[str], *,
                 at_end: bool) -> tuple[list[str], list[str]]:
    """Split a run of label tokens into (header words, the row's label).

    With ``at_end`` the row label is the shortest suffix that names a template row (labels
    before their numbers); otherwise the shortest prefix (numbers before their label). A span
    naming only a category row (``weak``: 不予公开 …) gives way to one naming an item of it:
    ``（三）不予公开 1.属于国家秘密`` after its numbers is the 国家秘密 row.
    """
    n = len(labels)
    spans = [(n - k, n) for k in range(1, n + 1)] if at_end else [(0, k) for k in range(1, n + 1)]
    strong = tuple(p for p in phrases if p not in weak)
    found = [(start, end) for start, end in spans if _names_row("".join(labels[start:end]), phrases)]
    if not found:
        return labels, []
    start, end = found[0]
    if not _names_row("".join(labels[start:end]), strong):
        if not at_end and end < n and _names_row("".join(labels[end:]), strong):
            inner = _split_label(labels[end:], phrases, weak, at_end=False)
            return labels[:end] + inner[0], inner[1]
    if at_end:
        return labels[:start], ["".join(labels[start:end])]
    return labels[end:], ["".join(labels[start:end])]


def _rows_named(text: str, alone: dict[str, str]) -> set[str]:
    compact = normalize(text)
    return {row for phrase, row in alone.items() if phrase in compact}


def rebuild_rows(stream: list[Token], phrases: tuple[str, ...], *, labels_first: bool = True,
                 weak: frozenset[str] = frozenset(), alone: dict[str, str] | None = None) -> list[Row]:
    """Pair each template row label with its numbers; header words become rows of their own.

    Numbers next to words that name no row (the values of table 四 after its header) stay on a
    row of their own, so a table whose values have no labels still sees them. Where one run of
    words names two rows (``alone`` maps the names that are a row by themselves to that row:
    属于三类内部事务信息, 本机关不掌握相关政府信息) but only one run of numbers stands beside it,
    nobody can tell whose numbers they are: the label and the numbers are kept apart, so the
    numbers stay raw.
    """
    runs = _runs(stream)
    rows: list[Row] = []
    orphan = 0 if labels_first else len(runs) - 1  # a number run with no label on its side
    if runs and runs[orphan][0]:
        rows.append(tuple(runs[orphan][1]))
    for i, (is_number, texts) in enumerate(runs):
        if is_number:
            continue
        neighbour = i + 1 if labels_first else i - 1
        numbers = runs[neighbour][1] if 0 <= neighbour < len(runs) and runs[neighbour][0] else []
        rest, label = _split_label(texts, phrases, weak, at_end=labels_first)
        # Only words after the last block header can own the numbers: in 行政强制 第二十条第（八）项
        # … 行政事业性收费 0, the 0 is the fee's (行政强制 was left blank in the block before).
        beside = _BLOCK_HEADER.split("".join(rest))[-1]
        if label and beside and alone and _rows_named(beside, alone) - _rows_named(label[0], alone):
            row = [tuple(label)] + ([tuple(numbers)] if numbers else [])
        else:
            row = [tuple(label) + tuple(numbers)] if label or numbers else []
        rows.extend([tuple(rest)] + row if labels_first and rest else row + ([tuple(rest)] if rest else []))
    if not labels_first and rows and runs and runs[orphan][0]:
        rows.append(rows.pop(0))
    return rows
