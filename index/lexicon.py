"""The domain lexicon (data/lexicon.toml) as typed objects, loaded once and shared.

The parser reads the printed labels; question understanding reads the question words. Keeping
both in one data file means a new synonym or label variant is a one-line data change.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field as dc_field
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
LEXICON_PATH = DATA_DIR / "lexicon.toml"
ENGLISH_PATH = DATA_DIR / "english.toml"


@dataclass(frozen=True)
class FieldDef:
    """One field code with its label, unit and the words that name it."""

    code: str
    label: str
    table: str
    unit: str
    printed: tuple[str, ...]
    parent: str | None
    need: tuple[tuple[tuple[str, ...], ...], ...]  # alternatives, each a tuple of word groups
    boost: tuple[str, ...]
    derived: str | None
    inputs: tuple[str, ...]


@dataclass(frozen=True)
class ApplicantDef:
    """One applicant column of table 三."""

    code: str
    label: str
    printed: tuple[str, ...]
    ask: tuple[str, ...]
    derived_from: tuple[str, ...]


@dataclass(frozen=True)
class PrintedName:
    """An item or column of table 二 and the labels reports print for it."""

    code: str
    printed: tuple[str, ...]


@dataclass(frozen=True)
class QuestionWords:
    """How questions are put: the [question] lists of the lexicon (docs/questions.md)."""

    filler: frozenset[str]
    follow_up: tuple[str, ...]
    negations: frozenset[str]
    qualifiers: frozenset[str]
    uncounted: frozenset[str]
    clause_breaks: tuple[str, ...]
    joins: tuple[str, ...]
    table_subjects: frozenset[str]
    separators: tuple[str, ...]
    which: tuple[str, ...]
    which_kind: tuple[str, ...]
    list_reports: tuple[str, ...]
    by_applicant: tuple[str, ...]
    kind_words: frozenset[str]
    kind_lists: tuple[str, ...]
    more_or_less: tuple[str, ...]
    fewer: tuple[str, ...]
    year_against: tuple[str, ...]
    year_span: tuple[str, ...]
    relative_years: dict[str, int]
    greetings: tuple[str, ...]
    help: tuple[str, ...]
    polite: tuple[str, ...]  # 请问, 想问一下: a courtesy before a question, never part of it
    money: tuple[str, ...]
    persons: tuple[str, ...]
    per_unit: tuple[str, ...]
    bounds_before: dict[str, str]  # 超过 → ">": a bound before the number
    bounds_after: dict[str, str]  # 以上 → ">=": a bound after it
    self_places: tuple[str, ...]
    out_of_scope: tuple[str, ...]
    prose: tuple[str, ...]
    simplified_too: frozenset[str]
    content_tags: frozenset[str]
    not_places: tuple[str, ...]
    not_place_words: frozenset[str]
    organ_endings: tuple[str, ...]


@dataclass(frozen=True)
class RateDef:
    """A rate as data ([[rate]] in data/lexicon.toml): sum of numerator fields over sum of denominator fields."""

    code: str
    label: str
    words: tuple[str, ...]  # how questions name it, longest first
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    applicant: str | None = None  # table 三's column both sides are read from (the total)


@dataclass(frozen=True)
class EnglishWords:
    """The English lexicon (data/english.toml): phrases as the Chinese words they stand for."""

    phrases: dict[str, str]  # lower-case phrase → Chinese, longest first
    places: dict[str, str]  # county → 县 …, longest first
    filler: frozenset[str]


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Everything the parser and question understanding know about the domain."""

    fields: tuple[FieldDef, ...]
    applicants: tuple[ApplicantDef, ...]
    active_items: tuple[PrintedName, ...]
    active_columns: tuple[PrintedName, ...]
    operations: dict[str, tuple[str, ...]]
    place_words: tuple[str, ...]
    place_levels: tuple[str, ...]  # 县, 市, 自治州 …, longest first
    level_words: dict[str, str]
    government_words: tuple[str, ...]
    stopwords: frozenset[str]
    search_phrases: tuple[str, ...]
    question: QuestionWords
    english: EnglishWords
    zone_suffixes: tuple[str, ...] = ()  # 综合实验区 …: a place the gazetteer lacks is also named by its stem
    scopes: dict[str, tuple[str, ...]] = dc_field(default_factory=dict)  # 各县 → (county,): a place's bodies of a level
    rates: tuple[RateDef, ...] = ()  # 公开率 = (予以公开 + 部分公开) / 办理总计
    rank_change: dict[str, tuple[str, ...]] = dc_field(default_factory=dict)  # 增长最快: rank by change

    def bare_place(self, place: str) -> str | None:
        """A place without its level word, when two characters or more remain: 色达县 → 色达."""
        for level in self.place_levels:
            if place.endswith(level) and len(place) - len(level) >= 2:
                return place[: -len(level)]
        return None

    def need_words(self) -> frozenset[str]:
        """Every word that names a field on its own or as one required group (not boost words)."""
        return _need_words(self)

    def field(self, code: str) -> FieldDef:
        """Return the definition of a field code; KeyError for an unknown code."""
        return self._by_code()[code]

    def has_field(self, code: str) -> bool:
        """Tell whether a field code is known."""
        return code in self._by_code()

    def parent_of(self, code: str) -> str | None:
        """The code of the row a row is counted in, by its `parent` (requests.denied →
        requests.handled), or None (a total names itself as its parent: none then)."""
        fdef = self._by_code().get(code)
        if fdef is None or not fdef.parent:
            return None
        parent = f"{code.split('.')[0]}.{fdef.parent}"
        return parent if parent != code else None

    def items_of(self, code: str) -> tuple[FieldDef, ...]:
        """The rows a row is the total of (不予公开 → its eight reasons), in the lexicon's order:
        empty for a row no other row is under."""
        return tuple(f for f in self.fields if self.parent_of(f.code) == code)

    def counted_in(self, code: str, other: str) -> bool:
        """Whether a row is counted in another, up the parents (国家秘密 in 不予公开 in 办理结果)."""
        parent = self.parent_of(code)
        while parent is not None:
            if parent == other:
                return True
            parent = self.parent_of(parent)
        return False

    def applicant(self, code: str) -> ApplicantDef:
        """Return the definition of an applicant column code."""
        for applicant in self.applicants:
            if applicant.code == code:
                return applicant
        raise KeyError(code)

    def _by_code(self) -> dict[str, FieldDef]:
        return _field_index(self)

    def terms(self) -> list[str]:
        """Return every domain phrase, for the tokenizer's user dictionary."""
        words: set[str] = set()
        for f in self.fields:
            words.update(f.printed)
            words.update(f.boost)
            for alternative in f.need:
                for group in alternative:
                    words.update(group)
        for a in self.applicants:
            words.update(a.printed)
            words.update(a.ask)
        for group in self.operations.values():
            words.update(group)
        words.update(self.search_phrases)
        return sorted(w for w in words if len(w) >= 2)


_PARENT_PLACE = re.compile(r"^.+?(?:省|自治区|自治州|地区|盟|市|州)(?=.+(?:县|区|市|旗|镇|乡|街道)$)")


def local_place(region: str) -> str:
    """A region without the city or province above it: 伊春市伊美区 → 伊美区."""
    return _PARENT_PLACE.sub("", region)


@lru_cache(maxsize=None)
def _field_index(lexicon: Lexicon) -> dict[str, FieldDef]:
    return {f.code: f for f in lexicon.fields}


@lru_cache(maxsize=None)
def _need_words(lexicon: Lexicon) -> frozenset[str]:
    return frozenset(w for f in lexicon.fields for alternative in f.need for group in alternative for w in group)


def _longest_first(words) -> tuple[str, ...]:
    return tuple(sorted(dict.fromkeys(words), key=len, reverse=True))


def _question_words(raw: dict, places: dict) -> QuestionWords:
    return QuestionWords(
        filler=frozenset(raw["filler"]),
        follow_up=_longest_first(raw["follow_up"]),
        negations=frozenset(raw["negations"]),
        qualifiers=frozenset(raw["qualifiers"]),
        uncounted=frozenset(raw["uncounted"]),
        clause_breaks=tuple(raw["clause_breaks"]),
        joins=_longest_first(raw["joins"]),
        table_subjects=frozenset(raw["table_subjects"]),
        separators=tuple(raw["separators"]),
        which=_longest_first(raw["which"]),
        which_kind=_longest_first(raw["which_kind"]),
        list_reports=_longest_first(raw["list_reports"]),
        by_applicant=_longest_first(raw["by_applicant"]),
        kind_words=frozenset(raw["kind_words"]),
        kind_lists=_longest_first(raw["kind_lists"]),
        more_or_less=tuple(raw["more_or_less"]),
        fewer=_longest_first(raw["fewer"]),
        year_against=_longest_first(raw["year_against"]),
        year_span=_longest_first(raw["year_span"]),
        relative_years=dict(sorted(raw["relative_years"].items(), key=lambda kv: -len(kv[0]))),
        greetings=_longest_first(raw["greetings"]),
        help=_longest_first(raw["help"]),
        polite=_longest_first(raw.get("polite", [])),
        money=_longest_first(raw["money"]),
        persons=_longest_first(raw["persons"]),
        per_unit=_longest_first(raw["per_unit"]),
        bounds_before=dict(raw["bounds_before"]),
        bounds_after=dict(raw["bounds_after"]),
        self_places=_longest_first(raw["self_places"]),
        out_of_scope=_longest_first(raw["out_of_scope"]),
        prose=_longest_first(raw["prose"]),
        simplified_too=frozenset(raw["simplified_too"]),
        content_tags=frozenset(raw["content_tags"]),
        not_places=_longest_first(places.get("not_places", ())),
        not_place_words=frozenset(places.get("not_place_words", ())),
        organ_endings=_longest_first(places.get("organ_endings", ())),
    )


def _english_words(path: Path) -> EnglishWords:
    if not path.exists():
        return EnglishWords({}, {}, frozenset())
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    phrases = {k.lower(): v for k, v in raw.get("phrases", {}).items()}
    places = {k.lower(): v for k, v in raw.get("places", {}).items()}
    return EnglishWords(
        phrases=dict(sorted(phrases.items(), key=lambda kv: -len(kv[0]))),
        places=dict(sorted(places.items(), key=lambda kv: -len(kv[0]))),
        filler=frozenset(w.lower() for w in raw.get("filler", {}).get("words", ())),
    )


def _expand(words: list[str], named: dict[str, list[str]]) -> tuple[str, ...]:
    out: list[str] = []
    for word in words:
        out.extend(named[word[1:]] if word.startswith("@") else [word])
    return tuple(dict.fromkeys(out))


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Read the lexicon file once; later calls return the same object."""
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    named = raw.get("words", {})
    fields = tuple(
        FieldDef(
            code=f["code"],
            label=f["label"],
            table=f["table"],
            unit=f["unit"],
            printed=tuple(f.get("printed", ())),
            parent=f.get("parent"),
            need=tuple(
                tuple(_expand(group, named) for group in alternative)
                for alternative in (f.get("need", []), f.get("also", [])) if alternative
            ),
            boost=_expand(f.get("boost", []), named),
            derived=f.get("derived"),
            inputs=tuple(f.get("inputs", ())),
        )
        for f in raw["field"]
    )
    applicants = tuple(
        ApplicantDef(
            code=a["code"],
            label=a["label"],
            printed=tuple(a.get("printed", ())),
            ask=tuple(a.get("ask", ())),
            derived_from=tuple(a.get("derived", ())),
        )
        for a in raw["applicant"]
    )
    return Lexicon(
        fields=fields,
        applicants=applicants,
        active_items=tuple(PrintedName(i["code"], tuple(i["printed"])) for i in raw["active_item"]),
        active_columns=tuple(PrintedName(c["code"], tuple(c["printed"])) for c in raw["active_column"]),
        operations={k: tuple(v) for k, v in raw["operations"].items()},
        place_words=tuple(raw["places"]["words"]),
        place_levels=tuple(raw["places"]["levels"]),
        level_words=dict(raw["places"]["level_words"]),
        government_words=tuple(raw["bodies"]["government"]),
        stopwords=frozenset(raw["stopwords"]["words"]),
        search_phrases=tuple(raw["search"]["phrases"]),
        question=_question_words(raw["question"], raw["places"]),
        english=_english_words(path.parent / ENGLISH_PATH.name),
        zone_suffixes=_longest_first(raw["places"].get("zone_suffixes", ())),
        scopes={word: tuple(levels) for word, levels in sorted(raw["places"].get("scopes", {}).items(), key=lambda kv: -len(kv[0]))},
        rates=tuple(RateDef(code=r["code"], label=r["label"], words=_longest_first(r["words"]), numerator=tuple(r["numerator"]),
                            denominator=tuple(r["denominator"]), applicant=r.get("applicant"))
                    for r in raw.get("rate", ())),
        rank_change={k: _longest_first(v) for k, v in raw.get("rank_change", {}).items()},
    )
