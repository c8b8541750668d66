"""Exports for spreadsheets: the workbook opens (openpyxl, LibreOffice) with the numbers right,
CSV files carry a BOM and run no formula, /export sends the workbook to an admin."""
from __future__ import annotations

import csv
import io
import shutil
import sqlite3
import subprocess
import zipfile
from contextlib import closing
from pathlib import Path

import pytest
from openpyxl import load_workbook

from index import export as export_module
from index.export import export_csv, export_xlsx, inert
from index.metadata import tables
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.updates import ADMIN_ID, JOURNALIST_ID, command
from tests.test_bot_e2e import running_bot, send


def stored(db_path: Path, sql: str) -> list[tuple]:
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(sql).fetchall()


def sheet_rows(path: Path, sheet: str) -> list[tuple]:
    workbook = load_workbook(path, read_only=True)
    try:
        return list(workbook[sheet].iter_rows(values_only=True))
    finally:
        workbook.close()


@pytest.fixture
def workbook(db_path: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out.xlsx"
    export_xlsx(db_path, out)
    return out


def test_workbook_has_a_sheet_a_table_with_chinese_headers(workbook: Path, db_path: Path) -> None:
    book = load_workbook(workbook)
    assert book.sheetnames[:4] == ["说明", "报告要点", "报告", "表格数字"]
    for name in ("依申请公开按申请人", "数字对不上", "正文数字", "正文段落", "表格读取方式"):
        assert name in book.sheetnames
    assert not any(n.startswith(("passages_fts", "search_")) for n in book.sheetnames)
    cells = book["表格数字"]
    headers = [c.value for c in cells[1]]
    assert headers[:8] == ["编号", "报告编号", "所在表格", "项目代码", "项目", "申请人代码", "申请人", "数值"]
    assert cells.freeze_panes == "A2"
    assert "分词" not in [c.value for c in book["正文段落"][1]]  # the jieba tokens stay out


def test_numbers_are_numbers_and_equal_the_store(workbook: Path, db_path: Path) -> None:
    rows = sheet_rows(workbook, "表格数字")
    assert len(rows) - 1 == stored(db_path, "SELECT count(*) FROM cells")[0][0]
    expected = {row[0]: row[1] for row in stored(db_path, "SELECT id, value FROM cells")}
    for row in rows[1:]:
        cell_id, value = row[0], row[7]
        assert value == expected[cell_id]
        assert value is None or isinstance(value, (int, float)) and not isinstance(value, bool)
    headlines = {r[3]: r for r in sheet_rows(workbook, "报告要点")[1:]}
    assert headlines["伊春市"][11] == 88300 and isinstance(headlines["伊春市"][11], int)
    assert headlines["辉县市"][13] == pytest.approx(12372.0506)  # 万元, a decimal as printed


def test_about_sheet_counts_the_rows_of_each_sheet(workbook: Path, db_path: Path) -> None:
    about = {row[0]: row for row in sheet_rows(workbook, "说明")[1:] if len(row) > 1 and row[1]}
    assert about["表格数字"][1:3] == ("cells", stored(db_path, "SELECT count(*) FROM cells")[0][0])
    assert about["报告"][2] == 5


def test_text_that_looks_like_a_formula_never_runs(db_path: Path, tmp_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("UPDATE passages SET text = '=HYPERLINK(\"http://x\",\"点我\")' WHERE id = 1")
        conn.execute("UPDATE passages SET text = '@SUM(A1)' || char(11) WHERE id = 2")  # \v: not allowed in xlsx
        conn.commit()
    out = tmp_path / "out.xlsx"
    export_xlsx(db_path, out)
    book = load_workbook(out)
    sheet = book["正文段落"]
    text_column = [c.value for c in sheet[1]].index("原文") + 1
    first, second = sheet.cell(2, text_column), sheet.cell(3, text_column)
    assert first.data_type == "s" and first.value.startswith("=HYPERLINK")
    assert second.value == "@SUM(A1)"
    folder = tmp_path / "csv"
    export_csv(db_path, folder)
    rows = list(csv.reader(io.StringIO((folder / "passages.csv").read_text(encoding="utf-8-sig"))))
    texts = [row[rows[0].index("原文")] for row in rows[1:3]]
    assert texts[0].startswith("'=HYPERLINK") and texts[1].startswith("'@SUM")


@pytest.mark.parametrize(("value", "shown"), [
    ("=1+1", "'=1+1"), ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), (" =1", "' =1"), ("-12", "-12"), ("+3.5", "+3.5"), ("伊春市", "伊春市"), (88300, 88300), (None, None),
])
def test_inert_cells(value: object, shown: object) -> None:
    assert inert(value) == shown


def test_csv_a_file_a_table_with_bom(db_path: Path, tmp_path: Path) -> None:
    done = export_csv(db_path, tmp_path / "csv")
    names = {e.target for e in done}
    assert {"reports.csv", "cells.csv", "report_headlines.csv", "findings.csv"} <= names
    assert not any(n.startswith(("passages_fts", "search_")) for n in names)
    raw = (tmp_path / "csv" / "cells.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][7] == "数值"
    assert len(rows) - 1 == stored(db_path, "SELECT count(*) FROM cells")[0][0]
    assert not any("." in row[7] for row in rows[1:] if row[7] and row[9] == "件")  # counts print whole
    english = export_csv(db_path, tmp_path / "en", headers="en")
    assert english and (tmp_path / "en" / "cells.csv").read_text(encoding="utf-8-sig").startswith("id,report_id,")


def test_a_table_over_the_sheet_limit_goes_on_in_another_sheet(db_path: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(export_module, "XLSX_MAX_ROWS", 500)
    out = tmp_path / "out.xlsx"
    done = export_xlsx(db_path, out)
    parts = [e for e in done if e.name == "cells"]
    total = stored(db_path, "SELECT count(*) FROM cells")[0][0]
    assert [e.target for e in parts] == ["表格数字", "表格数字 (2)", "表格数字 (3)"]
    assert sum(e.rows for e in parts) == total and parts[0].rows == 500
    assert len(sheet_rows(out, "表格数字 (3)")) - 1 == total - 1000


def test_every_sheet_name_is_one_excel_accepts() -> None:
    taken: set[str] = set()
    for name, info in tables().items():
        sheet = export_module._sheet_name(name, info, 1, taken)
        assert 0 < len(sheet) <= 31 and not set(sheet) & set("[]:*?/\\")
    assert len(taken) == len(tables())


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook(workbook: Path, db_path: Path, tmp_path: Path) -> None:
    """LibreOffice converts the workbook headlessly; what it writes back holds the same numbers."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    profile = tmp_path / "profile"  # a private profile: no clash with another LibreOffice running
    result = subprocess.run(
        [office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "ods",
         "--outdir", str(tmp_path / "lo"), str(workbook)],
        capture_output=True, text=True, timeout=180)
    converted = tmp_path / "lo" / "out.ods"
    assert converted.is_file(), result.stdout + result.stderr
    again = subprocess.run(
        [office, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
         "--outdir", str(tmp_path / "back"), str(converted)],
        capture_output=True, text=True, timeout=180)
    back = tmp_path / "back" / "out.xlsx"
    assert back.is_file(), again.stdout + again.stderr
    book = load_workbook(back, read_only=True)
    assert book.sheetnames == load_workbook(workbook, read_only=True).sheetnames
    headlines = {r[3]: r for r in list(book["报告要点"].iter_rows(values_only=True))[1:]}
    assert headlines["伊春市"][11] == 88300
    values = [r[7] for r in list(book["表格数字"].iter_rows(values_only=True))[1:]]
    assert sorted(v for v in values if v is not None) == sorted(
        v for (v,) in stored(db_path, "SELECT value FROM cells") if v is not None)


# -- /export in Telegram, end to end against the fake Bot API


async def test_export_sends_the_workbook_to_an_admin(bot_api: FakeBotApi, db_path: Path, tmp_path: Path) -> None:
    async with running_bot(bot_api, db_path) as app:
        await send(app, command("/export", user_id=ADMIN_ID))
    (document,) = bot_api.calls_to("sendDocument")
    name, content = document.files["document"]
    assert name.endswith(".xlsx") and "5 份报告" in document.text
    path = tmp_path / name
    path.write_bytes(content)
    headlines = {r[3]: r for r in sheet_rows(path, "报告要点")[1:]}
    assert headlines["伊春市"][11] == 88300


async def test_export_csv_sends_a_zip_of_csv_files(bot_api: FakeBotApi, db_path: Path) -> None:
    async with running_bot(bot_api, db_path) as app:
        await send(app, command("/export csv", user_id=ADMIN_ID))
    (document,) = bot_api.calls_to("sendDocument")
    name, content = document.files["document"]
    assert name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert "cells.csv" in archive.namelist()
        assert archive.read("reports.csv").startswith(b"\xef\xbb\xbf")


async def test_export_is_for_admins_only(bot_api: FakeBotApi, db_path: Path) -> None:
    async with running_bot(bot_api, db_path) as app:
        await send(app, command("/export", user_id=JOURNALIST_ID))
    assert bot_api.calls_to("sendDocument") == []
    assert "只有管理员" in bot_api.texts(JOURNALIST_ID)[-1]


async def test_export_refuses_a_workbook_telegram_would_refuse(bot_api: FakeBotApi, db_path: Path,
                                                               monkeypatch) -> None:
    from handlers import export as export_handler

    monkeypatch.setattr(export_handler, "XLSX_MAX_CELLS", 100)
    async with running_bot(bot_api, db_path) as app:
        await send(app, command("/export", user_id=ADMIN_ID))
    assert bot_api.calls_to("sendDocument") == []
    assert "/export csv" in bot_api.texts(ADMIN_ID)[-1]
