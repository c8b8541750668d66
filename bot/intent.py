"""What a question asks, as a plain value: the Intent that understanding returns and answering reads.

Its own module because answering, selection, findings and the handlers need the type without
the understanding machinery (docs/questions.md explains how a question becomes one).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Route(StrEnum):
    """Which kind of answer a question gets."""

    STRUCTURED = "structured"  # a number from tables 二/三/四
    RETRIEVAL = "retrieval"  # passages of the reports' prose
    CHECK = "check"  # the reports' own consistency findings
    HELP = "help"  # a greeting or a request for help: examples, no number


class Operation(StrEnum):
    """What to do with the numbers of a structured question."""

    VALUE = "value"
    COMPARE = "compare"
    RANK = "rank"
    SUM = "sum"
    AVERAGE = "average"
    SHARE = "share"
    CHANGE = "change"


# Kept for callers that import the old names.
ROUTE_STRUCTURED, ROUTE_RETRIEVAL, ROUTE_CHECK, ROUTE_HELP = Route.STRUCTURED, Route.RETRIEVAL, Route.CHECK, Route.HELP


# How an answer says a bound (Intent.bound), one word for each comparison.
BOUND_WORDS = {">": "超过", ">=": "不少于", "<": "少于", "<=": "不超过"}


@dataclass(frozen=True)
class Intent:
    """What a question asks, in plain values; `replace` it to answer a follow-up."""

    question: str
    route: Route
    bodies: tuple[str, ...] = ()  # bodies named, in question order
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()  # a name and the bodies it may mean
    unknown_places: tuple[str, ...] = ()  # places (or departments) named that no loaded report covers
    year: int | None = None
    field: str | None = None
    applicant: str | None = None
    operation: Operation = Operation.VALUE
    descending: bool = True  # for rank and compare: most first
    level: str | None = None  # 哪个县 narrows a ranking to counties
    limit: int | None = None
    share_of: str | None = None  # denominator field of a share
    report_id: int | None = None  # a report chosen from an ambiguity keyboard
    query: str = ""  # the text passage retrieval searches for
    base_year: int | None = None  # the year a change is measured from (2023年比2022年)
    reading: str = ""  # the one line that says how the question was read (理解为：…)
    unused: tuple[str, ...] = ()  # words of the question the reading did not use
    corrections: tuple[tuple[str, str], ...] = ()  # (as typed, as read): 行证处罚 → 行政处罚
    refusal: str | None = None  # why no number is given, when the question cannot be answered as read
    subject: str | None = None  # a prose-only subject (主动公开, 政策解读) the tables do not hold
    parts: tuple[Intent, ...] = ()  # a question of several parts: each is answered
    answered_year: int | None = None  # the year the answer used, for "去年呢" in a follow-up
    topic: tuple[str, ...] = ()  # for the text route: the words it searches for (存在的问题 → 问题)
    within: str | None = None  # a place whose bodies of `levels` are asked for (江苏省各县, 河北省的厅局)
    within_code: str | None = None  # its GB/T 2260 code, when the gazetteer knows it
    levels: tuple[str, ...] = ()  # county, district, city, department: the bodies under `within`
    rate: str | None = None  # a rate of the lexicon's [[rate]] (公开率): the field is its first numerator
    by_change: str | None = None  # rank by change: increase, decrease (件), increase_pct, decrease_pct (%)
    bound: tuple[str, float] | None = None  # 超过50件: (">", 50.0); the reports past it, in order
    breakdown: str | None = None  # 哪类最多 in one report: "applicants" (table 三's columns) or "items" (a row's children)

    def to_json(self) -> dict:
        """The `intent` object of `ask --json`."""
        data = {
            "bodies": list(self.bodies), "year": self.year, "field": self.field,
            "applicant": self.applicant, "operation": str(self.operation), "limit": self.limit,
            "share_of": self.share_of, "ambiguous": [[n, list(b)] for n, b in self.ambiguous],
            "unknown_places": list(self.unknown_places), "reading": self.reading, "unused": list(self.unused),
            "route": str(self.route),
        }
        if self.base_year is not None:
            data["base_year"] = self.base_year
        if self.bound is not None:
            data["bound"] = list(self.bound)
        if self.breakdown is not None:
            data["breakdown"] = self.breakdown
        if self.corrections:
            data["corrections"] = [list(pair) for pair in self.corrections]
        if self.refusal:
            data["refusal"] = self.refusal
        for key in ("within", "within_code", "rate", "by_change"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        if self.levels:
            data["levels"] = list(self.levels)
        if self.parts:
            data["parts"] = [part.to_json() for part in self.parts]
        return data
