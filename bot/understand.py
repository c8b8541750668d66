"""Understand a journalist's question: which reports, which year, which field, which operation.

Deterministic and offline: names come from the loaded reports (bot/catalog.py), words from the
lexicon (data/lexicon.toml). The result is an Intent, a plain value that answering, follow-ups
("那色达县呢？") and the JSON output all share.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date

from bot.catalog import Body, Catalog
from index.lexicon import FieldDef, Lexicon
from index.parser import chinese_year

ROUTE_STRUCTURED, ROUTE_RETRIEVAL, ROUTE_CHECK = "structured", "retrieval", "check"
_MASK = "\u25a1"  # a character no lexicon word contains
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*(?:年度|年)?(?!\d)")
_CN_YEAR = re.compile(r"([二][〇零○一二三四五六七八九]{3})\s*年")
_RELATIVE_YEARS = (("前年", -2), ("去年", -1), ("今年", 0))
_TOP_N = re.compile(r"前\s*([0-9一二两三四五六七八九十]+)\s*(?:名|个|位)?")
_CN_NUMBER = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_UNKNOWN_PLACE = re.compile(r"[\u4e00-\u9fff]{2,6}?(?:自治区|自治州|自治县|省|市|县|区|州|旗)")
_NOT_PLACES = ("全市", "全县", "全区", "全省", "本市", "本县", "本区", "我市", "我县", "我区", "各县", "各区", "各市",
               "该县", "该市", "该区", "哪个县", "哪个市", "哪个区", "哪个省", "城区", "市区", "县区", "社区", "小区",
               "地区", "辖区", "园区", "景区", "市长", "县长", "区长")
_CHANGE_AGAINST_YEAR = re.compile(r"(比|较|相比|对比)(19|20)\d{2}年?")
_COMPARING = re.compile(r"(哪个|哪一个|哪家|谁|比).*?[多少高低大小]")
_FEWER = re.compile(r"(?<!多)[少低小]|少于|低于")  # 多少 asks "how many", not "fewer"
_FOLLOW_UP = re.compile(r"(呢|那|还有|换成|改成|如果是)")


@dataclass(frozen=True)
class Intent:
    """What a question asks, in plain values; `replace` it to answer a follow-up."""

    question: str
    route: str
    bodies: tuple[str, ...] = ()  # bodies named, in question order
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()  # a name and the bodies it may mean
    unknown_places: tuple[str, ...] = ()  # places named that no loaded report covers
    year: int | None = None
    field: str | None = None
    applicant: str | None = None
    operation: str = "value"  # value, compare, rank, sum, average, share, change
    descending: bool = True  # for rank and compare: most first
    level: str | None = None  # 哪个县 narrows a ranking to counties
    limit: int | None = None
    share_of: str | None = None  # denominator field of a share
    report_id: int | None = None  # a report chosen from an ambiguity keyboard
    query: str = ""  # the text passage retrieval searches for


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _spans(text: str, words: tuple[str, ...]) -> list[tuple[int, int]]:
    spans = []
    for word in words:
        start = text.find(word)
        while start >= 0:
            spans.append((start, start + len(word)))
            start = text.find(word, start + 1)
    return spans


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            chars[i] = _MASK
    return "".join(chars)


def _covered(spans: list[tuple[int, int]]) -> int:
    return len({i for start, end in spans for i in range(start, end)})


@dataclass(frozen=True)
class FieldMatch:
    """The best field for a text, and where its words were found."""

    field: FieldDef
    score: int
    spans: tuple[tuple[int, int], ...]


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


def _match_applicant(text: str, lexicon: Lexicon, taken: tuple[tuple[int, int], ...]) -> str | None:
    best: tuple[int, str] | None = None
    for applicant in lexicon.applicants:
        for start, end in _spans(text, applicant.ask):
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            if best is None or end - start > best[0]:
                best = (end - start, applicant.code)
    return best[1] if best else None


def _operation(text: str, lexicon: Lexicon) -> tuple[str, bool, int | None]:
    ops = lexicon.operations
    top = _TOP_N.search(text)
    limit = None
    if top:
        raw = top.group(1)
        limit = int(raw) if raw.isdigit() else _CN_NUMBER.get(raw, 3)
    found = {name: max((len(w) for w in words if w in text), default=0) for name, words in ops.items()}
    if found["share"]:
        return "share", True, None
    if found["compare"]:
        return "compare", not _FEWER.search(text), None
    if found["rank_min"]:
        return "rank", False, limit
    if found["rank_max"] or found["rank"] or limit:
        return "rank", True, limit
    if found["change"] or _CHANGE_AGAINST_YEAR.search(text):
        return "change", True, None
    if found["average"]:
        return "average", True, None
    if found["sum"]:
        return "sum", True, None
    return "value", True, None


def find_year(text: str, today: date) -> tuple[int | None, list[tuple[int, int]]]:
    """Return the year a question names (absolute or relative to today) and where it stands."""
    match = _YEAR.search(text)
    if match:
        return int(match.group(1)), [match.span()]
    match = _CN_YEAR.search(text)
    if match:
        return chinese_year(match.group(1)), [match.span()]
    for word, offset in _RELATIVE_YEARS:
        start = text.find(word)
        if start >= 0:
            return today.year + offset, [(start, start + len(word))]
    return None, []


def _prefer_governments(bodies: tuple[Body, ...]) -> tuple[Body, ...]:
    governments = tuple(b for b in bodies if b.government)
    return governments if len(governments) == 1 else bodies


def understand(question: str, catalog: Catalog, lexicon: Lexicon, *, today: date | None = None,
               context: Intent | None = None) -> Intent:
    """Turn a question into an Intent; with a context, a short follow-up changes one part of it."""
    today = today or date.today()
    text = _fold(question)
    names = catalog.find(text)
    bodies: list[str] = []
    ambiguous: list[tuple[str, tuple[str, ...]]] = []
    for match in names:
        candidates = _prefer_governments(match.bodies)
        if len(candidates) == 1:
            if candidates[0].body not in bodies:
                bodies.append(candidates[0].body)
        else:
            ambiguous.append((match.text, tuple(b.body for b in candidates)))
    masked = _mask(text, [(m.start, m.end) for m in names])
    year, year_spans = find_year(masked, today)
    masked = _mask(masked, year_spans)
    level = next((lvl for word, lvl in lexicon.level_words.items() if word in masked), None)
    masked = _mask(masked, _spans(masked, lexicon.place_words))
    unknown = tuple(p for p in dict.fromkeys(_UNKNOWN_PLACE.findall(masked)) if not any(w in p for w in _NOT_PLACES))
    operation, descending, limit = _operation(masked, lexicon)
    if operation == "value" and len(bodies) >= 2 and _COMPARING.search(masked):
        operation, descending = "compare", not _FEWER.search(masked)
    check = any(w in masked for w in lexicon.operations["check"])
    share_of = None
    if operation == "share" and "占" in masked:
        head, tail = masked.split("占", 1)
        found, denominator = match_field(head, lexicon), match_field(tail, lexicon)
        share_of = denominator.field.code if denominator else None
        found = found or match_field(masked, lexicon)
    else:
        found = match_field(masked, lexicon)
    applicant = _match_applicant(masked, lexicon, found.spans if found else ())
    if check:
        route = ROUTE_CHECK
    elif found is not None:
        route = ROUTE_STRUCTURED
    else:
        route = ROUTE_RETRIEVAL
    intent = Intent(
        question=question, route=route, bodies=tuple(bodies), ambiguous=tuple(ambiguous), unknown_places=unknown,
        year=year, field=found.field.code if found else None, applicant=applicant, operation=operation,
        descending=descending, level=level, limit=limit, share_of=share_of, query=question,
    )
    if context is not None and _is_follow_up(text, masked, intent, lexicon):
        return _merge(context, intent)
    return intent


def _is_follow_up(text: str, masked: str, intent: Intent, lexicon: Lexicon) -> bool:
    if intent.field is not None or intent.route == ROUTE_CHECK:
        return False
    rest = re.sub(r"[\W_" + _MASK + "]", "", masked)
    for applicant in lexicon.applicants:
        for word in applicant.ask:
            rest = rest.replace(word, "")
    rest = _FOLLOW_UP.sub("", rest)
    for word in ("的", "是", "多少", "怎么样", "如何", "情况", "报告", "年"):
        rest = rest.replace(word, "")
    changed = intent.bodies or intent.ambiguous or intent.year is not None or intent.applicant or intent.unknown_places
    return bool(changed) and len(rest) <= 3


def _merge(context: Intent, new: Intent) -> Intent:
    return replace(
        context,
        question=new.question,
        bodies=new.bodies or (context.bodies if not (new.ambiguous or new.unknown_places) else ()),
        ambiguous=new.ambiguous,
        unknown_places=new.unknown_places,
        year=new.year if new.year is not None else context.year,
        applicant=new.applicant or context.applicant,
        report_id=None,
    )
