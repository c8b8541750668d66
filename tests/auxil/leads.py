"""Reports built for the story-lead and prose-fact tests: the 伊春 sample under another name, year
and numbers, written as a web page with the national template's tables (tests/auxil/builders.py).

``build_report`` takes the table numbers to change as {"field[applicant]": value} (a field of
tables 二 and 四 without brackets), replacements of the prose as {old: new}, and optionally a
date to sign the report with and tables to leave out.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from index.document import Paragraph, Table
from index.parser import parse_report
from index.readers import read_document
from index.report import Cell
from tests.auxil.builders import build_html, standard_blocks
from tests.auxil.reports import SAMPLES_DIR, YICHUN

# Section 五 of the sample, as printed: replace it to give a report its own problems.
SECTION_FIVE = YICHUN.split("五、存在的主要问题及改进情况", 1)[1].split("六、其他需要报告的事项", 1)[0].strip()
SECTION_SIX = "2023年度我市未收取政府信息公开信息处理费。"
HANDLED_PROSE = "2023 年全市共办理政府信息公开申请 146 件"


@lru_cache(maxsize=1)
def sample_cells() -> tuple[Cell, ...]:
    """The printed cells of the 伊春 sample, as its text version parses."""
    report = parse_report(read_document(SAMPLES_DIR / "yichun-2023.txt"))
    return tuple(c for c in report.cells if not c.derived)


def _key(cell: Cell) -> str:
    return f"{cell.field}[{cell.applicant}]" if cell.applicant else cell.field


def build_report(folder: Path, stem: str, *, year: int = 2023, values: dict[str, float] | None = None,
                 prose: dict[str, str] | None = None, published: str | None = None,
                 drop_tables: tuple[int, ...] = (), body_suffix: str = "") -> Path:
    """Write the 伊春 sample as {stem}市{body_suffix}'s report for `year`, with the changes given."""
    values = dict(values or {})
    cells = []
    for cell in sample_cells():
        key = _key(cell)
        if key in values:
            value = values.pop(key)
            cell = replace(cell, value=float(value), raw=f"{value:g}")
        cells.append(cell)
    assert not values, f"no such printed cell in the sample: {sorted(values)}"
    text = YICHUN
    for old, new in (prose or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    name = f"{stem}市{body_suffix}"
    text = text.replace("伊春市 2023 年政府信息公开工作年度报告", f"{name} 2023 年政府信息公开工作年度报告", 1)
    text = text.replace("伊春", stem).replace("2023", str(year))
    blocks = list(standard_blocks(text, tuple(cells)))
    if drop_tables:
        from tests.auxil.builders import standard_tables

        dropped = [standard_tables(tuple(cells))[n] for n in drop_tables]
        blocks = [b for b in blocks if not (isinstance(b, Table) and any(b.rows == t.rows for t in dropped))]
    if published:
        blocks.append(Paragraph(name))
        blocks.append(Paragraph(published))
    path = folder / f"{stem}{body_suffix}-{year}.html"
    build_html(tuple(blocks), path, portal=False)
    return path


def moved(count: int, source: str, target: str, *, column: str = "natural_person") -> dict[str, float]:
    """Cell values that move `count` requests from one handling row to another, in one applicant
    column and in the total, so every sum of the table still holds."""
    printed = {_key(c): c.value for c in sample_cells()}
    return {
        f"{source}[{column}]": printed[f"{source}[{column}]"] - count,
        f"{source}[total]": printed[f"{source}[total]"] - count,
        f"{target}[{column}]": printed[f"{target}[{column}]"] + count,
        f"{target}[total]": printed[f"{target}[total]"] + count,
    }


def zero_requests() -> dict[str, float]:
    """Every printed cell of table 三 set to 0."""
    return {_key(c): 0 for c in sample_cells() if c.table == "requests"}
