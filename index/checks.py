"""Derived cells and the report's own consistency rules (勾稽关系, standard-format.md).

Derived values (legal_persons, subtotals, lawsuit sums) are computed, labelled as derived and
list their inputs. Broken rules become findings that name the rule, the cells and the numbers;
the printed numbers are never changed to make a rule hold.
"""
from __future__ import annotations

from index.lexicon import Lexicon
from index.report import Cell, Finding
from index.tables import APPLICANT_ORDER, HANDLING_CATEGORIES

_ORG_COLUMNS = APPLICANT_ORDER[1:6]
_TOLERANCE = 1e-6


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
    by_key = _index(cells)
    derived: list[Cell] = []
    applicants = {c.applicant for c in cells if c.table == "requests"}
    for fdef in lexicon.fields:
        if fdef.derived != "sum":
            continue
        columns = sorted(applicants, key=APPLICANT_ORDER.index) if fdef.table == "requests" else [None]
        for applicant in columns:
            if (fdef.code, applicant) in by_key:
                continue
            parts = [by_key[(code, applicant)] for code in fdef.inputs if (code, applicant) in by_key]
            cell = _sum_cell(parts[0], fdef.code, fdef.label, applicant, parts) if parts else None
            if cell is not None:
                derived.append(cell)
                by_key[(cell.field, applicant)] = cell
    for fcode in dict.fromkeys(c.field for c in by_key.values() if c.table == "requests"):
        parts = [by_key[(fcode, a)] for a in _ORG_COLUMNS if (fcode, a) in by_key]
        cell = _sum_cell(parts[0], fcode, parts[0].label, "legal_persons", parts) if parts else None
        if cell is not None:
            derived.append(cell)
    return derived


def _finding(rule: str, message: str, fields: list[str], expected: float, actual: float) -> Finding:
    return Finding(rule=rule, message=message, fields=tuple(fields), expected=expected, actual=actual)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def find_inconsistencies(cells: list[Cell], lexicon: Lexicon) -> list[Finding]:
    """Check every rule of standard-format.md on one report's cells (printed and derived)."""
    by_key = _index(cells)
    findings: list[Finding] = []

    def value(field: str, applicant: str | None) -> float | None:
        cell = by_key.get((field, applicant))
        return None if cell is None else cell.value

    applicant_labels = {a.code: a.label for a in lexicon.applicants}
    printed_rows = dict.fromkeys(c.field for c in cells if c.table == "requests" and not c.derived)
    for fcode in printed_rows:
        parts = [value(fcode, a) for a in APPLICANT_ORDER[:-1]]
        total = value(fcode, "total")
        if total is not None and None not in parts and abs(sum(parts) - total) > _TOLERANCE:
            label = lexicon.field(fcode).label
            findings.append(_finding(
                "requests.row_sum",
                f"「{label}」一行：各类申请人相加为 {_fmt(sum(parts))}，总计印的是 {_fmt(total)}。",
                [f"{fcode}[{a}]" for a in APPLICANT_ORDER], sum(parts), total))
    for applicant in APPLICANT_ORDER:
        col = applicant_labels[applicant]
        new, carried, handled, over = (value(f, applicant) for f in ("requests.new", "requests.carried_in", "requests.handled", "requests.carried_over"))
        if None not in (new, carried, handled, over) and abs(new + carried - handled - over) > _TOLERANCE:
            findings.append(_finding(
                "requests.balance",
                f"「{col}」列：本年新收 {_fmt(new)} + 上年结转 {_fmt(carried)} = {_fmt(new + carried)}，"
                f"但办理结果总计 {_fmt(handled)} + 结转下年度 {_fmt(over)} = {_fmt(handled + over)}。",
                [f"{f}[{applicant}]" for f in ("requests.new", "requests.carried_in", "requests.handled", "requests.carried_over")],
                new + carried, handled + over))
        parts = [value(f, applicant) for f in HANDLING_CATEGORIES]
        if handled is not None and None not in parts and abs(sum(parts) - handled) > _TOLERANCE:
            findings.append(_finding(
                "requests.handled_sum",
                f"「{col}」列：予以公开、部分公开、不予公开、无法提供、不予处理、其他处理相加为 {_fmt(sum(parts))}，"
                f"办理结果总计印的是 {_fmt(handled)}。",
                [f"{f}[{applicant}]" for f in HANDLING_CATEGORIES] + [f"requests.handled[{applicant}]"], sum(parts), handled))
        for fdef in lexicon.fields:
            if fdef.derived != "sum" or fdef.table != "requests":
                continue
            printed = by_key.get((fdef.code, applicant))
            children = [value(c, applicant) for c in fdef.inputs]
            if printed is not None and not printed.derived and printed.value is not None and None not in children \
                    and abs(sum(children) - printed.value) > _TOLERANCE:
                findings.append(_finding(
                    "requests.subtotal",
                    f"「{col}」列「{fdef.label}」：各小项相加为 {_fmt(sum(children))}，小计印的是 {_fmt(printed.value)}。",
                    [f"{c}[{applicant}]" for c in fdef.inputs], sum(children), printed.value))
    for block, name in (("review", "行政复议"), ("lawsuit.direct", "行政诉讼（未经复议直接起诉）"), ("lawsuit.after_review", "行政诉讼（复议后起诉）")):
        parts = [value(f"{block}.{o}", None) for o in ("upheld", "corrected", "other", "pending")]
        total = value(f"{block}.total", None)
        if total is not None and None not in parts and abs(sum(parts) - total) > _TOLERANCE:
            findings.append(_finding(
                "review.block_sum",
                f"「{name}」：结果维持、结果纠正、其他结果、尚未审结相加为 {_fmt(sum(parts))}，总计印的是 {_fmt(total)}。",
                [f"{block}.{o}" for o in ("upheld", "corrected", "other", "pending", "total")], sum(parts), total))
    return findings
