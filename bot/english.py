"""Questions in English, read as the Chinese words they stand for (data/english.toml).

"How many administrative penalties did Yichun issue in 2023?" becomes 多少行政处罚伊春发了2023,
which the Chinese reading then understands. Place names are matched by the pinyin of the loaded
reports' names; words the lexicon does not know are kept as unused, so the answer can say so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.catalog import Catalog
from index.lexicon import Lexicon

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?|\d+|[\u4e00-\u9fff]+")
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MAX_NAME_WORDS = 4  # Yi Chun, Xing Long Xian …


@dataclass(frozen=True)
class Translation:
    """An English question as Chinese text, with what could not be read."""

    text: str
    unused: tuple[str, ...]
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...]  # a pinyin name and the names it may be
    notes: tuple[tuple[str, str], ...] = ()  # (as typed, as read): Taizhou → 台州（泰州市库里没有）
    unknown: tuple[str, ...] = ()  # places by pinyin that no loaded report covers


def is_english(text: str) -> bool:
    """Tell whether a question is written mostly in Latin letters."""
    return len(_LATIN.findall(text)) >= 4 and len(_LATIN.findall(text)) > 2 * len(_CJK.findall(text))


def translate(text: str, catalog: Catalog, lexicon: Lexicon) -> Translation:
    """Turn an English question into the Chinese words it stands for."""
    english = lexicon.english
    words = _WORD.findall(text.lower().replace("’", "'"))
    phrases = {tuple(p.split()): zh for p, zh in english.phrases.items()}
    longest_phrase = max((len(p) for p in phrases), default=1)
    places = {tuple(p.split()): zh for p, zh in english.places.items()}
    names = catalog.pinyin_names()
    out: list[str] = []
    unused: list[str] = []
    ambiguous: list[tuple[str, tuple[str, ...]]] = []
    notes: list[tuple[str, str]] = []
    unknown: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if _CJK.match(word) or word.isdigit():
            out.append(word)
            i += 1
            continue
        found = _name_at(words, i, names)
        if found:
            end, candidates = found
            typed = " ".join(words[i:end]).title()
            suffix, end = _place_word(words, end, places)
            options = tuple(dict.fromkeys(c + suffix for c in candidates))
            if len(options) == 1:
                out.append(options[0])
                others = [p for p in _real_places("".join(words[i:found[0]]), suffix) if not p.startswith(candidates[0])]
                if others:  # Taizhou is 台州 here, but 泰州 is a Taizhou too: say so
                    notes.append((typed, f"{options[0]}（也可能指{'、'.join(others)}，库里没有其报告）"))
            else:
                ambiguous.append((typed, options))
            i = end
            continue
        real = _real_name_at(words, i)
        if real:
            end, options = real
            suffix, end = _place_word(words, end, places)
            unknown.append(" ".join(words[i:real[0]]).title() + f"（{'、'.join(options)}）")
            i = end
            continue
        for size in range(min(longest_phrase, len(words) - i), 0, -1):
            zh = phrases.get(tuple(words[i:i + size]))
            if zh is not None:
                out.append(zh)
                i += size
                break
        else:
            if word not in english.filler and word not in ("s",):
                unused.append(word)
            i += 1
    return Translation("".join(out), tuple(unused), tuple(ambiguous), tuple(notes), tuple(unknown))


def _real_name_at(words: list[str], i: int) -> tuple[int, tuple[str, ...]] | None:
    """A pinyin name of a real place no loaded report covers (Kunming → 昆明市)."""
    for end in range(min(len(words), i + _MAX_NAME_WORDS), i, -1):
        found = _real_places("".join(words[i:end]).replace("'", ""), "")
        if found:
            return end, tuple(found)
    return None


def _real_places(key: str, suffix: str) -> list[str]:
    """The gazetteer's current places whose short name has this pinyin (taizhou → 台州市, 泰州市)."""
    names = _gazetteer_pinyin().get(key, ())
    return [n for n in names if not suffix or n.endswith(suffix)]


@lru_cache(maxsize=1)
def _gazetteer_pinyin() -> dict[str, tuple[str, ...]]:
    """Pinyin of every current prefecture and county in the gazetteer (index/gazetteer.py), if there is one."""
    try:
        from pypinyin import lazy_pinyin

        from index import gazetteer

        table = gazetteer._table()  # noqa: SLF001 - the gazetteer has no public list of places yet
        index: dict[str, list[str]] = {}
        for short, found in table.by_short.items():
            current = [p.name for p in found if p.current and p.level in ("city", "county", "province")]
            if len(short) >= 2 and current:
                index.setdefault("".join(lazy_pinyin(short)), []).extend(current)
        return {key: tuple(dict.fromkeys(names)) for key, names in index.items()}
    except Exception:  # noqa: BLE001 - no gazetteer, or another shape of it: names of loaded reports only
        return {}


def _name_at(words: list[str], i: int, names: dict[str, tuple[str, ...]]) -> tuple[int, tuple[str, ...]] | None:
    for end in range(min(len(words), i + _MAX_NAME_WORDS), i, -1):
        key = "".join(words[i:end]).replace("'", "")  # Huai'an is huaian
        if key in names:
            return end, _distinct_places(names[key])
    return None


def _distinct_places(names: tuple[str, ...]) -> tuple[str, ...]:
    """伊春 and 伊春市 are one place: keep the shortest name of each."""
    kept: list[str] = []
    for name in sorted(names, key=len):
        if not any(name.startswith(k) for k in kept):
            kept.append(name)
    return tuple(kept)


def _place_word(words: list[str], i: int, places: dict[tuple[str, ...], str]) -> tuple[str, int]:
    for size in (3, 2, 1):
        zh = places.get(tuple(words[i:i + size]))
        if zh is not None:
            return zh, i + size
    return "", i
