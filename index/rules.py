"""The consistency rules the national format prints under its tables (勾稽关系), written once.

Each rule looks numbers up through a getter ``(field, applicant) -> value | None`` and yields a
Breach where the numbers it needs are all there and do not add up. The table readers use the
rules to decide where a lost or run-together cell goes (index/tables.py counts breaches); the
checks turn breaches into findings people read (index/checks.py). A rule that lacks a number
says nothing.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

APPLICANT_ORDER = ("natural_person", "business", "research", "public_interest", "legal_service", "other_org", "total")
OUTCOME_ORDER = ("upheld", "corrected", "other", "pending", "total")
REVIEW_BLOCKS = ("review", "lawsuit.direct", "lawsuit.after_review")
HANDLING_CATEGORIES = ("requests.granted", "requests.partial", "requests.denied", "requests.unable", "requests.rejected",
                       "requests.other")
BALANCE = ("requests.new", "requests.carried_in", "requests.handled", "requests.carried_over")
TOLERANCE = 1e-6

Getter = Callable[[str, "str | None"], "float | None"]


@dataclass(frozen=True)
class Breach:
    """One rule the numbers break: what the rule computes and what is printed."""

    rule: str  # requests.row_sum, requests.balance, requests.handled_sum, requests.subtotal, review.block_sum
    subject: str  # the row (field code), column (applicant code) or block the rule was checked on
    fields: tuple[str, ...]  # the cells involved, as field[applicant]
    parts: tuple[float, ...]  # the numbers added up, in the order of the rule
    expected: float
    actual: float


def _key(field: str, applicant: str | None) -> str:
    return f"{field}[{applicant}]" if applicant else field


def _breach(rule: str, subject: str, fields: list[str], parts: list[float], expected: float, actual: float) -> Breach | None:
    if abs(expected - actual) <= TOLERANCE:
        return None
    return Breach(rule, subject, tuple(fields), tuple(parts), expected, actual)


def row_sums(get: Getter, rows: Iterable[str]) -> Iterator[Breach]:
    """In every row of table 三, the six applicant columns add up to 总计."""
    for field in rows:
        values = [get(field, a) for a in APPLICANT_ORDER]
        # Checked before the cells are named: the readers ask this for every gap they try.
        if None not in values and abs(sum(values[:-1]) - values[-1]) > TOLERANCE:
            yield Breach("requests.row_sum", field, tuple(_key(field, a) for a in APPLICANT_ORDER), tuple(values[:-1]),
                         sum(values[:-1]), values[-1])


def column_rules(get: Getter, subtotals: Iterable[tuple[str, tuple[str, ...]]] = ()) -> Iterator[Breach]:
    """In every column of table 三: 新收 + 结转 = 总计 + 结转下年度; 总计 = the six categories;
    a printed category subtotal (``subtotals``: field and its items) = its items."""
    subtotals = tuple(subtotals)
    for applicant in APPLICANT_ORDER:
        new, carried, handled, over = (get(f, applicant) for f in BALANCE)
        if None not in (new, carried, handled, over):
            found = _breach("requests.balance", applicant, [_key(f, applicant) for f in BALANCE],
                            [new, carried, handled, over], new + carried, handled + over)
            if found:
                yield found
        parts = [get(f, applicant) for f in HANDLING_CATEGORIES]
        if handled is not None and None not in parts:
            found = _breach("requests.handled_sum", applicant,
                            [_key(f, applicant) for f in HANDLING_CATEGORIES + ("requests.handled",)],
                            parts, sum(parts), handled)
            if found:
                yield found
        for field, items in subtotals:
            printed, values = get(field, applicant), [get(f, applicant) for f in items]
            if printed is not None and None not in values:
                found = _breach("requests.subtotal", f"{field}[{applicant}]", [_key(f, applicant) for f in items],
                                values, sum(values), printed)
                if found:
                    yield found


def block_sums(get: Getter) -> Iterator[Breach]:
    """In every block of table 四, 维持 + 纠正 + 其他 + 尚未审结 = 总计."""
    for block in REVIEW_BLOCKS:
        values = [get(f"{block}.{o}", None) for o in OUTCOME_ORDER]
        if None not in values:
            found = _breach("review.block_sum", block, [f"{block}.{o}" for o in OUTCOME_ORDER], values[:-1],
                            sum(values[:-1]), values[-1])
            if found:
                yield found
