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


def _breaks(expected: float, actual: float) -> bool:
    """Whether a rule's sum and the printed number differ by more than rounding."""
    return not abs(expected - actual) <= TOLERANCE


def row_sums(get: Getter, rows: Iterable[str]) -> Iterator[Breach]:
    """In every row of table 三, the six applicant columns add up to 总计."""
    for field in rows:
        values = [get(field, a) for a in APPLICANT_ORDER]
        # Checked before the cells are named: the readers ask this for every gap they try.
        if None not in values and abs(sum(values[:-1]) - values[-1]) > TOLERANCE:
            yield Breach("requests.row_sum", field, tuple(_key(field, a) for a in APPLICANT_ORDER), tuple(values[:-1]),
                         sum(values[:-1]), values[-1])


def column_rules(get: Getter, subtotals: Iterable[tuple[str, tuple[str, ...]]] = (),
                 applicants: Iterable[str] = APPLICANT_ORDER) -> Iterator[Breach]:
    """In every column of table 三 (or those of ``applicants``): 新收 + 结转 = 总计 + 结转下年度;
    总计 = the six categories; a printed category subtotal (``subtotals``: field and its items) = its items."""
    subtotals = tuple(subtotals)
    for applicant in applicants:
        # Each sum is checked before its cells are named: the readers ask this for every gap they try.
        new, carried, handled, over = (get(f, applicant) for f in BALANCE)
        if None not in (new, carried, handled, over) and _breaks(new + carried, handled + over):
            yield Breach("requests.balance", applicant, tuple(_key(f, applicant) for f in BALANCE),
                         (new, carried, handled, over), new + carried, handled + over)
        parts = [get(f, applicant) for f in HANDLING_CATEGORIES]
        if handled is not None and None not in parts and _breaks(sum(parts), handled):
            yield Breach("requests.handled_sum", applicant,
                         tuple(_key(f, applicant) for f in HANDLING_CATEGORIES + ("requests.handled",)),
                         tuple(parts), sum(parts), handled)
        for field, items in subtotals:
            printed, values = get(field, applicant), [get(f, applicant) for f in items]
            if printed is not None and None not in values and _breaks(sum(values), printed):
                yield Breach("requests.subtotal", f"{field}[{applicant}]", tuple(_key(f, applicant) for f in items),
                             tuple(values), sum(values), printed)


def block_sums(get: Getter) -> Iterator[Breach]:
    """In every block of table 四, 维持 + 纠正 + 其他 + 尚未审结 = 总计."""
    for block in REVIEW_BLOCKS:
        values = [get(f"{block}.{o}", None) for o in OUTCOME_ORDER]
        if None not in values and _breaks(sum(values[:-1]), values[-1]):
            yield Breach("review.block_sum", block, tuple(f"{block}.{o}" for o in OUTCOME_ORDER), tuple(values[:-1]),
                         sum(values[:-1]), values[-1])
