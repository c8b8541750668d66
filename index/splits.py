"""Split numbers that ran together (``582000060``) into a row's cells, only where arithmetic allows.

A flattened table loses the separators between cells: ``582000060`` may be 58 / 2 / 0 / 0 / 0 /
0 / 60 or many other rows. Every way of cutting the digits into the row's number of cells is
listed, cells never start with a 0 unless they are 0, and the caller keeps only the ways its
rules allow (a row's columns add to its total; a block of table 四 adds to its 总计). One way
left is a reading; several are not, and the row stays raw.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from index.numbers import normalize

MAX_SPLITS = 5000  # a row of 7 cells from 20 digits has 27,132 cuts: enough to stop early


def is_glued(raw: str) -> bool:
    """Tell whether a cell's text is a run of digits that may hold several cells."""
    text = normalize(raw)
    return len(text) >= 2 and text.isdigit()


def _cuts(digits: str, parts: int) -> Iterator[list[str]]:
    if parts == 1:
        if digits and (digits == "0" or not digits.startswith("0")):
            yield [digits]
        return
    # The first cell is "0" alone, or digits not starting with 0, leaving at least one digit a part.
    longest = 1 if digits.startswith("0") else len(digits) - parts + 1
    for length in range(1, longest + 1):
        for rest in _cuts(digits[length:], parts - 1):
            yield [digits[:length]] + rest


def splits(raws: list[str], width: int, accept: Callable[[list[float]], bool]) -> list[list[str]]:
    """Every way to cut ``raws`` (numbers as printed, some run together) into ``width`` cells.

    Only integer digit runs are cut; other cells stay whole. Returns the cell texts of each way
    ``accept`` allows, at most MAX_SPLITS tried.
    """
    texts = [normalize(r) for r in raws]
    extra = width - len(texts)
    if extra <= 0 or not any(is_glued(t) for t in texts):
        return []
    found: list[list[str]] = []
    tried = 0

    def walk(i: int, spare: int, cells: list[str]) -> None:
        nonlocal tried
        if tried >= MAX_SPLITS:
            return
        if i == len(texts):
            if spare == 0:
                tried += 1
                if accept([float(c) for c in cells]):
                    found.append(list(cells))
            return
        text = texts[i]
        most = min(spare, len(text) - 1) if is_glued(text) else 0
        for more in range(most + 1):
            for parts in _cuts(text, more + 1) if more else [[text]]:
                walk(i + 1, spare - more, cells + parts)

    walk(0, extra, [])
    return found
