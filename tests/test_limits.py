"""Bounded by design: read-only opening, exact removal, read-only SQL, hostile files and names,
numbers as printed, CSV that cannot run formulas, and consistent backups."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sqlite3
import time
import zipfile
from contextlib import closing
from pathlib import Path

import pytest

from bot.cli import main
from bot.engine import Engine
from index.archives import unpack_reports
from index.export import csv_bytes
from index.errors import AmbiguousReportError, ReadOnlyQueryError, StoreError, UnreadableFileError
from index.ingest import prepare_report, report_files
from index.lexicon import load_lexicon
from index.store import _MIGRATIONS, backup_store, open_store, read_only_query, resolve_report
from tests.auxil.reports import SAMPLES_DIR

YICHUN = (SAMPLES_DIR / "yichun-2023.txt").read_text(encoding="utf-8")


def digest(path: Path) -> str:
    """The bytes of the store and its write-ahead log: a read-only command must change neither."""
    parts = [path, path.with_name(path.name + "-wal")]
    return hashlib.sha256(b"".join(p.read_bytes() for p in parts if p.exists())).hexdigest()


# -- the store opened read-only


def test_read_only_commands_write_nothing(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = digest(db_path)
    for args in (["reports"], ["cells", "--json", "伊春市2023"], ["check", "伊春市"], ["ask", "伊春市行政处罚多少件"],
                 ["sql", "SELECT COUNT(*) FROM reports"]):
        assert main(["--db", str(db_path), *args]) == 0, args
    assert digest(db_path) == before
    assert "88300" in capsys.readouterr().out


def test_an_older_store_is_not_migrated_by_a_read_but_told_how(db_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("PRAGMA user_version = 2")
    before = digest(db_path)
    assert main(["--db", str(db_path), "reports"]) == 1
    err = capsys.readouterr().err
    assert "格式比程序旧" in err and "migrate" in err and digest(db_path) == before
    assert main(["--db", str(db_path), "sql", "SELECT 1"]) == 1
    assert "migrate" in capsys.readouterr().err


def test_migrate_brings_an_old_store_up_to_date_keeping_its_reports(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "old.db"
    with closing(sqlite3.connect(old)) as conn:  # a store as the first two migrations left it
        for script in _MIGRATIONS[:2]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 2")
        conn.execute("INSERT INTO reports VALUES (1, '某县2023年报告', '某县', '某县', 'county', 2023, NULL, 'tab', 'a.txt',"
                     " 'txt', 'x', '2024-01-01', 1, 0)")
        conn.execute("INSERT INTO cells (report_id, table_name, field, label, value, unit, raw, row_label)"
                     " VALUES (1, 'active', 'penalty.decisions', '行政处罚', 88300.0, '件', '88300', '行政处罚')")
        conn.commit()
    assert main(["--db", str(old), "migrate"]) == 0
    assert f"2 → {len(_MIGRATIONS)}" in capsys.readouterr().out
    with closing(sqlite3.connect(old)) as conn:
        assert conn.execute("SELECT value, typeof(value), raw FROM cells").fetchall() == [(88300, "integer", "88300")]
        assert conn.execute("SELECT penalty_decisions FROM report_headlines").fetchall() == [(88300,)]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert main(["--db", str(old), "migrate"]) == 0
    assert "没有改动" in capsys.readouterr().out


CELLS_V6 = [  # cells as schema 6 stored them: every column in full on every row
    (1, 1, "active", "penalty.decisions", "行政处罚：本年处理决定数量", None, None, 88300, "件", "88300", "行政处罚", 0, 0,
     None, "printed"),
    (2, 1, "active", "fees.amount", "行政事业性收费：本年收费金额", None, None, 3, "元", "3.0", "行政事业性收费", 0, 0,
     None, "split"),
    (3, 1, "requests", "requests.new", "本年新收政府信息公开申请数量", "total", "总计", 5, "件", "5", "一、本年新收", 0, 0,
     None, "printed"),
    (4, 1, "requests", "requests.new", "本年新收政府信息公开申请数量", "natural_person", "自然人", None, "件", "",
     "一、本年新收", 0, 0, None, "printed"),
    (5, 1, "requests", "requests.denied", "不予公开（小计）", "total", "总计", 2, "件", "", "", 0, 1,
     '["requests.denied.state_secret[total]"]', "derived"),
]


def old_store(path: Path, cells: list[tuple]) -> None:
    """A store as schema 6 left it, with one report and these cells."""
    with closing(sqlite3.connect(path)) as conn:
        for script in _MIGRATIONS[:6]:
            conn.executescript(script)
        conn.execute("PRAGMA user_version = 6")
        conn.execute("INSERT INTO reports (id, title, body, region, level, year, layout, source_name, source_format,"
                     " sha256, loaded_at, cell_count, finding_count) VALUES (1, '某县2023年报告', '某县', '某县', 'county',"
                     " 2023, '2021', 'a.txt', 'txt', 'x', '2024-01-01', 4, 0)")
        conn.executemany(f"INSERT INTO cells VALUES ({', '.join('?' * 15)})", cells)
        conn.executemany("INSERT INTO fields VALUES (?, ?, ?, ?, ?)",  # as every writer's open left them
                         [(f.code, f.label, f.table, f.unit, int(bool(f.derived))) for f in load_lexicon().fields])
        conn.executemany("INSERT INTO applicants VALUES (?, ?, ?)",
                         [(a.code, a.label, int(bool(a.derived_from))) for a in load_lexicon().applicants])
        conn.commit()


def test_migrating_cells_to_the_compact_table_keeps_every_column_of_every_row(tmp_path: Path) -> None:
    path = tmp_path / "v6.db"
    old_store(path, CELLS_V6)
    open_store(path).close()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT type FROM sqlite_master WHERE name = 'cells'").fetchone() == ("view",)
        rows = conn.execute("SELECT report_id, table_name, field, label, applicant, applicant_label, value, unit, raw,"
                            " row_label, inferred, derived, inputs, method FROM cells ORDER BY id").fetchall()
        assert rows == [row[1:] for row in CELLS_V6]
        stored = conn.execute("SELECT unit, raw FROM cell_values ORDER BY key_id").fetchall()
        assert stored == [(None, None), ("元", "3.0"), (None, None), (None, ""), (None, "")]  # only what differs
        assert conn.execute("SELECT requests_new, fees_amount_wan_yuan FROM report_headlines").fetchall() == [(5, 3)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_a_migration_that_fails_leaves_the_old_store_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "v6.db"
    old_store(path, CELLS_V6 + [(9, *CELLS_V6[0][1:])])  # the same cell twice: the compact table refuses it
    with pytest.raises(sqlite3.IntegrityError):
        open_store(path)
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (6,)
        assert conn.execute("SELECT type FROM sqlite_master WHERE name = 'cells'").fetchone() == ("table",)
        assert conn.execute("SELECT count(*) FROM cells").fetchone() == (6,)


def test_a_fresh_store_opened_by_two_writers_at_once_is_migrated_once(tmp_path: Path) -> None:
    import threading

    path = tmp_path / "new.db"
    errors = []

    def open_it() -> None:
        try:
            open_store(path).close()
        except Exception as error:  # noqa: BLE001 - collected
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (len(_MIGRATIONS),)


# -- removing only what was named


def test_remove_needs_an_exact_name_and_lists_candidates(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(db_path), "remove", "伊"]) == 1
    err = capsys.readouterr().err
    assert "没有删除任何报告" in err and "伊春市2023" in err and "伊川县2023" in err
    db = open_store(db_path, read_only=True)
    try:
        assert len(db.execute("SELECT id FROM reports").fetchall()) == 5
        assert resolve_report(db, "伊春市2023").region == "伊春市"
        assert resolve_report(db, " 伊春市 2023年 ").region == "伊春市"
        assert resolve_report(db, "兴隆县").region == "兴隆县"  # a body with a single report
        with pytest.raises(AmbiguousReportError) as partial:
            resolve_report(db, "伊春")  # a name it contains is not its name
        assert {r.region for r in partial.value.candidates} == {"伊春市"}
        with pytest.raises(AmbiguousReportError, match="没有找到"):
            resolve_report(db, "北京市2023")
        with pytest.raises(AmbiguousReportError):
            resolve_report(db, "伊春市2022")  # the right body, a year it has no report for
    finally:
        db.close()
    assert main(["--db", str(db_path), "remove", "伊春市2023"]) == 0
    assert capsys.readouterr().out.startswith("已删除：伊春市2023年政府信息公开工作年度报告（编号 ")


# -- read-only SQL, bounded


@pytest.mark.parametrize("query", [
    "SELECT fts3_tokenizer('simple')",  # returns a pointer: refused
    "SELECT load_extension('/tmp/x')",
    "SELECT * FROM reports WHERE fts3_tokenizer('porter') IS NOT NULL",
    "WITH x AS (SELECT 1) DELETE FROM reports",
    "SELECT * FROM pragma_function_list",
])
def test_sql_refuses_functions_that_leak_or_change_state(samples_db: Path, query: str) -> None:
    with pytest.raises(ReadOnlyQueryError, match="只读"):
        read_only_query(samples_db, query)


@pytest.mark.parametrize("query", [
    "SELECT printf('%.*c', 1000000000, 'x')",  # seconds inside one function call, unbounded by steps
    "SELECT format('%.1000000000c', 'x')",
    "SELECT printf('%*d', 2000000000, 1)",
])
def test_sql_time_limit_holds_inside_one_long_function_call(samples_db: Path, query: str) -> None:
    start = time.monotonic()
    with pytest.raises(ReadOnlyQueryError):
        read_only_query(samples_db, query, timeout_s=1.0)
    assert time.monotonic() - start < 1.0


@pytest.mark.parametrize("query", [
    "SELECT length(zeroblob(2000000000))",
    "SELECT length(replace(printf('%.*c', 900000, 'x'), 'x', 'xxxxxxxxxx'))",
    "WITH RECURSIVE s(n, t) AS (SELECT 1, 'x' UNION ALL SELECT n + 1, t || t FROM s WHERE n < 40) SELECT max(length(t)) FROM s",
])
def test_sql_values_are_bounded_in_length(samples_db: Path, query: str) -> None:
    with pytest.raises(ReadOnlyQueryError, match="超过 1 MB"):
        read_only_query(samples_db, query)


def test_sql_stops_a_long_query_and_bounds_its_output(samples_db: Path) -> None:
    endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n"
    start = time.monotonic()
    with pytest.raises(ReadOnlyQueryError, match="超过 0.5 秒"):
        read_only_query(samples_db, endless, timeout_s=0.5)
    assert time.monotonic() - start < 2
    many = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i, printf('%.*c', 100000, 'x') FROM n"
    result = read_only_query(samples_db, many, max_rows=10_000, max_bytes=1_000_000)
    assert result.truncated and len(result.rows) == 9 and "超过 1 MB" in result.limit
    assert read_only_query(samples_db, "SELECT printf('%05d|%.2f|%s', 42, 3.14159, '伊春')").rows == [("00042|3.14|伊春",)]


def test_sql_prints_counts_as_integers_and_decimals_as_printed(samples_db: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    query = ("SELECT r.region, c.value, c.raw FROM cells c JOIN reports r ON r.id = c.report_id"
             " WHERE r.region IN ('伊春市', '辉县市') AND field IN ('penalty.decisions', 'fees.amount')"
             " AND c.derived = 0 ORDER BY r.region, field")
    assert main(["--db", str(samples_db), "sql", query]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "伊春市\t88300\t88300" in lines  # not 88300.0
    assert "辉县市\t12372.0506\t12372.0506" in lines  # 万元, as printed
    with closing(sqlite3.connect(samples_db)) as conn:  # stored so, for anyone reading the file
        assert conn.execute("SELECT typeof(value) FROM cells WHERE field = 'penalty.decisions' LIMIT 1").fetchone() \
            == ("integer",)


# -- numbers as printed


def test_cells_json_prints_counts_as_integers(samples_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(samples_db), "cells", "--json", "伊春市2023"]) == 0
    text = capsys.readouterr().out
    rows = [json.loads(line) for line in text.splitlines()]
    assert all(isinstance(r["value"], int) for r in rows if r["unit"] == "件" and r["value"] is not None)
    assert '"field": "penalty.decisions", "applicant": null, "value": 88300,' in text


@pytest.mark.parametrize(("printed", "stored", "says"), [
    ("-88300", -88300, "负数"),
    ("8830000000", 8830000000, "不像真实数量"),
    ("8.83E+04", 88300, "科学计数法"),
])
def test_suspicious_numbers_are_kept_as_printed_and_reported(tmp_path: Path, printed: str, stored: int,
                                                             says: str) -> None:
    path = tmp_path / "odd.txt"
    path.write_text(YICHUN.replace("| 88300 |", f"| {printed} |"), encoding="utf-8")
    report = prepare_report(path, lexicon=load_lexicon()).report
    (cell,) = [c for c in report.cells if c.field == "penalty.decisions"]
    assert cell.value == stored and cell.raw.strip() == printed
    (finding,) = [f for f in report.findings if f.rule == "numbers.suspicious"]
    assert says in finding.message and finding.fields == ("penalty.decisions",)


def test_an_answer_carries_the_suspicious_number_caveat(tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    path.write_text(YICHUN.replace("| 88300 |", "| -88300 |"), encoding="utf-8")
    engine = Engine.open(tmp_path / "r.db")
    try:
        outcome = engine.load(path)
        assert any("负数" in f for f in outcome.findings)
        answer = engine.ask("伊春市行政处罚多少件")
        assert [v.value for v in answer.values] == [-88300]
        assert "负数" in answer.to_text()
    finally:
        engine.close()


# -- files and names that cannot be reports


def test_a_fifo_a_device_and_hostile_names_get_a_message_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    with pytest.raises(UnreadableFileError, match="管道"):
        prepare_report(fifo)
    device = tmp_path / "zero.txt"
    device.symlink_to("/dev/zero")
    with pytest.raises(UnreadableFileError, match="设备文件"):
        prepare_report(device)
    good = tmp_path / "good.txt"
    good.write_text(YICHUN, encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="换行"):
        prepare_report(good, original_name="伊春\n市.txt")
    with pytest.raises(UnreadableFileError, match="文件名太长"):
        prepare_report(good, original_name="伊" * 100 + ".txt")
    with pytest.raises(UnreadableFileError, match="文件名太长"):
        prepare_report(tmp_path / ("长" * 100 + ".txt"))
    folder = tmp_path  # a folder with a FIFO in it: listed, refused by name, the others load
    assert fifo in report_files([folder])


def test_a_folder_with_a_fifo_loads_the_rest(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")
    (folder / "yichun.txt").write_text(YICHUN, encoding="utf-8")
    assert main(["--db", str(tmp_path / "r.db"), "load", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "✗ pipe.txt: “pipe.txt”是管道（FIFO），不是普通文件" in out and "✓ yichun.txt" in out


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "says"), [("报告\n2023.txt", "换行"), ("报" * 90 + ".txt", "太长")])
def test_zip_member_names_that_would_break_things_are_refused(tmp_path: Path, name: str, says: str) -> None:
    archive = tmp_path / "upload.zip"
    archive.write_bytes(_zip({"ok.txt": b"x", name: b"y"}))
    with pytest.raises(UnreadableFileError, match=says):
        unpack_reports(archive, tmp_path / "out", max_total_bytes=10**6)


def test_an_honest_zip_over_the_cap_is_refused_before_unpacking(tmp_path: Path) -> None:
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("big.txt", b"0" * 3_000_000)
    with pytest.raises(UnreadableFileError, match="解压后超过"):
        unpack_reports(archive, tmp_path / "out", max_total_bytes=2 * 1024 * 1024)
    assert not (tmp_path / "out").exists()


# -- exports


def test_csv_cells_cannot_run_as_formulas() -> None:
    rows = [("报告", "值"), ("=HYPERLINK(\"http://x\")", "+1+cmd|' /C calc'!A0"), ("@SUM(A1)", "-2+3"),
            ("\t=1", "\r=1"), (" =1", "-88300"), (88300, -5), ("伊春市", "12.5")]
    text = csv_bytes(rows).decode("utf-8-sig")
    read = list(csv.reader(io.StringIO(text)))
    assert read[1] == ["'=HYPERLINK(\"http://x\")", "'+1+cmd|' /C calc'!A0"]
    assert read[2] == ["'@SUM(A1)", "'-2+3"]
    assert read[3] == ["'\t=1", "'\r=1"]
    assert read[4] == ["' =1", "-88300"]  # a plain negative number stays a number
    assert read[5] == ["88300", "-5"] and read[6] == ["伊春市", "12.5"]


# -- backups


def test_backup_is_a_consistent_single_file_copy_while_a_writer_holds_the_store(
    db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer = Engine(db_path)  # open, with its write-ahead log in use
    try:
        writer.remove("兴隆县")
        copy = tmp_path / "backup" / "reports.db"
        assert main(["--db", str(db_path), "backup", str(copy)]) == 0
        assert "已备份" in capsys.readouterr().out
        assert not copy.with_name("reports.db-wal").exists()
        with closing(sqlite3.connect(copy)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("SELECT COUNT(*) FROM reports").fetchone() == (4,)
        with pytest.raises(StoreError, match="已经存在"):
            backup_store(db_path, copy)
    finally:
        writer.close()
    assert main(["--db", str(copy), "ask", "伊春市行政处罚多少件"]) == 0
    assert "88300件" in capsys.readouterr().out


def test_a_negative_change_of_the_2019_layout_is_no_suspicious_number() -> None:
    from index.checks import find_suspicious_numbers
    from index.report import Cell

    lexicon = load_lexicon()
    change = Cell(table="active", field="fees.change", label="行政事业性收费：本年增/减（2019版）", applicant=None,
                  value=-15.0, unit="项", raw="-15")
    count = Cell(table="active", field="penalty.decisions", label="行政处罚", applicant=None, value=-3.0, unit="件", raw="-3")
    assert [f.fields for f in find_suspicious_numbers([change, count], lexicon)] == [("penalty.decisions",)]
