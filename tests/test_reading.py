"""Show the reading: every question says how it was read, and what it did not use stops a number.

Understanding only, over the bank's catalog (伊春市 2022–2023, 伊美区, 兴隆县, 色达县, 伊川县, 辉县市).
"""
from __future__ import annotations

import pytest

from bot.understand import understand
from index.lexicon import load_lexicon
from tests.auxil.questions import TODAY, bank_catalog

LEXICON = load_lexicon()
CATALOG = bank_catalog(LEXICON)


def ask(question: str, **kwargs):
    return understand(question, CATALOG, LEXICON, today=TODAY, **kwargs)


def test_the_reading_names_place_year_field_and_table() -> None:
    intent = ask("伊春市2023年行政处罚决定有多少件？")
    assert intent.reading == "理解为：伊春市 · 2023年 · 行政处罚：本年处理决定数量（表二）"
    assert intent.unused == () and intent.refusal is None
    assert "排名（最少）" in ask("行政处罚最少的是哪里？").reading
    assert "·自然人" in ask("伊春市自然人提出了多少申请").reading


@pytest.mark.parametrize(("question", "word"), [
    ("伊春市交通行政处罚多少件", "交通"),  # a qualifier no table has
    ("伊春市行政处罚被维持多少件", "维持"),  # a field word that completes nothing here
    ("伊春市申请人数多少", "人数"),
    ("伊春市行政许可收费多少", "收费"),  # two field words side by side are one thing, not two parts
])
def test_a_word_the_reading_did_not_use_stops_the_number(question: str, word: str) -> None:
    intent = ask(question)
    assert intent.refusal and word in intent.refusal and "没有" in intent.refusal


@pytest.mark.parametrize("question", ["兴隆县公安局行政处罚多少件", "伊春市教育局收到多少申请", "色达县卫健委行政复议多少件"])
def test_a_department_is_not_its_government(question: str) -> None:
    intent = ask(question)
    assert intent.refusal and "库里没有" in intent.refusal


@pytest.mark.parametrize(("question", "place"), [
    ("北京市2023年行政处罚多少件？", "北京市"), ("昆明行政处罚多少件", "昆明"), ("朝阳区行政处罚多少件", "朝阳区"),
    ("伊春区行政处罚多少件", "伊春区"),  # not 伊春市: a namesake never answers for another place
])
def test_places_the_store_lacks(question: str, place: str) -> None:
    intent = ask(question)
    assert intent.bodies == () and place in intent.unknown_places and "库里没有" in intent.reading


@pytest.mark.parametrize("question", ["某县主动公开了多少条信息", "伊春市主动公开了多少条信息", "伊春市公开了多少条信息"])
def test_proactive_disclosure_is_not_granted_requests(question: str) -> None:
    intent = ask(question)
    assert intent.field is None and intent.route == "retrieval"


def test_proactive_disclosure_of_a_table_two_row_is_that_row() -> None:
    assert ask("伊春市主动公开的规范性文件有多少件").field == "normative.in_force"


@pytest.mark.parametrize(("question", "subject"), [
    ("伊春市收到多少投诉", "投诉"), ("伊春市政策解读多少篇", "政策解读"), ("伊春市信访多少件", "信访"),
])
def test_subjects_no_table_counts_go_to_the_text(question: str, subject: str) -> None:
    intent = ask(question)
    assert (intent.route, intent.field, intent.subject) == ("retrieval", None, subject)


@pytest.mark.parametrize("question", ["县委书记是谁", "今天天气怎么样", "伊春市的GDP是多少", "伊春市市长是谁"])
def test_out_of_scope(question: str) -> None:
    intent = ask(question)
    assert intent.refusal and "没有关于" in intent.refusal


@pytest.mark.parametrize("question", ["你好", "您好！", "帮助", "/help", "/start", "你能做什么", "hello",
                                      "您好，请问怎么用", "请问怎么用？"])
def test_greetings_and_help(question: str) -> None:
    assert ask(question).route == "help"


def test_a_greeting_before_a_question_is_read_past() -> None:
    assert ask("你好，伊春市行政处罚多少件").field == "penalty.decisions"
    assert ask("您好，请问伊春市行政处罚多少件").field == "penalty.decisions"


@pytest.mark.parametrize(("question", "field"), [
    ("伊春市行政處罰決定有多少件？", "penalty.decisions"),  # traditional characters
    ("伊春市收到多少申請", "requests.new"),
    ("伊 春 市 行 政 处 罚 多 少 件", "penalty.decisions"),  # spaced
    ("伊春市２０２３年行政处罚", "penalty.decisions"),  # full-width
    ("伊春市发了几件规范性文件", "normative.issued"),  # colloquial verbs
    ("伊春市罚了多少", "penalty.decisions"),
    ("伊春市批了多少", "licensing.decisions"),
])
def test_words_as_people_type_them(question: str, field: str) -> None:
    intent = ask(question)
    assert intent.field == field and intent.refusal is None and intent.bodies == ("伊春市",)


@pytest.mark.parametrize(("question", "typed", "field"), [
    ("伊春市行证处罚多少件", "行证处罚", "penalty.decisions"),
    ("伊春市行政徐可多少件", "行政徐可", "licensing.decisions"),
    ("伊春市行政复义多少件", "行政复义", "review.total"),
    ("伊春市规范性文建有多少", "规范性文建", "normative.in_force"),
])
def test_typos_are_corrected_and_the_correction_shown(question: str, typed: str, field: str) -> None:
    intent = ask(question)
    assert intent.field == field and intent.refusal is None
    assert f"「{typed}」按「" in intent.reading


@pytest.mark.parametrize(("question", "bodies", "year", "field", "operation"), [
    ("How many administrative penalties did Yichun issue in 2023?", ("伊春市",), 2023, "penalty.decisions", "value"),
    ("How many requests received by Xinglong County?", ("兴隆县人民政府",), None, "requests.new", "value"),
    ("How many lawsuits did Seda have?", ("色达县",), None, "lawsuit.total", "value"),
    ("Which place had the most administrative reconsiderations?", (), None, "review.total", "rank"),
    ("administrative licensing of Yichun and Seda in total", ("伊春市", "色达县"), None, "licensing.decisions", "sum"),
])
def test_english_questions(question, bodies, year, field, operation) -> None:
    intent = ask(question)
    assert (intent.bodies, intent.year, intent.field, intent.operation) == (bodies, year, field, operation)
    assert intent.refusal is None


def test_an_english_word_no_lexicon_knows_stops_the_number() -> None:
    intent = ask("How many complaints did Yichun receive?")
    assert intent.field is None or intent.refusal
    assert "complaints" in intent.unused


def test_a_pinyin_name_of_two_places_is_asked_back() -> None:
    from bot.catalog import Catalog
    from tests.auxil.questions import report
    catalog = Catalog([report(1, "台州市", "台州市", "city", 2023), report(2, "泰州市", "泰州市", "city", 2023)], LEXICON)
    intent = understand("How many administrative penalties did Taizhou issue?", catalog, LEXICON, today=TODAY)
    assert intent.bodies == () and [(n, sorted(b)) for n, b in intent.ambiguous] == [("Taizhou", ["台州市", "泰州市"])]


@pytest.mark.parametrize(("question", "parts"), [
    ("伊春市收到多少申请，其中自然人多少", [("requests.new", None), ("requests.new", "natural_person")]),
    ("伊春市复议和诉讼情况", [("review.total", None), ("lawsuit.total", None)]),
    ("伊春市复议多少件，诉讼多少件", [("review.total", None), ("lawsuit.total", None)]),
    ("伊春市行政处罚和行政许可分别是多少", [("penalty.decisions", None), ("licensing.decisions", None)]),
    ("伊春市自然人和企业分别申请了多少件", [("requests.new", "natural_person"), ("requests.new", "business")]),
])
def test_questions_of_several_parts(question: str, parts: list) -> None:
    intent = ask(question)
    assert [(p.field, p.applicant) for p in intent.parts] == parts
    assert all(p.bodies == ("伊春市",) for p in intent.parts)


def test_several_places() -> None:
    assert ask("伊春市和兴隆县行政处罚一共多少").operation == "sum"
    intent = ask("伊春市、兴隆县、色达县哪个行政许可最多")
    assert (len(intent.bodies), intent.operation) == (3, "rank")
    assert ask("比较伊春市、兴隆县和色达县的行政许可").operation == "compare"


@pytest.mark.parametrize(("question", "year", "base"), [
    ("伊春市2023年比2022年行政处罚变化", 2023, 2022),
    ("伊春市2022年到2023年行政处罚的变化", 2023, 2022),
    ("伊春市行政处罚比2022年多多少", None, 2022),
    ("伊春市23年行政处罚比上年增加了多少", 2023, None),
])
def test_change_between_named_years(question: str, year, base) -> None:
    intent = ask(question)
    assert (intent.operation, intent.year, intent.base_year) == ("change", year, base)


def test_two_years_without_a_change_word_are_two_parts() -> None:
    intent = ask("伊春市2022年和2023年行政处罚分别是多少")
    assert [p.year for p in intent.parts] == [2022, 2023]


def test_a_change_against_last_year_is_not_a_year() -> None:
    intent = ask("伊春市行政处罚比去年增加了多少")
    assert (intent.operation, intent.year) == ("change", None)


def test_relative_years_in_a_follow_up_count_from_the_year_answered() -> None:
    from dataclasses import replace
    first = replace(ask("伊春市行政处罚多少件"), answered_year=2023)
    assert ask("去年呢", context=first).year == 2022
    assert ask("前年呢", context=replace(first, answered_year=2022)).year == 2020


def test_a_follow_up_keeps_field_operation_and_order() -> None:
    ranking = ask("哪个地方行政处罚最多")
    fewest = ask("最少的呢", context=ranking)
    assert (fewest.field, fewest.operation, fewest.descending) == ("penalty.decisions", "rank", False)
    licensing = ask("行政许可呢", context=fewest)
    assert (licensing.field, licensing.operation, licensing.descending) == ("licensing.decisions", "rank", False)
    top = ask("前三名呢", context=licensing)
    assert (top.operation, top.limit) == ("rank", 3)


def test_a_follow_up_of_several_parts_changes_each() -> None:
    first = ask("伊春市复议和诉讼情况")
    other = ask("色达县呢", context=first)
    assert [(p.field, p.bodies) for p in other.parts] == [("review.total", ("色达县",)), ("lawsuit.total", ("色达县",))]


def test_operations_and_routes_are_str_enums() -> None:
    intent = ask("哪个地方行政处罚最多")
    assert intent.operation == "rank" and intent.route == "structured"
    assert intent.to_json()["operation"] == "rank" and intent.to_json()["reading"] == intent.reading


@pytest.mark.parametrize(("question", "word"), [
    ("伊春市每月平均行政处罚多少件", "每月"), ("伊春市人均行政许可多少", "人均"), ("伊春市一共处罚了多少人", "多少人"),
    ("伊春市申请人有多少个人", "多少个人"), ("我市收到多少申请", "我市"), ("伊春市平均行政处罚多少", "平均"),
])
def test_what_the_tables_do_not_count_is_refused(question: str, word: str) -> None:
    intent = ask(question)
    assert intent.refusal and word in intent.refusal and "没有" in intent.refusal


def test_a_parent_category_word_is_part_of_the_question() -> None:
    intent = ask("伊春市申请的处理结果中予以公开多少件")
    assert (intent.field, intent.refusal) == ("requests.granted", None)


def test_a_piece_that_only_sets_the_scene_is_not_a_part() -> None:
    intent = ask("兴隆县与色达县相比，谁的申请更多")
    assert (intent.parts, intent.operation, intent.field) == ((), "compare", "requests.new")
    assert intent.bodies == ("兴隆县人民政府", "色达县")


def test_respondent_of_a_review() -> None:
    assert ask("伊春市被申请行政复议几次").field == "review.total"


def test_a_narrowing_piece_narrows_every_part_before_it() -> None:
    intent = ask("伊春市行政复议和行政诉讼分别多少件，其中纠正多少")
    assert [p.field for p in intent.parts] == ["review.total", "lawsuit.total", "review.corrected", "lawsuit.corrected"]


@pytest.mark.parametrize("question", ["伊春市政府信息公开申请的答复率", "伊春市申请公开的满意度"])
def test_a_rate_or_measure_no_table_holds(question: str) -> None:
    intent = ask(question)
    assert intent.refusal and intent.unknown_places == ()


def test_lost_in_court() -> None:
    assert ask("辉县市败诉了几次").field == "lawsuit.corrected"


def test_an_english_follow_up() -> None:
    first = ask("How many administrative penalties did Yichun issue in 2023?")
    other = ask("what about Xinglong County?", context=first)
    assert (other.bodies, other.field, other.year) == (("兴隆县人民政府",), "penalty.decisions", 2023)


def test_a_pinyin_name_of_another_real_place_is_said() -> None:
    intent = ask("How many requests did Yichun receive?")
    assert intent.bodies == ("伊春市",)
    if "宜春" in intent.reading:  # with the gazetteer: Yichun is also 宜春市 (Jiangxi)
        assert "库里没有" in intent.reading
    unknown = ask("How many administrative penalties did Kunming issue?")
    assert unknown.bodies == () and unknown.unknown_places and unknown.unknown_places[0].startswith("Kunming")


def test_a_department_by_a_shorter_name_is_the_loaded_department() -> None:
    from bot.catalog import Catalog
    from tests.auxil.questions import report
    catalog = Catalog([report(1, "伊春市", "伊春市", "city", 2023), report(2, "伊春市生态环境局", "伊春市", "department", 2023),
                       report(3, "伊春市卫生健康委员会", "伊春市", "department", 2023),
                       report(4, "伊春市教育局", "伊春市", "department", 2023),
                       report(5, "伊春市教育体育局", "伊春市", "department", 2022)], LEXICON)

    def read(question: str):
        return understand(question, catalog, LEXICON, today=TODAY)

    assert read("伊春市环境局收到多少申请").bodies == ("伊春市生态环境局",)
    assert "「伊春市卫健委」按「伊春市卫生健康委员会」理解" in read("伊春市卫健委行政复议多少件").reading
    assert read("伊春市教育局收到多少申请").bodies == ("伊春市教育局",)
    refused = read("伊春市公安局行政处罚多少件")
    assert refused.refusal and "伊春市公安局" in refused.refusal


@pytest.mark.parametrize(("question", "field"), [
    ("色达县没公开的申请有几件", "requests.denied"),  # a negation is never read past
    ("行政复议案件最多的地方", "review.total"),  # 议案 inside 复议案件 is no prose subject
    ("伊春市直接被告上法庭的次数", "lawsuit.direct.total"),
])
def test_words_across_words(question: str, field: str) -> None:
    intent = ask(question)
    assert intent.field == field and intent.refusal is None


@pytest.mark.parametrize("question", ["伊春市重大行政处罚多少件", "伊春市网上申请多少件", "伊春市不行政处罚多少件"])
def test_a_qualifier_or_negation_left_over_stops_the_number(question: str) -> None:
    assert ask(question).refusal


def test_which_of_two_places_is_a_comparison() -> None:
    assert ask("伊春市和色达县谁的行政复议多").operation == "compare"


def test_english_place_names_with_an_apostrophe_are_read() -> None:
    from bot.catalog import Catalog
    from tests.auxil.questions import report
    catalog = Catalog([report(1, "淮安市", "淮安市", "city", 2024)], LEXICON)
    for typed in ("Huai'an", "Huai’an"):
        intent = understand(f"How many requests did {typed} receive in 2024?", catalog, LEXICON, today=TODAY)
        assert (intent.bodies, intent.year, intent.field) == (("淮安市",), 2024, "requests.new")


@pytest.mark.parametrize("question", ["伊春市乌翠区2023年行政处罚多少件", "伊春市春蜀区人民政府行政处罚多少件"])
def test_a_parent_never_answers_for_a_child_it_names(question: str) -> None:
    intent = ask(question)
    assert intent.bodies == () and intent.unknown_places and intent.unknown_places[0].startswith("伊春市")
