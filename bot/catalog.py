"""The names journalists use for the loaded reports' bodies, and how to find them in a question.

伊川县人民政府办公室 is also 伊川县, 伊川, 伊川县政府, 伊川县人民政府. Names are matched longest
first, so 伊春市伊美区 never counts as 伊春市, and 伊川 never as 伊春.
"""
from __future__ import annotations

import itertools
import re
from bisect import bisect_left
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, replace
from functools import cached_property
from operator import attrgetter
from typing import Any, TypeVar

from index.lexicon import Lexicon, local_place
from index.store import StoredReport



@dataclass(frozen=True)
class Body:
    """One issuing body with its reports (newest last) and the names it answers to."""

    body: str
    region: str
    level: str
    reports: tuple[StoredReport, ...]
    names: tuple[str, ...]
    id: str = ""  # body_id (index/identity.py): one body across years and spellings
    code: str | None = None  # the place's GB/T 2260 code, for 江苏省各县 and 淮安市下辖各区县

    @property
    def name(self) -> str:
        """What to call the body in an answer (as its reports say: StoredReport.name)."""
        return self.reports[-1].name

    @property
    def government(self) -> bool:
        """Whether the body is the place's government rather than one of its departments."""
        return self.level != "department"


@dataclass(frozen=True)
class NameMatch:
    """A name found in a question: where, and which bodies it may mean."""

    text: str
    start: int
    end: int
    bodies: tuple[Body, ...]


def body_names(body: str, region: str, lexicon: Lexicon, *, zones: frozenset[str] = frozenset()) -> set[str]:
    """Every name a journalist may use for a body.

    ``zones``: places the gazetteer does not know (平潭综合实验区), also named by their stem.
    """
    names = {body, region}
    local = local_place(region)
    for place in {region, local}:
        names.add(place)
        short = lexicon.bare_place(place)
        if short:
            names.add(short)
        if body.startswith(region) and body[len(region):] in ("", *lexicon.government_words):
            names.update(place + word for word in lexicon.government_words)
    if body.startswith(region) and body != region:
        names.add(local + body[len(region):])
    for place in {region, local}:
        if place in zones:  # 平潭综合实验区 → 平潭: a place the gazetteer lacks, by its stem
            stem = next((place[: -len(s)] for s in lexicon.zone_suffixes if place.endswith(s)), "")
            if len(stem) >= 2:
                names.add(stem)
    return {n for n in names if len(n) >= 2}


def _key(report: StoredReport) -> str:
    """What makes reports one body: the body_id stored at load, else the printed name."""
    return report.body_id or report.body


def _in_order(chars: str, text: str) -> bool:
    it = iter(text)
    return all(c in it for c in chars)


def _canonical(reports: list[StoredReport]) -> StoredReport:
    """The report whose name the body goes by: the latest, unless it abbreviates another spelling.

    河北省工信厅 (2019) and 河北省工业和信息化厅 (2023) are one body, called by the fuller name;
    a name renamed by a reform (卫生和计划生育委员会 → 卫生健康委员会) keeps the latest.
    """
    latest = max(reports, key=lambda r: (r.year, r.id))
    fuller = [r for r in reports if len(r.body) > len(latest.body) and _in_order(latest.body, r.body)]
    return max(fuller, key=lambda r: (r.year, r.id)) if fuller else latest


def canonical_bodies(reports: list[StoredReport]) -> dict[str, str]:
    """body_id → the one name the body goes by across its reports (see _canonical)."""
    grouped: dict[str, list[StoredReport]] = {}
    for report in reports:
        grouped.setdefault(report.body_id or report.body, []).append(report)
    return {key: _canonical(group).body for key, group in grouped.items()}


_MEMO_SIZE = 16  # fields' values and selection arrays kept per catalog: about 5 MB each at 50,000 reports
T = TypeVar("T")


def group_bodies(reports: list[StoredReport], lexicon: Lexicon) -> tuple[Body, ...]:
    """The reports grouped into bodies (by body_id), each named as its reports print it."""
    grouped: dict[str, list[StoredReport]] = {}
    for report in reports:
        grouped.setdefault(_key(report), []).append(report)
    bodies = []
    for key, rs in sorted(grouped.items()):
        main = _canonical(rs)
        # Every spelling the reports printed is a name of the body; answers use one name.
        names: set[str] = set()
        for spelling in {(r.body, r.region) for r in rs}:
            zones = frozenset(spelling[1:]) if not main.region_code else frozenset()
            names |= body_names(*spelling, lexicon, zones=zones)
        named = tuple(sorted((r if (r.body, r.region, r.level) == (main.body, main.region, main.level) else
                              replace(r, body=main.body, region=main.region, level=main.level) for r in rs),
                             key=lambda r: r.year))
        bodies.append(Body(body=main.body, region=main.region, level=main.level, reports=named,
                           names=tuple(sorted(names, key=len, reverse=True)), id=main.body_id,
                           code=main.region_code))
    return tuple(bodies)


def _grouped(bodies: tuple[Body, ...], key: Callable[[Body], str]) -> dict[str, list[Body]]:
    """The bodies by a key (printed name, region), each list in catalog order."""
    found: dict[str, list[Body]] = {}
    for b in bodies:
        found.setdefault(key(b), []).append(b)
    return found


class NameIndex:
    """Every name of every body, sorted, with the bodies each stands for (in catalog order).

    Looked up by bisection, so reading it back from the kept catalog (bot/kept_catalog.py) costs
    two lists of references: at 50,000 reports a dict of its 292,000 names took 0.16 s to build
    at each start, and 0.09 s to unpickle (every name hashed again), a tenth of the start-up.
    Names that stand for the same bodies share one tuple.
    """

    def __init__(self, names: list[str], bodies: list[tuple[Body, ...]], longest: int) -> None:
        self.names = names
        self.bodies = bodies
        self.longest = longest  # the longest name's length: find() probes no longer stretch

    @classmethod
    def of(cls, bodies: tuple[Body, ...]) -> "NameIndex":
        """The index of these bodies' names."""
        by_name: dict[str, list[Body]] = {}
        for b in bodies:
            for name in b.names:
                by_name.setdefault(name, []).append(b)
        shared: dict[tuple[int, ...], tuple[Body, ...]] = {}
        names = sorted(by_name)
        groups = [shared.setdefault(tuple(map(id, by_name[n])), tuple(by_name[n])) for n in names]
        return cls(names, groups, max(map(len, names), default=0))

    def get(self, name: str) -> tuple[Body, ...]:
        """The bodies this exact name stands for; () when none."""
        at = bisect_left(self.names, name)
        return self.bodies[at] if at < len(self.names) and self.names[at] == name else ()

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)


class Catalog:
    """The loaded bodies and their names, rebuilt whenever a report is loaded or removed."""

    def __init__(self, reports: list[StoredReport], lexicon: Lexicon) -> None:
        self._index(group_bodies(reports, lexicon), lexicon, None)

    @classmethod
    def of_bodies(cls, bodies: tuple[Body, ...], lexicon: Lexicon, names: NameIndex | None = None) -> "Catalog":
        """A catalog of bodies already grouped and named (as bot/kept_catalog.py reads them back),
        with their name index when it was kept too."""
        catalog = cls.__new__(cls)
        catalog._index(bodies, lexicon, names)
        return catalog

    def _index(self, bodies: tuple[Body, ...], lexicon: Lexicon, names: NameIndex | None) -> None:
        self.bodies = bodies
        # By name, built once per catalog: questions used to rebuild a map of every body, or scan
        # them all, each time (O(store) per question, issue 10). The maps below, by printed name,
        # region and report, only when first asked for: a start answers without most of them.
        self.names = names or NameIndex.of(bodies)
        self._lexicon = lexicon
        self._pinyin: dict[str, tuple[str, ...]] | None = None
        self._memo: dict[Hashable, Any] = {}

    @cached_property
    def _by_body(self) -> dict[str, list[Body]]:
        return _grouped(self.bodies, attrgetter("body"))

    @cached_property
    def _by_region(self) -> dict[str, list[Body]]:
        return _grouped(self.bodies, attrgetter("region"))

    @cached_property
    def _by_report(self) -> dict[int, Body]:
        return {report.id: b for b in self.bodies for report in b.reports}

    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """Something derived from the loaded reports (a field's values in every report, the
        arrays of every body), made once and kept as long as this catalog: until a report is
        loaded or removed. Questions over every place then cost what they ask, not the store."""
        if key not in self._memo:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = make()
        return self._memo[key]

    @property
    def reports(self) -> list[StoredReport]:
        """All loaded reports."""
        return [r for b in self.bodies for r in b.reports]

    def find(self, text: str) -> list[NameMatch]:
        """Find body names in a text, leftmost and longest first, never overlapping."""
        # A dictionary probe per substring (questions are short) instead of one regex over every
        # name: compiling that regex took seconds at 10,000 reports.
        matches, start = [], 0
        while start < len(text):
            for end in range(min(len(text), start + self.names.longest), start + 1, -1):
                bodies = self.names.get(text[start:end])
                if bodies:
                    matches.append(NameMatch(text[start:end], start, end, tuple(bodies)))
                    start = end
                    break
            else:
                start += 1
        return matches

    def bodies_called(self, body: str) -> tuple[Body, ...]:
        """The bodies whose name is exactly this one (usually one), in catalog order."""
        return tuple(self._by_body.get(body, ()))

    def body_called(self, body: str) -> Body | None:
        """The body of this exact name; the last in catalog order when several share it."""
        found = self._by_body.get(body)
        return found[-1] if found else None

    def bodies_in(self, region: str) -> tuple[Body, ...]:
        """The bodies of one region (伊春市: its government, its departments), in catalog order."""
        return tuple(self._by_region.get(region, ()))

    def body_of(self, report_id: int) -> Body | None:
        """The body that issued a report."""
        return self._by_report.get(report_id)

    def bodies_named(self, name: str) -> tuple[Body, ...]:
        """The bodies a name (as find() would match it) stands for."""
        return self.names.get(name)

    def pinyin_names(self) -> dict[str, tuple[str, ...]]:
        """Names by their pinyin without tones or spaces: yichun → (伊春,), taizhou → (台州, 泰州).

        Built on the first English question only: pinyin for 10,000 bodies takes a while.
        """
        if self._pinyin is None:
            self._pinyin = _pinyin_index(self.names, self._lexicon)
        return self._pinyin


_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_MAX_READINGS = 4  # pinyin variants kept per name when some characters have several readings


def _pinyin_index(name_index: NameIndex, lexicon: Lexicon) -> dict[str, tuple[str, ...]]:
    from pypinyin import Style, lazy_pinyin, pinyin

    index: dict[str, set[str]] = {}
    for name in name_index:
        if not _CJK.match(name) or any(word in name for word in lexicon.government_words):
            continue
        bare = lexicon.bare_place(name)
        for key_name in {name, bare} - {None}:
            keys = {"".join(lazy_pinyin(key_name))}
            options = pinyin(key_name, style=Style.NORMAL, heteronym=True)
            keys.update("".join(combo) for combo in itertools.islice(itertools.product(*options), _MAX_READINGS))
            for key in keys:
                index.setdefault(key, set()).add(key_name)
    # A bare name (伊春) stands for the names that end in a level word (伊春市): keep the bare one.
    return {key: tuple(sorted(names, key=len)) for key, names in index.items()}

