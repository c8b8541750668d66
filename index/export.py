"""Export the store for spreadsheets: one .xlsx with a sheet a table, or one CSV file a table.

Every table and view people read (not the search index's own tables) goes out, from one
consistent read of the store; headers are the Chinese labels of data/datasette/metadata.yml
(or the column names, `headers="en"`); numbers stay numbers (88300, not "88300" nor 88300.0);
blank cells stay blank. Text that a spreadsheet would run as a formula never runs: in the
workbook it is stored as text, in a CSV it gets a leading ' (OWASP "CSV injection").
"""
from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from index.errors import ReportbotError
from index.metadata import TableInfo, tables

Headers = Literal["zh", "en"]

# Columns kept out of exports: machine-only (the jieba tokens behind the search).
SKIPPED_COLUMNS = {"passages": frozenset({"tokens"})}
# Excel's limits: 1,048,576 rows a sheet (one is the header), 32,767 characters a cell, 31 a sheet name.
XLSX_MAX_ROWS = 1_048_575
XLSX_MAX_CELL = 32_767
_SHEET_NAME_MAX = 31
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
# A spreadsheet runs a cell starting with one of these as a formula (=HYPERLINK(…), +cmd|…,
# @SUM(…)); tab and carriage return can hide such a start.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


@dataclass(frozen=True)
class Exported:
    """One table or view as it went out: its name, its sheet or file, how many rows."""

    name: str
    target: str  # the sheet's name, or the CSV file's name
    rows: int


def inert(value: object) -> object:
    """A CSV cell that cannot run as a formula: '=1+1 for =1+1; numbers and other text unchanged.

    A plain number written as text (-12, +3.5) stays as it is: it is a number, not a formula.
    """
    if isinstance(value, str) and value.lstrip(" ").startswith(_FORMULA_START) \
            and not _PLAIN_NUMBER.fullmatch(value.strip()):
        return "'" + value
    return value


def csv_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    """Write rows as CSV in UTF-8 with a BOM, so Excel opens Chinese text correctly.

    Text that a spreadsheet would run as a formula gets a leading ' (shown, not run); plain
    numbers, negative ones included, stay numbers.
    """
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[inert(value) for value in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")


def export_csv(db_path: Path, folder: Path, *, headers: Headers = "zh") -> list[Exported]:
    """Write one CSV file a table into folder (UTF-8 with a BOM, so Excel reads the Chinese)."""
    folder.mkdir(parents=True, exist_ok=True)
    done = []
    for name, info, columns, rows in _tables(db_path):
        target = f"{name}.csv"
        count = 0
        with open(folder / target, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(_headers(columns, info, headers))
            for row in rows:
                writer.writerow([inert(v) for v in row])
                count += 1
        done.append(Exported(name, target, count))
    return done


def export_xlsx(db_path: Path, out: Path, *, headers: Headers = "zh") -> list[Exported]:
    """Write one workbook: a 说明 sheet first, then a sheet a table, header row frozen."""
    from openpyxl import Workbook  # imported here: only exports need it

    workbook = Workbook(write_only=True)
    about = workbook.create_sheet("说明")
    done: list[Exported] = []
    taken = {"说明"}
    for name, info, columns, rows in _tables(db_path):
        sheets: list[list] = []  # [sheet, rows written]; a table over Excel's row limit goes on
        for row in rows:
            if not sheets or sheets[-1][1] == XLSX_MAX_ROWS:
                title = _sheet_name(name, info, len(sheets) + 1, taken)
                sheets.append([_new_sheet(workbook, title, columns, info, headers), 0])
            sheet = sheets[-1][0]
            sheet.append([_xlsx_value(sheet, v) for v in row])
            sheets[-1][1] += 1
        if not sheets:  # an empty table still gets its sheet, with its headers
            sheets.append([_new_sheet(workbook, _sheet_name(name, info, 1, taken), columns, info, headers), 0])
        done.extend(Exported(name, sheet.title, count) for sheet, count in sheets)
    _write_about(about, done, db_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    return done


def count_rows(db_path: Path, table: str) -> int:
    """How many rows a table of the store has (0 if it has no such table)."""
    conn = _read_only(db_path)
    try:
        return conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def _tables(db_path: Path) -> Iterator[tuple[str, TableInfo | None, list[str], Iterator[Sequence]]]:
    """Each exported table or view with its columns and rows, all from one read of the store."""
    conn = _read_only(db_path)
    try:
        conn.execute("BEGIN")  # one snapshot: a load committing meanwhile is wholly in or out
        for name in _exported_names(conn):
            info = tables().get(name)
            skipped = SKIPPED_COLUMNS.get(name, frozenset())
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info([{name}])") if row[1] not in skipped]
            select = ", ".join(f"[{c}]" for c in columns)
            order = " ORDER BY rowid" if _has_rowid(conn, name) else ""
            rows = conn.execute(f"SELECT {select} FROM [{name}]{order}")
            yield name, info, columns, ([_whole(v) for v in row] for row in rows)
    finally:
        conn.close()


def _read_only(db_path: Path) -> sqlite3.Connection:
    """The store opened read-only (mode=ro): an export never writes to it, nor waits for a writer."""
    if not Path(db_path).is_file():
        raise ReportbotError(f"找不到数据库 {db_path}：先用 reportbot --db {db_path} load 文件或文件夹 载入报告。")
    try:
        conn = sqlite3.connect(f"file:{quote(str(Path(db_path).resolve()))}?mode=ro", uri=True, timeout=30)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as error:
        raise ReportbotError(f"无法打开数据库 {db_path}（{error}）：确认它是 reportbot 的数据库文件。") from error
    return conn


def _whole(value: object) -> object:
    """A whole number as an integer (88300, not 88300.0), whichever type the column stored it as."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _exported_names(conn: sqlite3.Connection) -> list[str]:
    """Tables and views in the metadata's order (views people start from first), others after.

    Hidden tables (the search index's) are left out, and so is any table whose name starts
    with a hidden one's (FTS5's shadow tables, passages_fts_data …), as Datasette does.
    """
    present = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    described = tables()
    hidden = [name for name, info in described.items() if info.hidden]
    shown = [n for n in present if not any(n.startswith(h) for h in hidden)]
    return [n for n in described if n in shown] + [n for n in shown if n not in described]


def _has_rowid(conn: sqlite3.Connection, name: str) -> bool:
    kind = conn.execute("SELECT type FROM sqlite_master WHERE name = ?", (name,)).fetchone()
    if kind is None or kind[0] != "table":
        return False
    try:
        conn.execute(f"SELECT rowid FROM [{name}] LIMIT 0")
    except sqlite3.OperationalError:  # WITHOUT ROWID
        return False
    return True


def _headers(columns: list[str], info: TableInfo | None, headers: Headers) -> list[str]:
    if headers == "en" or info is None:
        return list(columns)
    return [info.labels.get(c, c) for c in columns]


def _sheet_name(name: str, info: TableInfo | None, part: int, taken: set[str]) -> str:
    """A sheet name Excel accepts and no other sheet has: 表格数字, 表格数字 (2) …"""
    base = _SHEET_NAME_BAD.sub(" ", info.chinese_title if info else name).strip() or name
    suffix = f" ({part})" if part > 1 else ""
    candidate = base[: _SHEET_NAME_MAX - len(suffix)] + suffix
    number = 2
    while candidate in taken:
        tail = f" {name}" if number == 2 else f" {number}"
        candidate = (base + suffix)[: _SHEET_NAME_MAX - len(tail)] + tail
        number += 1
    taken.add(candidate)
    return candidate


def _new_sheet(workbook, title: str, columns: list[str], info: TableInfo | None, headers: Headers):
    """A sheet with its header row bold and frozen, autofilter on, columns a readable width."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    labels = _headers(columns, info, headers)
    for number, label in enumerate(labels, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = min(60, max(8, 2 * len(label) + 2))
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(1, len(labels)))}1"
    bold = Font(bold=True)
    header = []
    for label in labels:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    return sheet


def _xlsx_value(sheet, value: object) -> object:
    """A value as a workbook cell: numbers as numbers, text as text (never a formula)."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = value if value.isprintable() else ILLEGAL_CHARACTERS_RE.sub("", value)
    text = text[:XLSX_MAX_CELL]
    if text.startswith("="):  # openpyxl would store it as a formula
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def _write_about(sheet, done: list[Exported], db_path: Path) -> None:
    """The first sheet: what each sheet holds, where it came from, when."""
    described = tables()
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 28
    sheet.column_dimensions["C"].width = 10
    sheet.column_dimensions["D"].width = 100
    sheet.append(["工作表", "数据表（英文名）", "行数", "说明"])
    for exported in done:
        info = described.get(exported.name)
        sheet.append([exported.target, exported.name, exported.rows,
                      " ".join((info.description if info else "").split())])
    sheet.append([])
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    sheet.append([f"由 reportbot 导出自 {db_path.name}，{stamp}。空白格表示报告没有填（不是 0）；"
                  "推算（inferred）和推导（derived）的数字在「表格数字」里另有标记。"])
