"""The `reportbot` command line, driven as a user drives it."""
from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def run(*args: str, stdin: str | None = None, db: Path | None = None) -> subprocess.CompletedProcess:
    prefix = ["--db", str(db)] if db else []
    return subprocess.run([sys.executable, "-m", "bot.cli", *prefix, *args], input=stdin, capture_output=True,
                          text=True, timeout=120)


def dump(db: Path) -> list:
    with sqlite3.connect(db) as conn:
        return [conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("reports", "cells", "passages", "findings")]


def test_every_command_has_help() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # noqa: SLF001 - argparse keeps them there
    assert set(commands) >= {"load", "reports", "check", "remove", "sql", "cells", "ask", "chat", "serve"}
    for name, sub in commands.items():
        assert sub.description, name


def test_load_reports_one_line_per_file_and_bad_files_do_not_stop_others(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "yichun-2023.txt", folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "noise.pdf").write_bytes(random.Random(0).randbytes(4096))
    (folder / "poem.txt").write_text("床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n", encoding="utf-8")
    db = tmp_path / "r.db"
    result = run("load", str(folder), str(SAMPLES / "seda-2023.txt"), db=db)
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 1
    assert len(lines) == 5
    assert any(line.startswith("✓ yichun-2023.txt: 伊春市 2023年，200个数字") for line in lines)
    assert any(line.startswith("✓ seda-2023.txt") for line in lines)
    assert sum(line.startswith("✗") for line in lines) == 3
    assert any("空" in line for line in lines if "empty.txt" in line)
    assert any("年度报告" in line for line in lines if "poem.txt" in line)
    assert len(dump(db)[0]) == 2


def test_loading_the_same_file_again_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    assert run("load", str(SAMPLES / "yichun-2023.txt"), db=db).returncode == 0
    before = dump(db)
    again = run("load", str(SAMPLES / "yichun-2023.txt"), db=db)
    assert "未变化" in again.stdout and dump(db) == before


def test_a_new_version_replaces_the_old_one(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    run("load", str(SAMPLES / "yichun-2023.txt"), db=db)
    newer = tmp_path / "yichun-2023-fixed.txt"
    newer.write_text((SAMPLES / "yichun-2023.txt").read_text(encoding="utf-8").replace("| 88300 |", "| 88301 |"), encoding="utf-8")
    result = run("load", str(newer), db=db)
    assert "已替换旧版本" in result.stdout
    answer = run("ask", "伊春市行政处罚多少件", db=db)
    assert "88301件" in answer.stdout
    assert len(dump(db)[0]) == 1


def test_bad_input_leaves_the_database_exactly_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    run("load", str(SAMPLES / "seda-2023.txt"), db=db)
    before = dump(db)
    truncated = tmp_path / "cut.txt"
    truncated.write_text((SAMPLES / "yichun-2023.txt").read_text(encoding="utf-8")[:40], encoding="utf-8")
    result = run("load", str(truncated), db=db)
    assert result.returncode == 1 and result.stdout.startswith("✗ cut.txt:")
    assert dump(db) == before


def test_reports_check_remove(tmp_path: Path) -> None:
    db = tmp_path / "r.db"
    run("load", str(SAMPLES), db=db)
    listing = run("reports", db=db).stdout
    assert listing.count("\n") == 5 and "兴隆县" in listing
    check = run("check", "兴隆县2023", db=db)
    assert "54" in check.stdout and "52" in check.stdout
    removed = run("remove", "兴隆县", db=db)
    assert "已删除：兴隆县人民政府2023年政府信息公开工作年度报告" in removed.stdout
    assert "兴隆县" not in run("reports", db=db).stdout
    missing = run("remove", "北京市", db=db)
    assert missing.returncode == 1 and "没有找到" in missing.stderr


@pytest.mark.parametrize("query", ["DELETE FROM reports", "DROP TABLE cells", "INSERT INTO reports(title) VALUES ('x')",
                                   "SELECT 1; DELETE FROM reports", "PRAGMA user_version = 0",
                                   "ATTACH DATABASE 'x.db' AS x", "UPDATE cells SET value = 0"])
def test_sql_refuses_writes(samples_db: Path, query: str) -> None:
    result = run("sql", query, db=samples_db)
    assert result.returncode == 1 and "只读" in result.stderr


def test_sql_reads(samples_db: Path) -> None:
    result = run("sql", "SELECT region, penalty_decisions FROM report_headlines ORDER BY penalty_decisions DESC LIMIT 1", db=samples_db)
    assert result.stdout.splitlines() == ["region\tpenalty_decisions", "伊春市\t88300"]  # a count, not 88300.0
    functions = run("sql", "SELECT replace(region, '市', '') FROM reports WHERE region = '伊春市'", db=samples_db)
    assert functions.stdout.splitlines()[1] == "伊春"


def test_cells_json(samples_db: Path) -> None:
    result = run("cells", "--json", "伊春市2023", db=samples_db)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"report", "region", "year", "field", "applicant", "value", "inferred"} <= set(rows[0])
    lookup = {(r["field"], r["applicant"]): r for r in rows}
    assert lookup[("penalty.decisions", None)]["value"] == 88300
    assert lookup[("requests.new", "natural_person")]["value"] == 137
    assert lookup[("review.corrected", None)]["value"] == 6
    assert {r["region"] for r in rows} == {"伊春市"}


def test_ask_json_reads_questions_from_stdin(samples_db: Path) -> None:
    result = run("ask", "--json", stdin="伊春市行政强制有多少？\n\n色达县的微信公众号叫什么？\n", db=samples_db)
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["route"] for a in answers] == ["structured", "retrieval"]
    assert answers[0]["values"][0]["value"] == 889
    assert any("中国色达" in p["text"] for p in answers[1]["passages"][:3])


def test_chat_through_its_entry_point(tmp_path: Path) -> None:
    result = run("chat", stdin="伊春市2023年行政处罚多少件？\n那色达县呢？\n/reports\n/quit\n", db=tmp_path / "chat.db")
    assert result.returncode == 0
    assert "载入自带的样本报告" in result.stdout
    assert "88300件" in result.stdout and "75件" in result.stdout
    assert "辉县市人民政府2021年政府信息公开工作年度报告" in result.stdout


def test_main_prints_errors_without_traceback(samples_db: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(samples_db), "check", "没有这个地方"]) == 1
    err = capsys.readouterr().err
    assert "没有找到" in err and "Traceback" not in err
    # A read-only command never creates the file it was pointed at.
    assert main(["--db", str(tmp_path / "r.db"), "reports"]) == 1
    assert "找不到数据库" in capsys.readouterr().err and not (tmp_path / "r.db").exists()
