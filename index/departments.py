"""Kinds of government bodies (卫生健康委员会 = 卫健委 = health), from data/departments.toml.

Reports name a department after its place (伊川县卫健委, 市发改委); the kind is what stays the
same across years and spellings, so it goes into a body's stable id.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.lexicon import DATA_DIR

DEPARTMENTS_PATH = DATA_DIR / "departments.toml"
# A department named without its place starts with the level of the place it belongs to (市卫健委).
_LEVEL_PREFIXES = ("自治区", "自治州", "自治县", "省", "市", "县", "区", "州", "旗", "盟", "镇", "乡")


@dataclass(frozen=True)
class Department:
    """One kind of body and the names it goes by, full names first."""

    kind: str  # stable English code, e.g. "health"
    label: str  # the usual full name, e.g. 卫生健康委员会
    names: tuple[str, ...]


@lru_cache(maxsize=4)
def load_departments(path: Path = DEPARTMENTS_PATH) -> tuple[Department, ...]:
    """Read the department kinds once; later calls return the same tuple."""
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    return tuple(Department(d["kind"], d["label"], tuple(d["names"])) for d in raw["department"])


@lru_cache(maxsize=4)
def _names(path: Path = DEPARTMENTS_PATH) -> tuple[tuple[str, Department], ...]:
    pairs = [(name, d) for d in load_departments(path) for name in d.names]
    return tuple(sorted(pairs, key=lambda pair: len(pair[0]), reverse=True))


@lru_cache(maxsize=4)
def _exact(path: Path = DEPARTMENTS_PATH) -> dict[str, Department]:
    return {name: d for d in load_departments(path) for name in d.names}


def department_of(name: str, path: Path = DEPARTMENTS_PATH) -> Department | None:
    """The kind of a body named without its place: 卫健委, 市卫生健康委员会, 人民政府办公室.

    The whole name must be a known name of the kind, after a leading level word (市/县/区…);
    a longer name that only ends in one (城市管理局 ends in 管理局) is matched by its longest
    known ending, so 伊美区城市管理局 is city_management, not an unknown body.
    """
    name = name.strip()
    for prefix in ("", *_LEVEL_PREFIXES):
        if prefix and not name.startswith(prefix):
            continue
        department = _exact(path).get(name[len(prefix):])
        if department is not None:
            return department
    endings = _endings(path)
    for length in range(len(name), 2, -1):
        department = endings.get(name[-length:])
        if department is not None:
            return department
    return None


@lru_cache(maxsize=4)
def _endings(path: Path = DEPARTMENTS_PATH) -> dict[str, Department]:
    """Known names of three characters or more, each with the first kind (in _names' order) that
    has it: department_of looks up each ending of a name, longest first, instead of trying every
    known name on it (a tenth of reading a report's identity)."""
    endings: dict[str, Department] = {}
    for known, department in _names(path):
        if len(known) >= 3:
            endings.setdefault(known, department)
    return endings


def department_names(path: Path = DEPARTMENTS_PATH) -> dict[str, str]:
    """Every known name → its kind, for question understanding (卫健委 → health)."""
    return {name: d.kind for name, d in _names(path)}
