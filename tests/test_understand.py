"""Question understanding: a table of questions and the intents they must give."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.catalog import Catalog
from bot.understand import understand
from index.lexicon import load_lexicon
from tests.auxil.questions import bank_reports, report

LEXICON = load_lexicon()
TODAY = date(2024, 3, 1)


CATALOG = Catalog(bank_reports() + [
    report(7, "兴隆县教育局", "兴隆县", "department", 2023),
    report(9, "新华区人民政府", "新华区", "district", 2023),
    report(10, "新华区教育局", "新华区", "department", 2023),
    report(11, "新华区卫生健康委员会", "新华区", "department", 2023),
], LEXICON)


def ask(question: str, **kwargs):
    return understand(question, CATALOG, LEXICON, today=TODAY, **kwargs)


@pytest.mark.parametrize(("question", "bodies"), [
    ("伊川县行政处罚多少件", ("伊川县人民政府办公室",)),
    ("伊川行政处罚多少件", ("伊川县人民政府办公室",)),
    ("伊川县政府行政处罚多少件", ("伊川县人民政府办公室",)),
    ("伊川县人民政府办公室行政处罚多少件", ("伊川县人民政府办公室",)),
    ("伊春行政处罚多少件", ("伊春市",)),  # 伊川 and 伊春 are different places
    ("伊春市行政处罚多少件", ("伊春市",)),  # the city, never its district
    ("伊春市伊美区行政处罚多少件", ("伊春市伊美区人民政府",)),
    ("伊美区行政处罚多少件", ("伊春市伊美区人民政府",)),
    ("兴隆县行政处罚多少件", ("兴隆县人民政府",)),  # the government, not its department
    ("兴隆县教育局行政处罚多少件", ("兴隆县教育局",)),
    ("色达县和兴隆县哪个行政许可多", ("色达县", "兴隆县人民政府")),
    ("行政处罚最多的是哪里", ()),
])
def test_names(question: str, bodies: tuple[str, ...]) -> None:
    assert ask(question).bodies == bodies


def test_a_name_that_fits_several_bodies_is_ambiguous() -> None:
    intent = ask("新华区教育局和新华区卫生健康委员会的行政处罚")
    assert intent.bodies == ("新华区教育局", "新华区卫生健康委员会")
    intent = ask("新华行政处罚多少件")
    assert intent.bodies == ("新华区人民政府",)
    departments = Catalog([report(10, "新华区教育局", "新华区", "department", 2023),
                           report(11, "新华区卫生健康委员会", "新华区", "department", 2023)], LEXICON)
    intent = understand("新华区行政处罚多少件", departments, LEXICON, today=TODAY)
    assert intent.bodies == ()
    assert intent.ambiguous == (("新华区", ("新华区卫生健康委员会", "新华区教育局")),)


def test_unknown_place_is_reported_not_guessed() -> None:
    intent = ask("北京市2023年行政处罚多少件？")
    assert intent.bodies == () and intent.unknown_places == ("北京市",)


@pytest.mark.parametrize(("question", "year"), [
    ("伊春市2023年行政处罚", 2023), ("伊春市2023年度行政处罚", 2023), ("伊春市二〇二二年行政处罚", 2022),
    ("伊春市今年行政处罚", 2024), ("伊春市去年行政处罚", 2023), ("伊春市前年行政处罚", 2022),
    ("伊春市行政处罚", None), ("辉县市全年办理12345市长热线多少件", None),
])
def test_years(question: str, year: int | None) -> None:
    assert ask(question).year == year


@pytest.mark.parametrize(("question", "field", "applicant"), [
    ("伊春市2023年行政处罚决定有多少件？", "penalty.decisions", None),
    ("伊春市罚了多少", "penalty.decisions", None),
    ("伊春市行政许可多少件", "licensing.decisions", None),
    ("伊春市行政强制多少", "compulsion.decisions", None),
    ("伊春市收了多少钱", "fees.amount", None),
    ("伊春市现行有效的规范性文件", "normative.in_force", None),
    ("伊春市新出台了几件规范性文件", "normative.issued", None),
    ("伊春市废止了几件规范性文件", "normative.repealed", None),
    ("伊春市本年度止了几件行政规范性文件", "normative.repealed", None),
    ("伊春市规章制发几件", "rules.issued", None),
    ("伊春市收到多少申请", "requests.new", None),
    ("伊春市依申请公开申请有多少件", "requests.new", None),
    ("伊春市上年结转的申请", "requests.carried_in", None),
    ("伊春市予以公开的申请", "requests.granted", None),
    ("伊春市部分公开了多少件申请", "requests.partial", None),
    ("伊春市不予公开的申请有多少", "requests.denied", None),
    ("伊春市因属于国家秘密不予公开的申请", "requests.denied.state_secret", None),
    ("伊春市法律法规禁止公开的有几件", "requests.denied.law_prohibited", None),
    ("伊春市因危及“三安全一稳定”不予公开的有多少", "requests.denied.three_safety", None),
    ("伊春市保护第三方合法权益不予公开", "requests.denied.third_party", None),
    ("伊春市三类内部事务信息", "requests.denied.internal_affairs", None),
    ("伊春市四类过程性信息不予公开", "requests.denied.process_info", None),
    ("伊春市行政执法案卷不公开的有几件", "requests.denied.enforcement_file", None),
    ("伊春市行政查询事项", "requests.denied.query_matter", None),
    ("伊春市无法提供的申请", "requests.unable", None),
    ("伊春市本机关不掌握相关政府信息的申请", "requests.unable.not_held", None),
    ("伊春市没有现成信息需要另行制作", "requests.unable.needs_creation", None),
    ("伊春市补正后申请内容仍不明确", "requests.unable.unclear", None),
    ("伊春市不予处理的申请", "requests.rejected", None),
    ("伊春市信访举报投诉类申请有几件", "requests.rejected.petition", None),
    ("伊春市重复申请有几件", "requests.rejected.duplicate", None),
    ("伊春市要求提供公开出版物", "requests.rejected.publication", None),
    ("伊春市无正当理由大量反复申请", "requests.rejected.excessive", None),
    ("伊春市要求行政机关确认或重新出具已获取信息", "requests.rejected.confirmation", None),
    ("伊春市其他处理的申请", "requests.other", None),
    ("伊春市逾期不补正的申请", "requests.other.no_correction", None),
    ("伊春市逾期未按收费通知缴纳费用的申请", "requests.other.no_fee", None),
    ("伊春市申请办理结果总计多少件", "requests.handled", None),
    ("伊春市办理了多少件申请", "requests.handled", None),
    ("伊春市结转下年度继续办理的申请", "requests.carried_over", None),
    ("伊春市结转到下一年的申请有多少", "requests.carried_over", None),
    ("伊春市有多少件申请结转到了下一年度", "requests.carried_over", None),
    ("伊春市行政复议总计多少件", "review.total", None),
    ("伊春市行政复议结果维持的有几件", "review.upheld", None),
    ("伊春市行政复议结果被纠正的有几件", "review.corrected", None),
    ("伊春市行政复议其他结果", "review.other", None),
    ("伊春市行政复议尚未审结的有几件", "review.pending", None),
    ("伊春市被起诉了几次", "lawsuit.total", None),
    ("伊春市行政诉讼被纠正几件", "lawsuit.corrected", None),
    ("伊春市未经复议直接被起诉的行政诉讼有几件", "lawsuit.direct.total", None),
    ("伊春市直接起诉的案件尚未审结几件", "lawsuit.direct.pending", None),
    ("伊春市复议后起诉的案件有多少", "lawsuit.after_review.total", None),
    ("伊春市复议后起诉被纠正的有几件", "lawsuit.after_review.corrected", None),
    ("伊春市自然人新提出的申请有多少件", "requests.new", "natural_person"),
    ("伊春市群众提出多少申请", "requests.new", "natural_person"),
    ("伊春市企业申请了多少件", "requests.new", "business"),
    ("伊春市律所申请了几件", "requests.new", "legal_service"),
    ("伊春市科研机构申请了几件", "requests.new", "research"),
    ("伊春市社会公益组织申请了几件", "requests.new", "public_interest"),
    ("伊春市法人或其他组织提出的申请共多少件", "requests.new", "legal_persons"),
    ("辉县市部分公开的申请里商业企业有几件", "requests.partial", "business"),
])
def test_fields_and_applicants(question: str, field: str, applicant: str | None) -> None:
    intent = ask(question)
    assert (intent.route, intent.field, intent.applicant) == ("structured", field, applicant)


@pytest.mark.parametrize(("question", "operation", "descending", "limit"), [
    ("伊春市行政处罚多少件", "value", True, None),
    ("哪个地方的行政处罚最多？", "rank", True, None),
    ("行政处罚最少的是哪里？", "rank", False, None),
    ("行政事业性收费最高的前三名是哪些地方？", "rank", True, 3),
    ("收到申请前两名", "rank", True, 2),
    ("行政许可排名", "rank", True, None),
    ("兴隆县和色达县哪个行政许可更多？", "compare", True, None),
    ("兴隆县和伊川县哪个行政处罚少", "compare", False, None),
    ("所有报告的政府信息公开行政复议一共多少件？", "sum", True, None),
    ("各地行政复议纠正的总数", "sum", True, None),
    ("伊春市收到申请比辉县市多多少", "compare", True, None),
    ("伊春市行政复议的纠错率", "share", True, None),
    ("伊春市予以公开的申请占办理总数的比例是多少？", "share", True, None),
    ("伊春市行政处罚比上年增加了多少", "change", True, None),
])
def test_operations(question: str, operation: str, descending: bool, limit: int | None) -> None:
    intent = ask(question)
    assert (intent.operation, intent.descending, intent.limit) == (operation, descending, limit)


def test_share_reads_numerator_and_denominator() -> None:
    intent = ask("伊春市予以公开的申请占办理总数的比例是多少？")
    assert (intent.field, intent.share_of) == ("requests.granted", "requests.handled")


def test_ranking_by_level() -> None:
    assert ask("哪个县收到的申请最多？").level == "county"
    assert ask("哪个地方收到的申请最多？").level is None


@pytest.mark.parametrize(("question", "route"), [
    ("兴隆县的年报数据有没有对不上的地方？", "check"),
    ("伊春市报告里的数字有没有错", "check"),
    ("伊川县政务公开工作存在哪些问题？", "retrieval"),
    ("伊春市政府公众号全年推送了多少条信息？", "retrieval"),
    ("辉县市全年办理12345市长热线多少件？", "retrieval"),
    ("色达县主动公开发布了多少条信息？", "retrieval"),
    ("伊春市全年发布了多少件政策解读？", "retrieval"),
])
def test_routes(question: str, route: str) -> None:
    assert ask(question).route == route


def test_follow_ups_change_one_part() -> None:
    first = ask("伊春市2023年行政处罚多少件？")
    other_place = ask("那色达县呢？", context=first)
    assert (other_place.bodies, other_place.field, other_place.year) == (("色达县",), "penalty.decisions", 2023)
    other_year = ask("2022年呢？", context=first)
    assert (other_year.bodies, other_year.field, other_year.year) == (("伊春市",), "penalty.decisions", 2022)
    requests = ask("伊春市收到多少申请", context=first)
    applicant = ask("自然人呢？", context=requests)
    assert (applicant.field, applicant.applicant, applicant.bodies) == ("requests.new", "natural_person", ("伊春市",))


def test_a_new_question_is_not_a_follow_up() -> None:
    first = ask("伊春市行政处罚多少件？")
    assert ask("色达县行政许可多少件？", context=first).field == "licensing.decisions"
    assert ask("色达县存在哪些问题？", context=first).route == "retrieval"


_FILLER_AND_WORDS = ("多少", "的", "是", "有", "件", "了", "哪个", "和", "数量", "收到", "申请", "行政", "处罚", "问题",
                     "存在", "一共", "比", "上年", "增加", "公开", "政务", "新媒体", "监管", "昆明", "朝阳", "怎么样")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FILLER_AND_WORDS) | st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
                min_size=1, max_size=8))
def test_left_over_words_skip_the_tagger_only_where_its_words_would_be_the_same(pieces: list[str]) -> None:
    """_tagged skips jieba.posseg only when the dictionary's route gives the tagger's words."""
    from bot.understand import _pos_cut, _tagged

    run = "".join(pieces)
    tagged = _tagged(run, lambda word: True)
    if all(tag == "" for _, tag in tagged):
        assert [w for w, _ in tagged] == [w for w, _ in _pos_cut(run)]
    else:
        assert tagged == _pos_cut(run)


_QUESTION_WORDS = load_lexicon().question
_BOUND_UNITS = {"": 1, "件": 1, "个": 1, "万件": 10_000, "万元": 1, "元": 1}


@given(st.sampled_from(sorted(_QUESTION_WORDS.bounds_before)), st.integers(min_value=0, max_value=10 ** 7),
       st.sampled_from(sorted(_BOUND_UNITS)), st.booleans())
def test_a_bound_is_read_with_its_number_and_unit(word: str, number: int, unit: str, after: bool) -> None:
    from bot.understand import _bound

    if after:
        word = next(iter(sorted(_QUESTION_WORDS.bounds_after)))
        text = f"伊春市申请{number}{unit}{word}的地方"
        comparison = _QUESTION_WORDS.bounds_after[word]
    else:
        text = f"伊春市申请{word}{number}{unit}的地方"
        comparison = _QUESTION_WORDS.bounds_before[word]
    (found, value, typed), (start, end) = _bound(text, _QUESTION_WORDS)
    assert found == comparison and value == number * _BOUND_UNITS[unit]
    assert typed == (unit.removeprefix("万") if unit.startswith("万") and unit != "万元" else unit)
    assert text[start:end].endswith(word if after else f"{number}{unit}")


@given(st.sampled_from(sorted(_QUESTION_WORDS.bounds_before)), st.integers(min_value=2000, max_value=2030))
def test_a_year_is_never_a_bound(word: str, year: int) -> None:
    from bot.understand import _bound

    assert _bound(f"伊春市{word}{year}年的申请", _QUESTION_WORDS) == (None, None)
