"""Numbers that live in the prose: 主动公开信息 1234 条, 政策解读 12 篇, 受理申请 23 件.

A pure function of a report's passages: each sentence is searched for a number with a unit,
and the subject is the data/facts.toml subject whose words stand right before the number
(推送信息 475 条) or, when none does, right after its unit (召开 4 次推进会). Numbers after
其中 in the same sentence are parts of the number before and are skipped. Where a subject has
a table cell of the same meaning (受理申请 ↔ requests.new[total]), `agrees` says whether a fact
and the cell tell the same (the `fact_mismatches` view of the store does the same in SQL).
"""
from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.lexicon import DATA_DIR
from index.numbers import squeeze
from index.report import Fact, Passage

FACTS_PATH = DATA_DIR / "facts.toml"

# "…" in a subject's words: up to this many characters of other words, within one clause.
_GAP = r"[^,;:、()。!?\d]{0,16}?"
# Between the subject's words and the number: only words like 共, 累计, 达 (全年共受理 … 75 件).
_FILLER = r"[共计达累约近超过逾为了总合分别各到]*"
_CLAUSE_BREAK = re.compile(r"[,;:、()]")
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]?")
_CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# A number, an optional 万 (1.2万条), an optional 余/多 and a unit. Units longest first.
_UNITS = ("万元", "人次", "元", "条", "篇", "件", "次", "场", "个", "期", "份", "起", "宗", "项", "人", "户", "家", "封", "轮")
_NUMBER = re.compile(
    r"(?P<prefix>约|近|超过|逾|大约|将近)?"
    r"(?P<num>\d+(?:\.\d+)?|[一二两三四五六七八九十]{1,3})"
    r"(?P<wan>万)?(?P<approx>余|多)?"
    r"(?P<unit>" + "|".join(_UNITS) + r")"
    r"(?P<suffix>左右|以上)?"
)
# Chinese numerals only count where they cannot be part of a word: 一次性, 第一次, 一件事.
_NOT_CN_NUMBER = re.compile(r"^(?:一次性|一件事|一个月|一条龙|一站式|一批)")


@dataclass(frozen=True)
class Subject:
    """One subject of data/facts.toml: the words that name it and the table cell it matches."""

    key: str
    label: str
    words: tuple[str, ...]
    patterns: tuple[tuple[re.Pattern, re.Pattern, int], ...]  # (before the number, after the unit, letters)
    excluded: tuple[str, ...]
    units: tuple[str, ...]
    cell: str | None  # "field[applicant]" or "field"
    scale: dict[str, float]
    also: tuple[str, ...]
    ask: tuple[tuple[str, ...], ...]

    def value_in_cell_unit(self, number: float, unit: str) -> float:
        """The number in the unit of the table cell (元 → 万元 for fees)."""
        return number * self.scale.get(unit, 1.0)


def _compile(word: str) -> tuple[re.Pattern, re.Pattern, int]:
    body = _GAP.join(re.escape(part) for part in word.split("…"))
    before = re.compile("(?:" + body + ")" + _FILLER + "$")
    after = re.compile("(?:" + body + ")")
    return before, after, len(word.replace("…", ""))


@lru_cache(maxsize=4)
def load_subjects(path: Path = FACTS_PATH) -> tuple[Subject, ...]:
    """Read data/facts.toml once; later calls return the same subjects."""
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    return tuple(
        Subject(
            key=s["key"], label=s["label"], words=tuple(s["words"]),
            patterns=tuple(_compile(w) for w in s["words"]), excluded=tuple(s.get("not", ())),
            units=tuple(s["units"]), cell=s.get("cell"), scale=dict(s.get("scale", {})),
            also=tuple(s.get("also", ())), ask=tuple(tuple(group) for group in s.get("ask", ())),
        )
        for s in raw["fact"]
    )


def subject(key: str, subjects: Iterable[Subject] | None = None) -> Subject:
    """Return the subject with this key; KeyError for an unknown one."""
    for s in subjects if subjects is not None else load_subjects():
        if s.key == key:
            return s
    raise KeyError(key)


def split_cell(code: str) -> tuple[str, str | None]:
    """"requests.new[total]" → ("requests.new", "total"); "review.total" → ("review.total", None)."""
    field, _, applicant = code.rstrip("]").partition("[")
    return field, applicant or None


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def _fold(text: str) -> str:
    """NFKC and no white space, so 政策 解读 51 件 reads as 政策解读51件; thousands separators gone."""
    return _THOUSANDS.sub("", squeeze(text))


def _number(text: str) -> float | None:
    if text[0].isdigit():
        return float(text)
    if text == "十":
        return 10.0
    if "十" in text:
        tens, _, ones = text.partition("十")
        if len(text) > 3 or (tens and tens not in _CN_DIGIT) or (ones and ones not in _CN_DIGIT):
            return None
        return float(_CN_DIGIT.get(tens, 1) * 10 + _CN_DIGIT.get(ones, 0))
    return float(_CN_DIGIT[text]) if len(text) == 1 and text in _CN_DIGIT else None


def _best(matches: list[tuple[int, int, Subject, str]]) -> tuple[Subject, str] | None:
    """The subject whose words have the most letters; the first listed wins a tie."""
    if not matches:
        return None
    _letters, _order, chosen, words = max(matches, key=lambda m: (m[0], -m[1]))
    return chosen, words


def _before(window: str, unit: str, subjects: tuple[Subject, ...]) -> tuple[Subject, str] | None:
    found = []
    for order, s in enumerate(subjects):
        if unit not in s.units:
            continue
        for before, _after, letters in s.patterns:
            match = before.search(window)
            if match and not any(x in match.group(0) for x in s.excluded):
                found.append((letters, order, s, re.sub(_FILLER + "$", "", match.group(0))))
    return _best(found)


def _after(window: str, unit: str, subjects: tuple[Subject, ...]) -> tuple[Subject, str, int] | None:
    found = []
    for order, s in enumerate(subjects):
        if unit not in s.units:
            continue
        for _before_pattern, after, letters in s.patterns:
            match = after.search(window)
            if match and not any(x in match.group(0) for x in s.excluded):
                found.append((match.start(), -letters, order, s, match.group(0), match.end()))
    if not found:
        return None
    _start, _letters, _order, chosen, words, end = min(found, key=lambda m: m[:3])
    return chosen, words, end


def _sentence_facts(section: str, sentence: str, subjects: tuple[Subject, ...]) -> list[Fact]:
    text = _fold(sentence)
    facts: list[Fact] = []
    consumed = 0  # where the words of the last number end: the next number's window starts there
    first_end = None  # where the sentence's first number ends: a 其中 after it starts the parts
    for match in _NUMBER.finditer(text):
        if first_end is not None and 0 <= text.find("其中", first_end, match.start()):
            break
        first_end = match.end() if first_end is None else first_end
        num = match.group("num")
        if not num[0].isdigit():
            if text[match.start() - 1: match.start()] == "第" or _NOT_CN_NUMBER.match(text[match.start("num"):]):
                continue
        number = _number(num)
        if number is None:
            continue
        unit = match.group("unit")
        if match.group("wan"):
            if unit == "元":
                unit = "万元"
            else:
                number *= 10_000
        start = max(consumed, max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, match.start())), default=0))
        found = _before(text[start:match.start()], unit, subjects)
        end = match.end()
        if found is None:
            stop = _CLAUSE_BREAK.search(text, match.end())
            nxt = _NUMBER.search(text, match.end())
            limit = min(x.start() for x in (stop, nxt) if x is not None) if (stop or nxt) else len(text)
            after = _after(text[match.end():limit], unit, subjects)
            if after is not None:
                found = after[:2]
                end = match.end() + after[2]
        consumed = end
        if found is None:
            continue
        chosen, words = found
        approx = "at_least" if match.group("approx") or match.group("prefix") in ("超过", "逾") or match.group("suffix") == "以上" \
            else "about" if match.group("prefix") or match.group("suffix") else ""
        raw = "".join(match.group(g) or "" for g in ("prefix", "num", "wan", "approx"))
        facts.append(Fact(section=section, subject=chosen.key, words=words, number=number, unit=unit,
                          sentence=sentence.strip(), raw=raw, approx=approx))
    return facts


def extract_facts(passages: Iterable[Passage], subjects: tuple[Subject, ...] | None = None) -> tuple[Fact, ...]:
    """Return the facts the prose passages state, in reading order (table rows are skipped)."""
    subjects = subjects if subjects is not None else load_subjects()
    facts: list[Fact] = []
    for passage in passages:
        if passage.kind != "text":
            continue
        for sentence in _SENTENCE.findall(passage.text):
            if any(ch.isdigit() for ch in sentence) or any(ch in _CN_DIGIT or ch == "十" for ch in sentence):
                facts.extend(_sentence_facts(passage.section, sentence, subjects))
    return tuple(facts)


def agrees(fact_value: float, approx: str, cell_value: float, *, tolerance: float = 1e-6) -> bool | None:
    """Whether a fact (in the cell's unit) and a table cell tell the same; None when they cannot be compared.

    An exact number must equal the cell (within tolerance); "at least" (2100 余条) must not
    exceed it; "about" (约 300 条) is never compared.
    """
    if approx == "about":
        return None
    if approx == "at_least":
        return cell_value + tolerance >= fact_value
    return abs(fact_value - cell_value) <= tolerance


def tolerance(subject_: Subject, unit: str, value: float) -> float:
    """How far a fact may be from its cell and still agree: none for counts; for money converted
    from 元 to 万元, the rounding of a table printed to 0.01 万元 (100 元) and 1%."""
    if subject_.scale.get(unit, 1.0) == 1.0:
        return 1e-6
    return 0.005 + 0.01 * abs(value)


FACT_INSERT = (
    "INSERT INTO facts (report_id, ordinal, section, subject, subject_label, words, number, unit, raw, approx,"
    " sentence, field, applicant, value, tolerance, also) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def fact_rows(report_id: int, facts: Iterable[Fact], subjects: tuple[Subject, ...] | None = None) -> list[tuple]:
    """The `facts` rows of a report (docs/schema.md), with the table cell each may be checked against."""
    by_key = {s.key: s for s in (subjects if subjects is not None else load_subjects())}
    rows = []
    for ordinal, fact in enumerate(facts):
        s = by_key.get(fact.subject)
        field, applicant = split_cell(s.cell) if s is not None and s.cell else (None, None)
        value = s.value_in_cell_unit(fact.number, fact.unit) if field else None
        rows.append((report_id, ordinal, fact.section, fact.subject, s.label if s else fact.subject, fact.words,
                     fact.number, fact.unit, fact.raw, fact.approx, fact.sentence, field, applicant, value,
                     tolerance(s, fact.unit, value) if field else None,
                     json.dumps(list(s.also), ensure_ascii=False) if field and s.also else None))
    return rows


@dataclass(frozen=True)
class StoredFact:
    """A stored fact with its report, as answers and leads read it."""

    id: int
    report_id: int
    ordinal: int
    section: str
    subject: str
    subject_label: str
    words: str
    number: float
    unit: str
    raw: str
    approx: str
    sentence: str


def stored_facts(db, *, subject: str | None = None, report_ids: Iterable[int] | None = None) -> list[StoredFact]:
    """Stored facts, by report then reading order; optionally of one subject or some reports."""
    where, params = ["1 = 1"], []
    if subject is not None:
        where.append("subject = ?")
        params.append(subject)
    if report_ids is not None:
        ids = sorted(set(report_ids))
        where.append(f"report_id IN ({','.join('?' * len(ids))})" if ids else "0")
        params.extend(ids)
    rows = db.execute(
        "SELECT id, report_id, ordinal, section, subject, subject_label, words, number, unit, raw, approx, sentence"
        f" FROM facts WHERE {' AND '.join(where)} ORDER BY report_id, ordinal", params).fetchall()
    return [StoredFact(*row) for row in rows]
