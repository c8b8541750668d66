"""Place one table's numbers into the national template, whatever layout the file had.

The same table can reach the parser in three shapes: rows as the reader found them (a real grid,
tab rows, Markdown rows), or the table's zone read as one stream of labels and numbers, paired
labels-first or numbers-first (PDF text prints a row's values before its label). Each shape is
read by the same table reader (index/tables.py) and the reading that places the most printed
cells while breaking the fewest of the report's own rules wins; on a tie the reader's own rows
win, so a clean file is read exactly as it is printed.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from index.checks import broken_rules
from index.lexicon import Lexicon
from index.report import Cell, RawRow
from index.stream import rebuild_rows, tokens
from index.tables import GridRow, parse_active, parse_requests, parse_review

TABLE_OF_KIND = {2: "active", 3: "requests", 4: "review"}
_READERS: dict[str, Callable] = {"active": parse_active, "requests": parse_requests, "review": parse_review}


def _spaced(*words: str) -> str:
    """A pattern for any of the words, white space allowed between their characters."""
    return "|".join(r"\s*".join(map(re.escape, word)) for word in words)


# Where a table's zone starts: text before it (prose of the same section) is not the table.
# Characters may be split by white space (a vertical header printed one character a line).
_STARTS = {
    "active": re.compile(_spaced("第二十条", "信息内容")),
    "requests": re.compile(_spaced("申请人情况", "自然人", "本年新收")),
    "review": re.compile(rf"(?:{_spaced('行政复议')})(?=(?:\s*\S){{0,40}}?\s*(?:{_spaced('维持')}))"),
}


_REVIEW_WORDS = ("行政复议", "维持", "纠正", "审结", "总计")
# A line that starts with a value: 12, 0.35 (not a row's numbering: 1.属于国家秘密, 3、).
_VALUE_FIRST = re.compile(r"^\s*\d+(?:\.\d+)?(?:\s|$)", re.MULTILINE)


def _values_may_lead(zone: str) -> bool:
    """Whether the zone may print a row's values before its label, as PDF text does.

    Such a row then starts a line with a value, so a zone of several lines none of which does is
    read labels first only: the numbers-first reading, a third of preparing a report whose rows
    lost a cell, could not win. One line (a page flattened) may be either.
    """
    text = zone.strip()
    return "\n" not in text or _VALUE_FIRST.search(text) is not None


def table_start(text: str, table: str) -> int | None:
    """Where a table's zone starts in a text, or None when the text holds no such table."""
    match = _STARTS[table].search(text)
    return match.start() if match else None


def row_names(table: str, lexicon: Lexicon) -> dict[str, str]:
    """Each printed phrase of the table's rows and the row it names (table 四's rows have none)."""
    if table == "active":
        return {p: item.code for item in lexicon.active_items for p in item.printed}
    return {p: f.code for f in lexicon.fields if f.table == table for p in f.printed}


def row_phrases(table: str, lexicon: Lexicon) -> tuple[str, ...]:
    """The printed phrases that name a row of the table."""
    return tuple(row_names(table, lexicon))


def category_phrases(table: str, lexicon: Lexicon) -> frozenset[str]:
    """Phrases that name a category row of table 三 (不予公开 …), weaker than its items' names."""
    return frozenset(p for f in lexicon.fields if f.table == table and f.derived for p in f.printed)


def _quality(reading: tuple[list[Cell], list[RawRow]], lexicon: Lexicon) -> tuple[int, int, int]:
    """Cells placed as printed, half for each cell placed by inference, less a price for each
    broken rule;
    then rows recognised but kept raw (a table found and flagged beats a table not found)."""
    cells, raw_rows = reading
    printed = sum(1 for c in cells if not c.derived and c.value is not None and c.method in ("printed", "split"))
    guessed = sum(1 for c in cells if c.method in ("inferred", "derived") and not c.derived)
    broken = broken_rules(cells, lexicon)
    flagged = sum(1 for r in raw_rows if r.reason)
    return printed + guessed / 2 - 4 * broken, -broken, flagged


# Printed cells of a table read whole: 2021 table 三 with (六) as one row has 23 rows of 7;
# table 二 has at least its ten 2021 cells; table 四 has fifteen.
_WHOLE = {"requests": 23 * 7, "active": 10, "review": 15}


def _complete(reading: tuple[list[Cell], list[RawRow]], table: str, lexicon: Lexicon) -> bool:
    """Whether the reader's own rows already gave the whole table, every cell printed and every
    rule holding: then no other reading can do better, and none is tried (loading stays fast)."""
    cells, raw_rows = reading
    printed = [c for c in cells if not c.derived]
    return (len(printed) >= _WHOLE[table] and all(c.method == "printed" for c in printed)
            and not any(r.reason for r in raw_rows)
            and not broken_rules(cells, lexicon))


def align_table(table: str, rows: list[GridRow], zone: str, lexicon: Lexicon, *, blank_is_zero: bool = False,
                prose: str = "") -> tuple[list[Cell], list[RawRow]]:
    """Read one of tables 二/三/四 from its rows and its zone's text; return cells and raw rows."""
    read = _READERS[table]
    candidates = [read(rows, lexicon, blank_is_zero=blank_is_zero, prose=prose)]
    start = table_start(zone, table)
    if start is not None and not _complete(candidates[0], table, lexicon):
        phrases = row_phrases(table, lexicon)
        # Table 三's rows are numbered, so run-together words are cut at the numbers; table 二's
        # rows have no numbers and are cut before their names.
        cut_at = phrases if table == "active" else ()
        # Table 四 names no rows, but its header words still mark where digits meet words.
        stream = tokens(zone[start:], phrases or _REVIEW_WORDS, cut_at)
        weak = category_phrases(table, lexicon)
        # Only text broken into lines (PDF text, converters) can put a label away from its
        # numbers; a page flattened to one line keeps each row's label right before them.
        alone = {p: row for p, row in row_names(table, lexicon).items() if p not in weak and len(p) > 2} \
            if "\n" in zone[start:].strip() else {}
        for labels_first in (True, False) if _values_may_lead(zone[start:]) else (True,):
            rebuilt = [(row, False) for row in rebuild_rows(stream, phrases, labels_first=labels_first,
                                                            weak=weak, alone=alone)]
            candidates.append(read(rebuilt, lexicon, blank_is_zero=blank_is_zero, prose=prose))
    if len(candidates) == 1:  # nothing to weigh it against
        return candidates[0]
    best = max(range(len(candidates)), key=lambda i: (_quality(candidates[i], lexicon), -i))
    return candidates[best]

