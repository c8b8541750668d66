"""Map the rows of the three standard tables to field codes, by their labels.

A row is identified by its printed label (matched against the lexicon), a column by its header,
never by position alone: text copied out of Word loses empty cells, so a row may have one cell
fewer than its header (seed 004). Such a gap is placed where the table's own arithmetic
(standard-format.md, 勾稽关系) says it is, and the cell that fills it is flagged as inferred.
"""
from __future__ import annotations

import re
import itertools
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Iterable, TypeVar

from index.lexicon import FieldDef, Lexicon
from index.numbers import is_blank, is_numeric_cell, normalize, parse_number
from index.report import Cell, RawRow
from index.rules import APPLICANT_ORDER, HANDLING_CATEGORIES, OUTCOME_ORDER, REVIEW_BLOCKS, block_sums, column_rules, row_sums
from index.splits import splits

Row = tuple[str, ...]
T = TypeVar("T")
GridRow = tuple[Row, bool]  # a row and whether its table has reliable column positions

_NUMBERING = re.compile(r"^(?:[（(]?[一二三四五六七八九十]+[)）、.．]|[（(]?\d{1,2}[)）、.．])+")
_OUTCOME_WORDS = (("维持", "upheld"), ("纠正", "corrected"), ("其他", "other"), ("审结", "pending"), ("总计", "total"), ("合计", "total"))


def strip_numbering(label: str) -> str:
    """Drop leading list numbering such as 三、 (一) 1. from a normalized label."""
    return _NUMBERING.sub("", label)


_ITEM_NUMBER = re.compile(r"^\d{1,2}\s*[.．、]")
_ITEM_AFTER = re.compile(r"\d\s*[.．、]\s*[\u4e00-\u9fff]")
_LABEL_LIKENESS = 0.8  # 其他法律行政止公开 vs 其他法律行政法规禁止公开: 0.86; unrelated rows stay below 0.6


def closest_label(label: str, official: dict[str, T]) -> T | None:
    """The row whose official label a slipped label (OCR, typo) is clearly closest to, or None.

    Only when no printed phrase matched: a label at least 80% like one official label, and
    clearly closer to it than to any other.
    """
    if len(label) < 4:
        return None
    scores = sorted(((SequenceMatcher(None, label, name).ratio(), name) for name in official), reverse=True)
    if not scores or scores[0][0] < _LABEL_LIKENESS or (len(scores) > 1 and scores[0][0] - scores[1][0] < 0.1):
        return None
    return official[scores[0][1]]


@dataclass
class _ValueRow:
    field: str
    label: str
    values: list[float | None]
    raws: list[str]
    inferred: set[int] = field(default_factory=set)
    gap_numbers: list[tuple[float, str]] | None = None  # a short row still to be placed
    split_options: list[list[str]] | None = None  # numbers run together: the cuts its own sum allows
    split: bool = False  # the row's cells were cut out of numbers run together
    guessed: bool = False  # fewer numbers than columns: which column each belongs to is a guess


def _number(raw: str, blank_is_zero: bool) -> float | None:
    value = parse_number(raw)
    if value is None and blank_is_zero and is_blank(raw):
        return 0.0
    return value


def _column_sum(values: list[float | None], *, skip_blank: bool = False) -> float | None:
    """The sum of one column's values; None when one is blank (or, skipping blanks, all are)."""
    present = [v for v in values if v is not None]
    if not present or (len(present) < len(values) and not skip_blank):
        return None
    return sum(present)


def _unplaced(row: Row) -> str:
    """The reason to flag a kept row: "unplaced" when it holds numbers no cell took."""
    return "unplaced" if any(parse_number(c) is not None for c in row) else ""


def _label_cells(row: Row) -> list[int]:
    return [i for i, c in enumerate(row) if c.strip() and not is_numeric_cell(c)]


def _strip_blanks(cells: list[str]) -> list[str]:
    start, end = 0, len(cells)
    while start < end and is_blank(cells[start]):
        start += 1
    while end > start and is_blank(cells[end - 1]):
        end -= 1
    return cells[start:end]


def _phrase_matches(phrase: str, cell: str) -> bool:
    # A short phrase such as 其他 names a row only when it is the whole label (3.其他),
    # not when it occurs inside another label (不计其他情形).
    if len(phrase) <= 2:
        return strip_numbering(cell) == phrase
    return phrase in cell


# ---------------------------------------------------------------- table 三
_REMEMBERED_LABELS = 10_000


@lru_cache(maxsize=4)
def _rows_named(lexicon: Lexicon) -> dict[tuple[tuple[str, ...], str | None], FieldDef | None]:
    """Table 三 rows already found by their label cells and parent row, for one lexicon."""
    return {}


class _RequestsTable:
    """Table 三: rows are request categories, columns the applicant types plus the total."""

    width = len(APPLICANT_ORDER)

    def __init__(self, lexicon: Lexicon, blank_is_zero: bool) -> None:
        self.lexicon = lexicon
        self.blank_is_zero = blank_is_zero
        self.fields = [f for f in lexicon.fields if f.table == "requests" and f.printed]
        self.parents = {f.code.rsplit(".", 1)[-1]: f for f in self.fields if f.parent == "handled" and f.derived}

    def _match(self, cells: list[str], parent: str | None) -> FieldDef | None:
        """The row a label names, remembered per lexicon: the same labels recur in every report."""
        key = (tuple(cells), parent)
        known = _rows_named(self.lexicon)
        if key not in known:
            if len(known) >= _REMEMBERED_LABELS:
                known.clear()
            known[key] = self._find_row(cells, parent)
        return known[key]

    def _find_row(self, cells: list[str], parent: str | None) -> FieldDef | None:
        """The row a label names: by printed phrase in its last cell, else by likeness of that
        cell to an official label (a slip), else by printed phrase in all its cells together."""
        official = {f.label.split("：")[-1]: f for f in self.fields}
        found = (self._phrase_match(cells[-1], parent) or closest_label(strip_numbering(cells[-1]), official)
                 or self._phrase_match("".join(cells), parent))
        if found is not None and found.derived and _ITEM_AFTER.search("".join(cells).split(found.printed[0], 1)[-1]):
            # （六）其他处理 1.申请人无正当理由逾期不 — an item cut short, not the category.
            return None
        return found

    def _phrase_match(self, cell: str, parent: str | None) -> FieldDef | None:
        best: tuple[int, int, FieldDef] | None = None
        for f in self.fields:
            for phrase in f.printed:
                # A short label (其他, 总计) names a row only under its own parent row, or
                # with an item's number (3.其他: only (六)'s items reach 3 with that name);
                # a longer one (属于国家秘密) is enough alone, even when a broken layout
                # lost the parent's label.
                if f.parent in self.parents and parent != f.parent and len(phrase) <= 2 \
                        and not _ITEM_NUMBER.match(cell):
                    continue
                if _phrase_matches(phrase, cell):
                    # An item beats its category in one merged cell: （四）无法提供1.本机关不掌握….
                    key = (f.code.count("."), len(phrase), f)
                    if best is None or key[:2] > best[:2]:
                        best = key
        return best[2] if best else None

    def _update_parent(self, cells: list[str], parent: str | None) -> str | None:
        for cell in cells:
            if "办理结果" in cell:
                parent = "handled"
            for key, f in self.parents.items():
                if any(p in cell for p in f.printed):
                    parent = key
        return parent

    def parse(self, rows: list[GridRow]) -> tuple[list[Cell], list[RawRow]]:
        value_rows: list[_ValueRow] = []
        raw_rows: list[RawRow] = []
        header_rows: list[Row] = []
        parent: str | None = None
        seen: set[str] = set()
        start = self._grid_start(rows)
        for row, grid in rows:
            labels = _label_cells(row)
            if not labels:
                if any(c.strip() for c in row):
                    raw_rows.append(RawRow("requests", row, reason=_unplaced(row)))
                continue
            label_cells = [normalize(row[i]) for i in labels]
            parent = self._update_parent(label_cells, parent)
            after = list(row[labels[-1] + 1:])
            if not any(parse_number(c) is not None for c in after):
                if not value_rows:
                    header_rows.append(row)
                continue
            f = self._match(label_cells, parent)
            if f is None or f.code in seen:
                raw_rows.append(RawRow("requests", row, reason="" if f else _unplaced(row)))
                continue
            seen.add(f.code)
            if grid and start is not None and labels[-1] < start:
                after = list(row[start:start + self.width])
            read = self._values(f.code, "".join(label_cells), after, grid and start is not None)
            if read is None:
                raw_rows.append(RawRow("requests", row, reason="ambiguous_split"))
            else:
                value_rows.append(read)
        if any(vr.split_options for vr in value_rows):
            # Numbers that ran together are cut by the columns' sums, and a row short of a cell
            # is placed by the same sums: with both in one table neither has whole columns to go
            # by, and a guessed gap stored shifted numbers as printed. The short rows stay raw.
            for vr in [vr for vr in value_rows if vr.gap_numbers is not None]:
                value_rows.remove(vr)
                raw_rows.append(RawRow("requests", (vr.label, *(raw for _, raw in vr.gap_numbers)), reason="unplaced"))
        self._place_gaps(value_rows)
        for vr in self._place_splits(value_rows):
            value_rows.remove(vr)
            raw_rows.append(RawRow("requests", (vr.label, *vr.raws), reason="ambiguous_split"))
        self._zero_blanks(value_rows)
        order = self._applicant_order(header_rows, start)
        fdefs = {vr.field: self.lexicon.field(vr.field) for vr in value_rows}
        cells = [
            Cell(
                table="requests",
                field=vr.field,
                label=fdefs[vr.field].label,
                applicant=order[i],
                value=vr.values[i],
                unit=fdefs[vr.field].unit,
                raw=vr.raws[i],
                row_label=vr.label,
                inferred=i in vr.inferred,
                method=("derived" if i == self.width - 1 else "inferred") if i in vr.inferred
                else "inferred" if vr.guessed and vr.values[i] is not None else "split" if vr.split else "printed",
            )
            for vr in value_rows
            for i in range(self.width)
        ]
        return cells, raw_rows

    def _grid_start(self, rows: list[GridRow]) -> int | None:
        starts: Counter[int] = Counter()
        for row, grid in rows:
            labels = _label_cells(row)
            if not grid or not labels:
                continue
            numeric = [i for i in range(labels[-1] + 1, len(row)) if parse_number(row[i]) is not None]
            if len(numeric) == self.width:
                starts[numeric[0]] += 1
        return starts.most_common(1)[0][0] if starts else None

    def _values(self, code: str, label: str, after: list[str], positional: bool) -> _ValueRow | None:
        """The row's cells; None when its numbers cannot be placed in the columns with certainty."""
        cells = after[: self.width] if positional else _strip_blanks(after)
        if positional:
            cells = cells + [""] * (self.width - len(cells))
        numbers = [c for c in cells if parse_number(c) is not None]
        if not positional and len(numbers) == len(cells) < self.width:
            options = splits(cells, self.width, total_after=self.width - 1)
            if options:
                return _ValueRow(code, label, [], list(cells), split_options=options)
        if not positional and len(cells) == self.width - 1 and len(numbers) == self.width - 1:
            return _ValueRow(code, label, [], [], gap_numbers=[(parse_number(c), c) for c in cells])
        if not positional and len(numbers) == len(cells) == 1:
            # 自然人 and 总计 only, run together (11, 2323): the same number twice, since with every
            # organisation column blank the total is the 自然人 column (1|8000018 is no reading).
            pairs = [cut for cut in splits(cells, 2) if cut[0] == cut[1]]
            cells = numbers = pairs[0] if len(pairs) == 1 else cells
        if not positional and len(numbers) == len(cells) == 2 and parse_number(cells[0]) <= parse_number(cells[1]):
            # Only 自然人 and 总计 filled, the other columns left empty (real-world.md): the two
            # numbers' columns are a guess, so both are flagged inferred.
            values = [parse_number(cells[0])] + [None] * (self.width - 2) + [parse_number(cells[1])]
            return _ValueRow(code, label, values, [cells[0]] + [""] * (self.width - 2) + [cells[1]], guessed=True)
        if not positional and len(cells) < self.width - 1:
            return None
        cells = (cells + [""] * self.width)[: self.width]
        return _ValueRow(code, label, [_number(c, self.blank_is_zero) for c in cells], list(cells))

    def _applicant_order(self, header_rows: list[Row], start: int | None) -> tuple[str, ...]:
        if start is None:
            return APPLICANT_ORDER
        found: dict[str, int] = {}
        for row in header_rows:
            for i, cell in enumerate(row):
                text = normalize(cell)
                for a in self.lexicon.applicants:
                    if a.code in APPLICANT_ORDER and a.code not in found and any(_phrase_matches(p, text) for p in a.printed):
                        found[a.code] = i
        columns = sorted(found.values())
        if len(found) == self.width and len(set(columns)) == self.width and columns[0] >= start:
            return tuple(sorted(found, key=found.__getitem__))
        return APPLICANT_ORDER

    def _zero_blanks(self, value_rows: list[_ValueRow]) -> None:
        """Blank applicant cells of a row whose printed cells already add up to its 总计 are 0.

        Portal pages leave the organisation columns empty (&nbsp;) where they mean 0; counts are
        never negative, so when the printed columns already make the total, every blank one is
        0. Filled in as inferred, never as printed.
        """
        for vr in value_rows:
            parts, total = vr.values[:-1], vr.values[-1] if vr.values else None
            blanks = [i for i, v in enumerate(parts) if v is None]
            if total is None or not blanks or len(blanks) == len(parts) and total != 0:
                continue
            if abs(sum(v for v in parts if v is not None) - total) < 1e-9:
                for i in blanks:
                    vr.values[i] = 0.0
                vr.inferred |= set(blanks)

    # -- numbers run together
    def _place_splits(self, value_rows: list[_ValueRow]) -> list[_ValueRow]:
        """Cut rows whose numbers ran together; return the rows no rule could settle.

        A row its own sum leaves one cut for takes it. Rows left with several are settled
        together by the column rules, only when one combination breaks fewer than any other.
        """
        pending = [vr for vr in value_rows if vr.split_options is not None]
        printed = {id(vr): list(vr.raws) for vr in pending}
        for vr in pending:
            vr.values = [parse_number(c) for c in vr.split_options[0]]
            vr.raws, vr.split = list(vr.split_options[0]), True
        open_rows = [vr for vr in pending if len(vr.split_options) > 1]
        combos = 1
        for vr in open_rows:
            combos *= len(vr.split_options)
        unsettled: list[_ValueRow] = []
        if open_rows and combos <= 20000:
            # The combination that breaks the fewest column rules, if no other breaks as few:
            # a rule the report breaks elsewhere (a misprinted 总计) leaves the others to decide.
            costs: dict[int, list[tuple[list[str], ...]]] = {}
            breaches = _BreachCount(value_rows)
            for choice in itertools.product(*(vr.split_options for vr in open_rows)):
                for vr, cut in zip(open_rows, choice):
                    vr.values = [parse_number(c) for c in cut]
                costs.setdefault(breaches.count(), []).append(choice)
            good = costs[min(costs)]
            if len(good) == 1:
                for vr, cut in zip(open_rows, good[0]):
                    vr.values, vr.raws = [parse_number(c) for c in cut], list(cut)
            else:
                unsettled = open_rows
        elif open_rows:
            unsettled = open_rows
        for vr in pending:
            vr.split_options = None
        for vr in unsettled:
            vr.raws = printed[id(vr)]
        return unsettled

    # -- gaps
    def _fill(self, vr: _ValueRow, gap: int) -> bool:
        numbers = vr.gap_numbers or []
        values = [n for n, _ in numbers]
        raws = [r for _, r in numbers]
        if gap == self.width - 1:
            inferred = sum(values)
        else:
            inferred = values[-1] - sum(values[:-1])
            if inferred < 0:
                return False
        vr.values = values[:gap] + [inferred] + values[gap:]
        vr.raws = raws[:gap] + [""] + raws[gap:]
        vr.inferred = {gap}
        return True

    def _place_gaps(self, value_rows: list[_ValueRow]) -> None:
        short = [vr for vr in value_rows if vr.gap_numbers is not None]
        if not short:
            return
        rows = (self.width, tuple((vr.field, tuple(vr.values), tuple(vr.gap_numbers or ())) for vr in value_rows))
        placed = _PLACED_GAPS.get(rows)
        if placed is None:
            self._choose_gaps(value_rows, short)
            placed = tuple(next(iter(vr.inferred)) for vr in short)
            if len(_PLACED_GAPS) >= _REMEMBERED_PLACEMENTS:
                _PLACED_GAPS.clear()
            _PLACED_GAPS[rows] = placed
        else:
            for vr, gap in zip(short, placed):
                self._fill(vr, gap)
        for vr in short:
            vr.gap_numbers = None

    def _choose_gaps(self, value_rows: list[_ValueRow], short: list[_ValueRow]) -> None:
        """Fill each short row's gap where the table's sums say it is (each row filled as chosen)."""
        breaches = _BreachCount(value_rows)
        # Try the same gap for every short row first (a converter drops the same column),
        # preferring the last organisation column when the arithmetic cannot tell.
        preference = list(range(self.width - 2, -1, -1)) + [self.width - 1]
        best_gap, best_cost = preference[0], None
        for gap in preference:
            if not all(self._fill(vr, gap) for vr in short):
                continue
            cost = breaches.count()
            if best_cost is None or cost < best_cost:
                best_gap, best_cost = gap, cost
        for vr in short:
            if not self._fill(vr, best_gap):
                self._fill(vr, self.width - 1)
        # Then let each row move its own gap where that alone makes the sums hold better
        # (nothing to gain when every sum already holds). The rows stand as last counted, at
        # best_cost, and each row's turn ends with them as counted in ``current``.
        current = best_cost
        for vr in short if best_cost else ():
            current_gap = next(iter(vr.inferred))
            for gap in preference:
                if gap != current_gap and self._fill(vr, gap):
                    cost = breaches.count()
                    if cost < current:
                        current_gap, current = gap, cost
                    else:
                        self._fill(vr, current_gap)


# Gap placements by the rows they were made for. A table is read up to three ways (index/align.py)
# and its own rows and the labels-first reading of its zone usually give the same rows to place:
# the second placement, a fifth of preparing a report whose rows lost a cell, is looked up.
_PLACED_GAPS: dict[tuple, tuple[int, ...]] = {}
_REMEMBERED_PLACEMENTS = 64


class _BreachCount:
    """How many of table 三's rules (index/rules.py) its rows as placed so far break.

    A category without its own row is the sum of its items' rows, and a missing 总计 row the
    sum of the categories: the same rules, so they still tell where a cell goes. Made once per
    placement and asked for every gap and cut tried. Each rule reads one row or one column, and
    a try changes a few: a row's and a column's breaches are counted once per set of values.
    """

    _REMEMBERED = 20_000  # column readings kept: a placement tries at most 20,000 cuts

    def __init__(self, value_rows: list[_ValueRow]) -> None:
        self.value_rows = value_rows
        self.fields = list({vr.field: None for vr in value_rows})
        items = {category: [i for i, f in enumerate(self.fields) if f.startswith(category + ".")]
                 for category in HANDLING_CATEGORIES if category not in self.fields}
        self.items = {category: rows for category, rows in items.items() if rows}  # rows by position
        self.handled_derived = "requests.handled" not in self.fields and all(
            c in self.fields or c in self.items for c in HANDLING_CATEGORIES)
        self.column = {a: i for i, a in enumerate(APPLICANT_ORDER)}
        self.rows_seen: dict[tuple[float | None, ...], int] = {}
        self.columns_seen: dict[tuple[int, tuple[float | None, ...]], int] = {}
        # Each field's values list as last counted, as a tuple, and its row's breaches: a try
        # gives one or two rows new lists (never changes a list in place), the others are reused.
        self.last: dict[str, tuple[list[float | None], tuple[float | None, ...], int]] = {}

    def count(self) -> int:
        """The number of broken rules: rows that do not add up, and column rules."""
        rows: list[tuple[float | None, ...]] = []
        broken = 0
        for field, values in {vr.field: vr.values for vr in self.value_rows}.items():
            last = self.last.get(field)
            if last is None or last[0] is not values:
                row = tuple(values)
                last = self.last[field] = (values, row, self._row(field, row))
            rows.append(last[1])
            broken += last[2]
        return broken + sum(self._column(col, column) for col, column in enumerate(zip(*rows)))

    def _row(self, field: str, row: tuple[float | None, ...]) -> int:
        """A row's broken sums; a row still short of cells (its run-together numbers not yet cut)
        reads its missing places as blank, where it used to crash the whole load."""
        found = self.rows_seen.get(row)
        if found is None:
            def cell(_field: str, applicant: str) -> float | None:
                place = self.column[applicant]
                return row[place] if place < len(row) else None
            found = self.rows_seen[row] = len(list(row_sums(cell, [field])))
        return found

    def _column(self, col: int, column: tuple[float | None, ...]) -> int:
        found = self.columns_seen.get((col, column))
        if found is None:
            values = dict(zip(self.fields, column))
            for category, items in self.items.items():
                values[category] = _column_sum([column[i] for i in items], skip_blank=True)
            if self.handled_derived:
                values["requests.handled"] = _column_sum([values[c] for c in HANDLING_CATEGORIES])
            found = len(list(column_rules(lambda field, _a: values.get(field), applicants=(APPLICANT_ORDER[col],))))
            if len(self.columns_seen) >= self._REMEMBERED:
                self.columns_seen.clear()
            self.columns_seen[col, column] = found
        return found


def parse_requests(rows: list[GridRow], lexicon: Lexicon, *, blank_is_zero: bool = False,
                   prose: str = "") -> tuple[list[Cell], list[RawRow]]:
    """Read table 三 (收到和处理政府信息公开申请情况) into cells keyed by field and applicant."""
    return _RequestsTable(lexicon, blank_is_zero).parse(rows)


# ---------------------------------------------------------------- table 二
_DEFAULT_ACTIVE_COLUMNS = {"rules": ("issued", "repealed", "in_force"), "normative": ("issued", "repealed", "in_force"), "fees": ("amount",)}


def _match_printed(text: str, names: Iterable) -> str | None:
    best: tuple[int, str] | None = None
    for name in names:
        for phrase in name.printed:
            if phrase in text and (best is None or len(phrase) > best[0]):
                best = (len(phrase), name.code)
    return best[1] if best else None


def _header_columns(text: str, lexicon: Lexicon) -> list[tuple[str | None, str]]:
    """The columns a table 二 header names, in order, each with its header text (for the unit).

    Works whether the header's cells were kept apart or ran together:
    本年制发件数本年废止件数现行有效件数 → issued, repealed, in_force.
    """
    phrases = sorted(((p, c.code) for c in lexicon.active_columns for p in c.printed), key=lambda pc: -len(pc[0]))
    found: list[tuple[int, int, str]] = []
    for phrase, code in phrases:
        start = text.find(phrase)
        while start >= 0:
            end = start + len(phrase)
            if not any(s < end and start < e for s, e, _ in found):
                found.append((start, end, code))
            start = text.find(phrase, end)
    found.sort()
    return [(code, text[start:found[i + 1][0] if i + 1 < len(found) else len(text)])
            for i, (start, _end, code) in enumerate(found)]


def _unit_of(header: str, default: str) -> str:
    if "万元" in header:
        return "万元"
    if re.search(r"单位[:：]?元", header):
        return "元"
    return default


def _column_words(code: str, lexicon: Lexicon) -> tuple[str, ...]:
    """Words the prose uses for one cell of table 二 (现行有效, 制发 …), from the lexicon."""
    if not lexicon.has_field(code):
        return ()
    groups = lexicon.field(code).need[0] if lexicon.field(code).need else ()
    return tuple(w for group in groups[1:] for w in group) or tuple(lexicon.field(code).boost)


def _confirmed_by_prose(item: str, columns: list[str], options: list[list[str]], prose: str,
                        lexicon: Lexicon) -> list[str] | None:
    """The one cut of a run-together table 二 row that the report's prose states, if any.

    现行有效规范性文件310件 supports every cut whose 现行有效 cell is 310; a cut is taken only when
    it alone has the most support.
    """
    names = next((i.printed for i in lexicon.active_items if i.code == item), ())
    sentences = [s for s in re.split(r"[。；;\n]", normalize(prose)) if any(n in s for n in names)]
    stated: dict[str, set[str]] = {}
    for column in columns:
        words = _column_words(f"{item}.{column}", lexicon)
        stated[column] = {m for s in sentences if any(w in s for w in words)
                          for m in re.findall(r"(\d+(?:\.\d+)?)(?=件|个|项|万元)", s)}
    support = [sum(1 for column, cell in zip(columns, cut) if cell in stated[column]) for cut in options]
    best = max(support, default=0)
    winners = [cut for cut, n in zip(options, support) if n == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


def parse_active(rows: list[GridRow], lexicon: Lexicon, *, blank_is_zero: bool = False,
                 prose: str = "") -> tuple[list[Cell], list[RawRow]]:
    """Read table 二 (主动公开政府信息情况): each block's header row names its columns."""
    cells: list[Cell] = []
    raw_rows: list[RawRow] = []
    columns: list[tuple[str | None, str]] | None = None
    seen: set[str] = set()
    for row, _grid in rows:
        labels = _label_cells(row)
        if not labels:
            if any(c.strip() for c in row):
                raw_rows.append(RawRow("active", row, reason=_unplaced(row)))
            continue
        texts = [normalize(row[i]) for i in labels]
        header = next((i for i in labels if "信息内容" in normalize(row[i])), None)
        if header is not None:
            text = normalize(row[header]).split("信息内容", 1)[1] + "".join(normalize(c) for c in row[header + 1:])
            columns = _header_columns(text, lexicon)
            continue
        if any("第二十条" in t for t in texts):
            columns = None
            continue
        label = texts[0]
        item = _match_printed(label, lexicon.active_items)
        after = list(row[labels[0] + 1:])
        if item is None or not any(parse_number(c) is not None for c in after):
            if item is None and any(parse_number(c) is not None for c in after):
                raw_rows.append(RawRow("active", row, reason=_unplaced(row)))
            continue
        cols = columns if columns is not None else []
        if not any(lexicon.has_field(f"{item}.{c}") for c, _ in cols):
            # No header, or a header left over from another block (the 2021 收费 row after the
            # 处罚 block's header): the item's own columns in the national format.
            cols = [(c, "") for c in _DEFAULT_ACTIVE_COLUMNS.get(item, ("decisions",))]
        while len(after) > len(cols) and is_blank(after[0]):
            after = after[1:]
        method = "printed"
        numbers = [c for c in after if c.strip()]
        if len(numbers) < len(cols) and all(parse_number(c) is not None for c in numbers):
            options = splits(numbers, len(cols))
            cut = options[0] if len(options) == 1 else _confirmed_by_prose(
                item, [c for c, _ in cols], options, prose, lexicon) if options else None
            if cut is None and (options or len(after) < len(cols)):
                # Fewer numbers than columns and no one way to place them (a blank dropped by a
                # text layout, cells run together, 39573802895.90元): nothing is stored as printed.
                raw_rows.append(RawRow("active", row, reason="ambiguous_split"))
                continue
            if cut is not None:
                after, method = cut, "split"
        mapped = False
        for (column, header_text), raw in zip(cols, after):
            code = f"{item}.{column}"
            if column is None or not lexicon.has_field(code) or code in seen:
                continue
            seen.add(code)
            mapped = True
            fdef = lexicon.field(code)
            cells.append(Cell(table="active", field=code, label=fdef.label, applicant=None,
                              value=_number(raw, blank_is_zero), unit=_unit_of(header_text, fdef.unit),
                              raw=raw, row_label=label, method=method))
        if not mapped:
            raw_rows.append(RawRow("active", row))
    return cells, raw_rows


# ---------------------------------------------------------------- table 四
def _review_layout(header_rows: list[Row]) -> list[str]:
    text = "".join(normalize(c) for row in header_rows for c in row)
    positions = {
        "review": text.find("行政复议"),
        "lawsuit.direct": max(text.find("直接起诉"), text.find("未经复议")),
        "lawsuit.after_review": text.find("复议后起诉"),
    }
    blocks = list(REVIEW_BLOCKS)
    if all(p >= 0 for p in positions.values()):
        blocks.sort(key=positions.__getitem__)
    outcomes: list[str] = []
    for row in header_rows:
        for cell in row:
            word = normalize(cell)
            for key, code in _OUTCOME_WORDS:
                if key in word:
                    outcomes.append(code)
                    break
    order = outcomes[:5] if sorted(outcomes[:5]) == sorted(OUTCOME_ORDER) else list(OUTCOME_ORDER)
    return [f"{block}.{outcome}" for block in blocks for outcome in order]


def _review_violations(values: list[float | None]) -> int:
    """How many blocks of table 四, its fifteen values in order, break their sum (index/rules.py)."""
    by_code = dict(zip((f"{b}.{o}" for b in REVIEW_BLOCKS for o in OUTCOME_ORDER), values))
    return len(list(block_sums(lambda field, _applicant: by_code.get(field))))


def parse_review(rows: list[GridRow], lexicon: Lexicon, *, blank_is_zero: bool = False,
                 prose: str = "") -> tuple[list[Cell], list[RawRow]]:
    """Read table 四 (行政复议、行政诉讼): three blocks of five outcomes, in header order."""
    header_rows = [row for row, _ in rows if _label_cells(row)]
    value_cells: list[str] = []
    grid = any(is_grid for _row, is_grid in rows)
    for row, is_grid in rows:
        labels = _label_cells(row)
        # A flattened page puts the header and the values on one line: the values follow the
        # last header word.
        values = list(row[labels[-1] + 1:]) if labels else list(row)
        if any(parse_number(c) is not None for c in values):
            value_cells.extend(values if is_grid else _strip_blanks(values))
    codes = _review_layout(header_rows)
    width = len(codes)
    if not value_cells:
        return [], []
    cells_text = _strip_blanks(value_cells) if len(value_cells) > width else value_cells
    inferred: int | None = None
    method = "printed"
    numbers = [parse_number(c) for c in cells_text]
    if len(cells_text) < width and None not in numbers:
        options = splits(cells_text, width, total_after=4)
        if len(options) > 1:
            return [], [RawRow("review", tuple(cells_text), reason="ambiguous_split")]
        if options:
            cells_text, method = options[0], "split"
            numbers = [parse_number(c) for c in cells_text]
    if len(cells_text) == width - 1 and None not in numbers:
        best: tuple[int, int, list[float | None]] | None = None
        for gap in range(width):
            block_start = gap - gap % 5
            values: list[float | None] = numbers[:gap] + [0.0] + numbers[gap:]
            block = values[block_start:block_start + 5]
            rest = sum(v for i, v in enumerate(block) if i != gap % 5 and v is not None)
            values[gap] = rest if gap % 5 == 4 else (block[4] or 0) - rest
            if values[gap] < 0:
                continue
            cost = _review_violations(values)
            if best is None or cost < best[0]:
                best = (cost, gap, values)
        if best is not None:
            inferred = best[1]
            cells_text = cells_text[:inferred] + [""] + cells_text[inferred:]
            numbers = best[2]
    elif len(cells_text) < width - 1 and not grid:
        # Fewer values than cells in text that keeps no positions (only the three 总计 printed,
        # blanks dropped): which cell each belongs to is unknown, so none is stored.
        return [], [RawRow("review", tuple(cells_text), reason="unplaced")]
    else:
        cells_text = (cells_text + [""] * width)[:width]
        numbers = [_number(c, blank_is_zero) for c in cells_text]
    label = "行政复议、行政诉讼"
    cells = [
        Cell(table="review", field=code, label=lexicon.field(code).label, applicant=None, value=numbers[i],
             unit=lexicon.field(code).unit, raw=cells_text[i], row_label=label, inferred=i == inferred,
             method="inferred" if i == inferred else method)
        for i, code in enumerate(codes)
    ]
    return cells, []
