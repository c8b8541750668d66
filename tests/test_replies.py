"""Answers over the samples: the reading line, refusals, help, several parts, named years."""
from __future__ import annotations

from pathlib import Path

from bot.engine import Engine

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def test_every_answer_ends_with_its_reading(engine: Engine) -> None:
    answer = engine.ask("伊春市2023年行政处罚决定有多少件？")
    assert answer.to_text().splitlines()[-1] == "理解为：伊春市 · 2023年 · 行政处罚：本年处理决定数量（表二）"
    assert "<i>理解为：" in answer.to_html()
    data = answer.to_json()["intent"]
    assert data["reading"] == answer.reading and data["unused"] == []
    assert {"bodies", "year", "field", "applicant", "operation", "limit", "share_of", "ambiguous", "unknown_places"} <= set(data)


def test_a_refusal_gives_the_reading_and_no_number(engine: Engine) -> None:
    answer = engine.ask("伊春市交通行政处罚多少件")
    assert answer.values == () and "「交通」" in answer.text and "没有" in answer.text
    assert answer.to_json()["intent"]["unused"] == ["交通"]


def test_proactive_disclosure_never_answers_with_granted_requests(engine: Engine) -> None:
    for question in ("某县主动公开了多少条信息", "伊春市主动公开了多少条信息"):
        answer = engine.ask(question)
        assert not [v for v in answer.values if v.field.startswith("requests.")], answer.text


def test_out_of_scope_quotes_nothing(engine: Engine) -> None:
    answer = engine.ask("县委书记是谁")
    assert answer.values == () and answer.passages == () and "没有" in answer.text


def test_help_gives_examples_from_the_loaded_reports(engine: Engine) -> None:
    for question in ("你好", "帮助", "/help"):
        answer = engine.ask(question)
        assert answer.route == "help" and answer.values == ()
        assert all(example in answer.text for example in engine.examples())


def test_every_part_is_answered(engine: Engine) -> None:
    answer = engine.ask("伊春市收到多少申请，其中自然人多少")
    assert [v.value for v in answer.values] == [146, 137]
    answer = engine.ask("伊春市复议和诉讼情况")
    assert [v.field for v in answer.values] == ["review.total", "lawsuit.total"]


def test_three_places_compared(engine: Engine) -> None:
    answer = engine.ask("比较伊春市、兴隆县和色达县的行政许可")
    assert [v.region for v in answer.values] == ["伊春市", "色达县", "兴隆县"] and "3个地方" in answer.text


def test_change_between_two_named_years(engine: Engine, tmp_path: Path) -> None:
    text = (SAMPLES / "yichun-2023.txt").read_text(encoding="utf-8").replace("2023", "2022").replace("| 88300 |", "| 80000 |")
    older = tmp_path / "yichun-2022.txt"
    older.write_text(text, encoding="utf-8")
    engine.load(older)
    for question in ("伊春市2023年比2022年行政处罚变化", "伊春市2022年到2023年行政处罚的变化", "伊春市2023年行政处罚比上年增加了多少"):
        answer = engine.ask(question)
        assert [v.value for v in answer.values] == [8300, 88300, 80000], question
    first = engine.ask("伊春市行政处罚多少件")
    assert first.intent.answered_year == 2023
    last_year = engine.ask("去年呢", context=first.intent)
    assert last_year.values[0].value == 80000
    missing = engine.ask("伊春市2021年比2022年行政处罚变化")
    assert missing.values == () and "没有" in missing.text


def test_a_ranking_follow_up_stays_a_ranking(engine: Engine) -> None:
    first = engine.ask("哪个地方行政处罚最多")
    fewest = engine.ask("最少的呢", context=first.intent)
    assert fewest.values[0].region == "伊川县" and fewest.intent.operation == "rank"
