"""An answer, and how it shows itself: Telegram HTML, plain text, or the JSON of `ask --json`.

Every value carries where it came from (report, table and row); every passage its report and
section. The HTML form escapes every string that came from a report.
"""
from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.intent import Intent


@dataclass(frozen=True)
class Value:
    """A number in an answer: a looked-up cell, or a derived sum, share or difference."""

    report: str
    region: str
    year: int
    field: str
    label: str
    applicant: str | None
    value: float | None
    unit: str
    report_id: int = 0
    name: str = ""  # what the answer calls the body: the place, or a department's name
    source: str = ""  # e.g. "表三「本年新收政府信息公开申请数量」行「总计」列"
    derived: bool = False
    inferred: bool = False

    def to_json(self) -> dict[str, Any]:
        """The keys `ask --json` prints for a value."""
        return {"report": self.report, "region": self.region, "year": self.year, "field": self.field,
                "applicant": self.applicant, "value": json_number(self.value), "unit": self.unit,
                "label": self.label, "derived": self.derived, "inferred": self.inferred}


class LazyTable(Sequence[tuple[str, ...]]):
    """A table (header first) made when it is read — /csv, a combined answer — not with every
    answer: a ranking over 50,000 reports shows ten lines, and formatting every row for each
    question cost more than the rest of the answer (issue 10)."""

    def __init__(self, count: int, make: Callable[[], tuple[tuple[str, ...], ...]]) -> None:
        self._count = count  # rows with the header, known without making them
        self._make = make
        self._made: tuple[tuple[str, ...], ...] | None = None

    def _rows(self) -> tuple[tuple[str, ...], ...]:
        if self._made is None:
            self._made = self._make()
        return self._made

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):  # type: ignore[override]  # an int or a slice, as a tuple takes
        return self._rows()[index]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class PassageRef:
    """A passage quoted in an answer."""

    report: str
    region: str
    year: int
    section: str
    text: str
    score: float
    report_id: int = 0
    name: str = ""

    def to_json(self) -> dict[str, Any]:
        """The keys `ask --json` prints for a passage."""
        return {"report": self.report, "region": self.region, "year": self.year, "section": self.section,
                "text": self.text, "score": round(self.score, 4)}


@dataclass(frozen=True)
class Choice:
    """One option of an ambiguous question: a report to answer it for."""

    label: str
    report_id: int


@dataclass(frozen=True)
class Chart:
    """A bar chart of a ranking, comparison or change: what bot/charts.py draws."""

    title: str
    labels: tuple[str, ...]
    values: tuple[float, ...]
    unit: str
    source: str = ""  # drawn on the image, so a shared picture still says where it came from
    total: int = 0  # how many were compared, when the chart holds only the first of them


@dataclass(frozen=True)
class Answer:
    """What the user sees, and the structured parts behind it."""

    question: str
    route: str
    text: str
    values: tuple[Value, ...] = ()
    passages: tuple[PassageRef, ...] = ()
    intent: Intent | None = None
    choices: tuple[Choice, ...] = ()
    chart: Chart | None = None
    table: Sequence[tuple[str, ...]] = ()  # a tuple, or a LazyTable for a long ranking
    notes: tuple[str, ...] = field(default=())  # caveats: inferred cells, findings on the row, other years

    @property
    def reading(self) -> str:
        """The line saying how the question was read (理解为：…), or ""."""
        return self.intent.reading if self.intent is not None else ""

    def to_text(self) -> str:
        """Plain text for the terminal chat: the answer, its caveats, then how it was read."""
        return "\n".join([self.text, *self.notes, *([self.reading] if self.reading else [])])

    def to_html(self) -> str:
        """Telegram HTML: the text escaped, the first line bold, caveats and the reading in italics."""
        lines = [html.escape(line) for line in self.text.split("\n")]
        if lines and self.values:
            lines[0] = f"<b>{lines[0]}</b>"
        lines.extend(f"<i>{html.escape(note)}</i>" for note in self.notes)
        if self.reading:
            lines.append(f"<i>{html.escape(self.reading)}</i>")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The object `reportbot ask --json` prints (read by shared/eval/score.py)."""
        intent = self.intent
        return {
            "question": self.question,
            "route": self.route,
            "answer": self.to_text(),
            "values": [v.to_json() for v in self.values],
            "passages": [p.to_json() for p in self.passages],
            "intent": None if intent is None else intent.to_json(),
            "choices": [{"label": c.label, "report_id": c.report_id} for c in self.choices],
        }


def json_number(value: float | None) -> int | float | None:
    """Print whole numbers without a decimal point: 38, not 38.0."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 6)


def format_number(value: float | None, unit: str = "") -> str:
    """A number as a journalist writes it: 88300件, 12372.0506万元, 45.5%."""
    if value is None:
        return "空白"
    if unit == "%":
        return f"{value * 100:.1f}%"
    number = json_number(value)
    return f"{number}{unit}"
