"""Questions in English, read as the Chinese words they stand for (data/english.toml).

"How many administrative penalties did Yichun issue in 2023?" becomes 多少行政处罚伊春发了2023,
which the Chinese reading then understands. Place names are matched by the pinyin of the loaded
reports' names; words the lexicon does not know are kept as unused, so the answer can say so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

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


def is_english(text: str) -> bool:
    """Tell whether a question is written mostly in Latin letters."""
    return len(_LATIN.findall(text)) >= 4 and len(_LATIN.findall(text)) > 2 * len(_CJK.findall(text))


def translate(text: str, catalog: Catalog, lexicon: Lexicon) -> Translation:
    """Turn an English question into the Chinese words it stands for."""
    english = lexicon.english
    words = _WORD.findall(text.lower())
    phrases = {tuple(p.split()): zh for p, zh in english.phrases.items()}
    longest_phrase = max((len(p) for p in phrases), default=1)
    places = {tuple(p.split()): zh for p, zh in english.places.items()}
    names = catalog.pinyin_names()
    out: list[str] = []
    unused: list[str] = []
    ambiguous: list[tuple[str, tuple[str, ...]]] = []
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
            suffix, end = _place_word(words, end, places)
            options = tuple(dict.fromkeys(c + suffix for c in candidates))
            if len(options) == 1:
                out.append(options[0])
            else:
                ambiguous.append((" ".join(words[i:found[0]]).title(), options))
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
    return Translation("".join(out), tuple(unused), tuple(ambiguous))


def _name_at(words: list[str], i: int, names: dict[str, tuple[str, ...]]) -> tuple[int, tuple[str, ...]] | None:
    for end in range(min(len(words), i + _MAX_NAME_WORDS), i, -1):
        key = "".join(words[i:end])
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
