"""Understand a journalist's question: which reports, which year, which field, which operation.

Deterministic and offline: names come from the loaded reports (bot/catalog.py), words from the
lexicon (data/lexicon.toml, data/english.toml). A question is read in stages (docs/questions.md):
fold the text (full-width, spaces, traditional characters, English), split it into parts, and in
each part take out, one after another, the names, years, subjects, operation, field and applicant,
masking what each used. What is left over is what the reading did not use: a place the store
lacks, a field word that matched nothing, a qualifier no table has. The Intent says so, and the
answer then refuses rather than answer a different question.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date
from collections.abc import Callable
from functools import lru_cache

from bot.answer import format_number
from bot.catalog import Body, Catalog
from bot.english import is_english, translate
from bot.intent import BOUND_WORDS, ROUTE_CHECK, ROUTE_RETRIEVAL, ROUTE_STRUCTURED, Intent, Operation, Route
from index.lexicon import FieldDef, Lexicon, QuestionWords, RateDef
from index.parser import chinese_year
from index.tokenizer import dictionary_words

__all__ = ["ROUTE_CHECK", "ROUTE_RETRIEVAL", "ROUTE_STRUCTURED", "FieldMatch", "Intent", "Operation", "Route",
           "describe", "fold", "match_field", "understand"]

_MASK = "\u25a1"  # a character no lexicon word contains
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年度|年)?(?!\d)")
_SHORT_YEAR = re.compile(r"(?<![\d前近])([12]\d)\s*年(?!\d)")  # 23年 → 2023
_CN_YEAR = re.compile(r"([二][〇零○一二三四五六七八九]{3})\s*年")
_TOP_N = re.compile(r"前\s*([0-9一二两三四五六七八九十]+)\s*(?:名|个|位)?")
_CN_NUMBER = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_UNKNOWN_PLACE = re.compile(r"[\u4e00-\u9fff]{2,6}?(?:自治区|自治州|自治县|省|市|县|区|州|旗)")
_CJK_RUN = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]+")
_SPACE_BETWEEN = re.compile(r"(?<=[^A-Za-z0-9])\s+|\s+(?=[^A-Za-z0-9])")
_LEVEL_CHARS = "省市县区州旗盟镇乡"
_OP_ORDER = ("share", "compare", "rank_min", "rank_max", "rank", "change", "average", "sum")


@dataclass(frozen=True)
class FieldMatch:
    """The best field for a text, and where its words were found."""

    field: FieldDef
    score: int
    spans: tuple[tuple[int, int], ...]


@dataclass
class _Part:
    """One part of a question as read, before it becomes an Intent."""

    text: str
    bodies: list[str] = field(default_factory=list)
    ambiguous: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    relative: int | None = None  # offset of 去年/前年 …
    base_year: int | None = None
    subject: str | None = None
    out_of_scope: str | None = None
    level: str | None = None
    operation: Operation = Operation.VALUE
    explicit_operation: bool = False
    descending: bool = True
    limit: int | None = None
    check: bool = False
    fields: list[FieldMatch] = field(default_factory=list)
    share_of: str | None = None
    applicants: list[str] = field(default_factory=list)
    money: bool = False
    persons: str | None = None
    per_unit: str | None = None
    typed_bound: tuple[str, float, str] | None = None  # 超过100元: (">", 100.0, "元")
    bound: tuple[str, float] | None = None  # in the field's unit
    bound_conflict: str | None = None  # a bound in a unit the field is not counted in
    which_kind: str | None = None  # 哪类: the kinds within one report ranked
    breakdown: str | None = None  # "applicants" or "items": which kinds 哪类 ranks
    self_place: str | None = None
    follow_up: bool = False
    unused_domain: list[str] = field(default_factory=list)
    unused_content: list[str] = field(default_factory=list)
    unused_other: list[str] = field(default_factory=list)
    organs: list[str] = field(default_factory=list)
    runs: list[str] = field(default_factory=list)  # stretches of text no stage used, for typo repair
    notes: list[tuple[str, str]] = field(default_factory=list)  # (as typed, as read): 环境局 → 生态环境局
    scope: tuple[str, ...] = ()  # 各县, 下辖各区县, 的厅局: the levels of bodies under a place
    within: tuple[str | None, str] | None = None  # (code, name) of the place a scope is under
    rates: tuple[RateDef, ...] = ()  # the rates a rate word (纠错率) may mean, first listed first
    rate: str | None = None
    rate_conflict: str | None = None  # a field the rate cannot be of (行政处罚的公开率)
    by_change: str | None = None

    @property
    def unused(self) -> list[str]:
        """The left-over words that may carry meaning (verbs and particles are read past)."""
        english = [w for w in self.unused_other if w.isascii()]
        return list(dict.fromkeys(self.organs + self.unused_domain + self.unused_content + english))


# ---------------------------------------------------------------------------- text
def fold(text: str, lexicon: Lexicon | None = None) -> str:
    """Fold a question as people type it: full-width, spaces between Chinese, traditional characters.

    伊春市 行政處罰 → 伊春市行政处罚. Spaces between Latin words are kept (English questions).
    """
    text = unicodedata.normalize("NFKC", text).strip()
    text = _SPACE_BETWEEN.sub("", text)
    return _simplified(text, lexicon.question.simplified_too if lexicon else frozenset())


def _simplified(text: str, keep: frozenset[str]) -> str:
    converted = _converter().convert(text) if _converter() else text
    if converted == text or len(converted) != len(text):
        return converted if len(converted) == len(text) else text
    return "".join(o if o in keep else c for o, c in zip(text, converted))


@lru_cache(maxsize=1)
def _converter():
    try:
        from opencc import OpenCC
    except ImportError:  # pragma: no cover - declared in pyproject; reading without it still works
        return None
    return OpenCC("t2s")


def _spans(text: str, words) -> list[tuple[int, int]]:
    spans = []
    for word in words:
        start = text.find(word)
        while start >= 0:
            spans.append((start, start + len(word)))
            start = text.find(word, start + 1)
    return spans


def _claim(text: str, words) -> list[tuple[int, int, str]]:
    """Non-overlapping occurrences of words, the longest word first (the longest word decides)."""
    taken: list[tuple[int, int, str]] = []
    for word in sorted(words, key=len, reverse=True):
        start = text.find(word)
        while start >= 0:
            end = start + len(word)
            if not any(start < e and s < end for s, e, _ in taken):
                taken.append((start, end, word))
            start = text.find(word, start + 1)
    return sorted(taken)


def _mask(text: str, spans) -> str:
    chars = list(text)
    for span in spans:
        for i in range(span[0], span[1]):
            chars[i] = _MASK
    return "".join(chars)


def _covered(spans: list[tuple[int, int]]) -> int:
    return len({i for start, end in spans for i in range(start, end)})


# ---------------------------------------------------------------------------- fields
def match_field(text: str, lexicon: Lexicon) -> FieldMatch | None:
    """Find the field a text asks about: every need group present, most characters covered."""
    best: tuple[tuple[int, int, int], FieldMatch] | None = None
    for fdef in lexicon.fields:
        for alternative in fdef.need:
            groups = [_spans(text, group) for group in alternative]
            if not all(groups):
                continue
            spans = [s for g in groups for s in g] + _spans(text, fdef.boost)
            key = (_covered(spans), len(alternative), fdef.code.count("."))
            if best is None or key > best[0]:
                best = (key, FieldMatch(fdef, key[0], tuple(spans)))
    return best[1] if best else None


def _match_applicants(text: str, lexicon: Lexicon) -> list[tuple[str, tuple[int, int]]]:
    """Applicant words, longest first and never overlapping, in question order."""
    words = {w: a.code for a in lexicon.applicants for w in a.ask}
    found = []
    for start, end, word in _claim(text, words):
        if words[word] not in [code for code, _ in found]:
            found.append((words[word], (start, end)))
    return found


# ---------------------------------------------------------------------------- years
def _find_years(text: str, lexicon: Lexicon, skip: list[tuple[int, int]] = ()) -> list[tuple[int | None, tuple[int, int], int | None]]:
    """Every year in a text, in order: (year, span, None) or (None, span, offset) for 去年."""
    found: list[tuple[int | None, tuple[int, int], int | None]] = []
    for match in _YEAR.finditer(text):
        found.append((int(match.group(1)), match.span(), None))
    for match in _CN_YEAR.finditer(text):
        year = chinese_year(match.group(1))
        if year:
            found.append((year, match.span(), None))
    taken = [span for _, span, _ in found]
    for match in _SHORT_YEAR.finditer(text):
        if not any(match.start() < e and s < match.end() for s, e in taken):
            found.append((2000 + int(match.group(1)), match.span(), None))
    for start, end, word in _claim(text, lexicon.question.relative_years):
        if any(start < e and s < end for s, e in list(skip) + taken):
            continue
        found.append((None, (start, end), lexicon.question.relative_years[word]))
    return sorted(found, key=lambda item: item[1])


# ---------------------------------------------------------------------------- operations
def _operation(text: str, lexicon: Lexicon, longer: list[tuple[int, int]] = ()) -> tuple[Operation, bool, int | None, bool, list[tuple[int, int]]]:
    """The operation a question asks for; where operation words overlap, the longest decides.

    ``longer``: spans of field words; an operation word inside a longer one is part of it
    (总计 in 办理结果总计 names the row, it does not ask for a sum).
    """
    words = {w: name for name, group in lexicon.operations.items() if name in _OP_ORDER for w in group}
    claimed = [(s, e, w) for s, e, w in _claim(text, words)
               if not any(ls <= s and e <= le and le - ls > e - s for ls, le in longer)]
    found = {words[w] for _, _, w in claimed}
    spans = [(s, e) for s, e, _ in claimed]
    top = _TOP_N.search(text)
    limit = None
    if top:
        raw = top.group(1)
        limit = int(raw) if raw.isdigit() else _CN_NUMBER.get(raw, 3)
        spans.append(top.span())
    if "share" in found:
        return Operation.SHARE, True, None, True, spans
    if "compare" in found:
        return Operation.COMPARE, not _fewer(text, lexicon), None, True, spans
    if "rank_min" in found:
        return Operation.RANK, False, limit, True, spans
    if "rank_max" in found or "rank" in found or limit:
        return Operation.RANK, True, limit, True, spans
    if "change" in found:
        return Operation.CHANGE, True, None, True, spans
    if "average" in found:
        return Operation.AVERAGE, True, None, True, spans
    if "sum" in found:
        return Operation.SUM, True, None, True, spans
    return Operation.VALUE, True, None, False, spans


def _fewer(text: str, lexicon: Lexicon) -> bool:
    text = text.replace("多少", _MASK * 2)  # 多少 asks "how many", not "fewer"
    return any(w in text for w in lexicon.question.fewer)


def _comparing(text: str, lexicon: Lexicon) -> bool:
    q = lexicon.question
    which = "|".join(map(re.escape, q.which))
    more = "".join(map(re.escape, q.more_or_less))
    return re.search(f"({which}).*?[{more}]", text.replace("多少", _MASK * 2)) is not None


# ---------------------------------------------------------------------------- names
def _prefer_governments(bodies: tuple[Body, ...]) -> tuple[Body, ...]:
    governments = tuple(b for b in bodies if b.government)
    return governments if len(governments) == 1 else bodies


def _names(text: str, catalog: Catalog, lexicon: Lexicon, part: _Part) -> list[tuple[int, int]]:
    """Find body names; a bare name followed by another level word (伊春 + 区) is another place."""
    spans = []
    for match in catalog.find(text):
        match = _shorter_name(text, match, catalog, lexicon)
        after = text[match.end:match.end + 1]
        if after and after in _LEVEL_CHARS and lexicon.bare_place(match.text) is None and not _has_level(match.text, lexicon):
            # 伊春区 is not 伊春市: a parent never answers for its child, nor a namesake for another place.
            part.unknown.append(match.text + after)
            spans.append((match.start, match.end + 1))
            continue
        child = next((name for name, (start, _end) in _unknown_places(text[match.end:], lexicon)
                      if start == 0 and _has_level(name, lexicon) and _a_place_name(name)), None)
        if child and _has_level(match.text, lexicon):
            # 伊春市伊美区 with no 伊美区 report loaded: the question names the child, and a
            # parent never answers for its child.
            part.unknown.append(match.text + child)
            spans.append((match.start, match.end + len(child)))
            continue
        spans.append((match.start, match.end))
        candidates = _prefer_governments(match.bodies)
        if len(candidates) == 1:
            if candidates[0].body not in part.bodies:
                part.bodies.append(candidates[0].body)
        else:
            part.ambiguous.append((match.text, tuple(b.body for b in candidates)))
    return spans


def _shorter_name(text: str, match, catalog: Catalog, lexicon: Lexicon):
    """伊春市政府办结 is 伊春市政府 + 办结: a field word across a name's end cuts the name short."""
    words = _field_words(lexicon)
    for cut in range(match.end - 1, match.start + 1, -1):
        if any(text.startswith(w, cut) and cut + len(w) > match.end for w in words):
            bodies = catalog.bodies_named(text[match.start:cut])
            if bodies:
                return replace(match, text=text[match.start:cut], end=cut, bodies=bodies)
    return match


@lru_cache(maxsize=4)
def _field_words(lexicon: Lexicon) -> tuple[str, ...]:
    words = set(lexicon.need_words())
    for fdef in lexicon.fields:
        words.update(fdef.boost)
    return tuple(sorted(w for w in words if len(w) >= 2))


def _has_level(name: str, lexicon: Lexicon) -> bool:
    return any(name.endswith(level) for level in lexicon.place_levels) or any(
        w in name for w in lexicon.government_words)


def _unknown_places(masked: str, lexicon: Lexicon) -> list[tuple[str, tuple[int, int]]]:
    """Places a question names that no loaded report covers (北京市, 朝阳区).

    The gazetteer (index/gazetteer.py, when present) knows every place in China, with or without
    its level word (朝阳, 昆明); until then a place is a run of characters ending in a level word.
    """
    found = []
    gazetteer = _gazetteer()
    if gazetteer is not None:
        try:
            for name, start, end in _gazetteer_places(gazetteer, masked):
                if not any(w in name for w in lexicon.question.not_places):
                    found.append((name, (start, end)))
        except Exception:  # noqa: BLE001 - the gazetteer is another module's work in progress
            found = []
    for match in _UNKNOWN_PLACE.finditer(masked):
        name = match.group()
        if _MASK in name or any(w in name for w in lexicon.question.not_places):
            continue
        if not any(match.start() < e and s < match.end() for _, (s, e) in found):
            found.append((name, match.span()))
    return found


@lru_cache(maxsize=1)
def _gazetteer():
    """The gazetteer module, once it exists (another engineer's index/gazetteer.py)."""
    try:
        from index import gazetteer  # type: ignore[attr-defined]
    except ImportError:
        return None
    return gazetteer if hasattr(gazetteer, "find_places") else None


def _gazetteer_places(gazetteer, text: str) -> list[tuple[str, int, int]]:
    """Adapt find_places(text) to (name, start, end), whatever it returns per place."""
    out = []
    try:
        matches = gazetteer.find_places(text, short=True)  # short names too: 昆明, 朝阳
    except TypeError:
        matches = gazetteer.find_places(text)
    for place in matches:
        if isinstance(place, tuple):
            name, start, end = place[0], place[1], place[2]
        else:
            name = getattr(place, "text", None) or getattr(place, "name")
            start = getattr(place, "start", text.find(name))
            end = getattr(place, "end", start + len(name))
        out.append((str(name), int(start), int(end)))
    return out


# ---------------------------------------------------------------------------- one part
def _read(text: str, catalog: Catalog, lexicon: Lexicon) -> _Part:
    """Read one part of a question: every slot, and the words no slot used."""
    q = lexicon.question
    part = _Part(text)
    masked = _mask(text, _names(text, catalog, lexicon, part))
    per_unit = _claim(masked, q.per_unit)  # 人均 is also an operation word: look before operations take it
    part.per_unit = per_unit[0][2] if per_unit else None
    which_kind = _claim(masked, q.which_kind)
    kind = next((w for w in q.kind_words if w in masked), None)
    if not which_kind and kind:  # 理由有哪些, 有哪些类型: said as 原因是什么 where nothing answers it
        which_kind = [(s, e, f"{kind}{w}") for s, e, w in _claim(masked, q.kind_lists)]
    if which_kind:
        part.which_kind = which_kind[0][2]
        masked = _mask(masked, [(s, e) for s, e, _ in which_kind])
    part.typed_bound, bound_span = _bound(masked, q)  # before years: 100 is no year, 超过 no field word
    if bound_span:
        masked = _mask(masked, [bound_span])
    operation, descending, limit, explicit, op_spans = _operation(masked, lexicon)
    if part.typed_bound:  # 超过50件的地方: the reports past the bound, in order
        operation, descending, limit, explicit = Operation.RANK, part.typed_bound[0].startswith(">"), None, True
    if operation == Operation.RANK:
        part.by_change, change_spans = _ranked_by_change(masked, lexicon)
        op_spans = op_spans + change_spans
    years = _find_years(masked, lexicon, skip=op_spans)
    masked = _mask(masked, [span for _, span, _ in years])
    _take_years(part, years, masked, lexicon)
    if part.base_year is not None and operation in (Operation.VALUE, Operation.COMPARE):
        operation, explicit = Operation.CHANGE, True
    # Subjects the tables do not hold, longest first: 主动公开 keeps 公开了 from reading as 予以公开.
    kinds = {w: "prose" for w in q.prose} | {w: "scope" for w in q.out_of_scope}
    field_spans = _spans(masked, _field_words(lexicon))
    for start, end, word in _claim(masked, kinds):
        if any(fs < end and start < fe and fe - fs >= end - start and not (start <= fs and fe <= end)
               for fs, fe in field_spans):
            continue  # 议案 inside 复议案件: the longer field word decides
        if kinds[word] == "prose":
            part.subject = part.subject or word
        else:
            part.out_of_scope = part.out_of_scope or word
        masked = _mask(masked, [(start, end)])
    comparing = operation == Operation.VALUE and _comparing(masked, lexicon)  # 谁 is also a place word
    part.level = next((lvl for word, lvl in lexicon.level_words.items() if word in masked), None)
    masked = _mask(masked, _spans(masked, lexicon.place_words))
    scopes = _claim(masked, lexicon.scopes)
    if scopes:
        part.scope = lexicon.scopes[scopes[0][2]]
        masked = _mask(masked, [(s, e) for s, e, _ in scopes])
    rates = {w: r for r in lexicon.rates for w in r.words}
    found_rates = _claim(masked, rates)
    if found_rates:  # 公开率, 复议纠错率: a rate of the lexicon, before its words read as fields
        word = max(found_rates, key=lambda t: t[1] - t[0])[2]
        part.rates = tuple(r for r in lexicon.rates if word in r.words)
        masked = _mask(masked, [(s, e) for s, e, _ in found_rates])
        if operation == Operation.VALUE:
            operation, explicit = Operation.SHARE, True
        elif operation == Operation.COMPARE:  # 谁的公开率高: the named bodies ranked by the rate
            operation, explicit = Operation.RANK, True
    part.operation, part.descending, part.limit, part.explicit_operation = operation, descending, limit, explicit
    part.check = any(w in masked for w in lexicon.operations["check"])
    used: list[tuple[int, int]] = list(op_spans)
    if operation == Operation.SHARE and "占" in masked:
        cut = masked.index("占")
        head, tail = masked[:cut], masked[cut + 1:]
        numerator, denominator = match_field(head, lexicon), match_field(tail, lexicon)
        if denominator:
            part.share_of = denominator.field.code
            used += [(s + cut + 1, e + cut + 1) for s, e in denominator.spans] + [(cut, cut + 1)]
        first = numerator or match_field(masked, lexicon)
    else:
        first = match_field(masked, lexicon)
    rest = masked
    if first:
        part.fields.append(first)
        used += list(first.spans)
        rest = _mask(rest, used)
        # A second field in the same part (复议和诉讼情况): every part is answered.
        while (more := match_field(rest, lexicon)) is not None and len(part.fields) < 4:
            if more.field.code in [f.field.code for f in part.fields]:
                break
            if not _joined(text, part.fields, more, lexicon):
                break  # 行政许可收费: one thing no table has, not two parts
            part.fields.append(more)
            used += list(more.spans)
            rest = _mask(rest, used)
        part.fields.sort(key=lambda f: min((s for s, _ in f.spans), default=0))  # in question order
        field_spans = [span for f in part.fields for span in f.spans]
        if part.operation != Operation.SHARE and any(
                any(ls <= s and e <= le and le - ls > e - s for ls, le in field_spans) for s, e in op_spans):
            operation, descending, limit, explicit, _ = _operation(masked, lexicon, field_spans)
            part.operation, part.descending, part.limit, part.explicit_operation = operation, descending, limit, explicit
    else:
        rest = _mask(rest, used)
    # Before applicants: 多少个人 asks for persons, not for the 个人 column.
    for attribute, words in (("persons", q.persons), ("self_place", q.self_places)):
        found = _claim(rest, words)
        if found:
            setattr(part, attribute, found[0][2])
            rest = _mask(rest, found)
    for code, span in _match_applicants(rest, lexicon):
        part.applicants.append(code)
        rest = _mask(rest, [span])
    part.money = any(w in rest for w in q.money)
    rest = _mask(rest, _spans(rest, q.money))

    if part.rates:
        _take_rate(part, lexicon)
    part.follow_up = any(w in rest for w in q.follow_up)
    rest = _mask(rest, _spans(rest, list(lexicon.operations["check"]) + list(q.follow_up) + list(q.clause_breaks)))
    _leftovers(part, rest, lexicon)
    _departments(part, catalog, lexicon)
    _take_scope(part, catalog)
    if comparing and len(part.bodies) + len(part.unknown) + len(part.ambiguous) >= 2:
        part.operation, part.descending, part.explicit_operation = Operation.COMPARE, not _fewer(masked, lexicon), True
    _settle_bound(part)
    _settle_breakdown(part, lexicon)
    return part


# A bound's unit as typed: 万 before a count multiplies it (2万件 is 20000件), 万元 is a unit.
_BOUND_UNITS = r"(?:万元|万件|万次|万条|万个|万|件|个|次|项|条|份|元|%)?"


@lru_cache(maxsize=4)
def _bound_patterns(before: tuple[str, ...], after: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The patterns of a bound written before the number and after it, made once per lexicon."""
    def either(words: tuple[str, ...]) -> str:
        return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))

    number = r"(\d+(?:\.\d+)?)(?!\s*年|\d)"
    return (re.compile(rf"({either(before)})\s*{number}\s*({_BOUND_UNITS})"),
            re.compile(rf"{number}\s*({_BOUND_UNITS})\s*({either(after)})"))


def _bound(text: str, q: QuestionWords) -> tuple[tuple[str, float, str] | None, tuple[int, int] | None]:
    """A bound on the number, its unit as typed, and where it is written: 超过50件 → (">", 50.0, "件");
    2万件以上 → (">=", 20000.0, "件"); 100以上 → (">=", 100.0, ""). A number followed by 年 is a
    year, never a bound."""
    before, after = _bound_patterns(tuple(q.bounds_before), tuple(q.bounds_after))
    match = before.search(text)
    if match:
        comparison, value, unit = q.bounds_before[match.group(1)], match.group(2), match.group(3)
    else:
        match = after.search(text)
        if not match:
            return None, None
        comparison, value, unit = q.bounds_after[match.group(3)], match.group(1), match.group(2)
    amount = float(value)
    if unit.startswith("万") and unit != "万元":  # 万 alone stays: 收费超过1万 is 1万元
        amount, unit = amount * 10_000, unit[1:] or "万"
    return (comparison, amount, unit), match.span()


def _settle_breakdown(part: _Part, lexicon: Lexicon) -> None:
    """哪类最多 about one place: its table 三 columns (申请人最多的是哪类) or the rows under the field
    (办理结果中哪一类最多 → 予以公开, 部分公开 …). Anything else is left to the refusal."""
    if not part.which_kind or not part.fields or len(part.bodies) > 1 or len(part.applicants) > 1:
        return
    field = part.fields[0].field
    if part.applicants:  # 商业企业申请的办理结果都有哪些: the rows under it, in that column
        part.breakdown = "items" if lexicon.items_of(field.code) else None
    elif field.table == "requests" and any(w in part.text for w in lexicon.question.by_applicant):
        part.breakdown = "applicants"
    elif lexicon.items_of(field.code):
        part.breakdown = "items"
    elif field.table == "requests":  # 收到的申请都有哪些: a row with nothing under it, by its columns
        part.breakdown = "applicants"
    if part.breakdown:
        part.operation = Operation.RANK
        part.unused_content = [w for w in part.unused_content if w not in lexicon.question.kind_words]


_COUNT_UNITS = frozenset({"件", "个", "次", "项", "条", "份"})


def _settle_bound(part: _Part) -> None:
    """The bound in the field's unit (超过100元 of a field in 万元 is 0.01万元), or, where the units
    do not meet (超过50件 of an amount), the conflict that stops the number."""
    if part.typed_bound is None or not part.fields:
        return
    comparison, value, unit = part.typed_bound
    field_unit = part.fields[0].field.unit
    if unit == "万":  # a count of 万 (1万件), or of an amount kept in 万元 (1万元)
        value, unit = (value / 10_000, "万元") if field_unit == "万元" else (value, "")
    if unit and unit != field_unit and not (unit in _COUNT_UNITS and field_unit in _COUNT_UNITS):
        if (unit, field_unit) != ("元", "万元"):
            part.bound_conflict = f"{value:g}{unit}"
            return
        value /= 10_000
    part.bound = (comparison, value)


def _ranked_by_change(text: str, lexicon: Lexicon) -> tuple[str | None, list[tuple[int, int]]]:
    """增长最快, 下降最多, 变化最大: a ranking of each body's change from the year before, and its words."""
    words = lexicon.rank_change
    kinds = {w: kind for kind in ("increase", "decrease", "either") for w in words.get(kind, ())}
    kinds.update({w: "increase" for w in lexicon.operations.get("change", ()) if w not in kinds})
    found = _claim(text, kinds)
    if not found:
        return None, []
    directions = {kinds[w] for _, _, w in found}
    direction = "decrease" if directions == {"decrease"} else "increase" if directions == {"increase"} else "change"
    percent = any(w in text for w in words.get("percent", ()))
    return direction + ("_pct" if percent else ""), [(s, e) for s, e, _ in found]


def _take_rate(part: _Part, lexicon: Lexicon) -> None:
    """Settle which rate a rate word means, by the table the rest of the question names.

    The fields read from the rest (行政复议 in 行政复议的纠错率) are the rate's own words; a field of
    another table (行政处罚的公开率) is a question no rate answers.
    """
    tables = {f.field.code.split(".")[0] for f in part.fields}
    rate = next((r for r in part.rates if r.numerator[0].split(".")[0] in tables), part.rates[0])
    part.rate = rate.code
    own = {code.split(".")[0] for code in rate.numerator + rate.denominator}
    others = [f for f in part.fields if f.field.code.split(".")[0] not in own]
    if others:
        part.rate_conflict = others[0].field.label
    part.fields = [FieldMatch(lexicon.field(rate.numerator[0]), 0, ())]
    part.share_of = None


def _take_scope(part: _Part, catalog: Catalog) -> None:
    """江苏省各县, 淮安市下辖各区县, 河北省的厅局, 江苏省哪个县: the bodies of a level under one place.

    The place is named once (a loaded body, a name several loaded bodies share, or a place the
    store lacks that the gazetteer knows); it is then the scope, not a body to answer for.
    """
    levels = part.scope or ((part.level,) if part.level else ())
    named = len(part.bodies) + len(part.ambiguous) + len(part.unknown)
    if not levels or named != 1 or part.organs:
        return
    code, name = None, None
    if part.bodies:
        body = next(iter(catalog.bodies_called(part.bodies[0])), None)
        if body is not None:
            code, name = body.code, body.region
    elif part.ambiguous:
        name, options = part.ambiguous[0]
        codes = {b.code for option in options for b in catalog.bodies_called(option)}
        code = codes.pop() if len(codes) == 1 else None
    else:
        name = part.unknown[0]
        gazetteer = _gazetteer()
        places = [p for p in gazetteer.lookup(name) if p.current] if gazetteer is not None else []
        code = places[0].code if len({p.code for p in places}) == 1 else None
    if code:
        gazetteer = _gazetteer()
        place = gazetteer.by_code(code) if gazetteer is not None else None
        name = place.name if place is not None else name
    part.within, part.scope = (code, name or ""), tuple(levels)
    part.bodies, part.ambiguous, part.unknown = [], [], []
    part.level = None


def _joined(text: str, fields: list[FieldMatch], more: FieldMatch, lexicon: Lexicon) -> bool:
    """Whether a join word (和, 、, 分别 …) stands between another field's words and this one's."""
    start = min(s for s, _ in more.spans)
    end = max(e for _, e in more.spans)
    for f in fields:
        f_start, f_end = min(s for s, _ in f.spans), max(e for _, e in f.spans)
        between = text[f_end:start] if f_end <= start else text[end:f_start] if end <= f_start else ""
        if any(w in between for w in lexicon.question.joins):
            return True
    return False


def _take_years(part: _Part, years, masked: str, lexicon: Lexicon) -> None:
    """Two years with 比 or 到 between them, or a year after 比, make a change between years."""
    q = lexicon.question
    absolute = [(year, span) for year, span, offset in years if offset is None]
    relative = [offset for year, span, offset in years if offset is not None]
    if relative and not absolute:
        part.relative = relative[0]
        return
    if len(absolute) >= 2:
        (first, first_span), (second, second_span) = absolute[0], absolute[1]
        between = masked[first_span[1]:second_span[0]]
        if any(w in between for w in q.year_against):
            part.years, part.base_year = [first], second
        elif any(w in between for w in q.year_span) or _mentions_change(masked, lexicon):
            part.years, part.base_year = [max(first, second)], min(first, second)
        else:
            part.years = [year for year, _ in absolute]
        return
    if absolute:
        year, (start, _) = absolute[0]
        before = masked[max(0, start - 2):start]
        if any(before.endswith(w) for w in q.year_against):
            part.base_year = year
        else:
            part.years = [year]


def _mentions_change(text: str, lexicon: Lexicon) -> bool:
    return any(w in text for w in lexicon.operations["change"])


def _departments(part: _Part, catalog: Catalog, lexicon: Lexicon) -> None:
    """A department named after its place (伊春市环境局) is the loaded department it abbreviates.

    Its place's government was matched by name; a loaded department of that place whose name
    holds the typed characters in order (环境 in 生态环境局, 卫健 in 卫生健康委员会) replaces it,
    with the reading saying so. Several such departments are asked back; none is refused.
    """
    for run in list(part.organs):
        ending = next((e for e in lexicon.question.organ_endings if run.endswith(e)), "")
        stem = run[: len(run) - len(ending)] if len(run) - len(ending) >= 2 else run
        for government in list(part.bodies):
            named = catalog.body_called(government)
            place = named.region if named else ""
            found = [b for b in catalog.bodies_in(place) if not b.government
                     and _in_order(stem, b.body[len(place):] if b.body.startswith(place) else b.body)]
            if not found:
                continue
            part.organs.remove(run)
            typed = place + run
            if len(found) == 1:
                part.bodies[part.bodies.index(government)] = found[0].body
                part.notes.append((typed, found[0].name))
            else:
                part.bodies.remove(government)
                part.ambiguous.append((typed, tuple(b.body for b in found)))
            break
    first = catalog.body_called(part.bodies[0]) if part.bodies else None
    if first:  # 公安局 → 兴隆县公安局 in what the answer says
        place = first.name
        part.organs = [run if run.startswith(place) else place + run for run in part.organs]


def _a_place_name(name: str) -> bool:
    """A real place (the gazetteer knows it), or a short run before a level word (春蜀区), not a
    phrase that happens to end in one (收到申请比辉县)."""
    gazetteer = _gazetteer()
    return len(name) <= 4 or bool(gazetteer is not None and gazetteer.lookup(name))


def _in_order(chars: str, text: str) -> bool:
    """Whether all the characters occur in the text in this order (卫健 in 卫生健康委员会)."""
    position = 0
    for ch in chars:
        position = text.find(ch, position) + 1
        if position == 0:
            return False
    return True


def _leftovers(part: _Part, rest: str, lexicon: Lexicon) -> None:
    """Sort the words no slot used: a department, a field word, a content word, or nothing."""
    q = lexicon.question
    need = lexicon.need_words()
    # A run ending in 局/委/办 … is a department (兴隆县公安局), before any place inside it (公安县).
    for match in _CJK_RUN.finditer(rest):
        run = match.group()
        if any(run.endswith(e) and len(run) > len(e) for e in q.organ_endings) and run not in q.filler:
            part.organs.append(run)
            rest = _mask(rest, [match.span()])
    # Places last, on what nothing else used: a place's short name (开平) can hide across words.
    for name, span in _unknown_places(rest, lexicon):
        if name not in part.unknown:
            part.unknown.append(name)
        rest = _mask(rest, [span])
    part.runs = [run for run in _CJK_RUN.findall(rest) if len(run) >= 2]
    # A rate the operations do not know (答复率, 满意率): the tables hold counts, not that rate.
    for match in re.finditer(r"率", rest):
        start = match.start()
        while start > 0 and rest[start - 1] not in (_MASK,) and match.end() - start < 4:
            start -= 1
        part.unused_content.append(part.text[start:match.end()] if start < match.start() else "率")
        rest = _mask(rest, [(start, match.end())])
    kept = {"domain": part.unused_domain, "content": part.unused_content, "other": part.unused_other,
            "unknown": part.unknown, "skip": []}
    for run in _CJK_RUN.findall(rest):
        for word, tag in _tagged(run, lambda w: _kind_by_word(w, lexicon, need) is not None):
            kept[_kind_by_word(word, lexicon, need) or _kind_by_tag(word, tag, lexicon)].append(word)


def _kind_by_word(word: str, lexicon: Lexicon, need: frozenset[str]) -> str | None:
    """What a left-over word is by the word alone, or None when its part of speech decides."""
    q = lexicon.question
    if word in q.filler or word.isdigit() or word in q.not_places:
        return "skip"
    if word in need:
        return "domain"
    if word in q.qualifiers or word in q.uncounted:
        return "content"  # 直接被告上法庭, 驳回了多少申请: what the field does not count
    if word in q.negations:
        return "domain"  # 没公开: a negation left over flips what the field means
    if len(word) < 2 or word in q.not_place_words:
        return "skip"
    return None


def _kind_by_tag(word: str, tag: str, lexicon: Lexicon) -> str:
    """What a left-over word is by its part of speech."""
    if tag == "ns" and _gazetteer() is None:
        return "unknown"  # 昆明, 朝阳: a place without its level word (the gazetteer knows better)
    if tag in lexicon.question.content_tags or word.isascii():
        return "content"
    return "other"


def _tagged(run: str, decided: Callable[[str], bool]) -> list[tuple[str, str]]:
    """The run's words with their parts of speech; untagged when no word's tag matters.

    Most questions leave only words like 多少, 的, 是 over, decided by the word alone; the
    tagger's word-tag table costs a third of a second to read on the first use (docs/benchmarks.md).
    Its words are the dictionary's best route whenever no two single characters stand side by
    side (only those can be joined by its HMM), so the tagger is skipped exactly then.
    """
    words = dictionary_words(run)
    if all(decided(w) for w in words) and not any(len(a) == len(b) == 1 for a, b in zip(words, words[1:])):
        return [(w, "") for w in words]
    return _pos_cut(run)


def _pos_cut(text: str) -> list[tuple[str, str]]:
    return [(pair.word, pair.flag) for pair in _pos_tokenizer().cut(text, HMM=True)]


@lru_cache(maxsize=1)
def _pos_tokenizer():
    """jieba's part-of-speech tagger over our segmenter (its dictionary and the domain phrases).

    Importing jieba.posseg already builds a tagger whose word-tag table is read from jieba's
    dictionary file (0.3 CPU s); ours has the same dictionary file, so it shares that table
    instead of reading the file a second time (POSTokenizer() would: a third of the first
    answer's start-up, docs/benchmarks.md)."""
    import jieba.posseg

    from index import tokenizer

    segmenter = tokenizer._segmenter()
    if segmenter.dictionary != jieba.posseg.dt.tokenizer.dictionary:
        return jieba.posseg.POSTokenizer(segmenter)
    tagger = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
    tagger.tokenizer = segmenter
    tagger.word_tag_tab = jieba.posseg.dt.word_tag_tab
    return tagger


# ---------------------------------------------------------------------------- typos
def _correct(text: str, part: _Part, catalog: Catalog, lexicon: Lexicon) -> tuple[str, list[tuple[str, str]]]:
    """Correct near-misses of lexicon words in what a reading left over: 行证处罚 → 行政处罚."""
    words = _fuzzy_words(lexicon)
    suspects = [w for w in dict.fromkeys(part.unused_content + part.unknown + part.unused_other + part.unused_domain + part.runs)
                if w not in words[0]]  # a whole lexicon word is no slip
    if not suspects or _left_over(part) == 0:
        return text, []
    from rapidfuzz.distance import OSA
    from rapidfuzz import process

    base = _mask(text, [(m.start, m.end) for m in catalog.find(text)])
    corrections: list[tuple[str, str]] = []
    for word in suspects:
        start = base.find(word)
        if start < 0:
            continue
        best: tuple[int, int, int, str] | None = None
        for length in range(3, _LONGEST_TYPO + 1):
            for s in range(max(0, start - length + 1), min(start + len(word), len(base) - length + 1)):
                window = base[s:s + length]
                if _MASK in window or not re.fullmatch(r"[\u4e00-\u9fff]+", window) or window in words[0]:
                    continue
                holds_a_word = _holds_a_word(window, words[0])
                for size in (length, length + 1, length - 1):
                    candidates = words[1].get(size, ())
                    # A lost or extra character only where the window holds no whole word (个行政处罚).
                    if size < 4 or not candidates or (size != length and holds_a_word):
                        continue
                    hit = process.extractOne(window, candidates, scorer=OSA.distance, score_cutoff=1)
                    if hit and size > length and text.startswith(hit[0], s):
                        continue  # 结果维 + 持 is already 结果维持
                    # A slip of one character beats a lost or extra one; then the longest word wins.
                    key = (size == length, size)
                    if hit and (best is None or key > best[2]):
                        best = (s, s + length, key, hit[0])
                same_sound = _words_by_sound(lexicon).get(_pinyin(window))
                if same_sound and same_sound != window and len(same_sound) == length and (best is None or (True, length) > best[2]):
                    best = (s, s + length, (True, length), same_sound)
        if best:
            s, e, _, replacement = best
            return text[:s] + replacement + text[e:], [(text[s:e], replacement)]
    return text, corrections


_LONGEST_TYPO = 12  # 法律行政法规禁止公开: the longest field words are ten characters


def _holds_a_word(window: str, words: frozenset[str]) -> bool:
    """A window that already holds a whole lexicon word is no typo of another (个行政处罚)."""
    return any(window[i:j] in words for i in range(len(window)) for j in range(i + 3, len(window) + 1))


@lru_cache(maxsize=4)
def _fuzzy_words(lexicon: Lexicon) -> tuple[frozenset[str], dict[int, tuple[str, ...]]]:
    """The words typos are corrected to: field, applicant and subject words of 3 characters or
    more, and the same by length."""
    words = set(lexicon.need_words())
    for f in lexicon.fields:
        words.update(f.boost)
    for a in lexicon.applicants:
        words.update(a.ask)
    words.update(lexicon.question.prose)
    words = {w for w in words if len(w) >= 3 and re.fullmatch(r"[\u4e00-\u9fff]+", w)}
    by_length: dict[int, list[str]] = {}
    for w in sorted(words):
        by_length.setdefault(len(w), []).append(w)
    return frozenset(words), {k: tuple(v) for k, v in by_length.items()}


@lru_cache(maxsize=4)
def _words_by_sound(lexicon: Lexicon) -> dict[str, str]:
    """The typo words by their pinyin (same-sound slips: 行正处罚). Apart from ``_fuzzy_words``
    because pypinyin and 270 words' pinyin cost 0.3 CPU s, paid only by a question with a suspect."""
    by_sound: dict[str, str] = {}
    for w in sorted(_fuzzy_words(lexicon)[0], key=len, reverse=True):
        by_sound.setdefault(_pinyin(w), w)
    return by_sound


def _pinyin(text: str) -> str:
    """The characters' readings, each read alone: a question tries ~200 windows, and pypinyin on
    each whole window (phrase segmentation) was a third of a narrative question's time. Words and
    windows are read the same way, so a same-sound slip still meets its word."""
    return " ".join(_reading(ch) for ch in text)


@lru_cache(maxsize=8192)
def _reading(character: str) -> str:
    from pypinyin import lazy_pinyin

    return lazy_pinyin(character)[0]


def warm_up(lexicon: Lexicon) -> None:
    """Load what only some questions need (the POS tagger, pinyin of the typo words): about
    0.8 s of the first such question. A long-running bot does it in the background after its
    start (bot/engine.py, warm_up_rest); a one-off command leaves it to the question that needs it."""
    _pos_tokenizer()
    _words_by_sound(lexicon)


# ---------------------------------------------------------------------------- questions
def _split(text: str, lexicon: Lexicon) -> list[str]:
    """Cut a question at its separators and at words that start another part (其中 …)."""
    q = lexicon.question
    pattern = "|".join(map(re.escape, q.separators))
    pieces = [p for p in re.split(f"(?:{pattern})", text) if p.strip()]
    out: list[str] = []
    for piece in pieces:
        cut = re.split(f"(?=(?:{'|'.join(map(re.escape, q.clause_breaks))}))", piece)
        out.extend(c for c in cut if c.strip())
    return out


def _is_help(text: str, lexicon: Lexicon) -> tuple[bool, str]:
    """A greeting or a request for help; otherwise the question without its greeting."""
    q = lexicon.question
    bare = re.sub(r"[\W_]+", "", text.lower())
    unasked = next((bare[len(p):] for p in q.polite if bare.startswith(p)), bare)
    if text.strip().lower().startswith(("/help", "/start")) or bare in q.help or unasked in q.help:
        return True, text
    for greeting in q.greetings:
        if bare.startswith(greeting):
            rest = bare[len(greeting):]
            rest = next((rest[len(p):] for p in q.polite if rest.startswith(p)), rest)
            if not rest or rest in q.help or all(ch in q.filler for ch in rest):
                return True, text
            return False, re.sub(f"^\\W*{re.escape(greeting)}\\W*", "", text, flags=re.I)
    return False, text


def understand(question: str, catalog: Catalog, lexicon: Lexicon, *, today: date | None = None,
               context: Intent | None = None) -> Intent:
    """Turn a question into an Intent; with a context, a short follow-up changes one part of it."""
    today = today or date.today()
    text = fold(question, lexicon)
    unused_english: tuple[str, ...] = ()
    english_ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()
    english_notes: tuple[tuple[str, str], ...] = ()
    english_unknown: tuple[str, ...] = ()
    helped, text = _is_help(text, lexicon)
    if helped:
        intent = Intent(question=question, route=Route.HELP, query=question)
        return replace(intent, reading=describe(intent, catalog, lexicon))
    if is_english(text):
        translation = translate(text, catalog, lexicon)
        text, unused_english, english_ambiguous = translation.text, translation.unused, translation.ambiguous
        english_notes, english_unknown = translation.notes, translation.unknown
    pieces = _split(text, lexicon)
    whole, corrections = _read_corrected(text, catalog, lexicon)
    whole.unused_other.extend(unused_english)
    whole.unknown.extend(english_unknown)
    for name, options in english_ambiguous:
        bodies = tuple(dict.fromkeys(b.body for option in options for m in catalog.find(option) for b in m.bodies))
        if bodies:
            whole.ambiguous.append((name, bodies))
        else:
            whole.unknown.append(name)
    intent = _intent(question, whole, today, context, lexicon, list(english_notes) + corrections)
    if len(pieces) > 1:
        intent = _several_parts(question, pieces, intent, catalog, lexicon, today, context) or intent
    if context is not None and intent.route != Route.HELP and _is_follow_up(intent, whole, context):
        intent = _merge(context, intent, whole, today)
    intent = _finish(intent, catalog, lexicon)
    return intent


def _read_corrected(text: str, catalog: Catalog, lexicon: Lexicon) -> tuple[_Part, list[tuple[str, str]]]:
    """Read a part; where words are left over, correct one slip at a time while that leaves fewer."""
    part = _read(text, catalog, lexicon)
    corrections: list[tuple[str, str]] = []
    for _ in range(_MAX_CORRECTIONS):
        corrected, found = _correct(text, part, catalog, lexicon)
        if not found:
            break
        again = _read(corrected, catalog, lexicon)
        if _left_over(again) >= _left_over(part) or (part.fields and not again.fields):
            break
        text, part = corrected, again
        corrections.extend(found)
    return part, corrections


_MAX_CORRECTIONS = 2


def _left_over(part: _Part) -> int:
    """How much of a part its reading did not use, in characters."""
    words = part.unused_domain + part.unused_content + part.unused_other + part.organs
    return sum(len(w) for w in words) + (0 if part.fields or part.subject or part.check else 1)


def _several_parts(question: str, pieces: list[str], whole: Intent, catalog: Catalog, lexicon: Lexicon,
                   today: date, context: Intent | None) -> Intent | None:
    """Read each piece as a follow-up of the one before: 伊春市收到多少申请，其中自然人多少."""
    parts: list[Intent] = []
    parts_of_last: list[Intent] = []
    previous = context
    for piece in pieces:
        read, corrections = _read_corrected(piece, catalog, lexicon)
        intent = _intent(piece, read, today, previous, lexicon, corrections)
        if previous is not None and parts and _incomplete(read):
            intent = _merge(previous, intent, read, today)
        if not read.fields and read.unused_domain and parts and not intent.refusal or (
                intent.refusal and not read.fields and read.unused_domain and parts and not read.unused_content):
            # 其中纠正多少 after 复议和诉讼: the word narrows each part before it (复议纠正, 诉讼纠正).
            narrowed = _narrow(piece, parts_of_last, catalog, lexicon, today)
            if narrowed:
                parts.extend(narrowed)
                previous = parts[-1]
                continue
        if not _answerable(intent):
            previous = intent  # 兴隆县与色达县相比，谁的申请更多: the first piece only sets the scene
            continue
        if intent.parts:
            parts.extend(intent.parts)
            parts_of_last = list(intent.parts)
            previous = parts[-1]
            continue
        parts_of_last = [intent]
        if parts and not _adds_anything(intent, parts[-1]):
            parts[-1] = replace(parts[-1], unused=parts[-1].unused + intent.unused)
            previous = parts[-1]
            continue
        else:
            parts.append(intent)
        previous = parts[-1]
    answered = [p for p in parts if p.route in (Route.STRUCTURED, Route.CHECK)]
    if len(parts) < 2 or not answered or len({_key(p) for p in parts}) < 2:
        return None
    if all(p.route == Route.RETRIEVAL and not p.refusal for p in parts):
        return None
    first = parts[0]
    return replace(first, question=question, parts=tuple(parts), unused=tuple(dict.fromkeys(u for p in parts for u in p.unused)),
                   query=question, refusal=None)


def _narrow(piece: str, before: list[Intent], catalog: Catalog, lexicon: Lexicon, today: date) -> list[Intent]:
    """Each intent before, narrowed by a piece's field word: 行政复议 + 其中纠正多少 → 复议纠正."""
    narrowed = []
    for intent in before:
        if not intent.field or not lexicon.has_field(intent.field):
            return []
        head = lexicon.field(intent.field).need[0][0][0]  # the field's first word: 行政复议
        read = _read(head + piece, catalog, lexicon)
        if not read.fields or read.unused_domain or read.unused_content or read.fields[0].field.code == intent.field:
            return []
        narrowed.append(replace(intent, field=read.fields[0].field.code, question=piece, query=piece,
                                applicant=read.applicants[0] if read.applicants else intent.applicant))
    return narrowed


def _answerable(intent: Intent) -> bool:
    """A piece that asks something of its own: a field, a check, a subject, or a refusal."""
    return bool(intent.field or intent.parts or intent.route == Route.CHECK or intent.refusal or intent.subject)


def _key(intent: Intent) -> tuple:
    return (intent.route, intent.bodies, intent.year, intent.field, intent.applicant, intent.operation, intent.unknown_places)


def _incomplete(read: _Part) -> bool:
    """A piece that lacks a field or a place and so continues the piece before it."""
    return not read.fields or not (read.bodies or read.unknown or read.ambiguous)


def _adds_anything(intent: Intent, before: Intent) -> bool:
    return _key(intent) != _key(before) and (intent.field is not None or intent.route == Route.CHECK
                                             or bool(intent.refusal) or intent.subject is not None)


def _intent(question: str, part: _Part, today: date, context: Intent | None, lexicon: Lexicon,
            corrections: list[tuple[str, str]]) -> Intent:
    """Make an Intent of a part as read, with a refusal when the reading left meaningful words unused."""
    if part.check:
        route = Route.CHECK
    elif part.fields:
        route = Route.STRUCTURED
    else:
        route = Route.RETRIEVAL
    year = part.years[0] if part.years else (today.year + part.relative if part.relative is not None else None)
    fields = [f.field.code for f in part.fields]
    applicant = part.applicants[0] if part.applicants else None
    common = dict(
        bodies=tuple(part.bodies), ambiguous=tuple(part.ambiguous), unknown_places=tuple(dict.fromkeys(part.unknown)),
        year=year, applicant=applicant, operation=part.operation, descending=part.descending, level=part.level,
        limit=part.limit, query=question, base_year=part.base_year, subject=part.subject,
        corrections=tuple(part.notes) + tuple(corrections),
        within=part.within[1] if part.within else None, within_code=part.within[0] if part.within else None,
        levels=part.scope, rate=part.rate, by_change=part.by_change, bound=part.bound, breakdown=part.breakdown,
    )
    intent = Intent(question=question, route=route, field=fields[0] if fields else None, share_of=part.share_of,
                    unused=tuple(part.unused), **common)
    if route == Route.RETRIEVAL and intent.subject is None and part.unused_domain:
        intent = replace(intent, subject=part.unused_domain[0])  # 投诉 alone: no table counts it
    refusal = _refusal(part, intent, lexicon)
    if refusal:
        return replace(intent, refusal=refusal)
    if route == Route.RETRIEVAL:
        # The text route searches with the words no slot used: they are its topic, not unused.
        words = part.unused_domain + part.unused_content + [w for w in part.unused_other if not w.isascii()]
        topic = tuple(sorted((w for w in dict.fromkeys(words) if w != intent.subject), key=part.text.find))
        return replace(intent, unused=tuple(w for w in intent.unused if w.isascii() or w in part.organs), topic=topic)
    # Several fields, applicants or years in one part: one Intent each, all answered.
    pieces: list[Intent] = []
    if len(fields) > 1:
        pieces = [replace(intent, field=code, share_of=None) for code in fields]
    elif len(part.applicants) > 1 and route == Route.STRUCTURED:
        pieces = [replace(intent, applicant=code) for code in part.applicants]
    elif len(part.years) > 1 and route == Route.STRUCTURED and part.base_year is None:
        pieces = [replace(intent, year=y) for y in dict.fromkeys(part.years)]
    if pieces:
        return replace(pieces[0], parts=tuple(pieces))
    return intent


def _refusal(part: _Part, intent: Intent, lexicon: Lexicon) -> str | None:
    """Why a part cannot be answered as read, or None: the words it would have to ignore."""
    if part.out_of_scope and not part.fields:
        return f"这些年度报告讲的是政府信息公开工作，没有关于「{part.out_of_scope}」的内容。"
    if part.organs and not part.check:
        names = "、".join(part.organs)
        return f"库里没有「{names}」的报告；只有报告所列机关的数字，不能拿本级政府的数字代替。"
    if intent.route != Route.STRUCTURED:
        return None
    if part.rate_conflict:
        rate = next(r for r in lexicon.rates if r.code == part.rate)
        return (f"报告里没有「{part.rate_conflict}」的{rate.label.split('（')[0]}：{rate.label.split('（')[0]}"
                f"是{rate.label.split('（')[-1].rstrip('）')}，所以不给数字。")
    if part.rate and part.by_change:
        return "还没有按比率的变化排名：可以分别问两年的比率，所以不给数字。"
    if part.which_kind and not part.breakdown:
        label = lexicon.field(intent.field).label
        return f"问题问的是{part.which_kind}，但“{label}”在报告的表格里没有再分类，所以不给数字。"
    if part.which_kind and not part.bodies:
        return (f"问题问的是{part.which_kind}：各类只在一份报告里排名，请写出地方，例如"
                f"“伊春市{part.text.strip('？?。')}”，所以不给数字。")
    if part.typed_bound and (part.rate or part.by_change):
        return "还不能按比率或变化量设门槛（超过、不到……）筛选：可以问排名，例如“公开率最高的地方”，所以不给数字。"
    if part.bound_conflict:
        label = lexicon.field(intent.field).label
        return f"问题里的「{part.bound_conflict}」和“{label}”的单位（{lexicon.field(intent.field).unit}）对不上，所以不给数字。"
    if part.subject and part.subject not in lexicon.question.table_subjects:
        return f"问题里的「{part.subject}」在报告的表格里没有对应的数字（只有正文里可能提到），所以不回答别的数字。"
    if part.self_place and not (part.bodies or part.unknown or part.ambiguous):
        return f"问题里的「{part.self_place}」没有说是哪个地方：请写出地名，例如“伊春市{_example_tail(intent, lexicon)}”。"
    if part.per_unit or (intent.operation == Operation.AVERAGE and len(part.bodies) == 1):
        word = part.per_unit or "平均"
        return f"报告里没有「{word}」的数字：只有全年的总数，所以不给数字。"
    if part.persons:
        label = lexicon.field(intent.field).label
        return f"报告里没有「{part.persons}」：“{label}”数的是件数，所以不给数字。"
    if part.money and lexicon.field(intent.field).unit not in ("万元", "元"):
        label = lexicon.field(intent.field).label
        return f"报告里“{label}”只有件数，没有金额，所以不给数字。"
    # A word of the field's own parent (予以公开 is one of the 处理结果) is part of the same question.
    ancestors = _ancestor_words(intent.field, lexicon)
    domain = [w for w in part.unused_domain if w not in ancestors]
    unused = list(dict.fromkeys(domain + part.unused_content + [w for w in part.unused_other if w.isascii()]))
    if unused:
        words = "、".join(f"「{w}」" for w in unused)
        hint = _related(domain, lexicon)
        return f"问题里的{words}在报告的表格里没有对应的数字，所以不回答别的数字。" + hint
    return None


def _example_tail(intent: Intent, lexicon: Lexicon) -> str:
    if intent.field and lexicon.has_field(intent.field):
        return lexicon.field(intent.field).label.split("：")[0]
    return "行政处罚多少件"


def _ancestor_words(code: str | None, lexicon: Lexicon) -> frozenset[str]:
    """The need words of a field's parents: 处理结果 for 予以公开, 不予公开 for 国家秘密."""
    words: set[str] = set()
    for _ in range(4):
        if not code or not lexicon.has_field(code) or not lexicon.field(code).parent:
            break
        code = code.split(".")[0] + "." + lexicon.field(code).parent  # requests.denied → requests.handled
        if lexicon.has_field(code):
            words.update(w for alternative in lexicon.field(code).need for group in alternative for w in group)
    return frozenset(words)


def _related(words: list[str], lexicon: Lexicon) -> str:
    """The fields a left-over field word belongs to: 投诉 → 不予处理：信访举报投诉类申请."""
    labels = []
    for word in words:
        for fdef in lexicon.fields:
            if any(word in group for alternative in fdef.need for group in alternative):
                labels.append(fdef.label)
    labels = list(dict.fromkeys(labels))[:3]
    return f"表格里与之相关的有：{'、'.join(labels)}。" if labels else ""


# ---------------------------------------------------------------------------- follow-ups
def _is_follow_up(intent: Intent, part: _Part, context: Intent) -> bool:
    """A short question that only changes a place, year, applicant, field or order of the last one."""
    if intent.route == Route.CHECK or part.unused_content or part.organs or part.out_of_scope or part.subject:
        return False
    if intent.route == Route.RETRIEVAL and (part.unused_other or part.unused_domain):
        return False
    changes_a_slot = bool(intent.bodies or intent.ambiguous or intent.year is not None or part.relative is not None
                          or intent.applicant or intent.unknown_places or part.explicit_operation)
    if intent.field is None:
        return changes_a_slot
    # With a field of its own, only a question marked as a follow-up (行政许可呢？) continues the last one.
    return part.follow_up and not (intent.bodies or intent.unknown_places or intent.ambiguous) or (
        part.follow_up and context.field is not None)


def _merge(context: Intent, new: Intent, part: _Part, today: date) -> Intent:
    """The last intent with the parts the follow-up changes; relative years count from the last answer."""
    if context.parts and not new.field:
        parts = tuple(_merge(p, new, part, today) for p in context.parts)
        return replace(parts[0], question=new.question, parts=parts, query=new.question)
    year = new.year
    if part.relative is not None and not part.years:
        anchor = context.answered_year or context.year
        year = anchor + part.relative if anchor else today.year + part.relative
    named = new.bodies or new.ambiguous or new.unknown_places
    field_ = new.field or context.field
    merged = replace(
        context,
        question=new.question,
        route=Route.STRUCTURED if field_ else context.route,
        bodies=new.bodies if named else context.bodies,
        ambiguous=new.ambiguous,
        unknown_places=new.unknown_places,
        year=year if year is not None else context.year,
        applicant=new.applicant or (context.applicant if field_ == context.field else None),
        field=field_,
        share_of=context.share_of if field_ == context.field else None,
        report_id=None,
        query=new.question,
        unused=new.unused,
        corrections=new.corrections,
        refusal=new.refusal,
        parts=(),
        answered_year=None,
        rate=new.rate or (context.rate if field_ == context.field else None),
        within=new.within if named or new.within else context.within,
        within_code=new.within_code if named or new.within else context.within_code,
        levels=new.levels if named or new.within else context.levels,
    )
    if part.explicit_operation:
        merged = replace(merged, operation=new.operation, descending=new.descending, limit=new.limit or context.limit,
                         by_change=new.by_change or (context.by_change if new.operation == Operation.RANK else None))
    if new.level:
        merged = replace(merged, level=new.level)
    if new.base_year is not None:
        merged = replace(merged, base_year=new.base_year)
    return merged


# ---------------------------------------------------------------------------- the reading
def _finish(intent: Intent, catalog: Catalog, lexicon: Lexicon) -> Intent:
    parts = tuple(replace(p, reading=describe(p, catalog, lexicon)) for p in intent.parts)
    intent = replace(intent, parts=parts)
    return replace(intent, reading=describe(intent, catalog, lexicon))


def describe(intent: Intent, catalog: Catalog, lexicon: Lexicon) -> str:
    """The one line that says how a question was read: 理解为：伊春市 · 2023年 · 行政处罚：本年处理决定数量（表二）."""
    if intent.route == Route.HELP:
        return "理解为：打招呼或求助（下面是能问的例子）"
    if intent.parts:
        described = [_describe_one(p, catalog, lexicon).split(" · ") for p in intent.parts]
        head = described[0][:2]
        if all(d[:2] == head for d in described):  # same places and year: say them once
            body = " · ".join(head + ["＋".join(" · ".join(d[2:]) for d in described)])
        else:
            body = "；".join(" · ".join(d) for d in described)
    else:
        body = _describe_one(intent, catalog, lexicon)
    extra = []
    if intent.corrections:
        extra.append("，".join(f"「{a}」按「{b}」理解" for a, b in intent.corrections))
    if intent.unused:
        extra.append("没有用上：" + "、".join(f"「{w}」" for w in intent.unused))
    return "理解为：" + body + ("（" + "；".join(extra) + "）" if extra else "")


_TABLES = {"active": "表二", "requests": "表三", "review": "表四"}


def _describe_one(intent: Intent, catalog: Catalog, lexicon: Lexicon) -> str:
    pieces = [_places(intent, catalog)]
    if intent.base_year is not None:
        pieces.append(f"{intent.base_year}年→{intent.year}年" if intent.year else f"{intent.base_year}年→最新年度")
    elif intent.year is not None:
        pieces.append(f"{intent.year}年")
    elif intent.route == Route.STRUCTURED:
        pieces.append("最新年度")
    if intent.route == Route.CHECK:
        pieces.append("表格数字是否对得上（勾稽检查）")
    elif intent.route == Route.STRUCTURED and intent.field and lexicon.has_field(intent.field):
        fdef = lexicon.field(intent.field)
        label = f"{fdef.label}（{_TABLES.get(fdef.table, fdef.table)}）"
        if intent.rate:  # the rate says its own numerator and denominator
            label = ""
        if intent.applicant and intent.applicant != "total" and fdef.table == "requests":
            label += f"·{lexicon.applicant(intent.applicant).label}"
        pieces.append(label)
        op = _describe_operation(intent, lexicon)
        if op:
            pieces.append(op)
    elif intent.subject:
        pieces.append(f"{intent.subject}（表格里没有，查报告原文" + (f"：{'、'.join(intent.topic)}" if intent.topic else "") + "）")
    else:
        pieces.append("查报告原文" + (f"：{'、'.join(intent.topic)}" if intent.topic else ""))
    return " · ".join(p for p in pieces if p)


def _places(intent: Intent, catalog: Catalog) -> str:
    names = []
    if intent.report_id is not None:
        body = catalog.body_of(intent.report_id)
        names.append(body.name if body else "所选报告")
    for body in intent.bodies:
        found = catalog.body_called(body)
        names.append(found.name if found else body)
    for name, options in intent.ambiguous:
        names.append(f"{name}（可能指{len(options)}个机关）")
    for place in intent.unknown_places:
        names.append(f"{place}（库里没有）")
    if names:
        return "、".join(dict.fromkeys(names))
    levels = {"county": "各县", "city": "各市", "district": "各区", "province": "各省", "department": "各部门"}
    if intent.within is not None or intent.levels:
        kinds = {"county": "县", "city": "市", "district": "区", "province": "省"}
        if intent.levels == ("department",):
            scope = "的部门" if intent.within else "各部门"
        else:
            scope = ("下辖" if intent.within else "") + "各" + "".join(kinds.get(lvl, lvl) for lvl in intent.levels)
        known = "" if intent.within is None or intent.within_code else "（地名库里没有）"
        return f"{intent.within or ''}{known}{scope}"
    return levels.get(intent.level or "", "所有报告")


def _describe_operation(intent: Intent, lexicon: Lexicon) -> str:
    op = intent.operation
    if intent.breakdown:
        kinds = "各类申请人" if intent.breakdown == "applicants" else "其下各项"
        return f"{kinds}排名（{'最多' if intent.descending else '最少'}）"
    if len(intent.bodies) == 1 and op in (Operation.SUM, Operation.AVERAGE, Operation.COMPARE, Operation.RANK):
        return ""  # one place: its value (一共作出了多少 is not a sum of several)
    if intent.rate and lexicon.rates:
        rate = next((r for r in lexicon.rates if r.code == intent.rate), None)
        if rate is not None:
            rate_table = _TABLES.get(lexicon.field(rate.numerator[0]).table, "")
            if op == Operation.RANK:
                return f"按{rate.label[:-1]}，{rate_table}）排名（{'最高' if intent.descending else '最低'}{f'，前{intent.limit}名' if intent.limit else ''}）"
            return f"{rate.label[:-1]}，{rate_table}）"
    if op == Operation.RANK and intent.by_change:
        word = {"increase": "增加", "decrease": "减少", "change": "变化"}[intent.by_change.split("_")[0]]
        measure = "幅度（%）" if intent.by_change.endswith("_pct") else "量"
        order = "最多" if intent.descending else "最少"
        return f"按比上年{word}{measure}排名（{order}{f'，前{intent.limit}名' if intent.limit else ''}）"
    if op == Operation.RANK and intent.bound:
        comparison, bound = intent.bound
        unit = lexicon.field(intent.field).unit if intent.field and lexicon.has_field(intent.field) else ""
        return f"{BOUND_WORDS[comparison]}{format_number(bound, unit)}的（从{'多' if intent.descending else '少'}到{'少' if intent.descending else '多'}）"
    if op == Operation.RANK:
        order = "最多" if intent.descending else "最少"
        return f"排名（{order}{f'，前{intent.limit}名' if intent.limit else ''}）"
    if op == Operation.COMPARE:
        return "对比（" + ("谁多" if intent.descending else "谁少") + "）"
    if op == Operation.SUM:
        return "合计"
    if op == Operation.AVERAGE:
        return "平均"
    if op == Operation.SHARE:
        if intent.share_of and lexicon.has_field(intent.share_of):
            return f"占“{lexicon.field(intent.share_of).label}”的比例"
        return "比例"
    if op == Operation.CHANGE:
        return "变化（比上年）" if intent.base_year is None else "变化"
    return ""
