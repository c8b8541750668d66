"""Cells as the store keeps them: raw and unit left out only where the `cells` view gives them back.

The saving process decides that in Python (index/store.py, _printed_by_sqlite), no longer by an
UPDATE in SQL, so these tests hold it to what SQLite itself prints.
"""
from __future__ import annotations

import sqlite3
from contextlib import closing

from hypothesis import example, given, settings
from hypothesis import strategies as st

from index.report import Cell
from index.store import _printed_by_sqlite, _save_cells, open_store, writing

_DECIMALS = st.builds(lambda whole, places: round(whole / 10 ** places, places),
                      st.integers(min_value=-10 ** 12, max_value=10 ** 12), st.integers(min_value=0, max_value=6))
_VALUES = st.one_of(st.none(), st.integers(min_value=-10 ** 15, max_value=10 ** 15), _DECIMALS,
                    st.floats(allow_nan=False, allow_infinity=False))


def _sqlite_text(value: float | None) -> str | None:
    with closing(sqlite3.connect(":memory:")) as conn:
        conn.execute("CREATE TABLE t (v NUMERIC)")
        conn.execute("INSERT INTO t VALUES (?)", [value])
        return conn.execute("SELECT CAST(v AS TEXT) FROM t").fetchone()[0]


@given(_VALUES)
@example(100000000000000.5)  # a tie past 15 digits: SQLite rounds it up, Python to even
@example(100000000000000.75)  # rounds to a whole number: SQLite prints it with .0
@example(12372.0506)
def test_what_sqlite_prints_is_known_or_said_to_be_unknown(value: float | None) -> None:
    printed = _printed_by_sqlite(value)
    assert printed is None or printed == _sqlite_text(value)
    if value is not None and float(value).is_integer() and abs(value) < 2 ** 53:
        assert printed == str(int(value))  # every count is compacted


def _raws(value: float | None) -> st.SearchStrategy[str]:
    forms = {str(value), repr(value), f"{value}件", "", "—"}
    if value is not None:
        forms |= {format(value, ".15g"), format(value, ",")}
        if float(value).is_integer():
            forms.add(str(int(value)))
    return st.sampled_from(sorted(forms))


_CELLS = st.lists(
    _VALUES.flatmap(lambda value: st.tuples(st.just(value), _raws(value), st.sampled_from(["件", "万元", "个", ""]))),
    min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(_CELLS)
@example([(10.567692722111573, "10.5676927221116", "件")])  # 17 digits printed as 15: compacted
def test_the_cells_view_gives_back_every_raw_and_unit_as_saved(printed: list[tuple[float | None, str, str]]) -> None:
    db = open_store(":memory:")
    fields = db.execute("SELECT code, unit FROM fields WHERE table_name = 'active' ORDER BY code").fetchall()
    cells = [Cell(table="active", field=fields[i][0], label="", applicant=None, value=value,
                  unit=fields[i][1] if unit == "件" else unit, raw=raw)
             for i, (value, raw, unit) in enumerate(printed)]
    with writing(db):
        db.execute("INSERT INTO reports (id, title, body, region, level, year, layout, source_name, source_format,"
                   " sha256, loaded_at, cell_count, finding_count) VALUES (1, 't', 'b', 'r', 'county', 2023, 'x',"
                   " 'f.txt', 'txt', 'h', 'now', 0, 0)")
        _save_cells(db, 1, cells)
    shown = {field: (unit, raw) for field, unit, raw in db.execute("SELECT field, unit, raw FROM cells")}
    assert shown == {c.field: (c.unit, c.raw) for c in cells}
    # Nothing is kept that the view would print anyway, for counts and plain decimals.
    kept = db.execute("SELECT count(*) FROM cell_values c JOIN cell_keys k ON k.id = c.key_id"
                      " JOIN fields f ON f.code = k.field WHERE c.unit = f.unit"
                      " OR (c.raw = CAST(c.value AS TEXT) AND CAST(c.value AS TEXT) NOT LIKE '%e%')").fetchone()[0]
    assert kept == 0
