"""Story leads (docs/leads.md): each kind on reports built for it, sourced, and the same every run."""
from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import statistics

import numpy as np
from hypothesis import given, strategies as st

from bot.cli import main as cli_main
from bot.engine import Engine
from bot.leads import asks_for_leads, leads_text, reports_named
from index.errors import ReportNotFoundError
from index.leads import KINDS, PEERS_NAMED, Lead, find_leads, leave_one_out
from tests.auxil.leads import (HANDLED_PROSE, SECTION_FIVE, SECTION_SIX, build_report, moved, sample_cells,
                               zero_requests)

OWN_PROBLEMS = ("2023年，我市的问题是政务新媒体更新慢、依申请公开答复超期两件、基层公开目录没有及时维护，"
                "明年将建立更新台账、答复前逐件复核期限，并把乡镇公开目录纳入季度检查，逐项销号。")
# Two years of 金沙 that each say something of their own.
JINSHA_2022 = ("本年度发现三个问题：档案数字化滞后，部分历史文件无法在线查询；政策文件解读与文件同步发布率不足六成；"
               "乡镇站点栏目长期不更新。改进：年内完成档案扫描，解读与文件同步上网，站点纳入月度通报。")
JINSHA_2023 = ("去年承诺的档案扫描只完成一半，原因是经费到位晚；今年新出现的问题是热线与依申请渠道重复受理，"
               "群众反映答复口径不一。下一步由办公室统一答复口径，建立转办登记簿，经费列入明年预算。")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Eleven reports of cities, each built to show one kind of lead (and the samples' defaults)."""
    folder = tmp_path_factory.mktemp("leads")
    files = [
        # 青山: 不予公开 far above its peers (40 requests moved from 予以公开 to 国家秘密).
        build_report(folder, "青山", values=moved(40, "requests.granted", "requests.denied.state_secret")),
        # 白水: penalties ÷176 from 2022 to 2023; section 五 the same both years.
        build_report(folder, "白水", year=2022),
        build_report(folder, "白水", values={"penalty.decisions": 500}),
        # 金沙: 不予公开 flips from 2022 to 2023.
        build_report(folder, "金沙", year=2022, prose={SECTION_FIVE: JINSHA_2022}),
        build_report(folder, "金沙", values=moved(55, "requests.granted", "requests.denied.state_secret"),
                     prose={SECTION_FIVE: JINSHA_2023}),
        # 玉泉: the prose counts 23 requests (the office's own), the table 146 (every department).
        build_report(folder, "玉泉", prose={HANDLED_PROSE: "2023 年县政府办代表县政府受理申请 23 件"}),
        # 松岭: 本年新收 总计 printed 150 while the columns add up to 146.
        build_report(folder, "松岭", values={"requests.new[total]": 150}),
        # 梅溪: no section 五, no table 四, fees noticed without a word in section 六, signed late.
        build_report(folder, "梅溪", values=moved(2, "requests.granted", "requests.other.no_fee"),
                     prose={SECTION_FIVE: "无。", SECTION_SIX: "本年度无其他需要报告的事项。"},
                     drop_tables=(4,), published="2024年5月6日"),
        # 兰亭: every number of table 三 is 0.
        build_report(folder, "兰亭", values=zero_requests()),
        # 竹桥: a section 五 of its own, so no boilerplate.
        build_report(folder, "竹桥", prose={SECTION_FIVE: OWN_PROBLEMS}),
    ]
    path = folder / "reports.db"
    engine = Engine.open(path)
    try:
        for file in files:
            engine.load(file)
    finally:
        engine.close()
    yield path


@pytest.fixture
def leads(corpus: Path) -> list[Lead]:
    engine = Engine(corpus)
    try:
        return engine.leads()
    finally:
        engine.close()


def of(leads: list[Lead], kind: str, name: str, year: int = 2023) -> list[Lead]:
    return [lead for lead in leads if lead.kind == kind and lead.region.startswith(name) and lead.year == year]


def test_self_contradiction_names_the_printed_numbers(leads: list[Lead]) -> None:
    (row_sum,) = [lead for lead in of(leads, "self_contradiction", "松岭") if lead.topic == "requests.row_sum"]
    assert "150" in row_sum.claim and "146" in row_sum.claim
    assert {s.value for s in row_sum.sources} >= {150, 137}
    assert all(s.table == "requests" for s in row_sum.sources)
    assert not of(leads, "self_contradiction", "青山")  # a moved count keeps every sum


def test_prose_against_table_quotes_both(leads: list[Lead]) -> None:
    (lead,) = of(leads, "prose_vs_table", "玉泉")
    assert "23" in lead.claim and "146" in lead.claim
    prose, cell = lead.sources
    assert "受理申请 23 件" in prose.text and prose.value == 23 and prose.section
    assert cell.table == "requests" and cell.field == "requests.new" and cell.value == 146
    assert "代表" in lead.why  # a different scope is named as a likely reason
    # 全市共办理申请 146 件 equals 本年新收 although 办理结果总计 is 143: no lead, except where
    # table 三 is all zeros (兰亭) or prints another 本年新收 (松岭)
    assert {x.region for x in leads if x.kind == "prose_vs_table"} == {"玉泉市", "兰亭市", "松岭市"}


def test_outlier_against_peers_with_the_peer_count(leads: list[Lead]) -> None:
    (lead,) = [x for x in of(leads, "outlier", "青山") if x.topic == "denial_rate"]
    assert "不予公开率为38.5%" in lead.claim and "55 / 143" in lead.claim
    peers = int(lead.claim.split("同年其他")[1].split("份")[0])
    assert peers >= 5
    assert {s.field for s in lead.sources} >= {"requests.denied", "requests.handled", "median:denial_rate"}
    low = [x for x in of(leads, "outlier", "青山") if x.topic == "disclosure_rate"]
    assert low and "偏低" in low[0].claim
    assert not [x for x in leads if x.kind == "outlier" and x.region.startswith(("白水", "竹桥", "玉泉"))]


def test_jumps_across_years_for_one_body(leads: list[Lead]) -> None:
    (penalties,) = [x for x in of(leads, "jump", "白水") if x.topic == "penalty.decisions"]
    assert "88300" in penalties.claim and "500" in penalties.claim and "2022年" in penalties.claim
    assert [(s.year, s.value) for s in penalties.sources] == [(2022, 88300), (2023, 500)]
    (flip,) = [x for x in of(leads, "jump", "金沙") if x.topic == "denial_rate"]
    assert "10.5%" in flip.claim and "49.0%" in flip.claim
    assert not of(leads, "jump", "白水", 2022)  # a jump belongs to the later report


def test_absences(leads: list[Lead]) -> None:
    topics = {lead.topic: lead for lead in of(leads, "absence", "梅溪")}
    assert set(topics) >= {"missing:review", "section5:empty", "fees:unexplained", "late"}
    assert "2024-05-06" in topics["late"].claim and "2024-03-31" in topics["late"].claim
    assert "36天" in topics["late"].claim
    assert topics["fees:unexplained"].sources[0].field == "requests.other.no_fee"
    (zero,) = of(leads, "absence", "兰亭")
    assert zero.topic == "zero:requests" and "全部为0" in zero.claim
    (same,) = [x for x in of(leads, "absence", "白水") if x.topic == "section5:same"]
    assert "2022年" in same.claim and same.sources[1].year == 2022
    assert not [x for x in of(leads, "absence", "金沙") if x.topic == "section5:same"]  # rewritten each year


def test_boilerplate_across_bodies(leads: list[Lead]) -> None:
    copied = {lead.region for lead in leads if lead.kind == "boilerplate" and lead.topic == "section5"}
    assert {"青山市", "玉泉市", "松岭市", "兰亭市"} <= copied
    assert not copied & {"竹桥市", "梅溪市"}  # its own text; no text at all
    lead = of(leads, "boilerplate", "青山")[0]
    assert "100%" in lead.claim and lead.sources[1].report and lead.sources[1].report != lead.report


def test_every_lead_is_sourced_and_ranked(leads: list[Lead]) -> None:
    assert {lead.kind for lead in leads} == set(KINDS)
    for lead in leads:
        assert lead.sources and all(s.text for s in lead.sources), lead
        assert lead.claim.endswith("。") and lead.why
    scores = [lead.score for lead in leads]
    assert scores == sorted(scores, reverse=True)


def test_two_runs_print_the_same(corpus: Path) -> None:
    runs = []
    for _ in range(2):
        out = io.StringIO()
        from bot import cli
        args = cli.build_parser().parse_args(["--db", str(corpus), "leads", "--json"])
        assert cli.cmd_leads(args, out) == 0
        runs.append(out.getvalue())
    assert runs[0] == runs[1]
    rows = [json.loads(line) for line in runs[0].splitlines()]
    assert rows and all(set(r) >= {"kind", "report", "region", "body", "year", "claim", "why", "score", "sources"}
                        for r in rows)
    assert all(s.get("table") or s.get("section") for r in rows for s in r["sources"])


def test_cli_filters_by_place_and_kind(corpus: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli_main(["--db", str(corpus), "leads", "白水", "--kind", "jump", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows and {r["kind"] for r in rows} == {"jump"} and {r["region"] for r in rows} == {"白水市"}
    assert cli_main(["--db", str(corpus), "leads", "白水2022"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("白水2022：") and "1. [套话雷同] 白水市2022年报告" in text
    assert cli_main(["--db", str(corpus), "leads", "白水2022", "--json"]) == 0
    assert {json.loads(line)["year"] for line in capsys.readouterr().out.splitlines()} == {2022}
    assert cli_main(["--db", str(corpus), "leads", "火星市"]) == 1
    assert "火星市" in capsys.readouterr().err


def test_reports_named(corpus: Path) -> None:
    engine = Engine(corpus)
    try:
        assert {r.year for r in reports_named("白水市", engine.catalog)} == {2022, 2023}
        assert [r.year for r in reports_named("白水2022", engine.catalog)] == [2022]
        with pytest.raises(ReportNotFoundError):
            reports_named("火星", engine.catalog)
    finally:
        engine.close()


@pytest.mark.parametrize("question, asks", [
    ("有什么值得关注的", True), ("伊春市的年报有什么问题", True), ("哪些地方的不予公开率异常", True),
    ("伊川县政务公开工作存在哪些问题？", False), ("伊春市行政处罚多少件", False), ("色达县下一步有哪些改进措施？", False),
    ("伊春市2023年的年度报告有没有问题", True), ("色达县政务新媒体有哪些问题", False),
    ("兴隆县依申请公开有什么问题？", False), ("这份报告的数据有什么毛病", True),
    ("伊春市有什么值得追问的", True), ("兴隆县的数据有哪些值得深挖", True),
])
def test_which_questions_ask_for_leads(question: str, asks: bool) -> None:
    names = [n for n in ("伊春市", "伊川县", "色达县", "兴隆县") if n in question]
    assert asks_for_leads(question, names) is asks


def test_questions_route_to_leads(corpus: Path) -> None:
    engine = Engine.open(corpus)
    try:
        everything = engine.ask("有什么值得关注的")
        assert everything.route == "leads" and "共有" in everything.text
        count = int(everything.text.split("共有")[1].split("条")[0])
        rows = list(everything.table)  # what /csv sends: every lead, not the ten shown
        assert rows[0] == ("分数", "类别", "报告", "线索", "为什么") and len(rows) == len(everything.table) == count + 1
        one = engine.ask("玉泉市的年报有什么问题")
        listed = [line for line in one.text.splitlines() if line[:1].isdigit()]
        assert listed and all(line.split("] ", 1)[1].startswith("玉泉市2023年") for line in listed)
        assert "受理申请23件" in one.text
        rates = engine.ask("哪些地方的不予公开率异常")
        assert "青山市2023年的不予公开率" in rates.text and "行政处罚" not in rates.text
    finally:
        engine.close()


def test_samples_give_only_their_own_contradictions(engine: Engine) -> None:
    leads = engine.leads()
    assert [(lead.kind, lead.region) for lead in leads] == [("self_contradiction", "兴隆县")] * 2
    assert "共有2条线索" in leads_text(leads)


def test_unknown_kind_is_refused(corpus: Path) -> None:
    import sqlite3

    with pytest.raises(ValueError):
        find_leads(sqlite3.connect(corpus), kinds=["gossip"])


def test_sample_cells_cover_the_moved_rows() -> None:
    keys = {f"{c.field}[{c.applicant}]" for c in sample_cells() if c.applicant}
    assert {"requests.granted[natural_person]", "requests.other.no_fee[total]"} <= keys


@given(st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.5, 1.0, 3.0]) | st.floats(0, 1e6, allow_nan=False), min_size=2, max_size=40))
def test_peer_medians_are_the_medians_of_each_reports_peers(values: list[float]) -> None:
    """One sort a group gives what statistics.median gives over each report's peers, to the bit."""
    medians, deviations = leave_one_out(np.array(values))
    for place in range(len(values)):
        peers = values[:place] + values[place + 1:]
        median = statistics.median(peers)
        assert medians[place] == median
        assert deviations[place] == statistics.median(abs(v - median) for v in peers)


def test_a_median_source_names_at_most_ten_peers_and_counts_them_all(leads: list[Lead]) -> None:
    for lead in (lead for lead in leads if lead.kind == "outlier"):
        median = lead.sources[-1]
        peers = int(lead.claim.split("同年其他")[1].split("份")[0])
        named = median.text.split("：", 1)[1].removesuffix(f"等{peers}份").split("、")
        assert len(named) == min(peers, PEERS_NAMED)
        assert lead.report.split("20")[0] not in named


def test_kept_leads_give_what_finding_them_for_the_reports_gives(corpus: Path) -> None:
    """Every report's leads, found once and filtered, are each report's leads, kind by kind."""
    import sqlite3

    engine = Engine(corpus)
    try:
        everything = engine.leads()
        for report in engine.catalog.reports:
            for kinds in ((), ("outlier", "jump")):
                asked = engine.leads(report.name, kinds=kinds)
                with sqlite3.connect(corpus) as conn:
                    found = find_leads(conn, report_ids=[r.id for r in reports_named(report.name, engine.catalog)],
                                       kinds=kinds or None)
                assert list(asked) == found
        assert list(everything) == find_leads(sqlite3.connect(corpus))
    finally:
        engine.close()


def test_leads_are_found_once_until_a_report_is_added_or_removed(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import bot.leads

    store = tmp_path / "reports.db"
    shutil.copy(corpus, store)
    calls: list[object] = []
    real = bot.leads.find_leads
    monkeypatch.setattr(bot.leads, "find_leads", lambda db, **kw: calls.append(kw) or real(db, **kw))
    engine = Engine.open(store)
    try:
        first = engine.ask("有什么值得关注的")
        assert engine.ask("2023年有什么值得关注的").route == "leads"
        assert engine.leads("青山市") and engine.leads()
        assert len(calls) == 1 and "共有" in first.text
        removed = engine.remove("竹桥市2023")
        after = engine.leads()
        assert len(calls) == 2 and all(lead.report_id != removed.id for lead in after)
    finally:
        engine.close()


def test_a_bot_finds_every_reports_leads_in_the_background(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """warm_up_leads finds them on its own connection; the first question then finds nothing again."""
    import bot.leads

    engine = Engine.open(corpus)
    try:
        engine.warm_up_leads()
        monkeypatch.setattr(bot.leads, "find_leads", lambda *a, **kw: pytest.fail("leads found again"))
        answer = engine.ask("有什么值得关注的")
        assert answer.route == "leads" and "共有" in answer.text
        assert engine.leads("青山市")
    finally:
        engine.close()


def test_a_large_store_has_its_leads_found_in_a_process_of_its_own(corpus: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """From LEADS_APART_FROM reports the finding runs in a spawned process (its ~1.2 GB at 50,000
    reports never in the bot's): the bot keeps the same leads it would have found itself."""
    import bot.engine
    import bot.leads

    expected_engine = Engine.open(corpus, read_only=True)
    try:
        expected = list(expected_engine.leads())
    finally:
        expected_engine.close()
    monkeypatch.setattr(bot.engine, "LEADS_APART_FROM", 1)
    monkeypatch.setattr(bot.engine, "find_leads", lambda *a, **kw: pytest.fail("leads found in the bot's process"))
    engine = Engine.open(corpus)
    try:
        engine.warm_up_leads()
        monkeypatch.setattr(bot.leads, "find_leads", lambda *a, **kw: pytest.fail("leads found again"))
        assert list(engine.leads()) == expected and expected
    finally:
        engine.close()


def test_leads_are_found_in_the_bot_where_no_process_can_be_started(corpus: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.engine
    import bot.leads

    def no_process(*args: object, **kwargs: object) -> None:
        raise OSError("no process can be started here")

    monkeypatch.setattr(bot.engine, "LEADS_APART_FROM", 1)
    monkeypatch.setattr(bot.engine, "ProcessPoolExecutor", no_process)
    engine = Engine.open(corpus)
    try:
        engine.warm_up_leads()
        monkeypatch.setattr(bot.leads, "find_leads", lambda *a, **kw: pytest.fail("leads found again"))
        assert engine.leads()
    finally:
        engine.close()


def test_leads_found_again_in_the_background_after_a_removal(corpus: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import bot.leads

    store = tmp_path / "reports.db"
    shutil.copy(corpus, store)
    engine = Engine.open(store)
    try:
        before = engine.leads()
        removed = engine.remove("青山市2023")
        engine.find_leads_in_background().join()
        monkeypatch.setattr(bot.leads, "find_leads", lambda *a, **kw: pytest.fail("leads found again"))
        after = engine.leads()
        assert after and all(lead.report_id != removed.id for lead in after)
        assert any(lead.report_id == removed.id for lead in before)
    finally:
        engine.close()


def test_all_zero_tables_found_from_their_anchor_cells_as_from_every_cell(corpus: Path) -> None:
    """Counting only the reports whose anchor cell is 0 or missing finds the same all-zero tables."""
    import sqlite3

    from index.leads import _table_zero_counts

    with sqlite3.connect(corpus) as conn:
        wanted = {report_id for (report_id,) in conn.execute("SELECT id FROM reports")}
        every = conn.execute(
            "SELECT report_id, table_name, COUNT(*), SUM(CASE WHEN value = 0 THEN 1 ELSE 0 END) FROM cells"
            " WHERE derived = 0 AND table_name IN ('active', 'requests') GROUP BY report_id, table_name"
            " ORDER BY report_id, table_name").fetchall()
        anchored = _table_zero_counts(conn, ("active", "requests"), wanted,
                                      {"requests": ("requests.new[total]",), "active": ("normative.in_force",)})
    all_zero = [row for row in every if row[2] and row[2] == row[3]]
    assert all_zero and [row for row in anchored if row[2] and row[2] == row[3]] == all_zero
    assert set(anchored) <= set(every)
