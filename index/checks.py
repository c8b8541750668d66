"""Derived cells and the report's own consistency rules (勾稽关系, standard-format.md).

Derived values (legal_persons, subtotals, lawsuit sums) are computed, labelled as derived and
list their inputs. Broken rules become findings that name the rule, the cells and the numbers;
the printed numbers are never changed to make a rule hold.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from index.lexicon import FieldDef, Lexicon
from index.numbers import has_exponent
from index.report import Cell, Finding
from index.rules import APPLICANT_ORDER, Breach, Getter, block_sums, column_rules, row_sums

_ORG_COLUMNS = APPLICANT_ORDER[1:6]
_Part = TypeVar("_Part")  # what _add_sums adds up: cells, or their values


def _index(cells: list[Cell]) -> dict[tuple[str, str | None], Cell]:
    return {(c.field, c.applicant): c for c in cells}


def _sum_cell(template: Cell, field: str, label: str, applicant: str | None, parts: list[Cell]) -> Cell | None:
    present = [p for p in parts if p.value is not None]
    if not present:
        return None
    return Cell(
        table=template.table, field=field, label=label, applicant=applicant,
        value=sum(p.value for p in present), unit=template.unit, raw="", row_label="",
        derived=True, method="derived", inputs=tuple(f"{p.field}[{p.applicant}]" if p.applicant else p.field for p in present),
    )


def derive_cells(cells: list[Cell], lexicon: Lexicon) -> list[Cell]:
    """Return the derived cells a report does not print: subtotals, legal_persons, lawsuit sums."""
    derived = _derive_sums(cells, lexicon)
    return derived + _legal_persons(cells + derived)


def _derive_sums(cells: list[Cell], lexicon: Lexicon) -> list[Cell]:
    """The sums the lexicon defines (subtotals, lawsuit sums) that the cells do not print."""
    return _add_sums(_index(cells), cells, lexicon,
                     lambda fdef, applicant, parts: _sum_cell(parts[0], fdef.code, fdef.label, applicant, parts))


def _add_sums(known: dict[tuple[str, str | None], _Part], cells: list[Cell], lexicon: Lexicon,
              make: Callable[[FieldDef, str | None, list[_Part]], _Part | None]) -> list[_Part]:
    """Add to ``known`` (cells, or values, by field and applicant) each sum the lexicon defines
    that it lacks, made by ``make`` from the parts it has, in the lexicon's order (a subtotal may
    be a part of a later sum); return those made."""
    applicants = sorted({c.applicant for c in cells if c.table == "requests"}, key=APPLICANT_ORDER.index)
    made: list[_Part] = []
    for fdef in lexicon.fields:
        if fdef.derived != "sum":
            continue
        for applicant in applicants if fdef.table == "requests" else (None,):
            if (fdef.code, applicant) in known:
                continue
            parts = [known[(code, applicant)] for code in fdef.inputs if (code, applicant) in known]
            item = make(fdef, applicant, parts) if parts else None
            if item is not None:
                known[(fdef.code, applicant)] = item
                made.append(item)
    return made


def _legal_persons(cells: list[Cell]) -> list[Cell]:
    """Each row of table 三 summed over the five organisation columns."""
    by_key = _index(cells)
    derived: list[Cell] = []
    for fcode in dict.fromkeys(c.field for c in by_key.values() if c.table == "requests"):
        parts = [by_key[(fcode, a)] for a in _ORG_COLUMNS if (fcode, a) in by_key]
        cell = _sum_cell(parts[0], fcode, parts[0].label, "legal_persons", parts) if parts else None
        if cell is not None:
            derived.append(cell)
    return derived


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def find_inconsistencies(cells: list[Cell], lexicon: Lexicon) -> list[Finding]:
    """Check every rule of standard-format.md (index/rules.py) on one report's cells, printed and derived."""
    columns = {a.code: a.label for a in lexicon.applicants}
    by_key = _index(cells)

    def value(field: str, applicant: str | None) -> float | None:
        cell = by_key.get((field, applicant))
        return None if cell is None else cell.value

    return [Finding(rule=b.rule, message=_message(b, columns, lexicon), fields=b.fields, expected=b.expected,
                    actual=b.actual) for b in _breaches(value, _printed_rows(cells), lexicon)]


def broken_rules(cells: list[Cell], lexicon: Lexicon) -> int:
    """How many rules a reading of the tables breaks, counting the sums it leaves to derive: what
    readings are weighed by (index/align.py), several a report. The sums are worked out as
    values only (_derive_sums makes each a labelled cell with its inputs: most of the cost, and
    no finding is worded here); no rule reads a legal_persons cell, so none is made."""
    values = {(c.field, c.applicant): c.value for c in cells}
    _add_sums(values, cells, lexicon, lambda _fdef, _applicant, parts: _sum_of_printed(parts))
    return len(_breaches(lambda field, applicant: values.get((field, applicant)), _printed_rows(cells), lexicon))


def _sum_of_printed(values: list[float | None]) -> float | None:
    """The sum of the values that are there, or None when none is (as _sum_cell makes no cell)."""
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _printed_rows(cells: list[Cell]) -> dict[str, None]:
    """Table 三's rows the report prints, in order."""
    return dict.fromkeys(c.field for c in cells if c.table == "requests" and not c.derived)


def _breaches(value: Getter, printed_rows: dict[str, None], lexicon: Lexicon) -> list[Breach]:
    # A subtotal row is checked against its items only where the report prints it.
    subtotals = [(f.code, f.inputs) for f in lexicon.fields
                 if f.derived == "sum" and f.table == "requests" and f.code in printed_rows]
    return [*row_sums(value, printed_rows), *column_rules(value, subtotals), *block_sums(value)]


_BLOCK_NAMES = {"review": "行政复议", "lawsuit.direct": "行政诉讼（未经复议直接起诉）", "lawsuit.after_review": "行政诉讼（复议后起诉）"}


def _message(breach: Breach, columns: dict[str, str], lexicon: Lexicon) -> str:
    """The finding in Chinese, with the numbers: what the rule computes and what is printed."""
    expected, actual = _fmt(breach.expected), _fmt(breach.actual)
    if breach.rule == "requests.row_sum":
        return f"「{lexicon.field(breach.subject).label}」一行：各类申请人相加为 {expected}，总计印的是 {actual}。"
    if breach.rule == "requests.balance":
        new, carried, handled, over = (_fmt(v) for v in breach.parts)
        return (f"「{columns[breach.subject]}」列：本年新收 {new} + 上年结转 {carried} = {expected}，"
                f"但办理结果总计 {handled} + 结转下年度 {over} = {actual}。")
    if breach.rule == "requests.handled_sum":
        return (f"「{columns[breach.subject]}」列：予以公开、部分公开、不予公开、无法提供、不予处理、其他处理相加为 {expected}，"
                f"办理结果总计印的是 {actual}。")
    if breach.rule == "requests.subtotal":
        field, _, applicant = breach.subject.rstrip("]").partition("[")
        return f"「{columns[applicant]}」列「{lexicon.field(field).label}」：各小项相加为 {expected}，小计印的是 {actual}。"
    return f"「{_BLOCK_NAMES[breach.subject]}」：结果维持、结果纠正、其他结果、尚未审结相加为 {expected}，总计印的是 {actual}。"


# A count above this is no real year's work of one body (伊春市's 88,300 penalties are large).
ABSURD_COUNT = 1e9
_COUNT_UNITS = ("件", "项")
_SIGNED = (".change",)  # the 2019 layout's 本年增/减 columns are negative when items were cut


def find_suspicious_numbers(cells: list[Cell], lexicon: Lexicon) -> list[Finding]:
    """Flag printed numbers no report means: negative, absurdly large, fractional counts, 1.2E+05.

    The number stays stored as printed; the finding makes every answer that uses it say so.
    """
    applicant_labels = {a.code: a.label for a in lexicon.applicants}
    findings: list[Finding] = []
    for cell in cells:
        if cell.derived or cell.value is None:
            continue
        reasons = []
        if has_exponent(cell.raw):
            reasons.append(f"用科学计数法印出，读作 {_fmt(cell.value)}")
        if cell.value < 0 and not cell.field.endswith(_SIGNED):
            reasons.append("是负数")
        if cell.unit in _COUNT_UNITS and abs(cell.value) > ABSURD_COUNT:
            reasons.append(f"超过 {ABSURD_COUNT:.0e} {cell.unit}，不像真实数量")
        elif cell.unit in _COUNT_UNITS and not float(cell.value).is_integer():
            reasons.append("件数带小数")
        if not reasons:
            continue
        column = f"「{applicant_labels.get(cell.applicant, cell.applicant)}」列" if cell.applicant else ""
        key = f"{cell.field}[{cell.applicant}]" if cell.applicant else cell.field
        findings.append(Finding(
            rule="numbers.suspicious",
            message=f"「{cell.label}」{column}印的是“{cell.raw.strip()}”：{'，'.join(reasons)}。数字按原文保存，请核对原报告。",
            fields=(key,), expected=None, actual=cell.value))
    return findings
