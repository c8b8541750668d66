"""Numbers that live in the prose (index/facts.py): extraction, the facts table, and answers."""
from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.facts import match_subject
from index.facts import agrees, extract_facts, load_subjects
from index.report import Passage
from tests.auxil.leads import HANDLED_PROSE, build_report


def facts_of(sentence: str) -> list[tuple[str, float, str, str]]:
    return [(f.subject, f.number, f.unit, f.approx) for f in extract_facts([Passage(section="一、总体情况", text=sentence)])]


@pytest.mark.parametrize("sentence, expected", [
    ("全年主动公开信息 1234 条。", [("active_disclosure", 1234, "条", "")]),
    ("全年发布政策解读 12 篇，其中图解 5 篇。", [("policy_interpretation", 12, "篇", "")]),
    ("通过公众号推送 356 条。", [("new_media_posts", 356, "条", "")]),
    ("县政府办代表县政府受理申请 23 件。", [("requests_received", 23, "件", "")]),
    ("开展业务培训 3 次，召开新闻发布会 5 场。", [("training", 3, "次", ""), ("press_conferences", 5, "场", "")]),
    ("收取信息处理费 1250 元。", [("info_fee", 1250, "元", "")]),
    ("全年召开4次全市政务公开工作推进会。", [("meetings", 4, "次", "")]),
    ("召开两次新闻发布会。", [("press_conferences", 2, "次", "")]),
    ("持续对全县 1 个政府网站和 7 个政务新媒体开展日常监测。",
     [("websites", 1, "个", ""), ("new_media_accounts", 7, "个", "")]),
    ("发布各类信息 2100 余条，公开文件 15 份、发布公示公告信息 150 条。", [("active_disclosure", 2100, "条", "at_least")]),
    ("全年公开规划信息 5 条。", []),  # a narrower kind of information, not 主动公开信息
    ("收到书面或其他形式要求公开政府信息的申请 38 件，已答复 36 件，其中 2 件结转至下年度办理。",
     [("requests_received", 38, "件", ""), ("requests_handled", 36, "件", "")]),
    ("依法办理涉及政府信息公开的行政复议0件、行政诉讼0件。", [("review", 0, "件", ""), ("lawsuit", 0, "件", "")]),
    ("全年主动公开政府信息１，２３４条。", [("active_disclosure", 1234, "条", "")]),
    ("本年度行政事业性收费金额 3127.45 万元。", [("admin_fees", 3127.45, "万元", "")]),
    ("全年约 300 条。", []),
    ("2023 年 9 月，发布考核办法，一次性告知到位。", []),
])
def test_extract(sentence: str, expected: list) -> None:
    assert facts_of(sentence) == expected


def test_table_rows_are_not_prose() -> None:
    assert extract_facts([Passage(section="二", text="主动公开信息 12 条", kind="table")]) == ()


def test_every_subject_is_well_formed() -> None:
    subjects = load_subjects()
    assert len({s.key for s in subjects}) == len(subjects)
    for s in subjects:
        assert s.words and s.units and s.ask, s.key
        assert set(s.scale) <= set(s.units)


def test_agrees() -> None:
    assert agrees(146, "", 146) and not agrees(23, "", 146)
    assert agrees(2100, "at_least", 2300) and not agrees(2100, "at_least", 2000)
    assert agrees(300, "about", 1) is None


def test_samples_facts_are_stored_and_agree_with_their_tables(db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as db:
        counts = dict(db.execute("SELECT r.region, COUNT(f.id) FROM reports r LEFT JOIN facts f ON f.report_id = r.id"
                                 " GROUP BY r.id").fetchall())
        assert counts == {"辉县市": 8, "色达县": 4, "兴隆县": 3, "伊川县": 8, "伊春市": 5}
        assert db.execute("SELECT COUNT(*) FROM fact_mismatches").fetchone()[0] == 0
        row = db.execute("SELECT section, words, number, unit, sentence FROM facts f JOIN reports r ON r.id = f.report_id"
                         " WHERE r.region = '伊春市' AND subject = 'policy_interpretation'").fetchone()
        assert row[1:4] == ("政策解读", 51, "件") and "发布政策解读 51 件" in row[4] and row[0].startswith("一、")


def test_a_fact_against_its_table_is_a_mismatch(tmp_path: Path) -> None:
    path = build_report(tmp_path, "玉泉", prose={HANDLED_PROSE: "2023 年县政府办代表县政府受理申请 23 件"})
    engine = Engine.open(tmp_path / "reports.db")
    try:
        engine.load(path)
        rows = engine.db.execute("SELECT subject, number, field, applicant, table_value FROM fact_mismatches").fetchall()
        assert rows == [("requests_received", 23, "requests.new", "total", 146)]
        engine.remove("玉泉市2023")
        assert engine.db.execute("SELECT COUNT(*) FROM facts").fetchone()[0] == 0
    finally:
        engine.close()


@pytest.mark.parametrize("question, subject", [
    ("伊春市政策解读多少篇", "policy_interpretation"),
    ("伊春市政府公众号全年推送了多少条信息？", "new_media_posts"),
    ("伊川县政府网微信公众号有多少用户？", "new_media_users"),
    ("辉县市全年办理12345市长热线多少件？", "hotline"),
    ("某县主动公开了多少条信息", "active_disclosure"),
    ("伊川县政务公开工作存在哪些问题？", None),
])
def test_match_subject(question: str, subject: str | None) -> None:
    found = match_subject(question)
    assert (found.key if found else None) == subject


def test_a_prose_number_is_answered_with_its_sentence(engine: Engine) -> None:
    answer = engine.ask("伊春市政策解读多少篇")
    assert answer.route == "retrieval"
    assert "51件" in answer.text and "发布政策解读 51 件" in answer.text and "不是表格" in answer.text
    assert answer.values[0].value == 51 and answer.values[0].field == "fact.policy_interpretation"
    assert answer.passages[0].section.startswith("一、总体情况")


def test_prose_numbers_are_ranked_across_reports(engine: Engine) -> None:
    answer = engine.ask("哪个地方政策解读最多")
    assert [(v.region, v.value) for v in answer.values] == [("伊春市", 51), ("伊川县", 12)]
    assert "没有写这个数字的报告" in answer.text and answer.chart is not None
    fewest = engine.ask("哪个地方主动公开的信息最少")
    assert fewest.values[0].region == "伊川县" and fewest.values[0].value == 2100


def test_table_questions_and_numberless_questions_are_unchanged(engine: Engine) -> None:
    assert engine.ask("伊川县收到了多少件政府信息公开申请？").values[0].value == 38  # a table cell
    how = engine.ask("辉县市如何加强政务公开工作队伍建设？")
    assert not how.values and "推进会" in how.text  # passages, not a number
    none = engine.ask("色达县政策解读多少篇")  # the report states none: retrieval says what it found
    assert not any(v.field.startswith("fact.") for v in none.values)
