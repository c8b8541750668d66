"""Answers over the five bundled samples: values with sources, operations, honest "no data"."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine import Engine

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def first(answer) -> float:
    assert answer.values, answer.text
    return answer.values[0].value


def test_value_with_its_source(engine: Engine) -> None:
    answer = engine.ask("伊春市2023年行政处罚决定有多少件？")
    assert answer.route == "structured" and first(answer) == 88300
    assert "88300件" in answer.text
    assert "《伊春市2023年政府信息公开工作年度报告》表二" in answer.text and "行政处罚" in answer.text


def test_applicant_column_named_in_source(engine: Engine) -> None:
    answer = engine.ask("辉县市部分公开的申请里商业企业有几件？")
    assert first(answer) == 1 and "「商业企业」列" in answer.text


def test_legal_persons_is_derived_from_five_columns(engine: Engine) -> None:
    answer = engine.ask("伊春市法人或其他组织提出的申请共多少件？")
    assert first(answer) == 9 and answer.values[0].derived


def test_missing_year_says_what_exists(engine: Engine) -> None:
    answer = engine.ask("伊川县2021年行政处罚多少？")
    assert answer.values == () and "没有伊川县2021年的报告" in answer.text and "2023年" in answer.text


def test_unknown_place_says_so(engine: Engine) -> None:
    answer = engine.ask("北京市2023年行政处罚多少件？")
    assert answer.values == () and "没有北京市的报告" in answer.text and "伊春市2023年" in answer.text


def test_inferred_cell_carries_a_caveat(engine: Engine) -> None:
    answer = engine.ask("辉县市予以公开的申请里其他法人有几件？")
    assert answer.values[0].inferred
    assert any("推算" in note for note in answer.notes)


def test_row_with_a_finding_carries_a_caveat(engine: Engine) -> None:
    answer = engine.ask("兴隆县收到多少申请？")
    assert first(answer) == 52
    assert any("54" in note for note in answer.notes)


def test_rank(engine: Engine) -> None:
    answer = engine.ask("行政事业性收费最高的前三名是哪些地方？")
    assert [v.region for v in answer.values[:3]] == ["辉县市", "伊春市", "兴隆县"]
    assert answer.chart is not None and answer.chart.labels[0].startswith("辉县市")


def test_rank_by_level_excludes_other_levels(engine: Engine) -> None:
    answer = engine.ask("哪个县收到的申请最多？")
    # 辉县市 is a county-level city (its code, 410782, says so): a 县 among counties; 伊春市 is not.
    assert [v.region for v in answer.values[:2]] == ["辉县市", "兴隆县"]
    assert "伊春市" not in {v.region for v in answer.values}


def test_rank_ties_are_said(engine: Engine) -> None:
    assert "并列" in engine.ask("行政强制最少的是哪里？").text


def test_compare(engine: Engine) -> None:
    answer = engine.ask("兴隆县和色达县哪个行政许可更多？")
    assert [v.region for v in answer.values] == ["色达县", "兴隆县"] and "相差1088件" in answer.text


def test_sum_lists_its_inputs(engine: Engine) -> None:
    answer = engine.ask("所有报告的政府信息公开行政复议一共多少件？")
    assert first(answer) == 11 and len(answer.values) == 6 and answer.values[0].derived


def test_average(engine: Engine) -> None:
    answer = engine.ask("各地平均收到多少申请？")
    assert first(answer) == pytest.approx((146 + 75 + 52 + 38 + 4) / 5) and answer.values[0].derived
    assert len(answer.values) == 6 and "平均" in answer.text


def test_share(engine: Engine) -> None:
    answer = engine.ask("伊春市予以公开的申请占办理总数的比例是多少？")
    assert first(answer) == pytest.approx(65 / 143) and "45.5%" in answer.text
    assert [v.value for v in answer.values[1:]] == [65, 143]


@pytest.mark.parametrize("question", ["伊川县的办结率是多少", "伊川县2023年的办结率是多少？", "伊川县收到的申请占比是多少",
                                      "兴隆县行政处罚的比例是多少"])
def test_a_share_of_nothing_gets_no_number(engine: Engine, question: str) -> None:
    """A ratio asked of one total (no rate the lexicon knows, no 占……): the total itself would be a
    number for another question."""
    answer = engine.ask(question)
    assert answer.values == () and "比例" in answer.text and "不回答别的数字" in answer.text


def test_a_check_asked_in_plain_words_is_a_check(engine: Engine) -> None:
    assert engine.ask("兴隆县的数字有问题吗").route == "check"


@pytest.mark.parametrize(("question", "field"), [("辉县市2021年有多少件申请没有办完", "requests.carried_over"),
                                               ("辉县市2021年还有多少申请没办完", "requests.carried_over"),
                                               ("伊春市的公开申请有多少被拒绝了", "requests.denied"),
                                               ("伊春市2023年拒绝了多少申请", "requests.denied"),
                                               ("伊春市行政诉讼输了几次", "lawsuit.corrected"),
                                               ("伊春市行政复议输了几件", "review.corrected"),
                                               ("伊春市2023年有多少申请没有答复", "requests.carried_over")])
def test_plain_words_name_the_row_they_mean(engine: Engine, question: str, field: str) -> None:
    """没办完 is carried over, 被拒绝 is 不予公开, 输了 is 结果纠正: never the table's total instead."""
    answer = engine.ask(question)
    assert answer.values and answer.values[0].field == field


@pytest.mark.parametrize("question", ["伊春市依申请公开的答复是否及时", "伊川县申请办理有没有超期", "伊春市2023年依申请公开的答复及时吗",
                                      "伊春市2023年驳回了多少申请", "伊春市2023年有多少申请要求补正", "伊川县撤回的申请有多少",
                                      "伊春市2023年否决了多少申请", "伊春市2023年有多少申请没有处理",
                                      "伊春市2023年有多少申请没有收到回复"])
def test_what_no_table_counts_gets_no_count(engine: Engine, question: str) -> None:
    """The tables count requests by outcome; whether replies came in time, or how many were
    rejected or sent back for more detail, is no count of theirs."""
    answer = engine.ask(question)
    assert answer.values == () and "不回答别的数字" in answer.text


@pytest.mark.parametrize(("question", "expected"), [
    ("申请数超过50件的有哪些地方", [146, 75, 52]),
    ("申请超过50个的地方", [146, 75, 52]),
    ("申请数少于10件的地方", [4]),
    ("2023年申请100件以上的地方", [146]),
    ("哪些地方行政处罚不到100件", [0, 75]),
    ("收费超过100元的地方", [12372.0506, 8978.04, 142, 38.09533]),  # 100元 is 0.01万元
    ("places with more than 50 requests", [146, 75, 52]),
    ("which places had fewer than 10 requests", [4]),
])
def test_a_bound_keeps_the_reports_past_it(engine: Engine, question: str, expected: list[float]) -> None:
    answer = engine.ask(question)
    assert [v.value for v in answer.values] == pytest.approx(expected)
    assert f"有{len(expected)}份报告" in answer.text and answer.intent.bound is not None
    assert answer.table and len(answer.table) == len(expected) + 1  # /csv: only those past it


def test_a_bound_nothing_reaches_says_so_with_the_nearest(engine: Engine) -> None:
    answer = engine.ask("申请超过1000件的地方")
    assert answer.values == () and "没有报告" in answer.text and "伊春市（2023年，146件）" in answer.text


@pytest.mark.parametrize("question", ["申请超过50万元的地方", "公开率超过20%的地方", "申请比上年增长超过10件的地方"])
def test_a_bound_that_cannot_be_applied_gets_no_number(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.values == () and "不给数字" in answer.text


@pytest.mark.parametrize(("question", "expected"), [
    ("伊春市申请人最多的是哪类", [137, 4, 3, 2, 0, 0]),  # table 三's columns, 法人或其他组织 and the total left out
    ("伊春市哪类申请人最少", [0, 0, 2, 3, 4, 137]),
    ("伊春市2023年不予公开的理由都有哪些", [8, 4, 1, 1, 1, 0, 0, 0]),  # the eight reasons, 15 in all
    ("兴隆县2023年依申请公开的办理结果中哪一类最多", [52, 0, 0, 0, 0, 0]),  # the six outcomes, not their total
    ("伊春市2023年的行政复议结果哪一种最多", [6, 3, 1, 0]),  # table 四's four results of 复议 only
    ("伊春市2023年商业企业申请的办理结果都有哪些", [2, 1, 0, 0, 0, 0]),  # the outcomes in that column: its 3
    # a kind word and a list word ask the same (理由有哪些, 原因是什么, 有哪些类型): not the subtotal or the total
    ("伊春市不予公开的理由有哪些", [8, 4, 1, 1, 1, 0, 0, 0]),
    ("伊春市2023年不予公开的原因是什么", [8, 4, 1, 1, 1, 0, 0, 0]),
    ("伊春市申请人有哪些类型", [137, 4, 3, 2, 0, 0]),
])
def test_which_kind_ranks_one_reports_kinds(engine: Engine, question: str, expected: list[float]) -> None:
    answer = engine.ask(question)
    assert [v.value for v in answer.values] == expected
    assert answer.intent.breakdown is not None and "来源：" in answer.text
    assert f"占这{len(expected)}类合计的" in answer.text


@pytest.mark.parametrize("question", ["哪类申请人最多", "伊春市行政处罚哪类最多", "伊春市行政复议被纠正的原因是什么"])
def test_which_kind_with_no_kinds_to_rank_gets_no_total(engine: Engine, question: str) -> None:
    """No place named, or a row with no kinds under it: the total would answer another question."""
    answer = engine.ask(question)
    assert answer.values == () and "不给数字" in answer.text


@pytest.mark.parametrize(("question", "total", "parts"), [
    ("伊春市2023年全部公开和部分公开的合计", 78, [65, 13]),
    ("伊春市2023年部分公开和不予公开一共多少", 28, [13, 15]),
    ("兴隆县2023年行政处罚和行政强制加起来多少", 215, [215, 0]),
])
def test_a_sum_of_rows_of_one_report_leads_with_the_total(engine: Engine, question: str, total: float,
                                                          parts: list[float]) -> None:
    answer = engine.ask(question)
    assert [v.value for v in answer.values] == [total, *parts] and answer.values[0].derived
    assert answer.text.splitlines()[0].endswith(f"合计：{total}件。")


def test_rows_of_different_units_are_not_summed(engine: Engine) -> None:
    answer = engine.ask("伊春市2023年行政处罚和收费一共多少")
    assert [v.unit for v in answer.values] == ["件", "万元"] and "合计" not in answer.text.splitlines()[0]


@pytest.mark.parametrize(("question", "first_line", "listed"), [
    ("有哪些报告", "库里共有5份报告：", 5),
    ("伊春市一共有几份报告", "伊春市共有1份报告：", 1),
    ("2023年有几份报告", "库里共有4份2023年报告：", 4),
    ("北京市有几份报告", "北京市没有已载入的报告。发送 /reports 看全部报告。", 0),
])
def test_a_question_about_the_store_lists_its_reports(engine: Engine, question: str, first_line: str,
                                                      listed: int) -> None:
    answer = engine.ask(question)
    lines = answer.text.splitlines()
    assert lines[0] == first_line and sum(1 for line in lines if "《" in line) == listed
    assert answer.values == () and "已载入的报告" in answer.intent.reading


def test_change_between_years(engine: Engine, tmp_path: Path) -> None:
    text = (SAMPLES / "yichun-2023.txt").read_text(encoding="utf-8").replace("2023", "2022").replace("| 88300 |", "| 80000 |")
    older = tmp_path / "yichun-2022.txt"
    older.write_text(text, encoding="utf-8")
    engine.load(older)
    answer = engine.ask("伊春市行政处罚比上年增加了多少？")
    assert [v.value for v in answer.values] == [8300, 88300, 80000]
    assert "增加8300件" in answer.text and answer.chart is not None
    latest = engine.ask("伊春市行政处罚多少件？")
    assert first(latest) == 88300 and any("2022年" in note for note in latest.notes)
    assert first(engine.ask("伊春市2022年行政处罚多少件？")) == 80000


def test_change_without_last_year_says_so(engine: Engine) -> None:
    answer = engine.ask("辉县市行政处罚比上年增长了多少？")
    assert answer.values == () and "没有2020年的" in answer.text


def test_check_route_lists_findings(engine: Engine) -> None:
    answer = engine.ask("兴隆县的年报数据有没有对不上的地方？")
    assert answer.route == "check" and "54" in answer.text and "52" in answer.text
    assert "对得上" in engine.ask("伊春市的数据有没有错？").text


def test_retrieval_quotes_passages_with_section(engine: Engine) -> None:
    answer = engine.ask("伊春市政府公众号全年推送了多少条信息？")
    assert answer.route == "retrieval"
    assert "475" in answer.passages[0].text and answer.passages[0].region == "伊春市"
    assert "【伊春市2023年 · 一、总体情况" in answer.text


def test_retrieval_restricted_to_named_report(engine: Engine) -> None:
    answer = engine.ask("色达县下一步有哪些改进措施？")
    assert {p.region for p in answer.passages} == {"色达县"}
    assert any("强化组织领导" in p.text for p in answer.passages[:3])


def test_publication_date_from_the_report(engine: Engine) -> None:
    answer = engine.ask("兴隆县的年报是什么时候发布的？")
    assert answer.route == "retrieval" and "2024-02-19" in answer.text
    assert "没有印发布日期" in engine.ask("伊春市的年报是什么时候发布的？").text


def test_narrative_questions_quote_prose_before_table_rows(engine: Engine) -> None:
    answer = engine.ask("伊春市信息公开工作的亮点有哪些？")
    assert answer.passages[0].section.startswith("一、总体情况")


def test_retrieval_for_unknown_place_does_not_quote_others(engine: Engine) -> None:
    answer = engine.ask("北京市政务公开存在哪些问题？")
    assert answer.passages == () and "没有北京市的报告" in answer.text


def test_json_keys(engine: Engine) -> None:
    data = engine.ask("伊川县收到了多少件政府信息公开申请？").to_json()
    assert {"question", "route", "answer", "values", "passages"} <= set(data)
    want = {"region": "伊川县", "year": 2023, "field": "requests.new", "applicant": "total", "value": 38, "unit": "件"}
    assert want.items() <= data["values"][0].items()


def test_ambiguous_name_offers_choices(tmp_path: Path) -> None:
    engine = Engine.open(tmp_path / "r.db")
    try:
        text = (SAMPLES / "xinglong-2023.txt").read_text(encoding="utf-8")
        for body in ("兴隆县教育局", "兴隆县卫生健康局"):
            path = tmp_path / f"{body}.txt"
            path.write_text(text.replace("兴隆县人民政府\n2023年", f"{body}\n2023年"), encoding="utf-8")
            engine.load(path)
        answer = engine.ask("兴隆县行政处罚多少件？")
        assert answer.values == () and len(answer.choices) == 2 and "兴隆县教育局" in answer.text
        chosen = engine.choose(answer.intent, answer.choices[0].report_id)
        assert first(chosen) == 215
        engine.remove(str(answer.choices[1].report_id))
        path = tmp_path / "older.txt"
        path.write_text(text.replace("兴隆县人民政府\n2023年", "兴隆县卫生健康局\n2022年"), encoding="utf-8")
        engine.load(path)
        only_one = engine.ask("兴隆县2023年行政处罚多少件？")
        assert only_one.choices == () and first(only_one) == 215
    finally:
        engine.close()


@pytest.mark.skipif(not (EVAL / "score.py").exists(), reason="shared/eval is not beside this checkout")
def test_public_eval(samples_db: Path, tmp_path: Path) -> None:
    questions = [json.loads(line)["question"] for line in (EVAL / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    answers = tmp_path / "answers.jsonl"
    result = subprocess.run([sys.executable, "-m", "bot.cli", "--db", str(samples_db), "ask", "--json"],
                            input="\n".join(questions), capture_output=True, text=True, check=True)
    answers.write_text(result.stdout, encoding="utf-8")
    score = subprocess.run([sys.executable, str(EVAL / "score.py"), str(EVAL / "questions.jsonl"), str(answers), "--min", "0.95"],
                           capture_output=True, text=True)
    lines = score.stdout.strip().splitlines()
    assert score.returncode == 0, score.stdout
    route = float(lines[-2].split()[2])
    assert route >= 0.95, score.stdout


def test_a_kind_word_with_a_list_word_but_no_table_row_is_still_a_question_for_the_text(engine: Engine) -> None:
    """原因有哪些 about the prose (存在问题) names no table row: it is searched in the text, as before."""
    answer = engine.ask("伊春市存在问题的原因有哪些")
    assert answer.route == "retrieval" and answer.values == () and "存在的主要问题" in answer.text
