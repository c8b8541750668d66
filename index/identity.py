"""Who issued a report and for which year, from everything the file offers.

Sources, most trusted first: the title; crawler or portal metadata lines at the top (标题,
发布机构, 来源, 发文机关, 发布时间, 栏目, 原文链接); the prose ("本报告由××编制"); the signature
and date at the end; the file name. A title fragment (年度报告, 工作年度报告) is never a body.
Places are checked against the gazetteer (index/gazetteer.py): the canonical name, its code,
its level by code, and a one-character OCR slip repaired only where one real place fits.
Departments are recognised by kind (index/departments.py), so a body keeps one ``body_id``
across years and spellings: 伊美区人民政府 and 伊春市伊美区人民政府 are both ``230717:gov``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Sequence

from index import gazetteer
from index.departments import Department, department_of
from index.errors import NotAReportError
from index.gazetteer import Place
from index.lexicon import Lexicon
from index.numbers import normalize

_CN_DIGITS = {"〇": "0", "零": "0", "○": "0", "Ｏ": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5",
              "六": "6", "七": "7", "八": "8", "九": "9"}
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([二][〇零○Ｏ一二三四五六七八九]{3})\s*年")
# A year that starts a date (2024年2月5日) is when something happened, not the report year.
_YEAR_NOT_DATE = re.compile(r"((?:19|20)\d{2})\s*年(?!\s*\d{1,2}\s*月)")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[年\-/.]\s*(\d{1,2})\s*[月\-/.]\s*(\d{1,2})\s*日?")
_END_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
# A title's report words, also as sites print them short or cut (…工作报告, …工作年度报...).
_REPORT_WORDS = re.compile(r"政府信息公开.{0,6}年度报告|信息公开工作年度报告|政务公开.{0,6}年度报告|年度报告|信息公开.{0,4}年报"
                           r"|政府信息公开工作(?:年度)?报告?")
_PUBLISHED_LABEL = re.compile(r"(发布|公开|成文)(日期|时间)[:：]")
# Crawler and portal metadata: a label and a colon, several on one line or one a line.
_META_KEYS = ("标题", "发布机构", "发文机关", "发布单位", "信息来源", "来源", "发布时间", "发布日期", "成文日期",
              "栏目", "原文链接", "索引号", "主题分类", "文号", "浏览次数", "访问次数", "字号")
_META = re.compile(r"(" + "|".join(_META_KEYS) + r")\s*[:：]\s*(.*?)(?=\s{2,}|\s+(?:" + "|".join(_META_KEYS) + r")\s*[:：]|$)")
_META_LINE = re.compile(r"^\s*(?:" + "|".join(_META_KEYS) + r")\s*[:：]")
_BODY_KEYS = ("发布机构", "发文机关", "发布单位", "信息来源", "来源")
_TEXT_MARKER = re.compile(r"^[=\-\s]*正文[=\-\s]*")
_PROSE_BODY = re.compile(r"本(?:年度)?报告(?:是)?由(.{2,40}?)(?:根据|依据|按照|遵照|负责|编制|编写|汇总)")
_BODY_WORDS = re.compile(r"(?:局|委|委员会|办|办公室|办公厅|厅|中心|政府|公署|办事处|管委会|管理委员会|院|所|站|队|馆|社|部|会)$")
_NOT_BODY = re.compile(r"报告|[。，；：:？！、\d]|特此|附件|电话|地址|邮编|网址|联系|监督|欢迎|^本|^我")
_PLACE_ENDS = "省市县区州旗盟"
_WORDS_STARTING_WITH_LEVEL = {"市场", "市政", "市容", "市民", "市级", "县级", "区级", "区域", "县域", "州际", "省级"}
_WORDS_ENDING_WITH_LEVEL = {"城市", "都市", "社区", "园区", "景区", "辖区", "片区", "小区", "市区", "城区", "矿区", "山区",
                            "牧区", "林区", "库区", "垦区", "湾区"}
_TOWNSHIP = re.compile(r"^(.{1,12}?(?:镇|乡|街道|苏木))(?=人民政府|政府|办事处|街道办事处|$)")
_NATIONAL_PREFIX = "国家税务总局"  # 国家税务总局伊川县税务局: the place follows the national body


@dataclass(frozen=True)
class Body:
    """An issuing body read against the gazetteer and the department kinds."""

    name: str  # canonical: the place as the store names it, then the rest as printed (伊春市伊美区人民政府)
    printed: str  # as the source printed it (伊美区人民政府, 晖县市人民政府)
    region: str  # 伊春市伊美区; 兴隆县兴隆镇; the printed place where the gazetteer does not know it
    level: str  # province / city / county / district / township / department
    region_code: str | None  # GB/T 2260 code of the place (a township: its county's)
    body_id: str  # stable across years and spellings: 230717:gov, 410329:gov_office, 某某县:gov
    place: Place | None = None
    department: Department | None = None
    repaired: str = ""  # the printed place spelling an OCR repair replaced (晖县市)
    ambiguous: tuple[Place, ...] = ()  # the places a name could be, when nothing settled it
    relative: bool = False  # named without its place (市卫健委, 县政府办)


@dataclass(frozen=True)
class Identity:
    """Who issued a report, for which year, under which title."""

    title: str
    body: str
    region: str
    level: str
    year: int
    published: str | None = None
    body_id: str = ""
    region_code: str | None = None
    printed_body: str = ""  # the body as printed, where the canonical name differs
    notes: tuple[str, ...] = field(default=())  # how the identity was found where not plainly printed


def chinese_year(text: str) -> int | None:
    """Read a year written in Chinese numerals, 二〇二三 → 2023."""
    digits = "".join(_CN_DIGITS.get(ch, "") for ch in text)
    return int(digits) if len(digits) == 4 else None


def find_year(text: str) -> int | None:
    """Return the first report year printed in a text, in Arabic or Chinese numerals."""
    match = _YEAR.search(normalize(text))
    if match:
        return int(match.group(1))
    match = _CN_YEAR.search(text)
    return chinese_year(match.group(1)) if match else None


def read_metadata(paragraphs: Sequence[str]) -> dict[str, str]:
    """Crawler or portal metadata lines at the top: {"标题": …, "发布机构": …, "发布时间": …}."""
    found: dict[str, str] = {}
    for text in paragraphs[:20]:
        if _TEXT_MARKER.match(text) and "正文" in text:
            break
        for key, value in _META.findall(text.strip()):
            if value.strip() and key not in found:
                found[key] = value.strip()
    return found


def split_body(body: str, lexicon: Lexicon) -> tuple[str, str]:
    """Split an issuing body into its place and level: 伊春市伊美区人民政府 → (伊春市伊美区, district)."""
    resolved = resolve_body(body, lexicon)
    return resolved.region, resolved.level


def resolve_body(printed: str, lexicon: Lexicon, *, hints: Sequence[Place] = ()) -> Body:
    """Read a body's name: its place (canonical, repaired, disambiguated by ``hints``), kind, level, id.

    ``hints`` are places named elsewhere in the file (metadata, signature, prose), most trusted
    first: they settle a name several places share (朝阳区) and give a place to a body named
    without one (市卫健委).
    """
    text = normalize(printed)
    national = text.startswith(_NATIONAL_PREFIX)
    local = text[len(_NATIONAL_PREFIX):] if national else text
    place, prefix, repaired, options = _place_prefix(local, hints)
    rest = local[len(prefix):]
    township = _TOWNSHIP.match(rest)
    town = township.group(1) if township else ""
    rest = rest[len(town):]
    department = department_of(rest) if rest else None
    relative = not prefix and bool(rest)
    if relative and hints:
        place, prefix, options = hints[0], "", ()
        rest = _drop_level_word(rest)
    if place is not None:
        region_name = place.label
    elif prefix:
        region_name = prefix
    else:
        region_name = ""
    region = region_name + town
    is_government = not rest or (department is not None and department.kind in ("gov", "gov_office"))
    if town and is_government:
        level = "township"
    elif not is_government:
        level = "department"
    elif place is not None:
        level = place.level
    else:
        level = _level_by_suffix(region or text)
    kind = "gov" if not rest else (department.kind if department else _drop_level_word(rest))
    key = place.code if place is not None else (region or "")
    body_id = ":".join(part for part in (key, town, kind) if part)
    name = (_NATIONAL_PREFIX if national else "") + region + rest
    if place is None and not region:
        name = text
    return Body(name=name, printed=text, region=region or text, level=level,
                region_code=place.code if place is not None else None, body_id=body_id, place=place,
                department=department, repaired=repaired, ambiguous=options if place is None else (),
                relative=relative and place is None)


def identify(paragraphs: Sequence[str], lexicon: Lexicon, *, source_name: str = "") -> Identity:
    """Find body, place, level, year, title and date of a report; NotAReportError without a year."""
    lines = [p for p in paragraphs if p.strip()]
    metadata = read_metadata(lines)
    printed_title = _title(lines)
    meta_title = normalize(metadata.get("标题", ""))
    stem = PurePath(source_name).stem if source_name else ""
    notes: list[str] = []
    sources: list[tuple[str, str]] = [
        ("title", _body_of_title(printed_title)),
        ("meta_title", _body_of_title(meta_title)),
        *((key, normalize(metadata[key])) for key in _BODY_KEYS if key in metadata),
        ("prose", _prose_body(lines)),
        ("signature", _signature(lines)),
        ("file", _body_of_stem(stem)),
    ]
    candidates = [(source, text) for source, text in sources if text and _looks_like_body(text)]
    resolved = [(source, resolve_body(text, lexicon)) for source, text in candidates]
    body: Body | None = None
    if resolved:
        source, first = resolved[0]
        # Places the other sources name, then those the text names most often: they settle a name
        # several places share (朝阳区), place a body named without one (市卫健委), back a repair.
        hints = _Hints([b.place for _, b in resolved if b.place is not None], lines)
        body = resolve_body(first.printed, lexicon, hints=hints)
        if first.relative:
            # Named without its place (市卫健委): the same kind printed elsewhere with its place.
            same_kind = next((b for _, b in resolved[1:] if b.place is not None and b.department == first.department), None)
            if same_kind is not None:
                body = resolve_body(same_kind.printed, lexicon, hints=hints)
        if source != "title":
            notes.append(f"发布机关取自{_SOURCE_NAMES[source]}：{first.printed}")
    if body is None:
        name = stem or "未知机关"
        body = Body(name=name, printed=name, region=name, level="department", region_code=None, body_id=f"file:{name}")
        notes.append(f"报告里没有找到发布机关，按文件名记为“{name}”")
    if body.repaired:
        notes.append(f"地名“{body.repaired}”不是行政区划名，按行政区划更正为“{body.region}”")
    if body.ambiguous:
        notes.append("地名“{}”有{}处（{}），无法确定是哪一处".format(
            body.region, len(body.ambiguous), "、".join(p.parents[0].name + p.name if p.parents else p.name
                                                       for p in body.ambiguous)))
    published = _published(lines)
    year = _year(printed_title, meta_title, lines, stem, published, notes)
    title = printed_title if _looks_like_body(_body_of_title(printed_title)) else ""
    if not title and meta_title and _looks_like_body(_body_of_title(meta_title)):
        title = meta_title
    if not title:
        title = f"{body.name if resolved else ''}{year}年政府信息公开工作年度报告"
        notes.append(f"标题不完整（“{printed_title or '无'}”），按发布机关和年度记为“{title}”")
    return Identity(title=title, body=body.name, region=body.region, level=body.level, year=year, published=published,
                    body_id=body.body_id, region_code=body.region_code,
                    printed_body=body.printed if body.printed != body.name else "", notes=tuple(notes))


_SOURCE_NAMES = {"meta_title": "网页标题", "发布机构": "网页“发布机构”", "发文机关": "网页“发文机关”",
                 "发布单位": "网页“发布单位”", "信息来源": "网页“信息来源”", "来源": "网页“来源”",
                 "prose": "正文（本报告由……编制）", "signature": "文末落款", "file": "文件名"}


# --- places ----------------------------------------------------------------------------------

def _place_prefix(text: str, hints: Sequence[Place]) -> tuple[Place | None, str, str, tuple[Place, ...]]:
    """The place a body's name starts with: (place, printed prefix, repaired spelling, ambiguous options)."""
    known = gazetteer.find_places(text)
    # The gazetteer's own match first: it knows names the level-word rule cuts wrong (东城区).
    cuts = sorted({*_place_cuts(text), *(m.end for m in known[:1] if m.start == 0)}, reverse=True)
    for cut in cuts:
        prefix = text[:cut]
        matches = gazetteer.find_places(prefix)
        repaired = ""
        if not (len(matches) == 1 and matches[0].start == 0 and matches[0].end == cut):
            # An OCR slip: of the real places one character away, the one the file backs (沐阳县 →
            # 沭阳县 where the file name says 沭阳县; 汝阳县, 濮阳县 … are one character away too).
            backed = {place.code: place for _, place in gazetteer.near(prefix) if _corroborated(place, prefix, hints)}
            if len(backed) != 1:
                continue
            (place,) = backed.values()
            return place, prefix, prefix, ()
        place, options = _choose(matches[0].places, hints)
        return place, prefix, repaired, options
    cuts = _place_cuts(text)
    return None, text[:cuts[0]] if cuts else "", "", ()


def _corroborated(place: Place, typed: str, hints: Sequence[Place]) -> bool:
    """Whether the file backs a repaired place: its parent typed right before it (新乡市晖县市), or a
    place named elsewhere in the file inside it or around it. A made-up or unknown name one
    character from a real place far away (丁丁县, 丁青县) is left as printed."""
    typed_parents = [p for m in gazetteer.find_places(typed)[:1] if m.start == 0 for p in m.places]
    if any(place.within(p) and p.code != place.code for p in typed_parents):
        return True
    return any(h.within(place) or place.within(h) for h in hints)


def _place_cuts(text: str) -> list[int]:
    """Where a place name may end in a body's name, longest first (安宁县|市场监督管理局)."""
    cuts = [i + 1 for i, ch in enumerate(text) if ch in _PLACE_ENDS and i >= 1
            and text[i:i + 2] not in _WORDS_STARTING_WITH_LEVEL and text[i - 1:i + 1] not in _WORDS_ENDING_WITH_LEVEL]
    return sorted(cuts, reverse=True)


def _choose(places: tuple[Place, ...], hints: Sequence[Place]) -> tuple[Place | None, tuple[Place, ...]]:
    """One place of several with the same name: the one the hints point to, else the only current one."""
    distinct = {p.code: p for p in places}
    if len(distinct) == 1:
        return places[0], ()
    for hint in hints:
        inside = {c: p for c, p in distinct.items() if p.within(hint) or hint.within(p)}
        if len(inside) == 1:
            return next(iter(inside.values())), ()
    current = [p for p in distinct.values() if p.current]
    if len(current) == 1:
        return current[0], ()
    return None, tuple(current or distinct.values())


class _Hints(Sequence[Place]):
    """The places the other sources name, then those the top of the text names (_text_places),
    these found only when a body's name needs them: finding them took about a tenth of preparing
    a report, and most names hold a place of their own and ask for no hint."""

    def __init__(self, named: list[Place], lines: Sequence[str]) -> None:
        self._named = named
        self._lines = lines
        self._places: list[Place] | None = None

    def _all(self) -> list[Place]:
        if self._places is None:
            self._places = self._named + _text_places(self._lines)
        return self._places

    def __getitem__(self, index):  # type: ignore[override]  # an int or a slice, as a list's
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())


def _text_places(lines: Sequence[str]) -> list[Place]:
    """Places the top of the text names, most often first: a report names its own place most."""
    counts: dict[str, tuple[int, Place]] = {}
    for match in gazetteer.find_places(normalize(" ".join(lines[:40]))[:4000]):
        if len({p.code for p in match.places}) == 1:
            place = match.places[0]
            counts[place.code] = (counts.get(place.code, (0, place))[0] + 1, place)
    return [p for _, p in sorted(counts.values(), key=lambda pair: -pair[0])]


def _drop_level_word(rest: str) -> str:
    for word in ("自治区", "自治州", "自治县", "省", "市", "县", "区", "州", "旗", "盟"):
        if rest.startswith(word) and len(rest) > len(word) + 1:
            return rest[len(word):]
    return rest


def _level_by_suffix(place: str) -> str:
    """Where the gazetteer does not know a place (某某县): its level by its last word."""
    if place.endswith(("镇", "乡", "街道")):
        return "township"
    if place.endswith(("省", "自治区")):
        return "province"
    if place.endswith(("县", "旗")):
        return "county"
    if place.endswith("区") and not place.endswith("地区"):
        return "district"
    if place.endswith("市") and re.search(r"(市|州|盟|地区).+市$", place):
        return "county"
    return "city"


# --- sources ---------------------------------------------------------------------------------

def _title(lines: Sequence[str]) -> str:
    """The printed title: the first line near the top naming a report (metadata lines skipped)."""
    head = [t for t in lines[:15] if not _META_LINE.match(t)]
    for i, raw in enumerate(head):
        text = _TEXT_MARKER.sub("", raw.strip()) if "正文" in raw[:12] else raw.strip()
        text = re.sub(r"^[#>*\s]+", "", text)  # a Markdown heading (# 沐阳县人民政府…)
        match = _REPORT_WORDS.search(text)
        if not match:
            continue
        if match.end() > 60:
            continue  # a sentence that mentions a report, not a title
        text = text[:match.end()]
        # A title printed on two lines: the body alone, then "2023年政府信息公开工作年度报告"; or
        # "2024年上海市科委政府信息公开工作", then "年度报告".
        previous = head[i - 1].strip() if i else ""
        if (previous and len(previous) <= 40 and not _REPORT_WORDS.search(previous) and not _META_LINE.match(previous)
                and not re.search(r"[。；]", previous) and not _looks_like_body(_body_of_title(text))
                and _looks_like_body(_body_of_title(previous + text))):
            text = previous + text
        return normalize(text)
    return ""


def _body_of_title(title: str) -> str:
    """The body a title names: 伊春市2023年政府信息公开工作年度报告 → 伊春市; 工作年度报告 → ""."""
    title = normalize(title)
    year = re.search(r"(?:19|20)\d{2}年度?|[二][〇零○Ｏ一二三四五六七八九]{3}年度?", title)
    if year and year.start() > 0:
        body = title[:year.start()]
    else:
        body = title[year.end():] if year else title
        cut = re.search(r"政府信息公开|政务公开|信息公开|工作年度报告|年度报告|年报|报告", body)
        body = body[:cut.start()] if cut else body
    body = re.sub(r"^关于|关于$|的$|[（(【\[].*$", "", body)
    return body.strip("_-—·.、 ")


def _body_of_stem(stem: str) -> str:
    """The body a file name names: 伊春市2023年报 → 伊春市; 004-沭阳县-2025 → 沭阳县; scan_0001 → ""."""
    stem = normalize(stem)
    cut = re.search(r"政府信息公开|政务公开|信息公开|工作年度报告|年度报告|年报|报告", stem)
    stem = stem[:cut.start()] if cut else stem
    stem = re.sub(r"(?:19|20)\d{2}(?:年度?)?", " ", stem)
    for piece in re.split(r"[\s_\-—.·()（）\[\]【】]+", stem):
        if piece and _looks_like_body(piece):
            return piece
    return ""


def _prose_body(lines: Sequence[str]) -> str:
    match = _PROSE_BODY.search(normalize(" ".join(lines[:12]))[:3000])
    return match.group(1) if match else ""


def _signature(lines: Sequence[str]) -> str:
    """The body signed at the end, above (or beside) the date."""
    tail = [normalize(t) for t in lines[-6:]]
    for text in reversed(tail):
        signed = _END_DATE.sub("", text)
        if signed != text:  # "伊川县人民政府办公室 2024年1月18日", or a flattened page's last words
            last = re.split(r"[。；！]", signed)[-1]
            if last and _looks_like_body(last):
                return last
            continue
        if 2 < len(text) <= 30 and not _DATE.search(text) and _looks_like_body(text):
            return text
    return ""


def _looks_like_body(text: str) -> bool:
    """A body's name, not a title fragment or a sentence: a known place or kind, or a body's last word."""
    text = normalize(text)
    if not 2 <= len(text) <= 40 or _NOT_BODY.search(text):
        return False
    if department_of(text) is not None or _BODY_WORDS.search(text):
        return True
    matches = gazetteer.find_places(text)
    if matches and matches[0].start == 0:
        return True
    return text[-1] in _PLACE_ENDS and len(text) >= 3


def _published(lines: Sequence[str]) -> str | None:
    """A 发布时间 line at the top, or the date at the end (after the signature)."""
    labelled = [normalize(t) for t in lines[:12] if _PUBLISHED_LABEL.search(normalize(t))]
    ends = [normalize(t) for t in reversed(lines[-6:])]
    for compact in labelled + ends:
        if compact in labelled:
            match = _DATE.search(compact[_PUBLISHED_LABEL.search(compact).start():])
        elif len(compact) <= 24:
            match = _DATE.search(compact)
        else:
            match = _END_DATE.search(compact)
        if match:
            y, m, d = (int(g) for g in match.groups())
            if 1 <= m <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def _year(title: str, meta_title: str, lines: Sequence[str], stem: str, published: str | None,
          notes: list[str]) -> int:
    """The report year: the title's, the metadata title's, the text's, the file name's, else the
    publication year minus one (reports come out in the first months of the next year)."""
    for text in (title, meta_title):
        year = find_year(text) if text else None
        if year:
            return year
    body_text = normalize(" ".join(t for t in lines[:30] if not _META_LINE.match(t)))
    match = _YEAR_NOT_DATE.search(body_text) or _CN_YEAR.search(body_text)
    if match:
        return int(match.group(1)) if match.re is _YEAR_NOT_DATE else chinese_year(match.group(1)) or 0
    year = find_year(stem)
    if year:
        return year
    if published:
        notes.append(f"报告没有写明年度，按发布时间{published}推定为{int(published[:4]) - 1}年")
        return int(published[:4]) - 1
    raise NotAReportError(f"找不到报告年度：标题“{title}”里没有年份。请确认这是一份年度报告。")
