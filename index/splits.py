"""Split numbers that ran together (``582000060``) into a row's cells, only where arithmetic allows.

A flattened table loses the separators between cells: ``582000060`` may be 58 / 2 / 0 / 0 / 0 /
0 / 60 or many other rows. Cells never start with a 0 unless they are 0, a cell never spans two
printed tokens, and where the row has sum rules (table 三: six columns add to 总计; table 四:
four outcomes add to each block's 总计) the total's digits are forced by the cells before it, so
only the cuts the rules allow are ever built. One cut left is a reading; several are not, and
the caller keeps the row raw.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from index.numbers import normalize, parse_number

MAX_CUTS = 200  # more ways than this is no reading: the caller keeps the row raw anyway


def is_glued(raw: str) -> bool:
    """Tell whether a cell's text is a run of digits that may hold several cells (-18538 too)."""
    digits = normalize(raw).removeprefix("-")
    return len(digits) >= 2 and digits.isdigit()


def _cells(texts: list[str], width: int, total_after: int | None) -> Iterator[list[str]]:
    """Every cut of ``texts`` into ``width`` cells; with ``total_after`` = k, every (k+1)-th cell
    is the sum of the k before it."""

    def walk(i: int, offset: int, cells: list[str], group: list[float]) -> Iterator[list[str]]:
        if len(cells) == width:
            if i == len(texts):
                yield list(cells)
            return
        if i == len(texts):
            return
        text = texts[i]
        if not is_glued(text):
            # A cell printed on its own (a single digit, a decimal): taken whole.
            value = parse_number(text) or 0.0
            if total_after is not None and len(group) == total_after:
                if abs(value - sum(group)) < 1e-9:
                    yield from walk(i + 1, 0, cells + [text], [])
                return
            yield from walk(i + 1, 0, cells + [text], group + [value])
            return
        rest = text[offset:]
        if total_after is not None and len(group) == total_after:
            total = str(int(sum(group)))
            if rest.startswith(total):
                end = offset + len(total)
                yield from walk(i + 1 if end == len(text) else i, 0 if end == len(text) else end, cells + [total], [])
            return
        sign = "-" if rest.startswith("-") else ""
        digits = rest[len(sign):]
        longest = 1 if digits.startswith("0") else len(digits)
        for length in range(1, longest + 1):
            end = offset + len(sign) + length
            cell = text[offset:end]
            yield from walk(i + 1 if end == len(text) else i, 0 if end == len(text) else end, cells + [cell],
                            group + [int(cell)])

    yield from walk(0, 0, [], [])


def splits(raws: list[str], width: int, *, total_after: int | None = None,
           accept: Callable[[list[float]], bool] = lambda _values: True) -> list[list[str]]:
    """Every way to cut ``raws`` (numbers as printed, some run together) into ``width`` cells.

    ``total_after``: every (k+1)-th cell is the total of the k before it (table 三: 6; table 四: 4).
    ``accept`` may reject a cut by its values. At most MAX_CUTS + 1 cuts are returned.
    """
    texts = [normalize(r) for r in raws]
    if len(texts) >= width or not any(is_glued(t) for t in texts):
        return []
    found: list[list[str]] = []
    for cut in _cells(texts, width, total_after):
        if accept([float(c) for c in cut]):
            found.append(cut)
            if len(found) > MAX_CUTS:
                break
    return found
