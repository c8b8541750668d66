"""Who issued a report: body, place, level, year and a stable body_id from everything the file offers."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import gazetteer
from index.departments import department_of, load_departments
from index.document import Document
from index.identity import identify, read_metadata, resolve_body, split_body
from index.lexicon import load_lexicon
from index.parser import parse_report
from index.readers.text import text_to_blocks
from tests.seed_expectations import SEEDS

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
LEXICON = load_lexicon()


def who(text: str, source_name: str = "report.txt"):
    return identify(text.split("\n"), LEXICON, source_name=source_name)


def parse_text(text: str, name: str = "report.txt"):
    return parse_report(Document(blocks=text_to_blocks(text), source_name=name, sha256="0" * 64, format="txt"))


CRAWLED = """标题: 伊春市伊美区2023年政府信息公开工作年度报告
发布时间: 2024-01-25 09:30
发布机构: 伊春市伊美区人民政府办公室
栏目: 政府信息公开年报
原文链接: https://www.yimei.gov.cn/xxgk/2024/0125.html
==== 正文 ====
伊美区2023年政府信息公开工作年度报告 一、总体情况 2023年，伊美区认真贯彻落实政务公开工作部署…… 六、其他需要报告的事项 无。 伊春市伊美区人民政府办公室 2024年1月25日"""


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_the_samples_keep_their_identity(name: str) -> None:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    identity = identify(text.split("\n"), LEXICON, source_name=name)
    expected = SEEDS[name]
    assert (identity.title, identity.body, identity.region, identity.year) == (
        expected["title"], expected["body"], expected["region"], expected["year"])
    assert identity.notes == ()


@pytest.mark.parametrize(("name", "body_id", "level"), [
    ("yichuan-2023.txt", "410329:gov_office", "county"),
    ("seda-2023.txt", "513333:gov", "county"),
    ("xinglong-2023.txt", "130822:gov", "county"),
    ("yichun-2023.txt", "230700:gov", "city"),
    ("huixian-2021.txt", "410782:gov", "county"),  # a county-level city
])
def test_the_samples_body_ids(name: str, body_id: str, level: str) -> None:
    identity = identify((SAMPLES / name).read_text(encoding="utf-8").split("\n"), LEXICON, source_name=name)
    assert (identity.body_id, identity.level) == (body_id, level)
    assert identity.region_code == body_id.split(":")[0]


def test_crawler_header_and_a_report_on_one_line() -> None:
    identity = who(CRAWLED)
    assert identity.title == "伊美区2023年政府信息公开工作年度报告"
    assert (identity.body, identity.region, identity.level) == ("伊春市伊美区", "伊春市伊美区", "district")
    assert (identity.year, identity.published, identity.body_id) == (2023, "2024-01-25", "230717:gov")
    assert identity.printed_body == "伊美区"


def test_metadata_lines() -> None:
    meta = read_metadata(["发布日期：2021-01-25 10:12  来源：县政府办  浏览次数：123", "标题: 某某县2020年年报",
                          "==== 正文 ====", "发布机构：不是元数据"])
    assert meta == {"发布日期": "2021-01-25 10:12", "来源": "县政府办", "浏览次数": "123", "标题": "某某县2020年年报"}


@pytest.mark.parametrize("text", [
    # the title a fragment, the issuer only in the crawler header
    "发布机构：伊川县人民政府办公室  发布时间：2024-01-18 10:00\n工作年度报告\n一、总体情况\n2023年，我县……",
    # only in the signature at the end
    "2023年政府信息公开工作年度报告\n一、总体情况\n2023年，我县……\n六、其他需要报告的事项\n无。\n伊川县人民政府办公室\n2024年1月18日",
    # signature and date on one line
    "年度报告\n一、总体情况\n2023年，我县……\n伊川县人民政府办公室 2024年1月18日",
    # only in the prose
    "工作年度报告\n本报告由伊川县人民政府办公室根据《中华人民共和国政府信息公开条例》编制。\n一、总体情况\n2023年，我县……",
])
def test_a_title_fragment_is_never_the_body(text: str) -> None:
    identity = who(text)
    assert (identity.body, identity.region, identity.year, identity.body_id) == (
        "伊川县人民政府办公室", "伊川县", 2023, "410329:gov_office")
    assert identity.title == "伊川县人民政府办公室2023年政府信息公开工作年度报告"
    assert any("标题不完整" in note for note in identity.notes)


def test_the_file_name_when_nothing_else_names_the_body() -> None:
    identity = who("政府信息公开工作年度报告\n一、总体情况\n全年……", source_name="伊春市2023年报.pdf")
    assert (identity.body, identity.year, identity.body_id) == ("伊春市", 2023, "230700:gov")
    assert any("文件名" in note for note in identity.notes)


def test_no_body_anywhere_uses_the_file_stem_and_says_so() -> None:
    identity = who("政府信息公开工作年度报告\n一、总体情况\n全年……\n发布时间：2024-02-01", source_name="scan_0001.pdf")
    assert (identity.body, identity.body_id, identity.year) == ("scan_0001", "file:scan_0001", 2023)
    assert any("按文件名" in note for note in identity.notes)
    assert any("按发布时间" in note for note in identity.notes)


def test_a_report_with_tables_but_no_title_is_not_refused() -> None:
    text = (SAMPLES / "seda-2023.txt").read_text(encoding="utf-8").replace("色达县2023年政府信息公开工作年度报告", "", 1)
    report = parse_text(text, "0417.txt")
    assert report.year == 2023 and report.cells and report.body_id.startswith("file:")
    assert report.identity_notes


@pytest.mark.parametrize(("text", "year"), [
    ("伊川县2023年政府信息公开工作年度报告\n一、总体情况", 2023),  # the title
    ("标题：伊川县2022年政府信息公开工作年度报告\n发布时间：2023年2月5日\n年度报告\n一、总体情况", 2022),  # the metadata title
    ("发布时间：2024年2月5日\n伊川县政府信息公开工作年度报告\n2023年，我县认真贯彻……", 2023),  # the text, not the date
    ("伊川县政府信息公开工作年度报告\n本报告中所列数据的统计期限自二〇二三年一月一日起", 2023),
    ("伊川县政府信息公开工作年度报告\n发布时间：2024-02-05 09:30\n一、总体情况", 2023),  # published − 1
])
def test_the_report_year(text: str, year: int) -> None:
    assert who(text).year == year


def test_ocr_slip_in_the_place_is_repaired_and_the_printed_spelling_kept() -> None:
    identity = who("晖县市人民政府2021年政府信息公开工作年度报告\n一、总体情况\n2021年，我市认真贯彻落实省、新乡市政府……")
    assert (identity.body, identity.region, identity.level, identity.body_id) == (
        "辉县市人民政府", "辉县市", "county", "410782:gov")
    assert identity.printed_body == "晖县市人民政府"
    assert identity.title == "晖县市人民政府2021年政府信息公开工作年度报告"  # the title stays as printed
    assert any("晖县市" in note and "辉县市" in note for note in identity.notes)


@pytest.mark.parametrize("text", [
    "晖县市人民政府2021年政府信息公开工作年度报告\n一、总体情况\n全年……",  # nothing in the file backs 辉县市
    "丁丁县2023年政府信息公开工作年度报告\n一、总体情况\n2023年，伊春市……",  # 丁青县 is in Tibet: a made-up name
])
def test_a_slip_the_file_does_not_back_is_left_as_printed(text: str) -> None:
    identity = who(text)
    assert identity.region_code is None and identity.printed_body == ""
    assert not any("更正" in note for note in identity.notes)


def test_an_ambiguous_slip_is_left_as_printed() -> None:
    body = resolve_body("晖县人民政府", LEXICON)  # 滑县, 沛县, 辉县 … are all one character away
    assert (body.name, body.region, body.region_code, body.repaired) == ("晖县人民政府", "晖县", None, "")


def test_a_slip_in_a_shanghai_district() -> None:
    identity = who("上海市青泸区人民政府2023年政府信息公开工作年度报告\n一、总体情况")
    assert (identity.body, identity.region, identity.body_id) == ("上海市青浦区人民政府", "上海市青浦区", "310118:gov")
    assert resolve_body("泸州市人民政府", LEXICON).body_id == "510500:gov"  # real: left alone


@pytest.mark.parametrize(("body", "kind"), [
    ("伊春市卫生健康委员会", "health"), ("伊春市卫健委", "health"),
    ("伊川县发展和改革委员会", "development_reform"), ("伊川县发改委", "development_reform"),
    ("伊川县人力资源和社会保障局", "human_resources"), ("伊川县人社局", "human_resources"),
    ("伊川县教育局", "education"),
    ("河南省人民政府办公厅", "gov_office"), ("河南省政府办公厅", "gov_office"),
    ("伊川县人民政府办公室", "gov_office"), ("伊川县政府办", "gov_office"),
    ("伊川县住房和城乡建设局", "housing"), ("伊川县住建局", "housing"),
    ("伊川县市场监督管理局", "market_regulation"), ("伊川县市场监管局", "market_regulation"),
    ("伊春市科学技术委员会", "science_technology"), ("伊春市科技局", "science_technology"),
    ("伊川县文化和旅游局", "culture_tourism"), ("伊川县文旅局", "culture_tourism"),
    ("伊川县应急管理局", "emergency"), ("伊川县医保局", "medical_security"),
    ("北京市朝阳区城市管理委员会", "city_management"), ("伊川县城管局", "city_management"),
    ("国家税务总局伊川县税务局", "tax"),
])
def test_departments_by_kind(body: str, kind: str) -> None:
    resolved = resolve_body(body, LEXICON)
    assert resolved.body_id.split(":")[-1] == kind
    assert resolved.name == body  # a department keeps its own name


@pytest.mark.parametrize(("short", "kind"), [("卫健委", "health"), ("市发改委", "development_reform"),
                                             ("县人社局", "human_resources"), ("县教育局", "education"),
                                             ("市政府办公厅", "gov_office"), ("某某中心", None)])
def test_department_short_names(short: str, kind: str | None) -> None:
    found = department_of(short)
    assert (found.kind if found else None) == kind


def test_every_department_name_is_one_kind() -> None:
    names = [name for d in load_departments() for name in d.names]
    assert len(names) == len(set(names))


def test_a_department_named_without_its_place_takes_the_place_printed_elsewhere() -> None:
    identity = who("市卫健委2023年政府信息公开工作年度报告\n发布机构：伊春市卫生健康委员会\n一、总体情况")
    assert (identity.body, identity.region, identity.level, identity.body_id) == (
        "伊春市卫生健康委员会", "伊春市", "department", "230700:health")
    identity = who("县人社局2023年政府信息公开工作年度报告\n一、总体情况", source_name="伊川县2023年报.pdf")
    assert (identity.body, identity.body_id) == ("伊川县人社局", "410329:human_resources")


@pytest.mark.parametrize(("one", "other"), [
    ("伊美区人民政府", "伊春市伊美区人民政府"),  # X区 one year, Y市X区 the next
    ("伊川县人民政府", "洛阳市伊川县人民政府"),
    ("伊川县人民政府办公室", "伊川县政府办"),
    ("伊春市卫健委", "伊春市卫生健康委员会"),
    ("辉县市人民政府", "新乡市晖县市人民政府"),  # an OCR slip, its city printed right
    ("伊川县", "伊川县人民政府"),  # a title naming the place alone is the government's report
])
def test_one_body_across_years_and_spellings(one: str, other: str) -> None:
    assert resolve_body(one, LEXICON).body_id == resolve_body(other, LEXICON).body_id


@pytest.mark.parametrize(("one", "other"), [
    ("伊春市人民政府", "伊春市伊美区人民政府"),  # Y市 is not Y市X区
    ("伊川县人民政府", "伊川县人民政府办公室"),  # the government and its general office
    ("北京市朝阳区人民政府", "长春市朝阳区人民政府"),
    ("伊春市卫健委", "伊春市伊美区卫健委"),
])
def test_different_bodies_stay_apart(one: str, other: str) -> None:
    assert resolve_body(one, LEXICON).body_id != resolve_body(other, LEXICON).body_id


def test_a_shared_district_name_is_settled_by_the_rest_of_the_file() -> None:
    identity = who("朝阳区人民政府2023年政府信息公开工作年度报告\n一、总体情况\n2023年，朝阳区在长春市委、市政府领导下……")
    assert (identity.region, identity.body_id) == ("长春市朝阳区", "220104:gov")
    identity = who("朝阳区人民政府2023年政府信息公开工作年度报告\n发布机构：北京市朝阳区人民政府办公室\n一、总体情况")
    assert identity.body_id == "110105:gov"


def test_a_shared_name_nothing_settles_is_said_to_be_ambiguous() -> None:
    identity = who("朝阳区人民政府2023年政府信息公开工作年度报告\n一、总体情况\n全年……")
    assert identity.region_code is None and identity.body == "朝阳区人民政府"
    assert any("有2处" in note for note in identity.notes)


@pytest.mark.parametrize(("body", "region", "level"), [
    ("辉县市人民政府", "辉县市", "county"),
    ("伊春市伊美区人民政府", "伊春市伊美区", "district"),
    ("伊美区人民政府", "伊春市伊美区", "district"),
    ("河北省人民政府", "河北省", "province"),
    ("兴隆县兴隆镇人民政府", "兴隆县兴隆镇", "township"),
    ("某某县人民政府", "某某县", "county"),  # not in the gazetteer: by its suffix
    ("某某市某某区教育局", "某某市某某区", "department"),
])
def test_split_body(body: str, region: str, level: str) -> None:
    assert split_body(body, LEXICON) == (region, level)


UNIQUE = [p for p in gazetteer._table().places if p.current and p.parents and p.level in ("county", "district")
          and p.name not in gazetteer._GENERIC_NAMES  # 矿区, 城区: a place only after their city's name
          and len({q.code for q in gazetteer.lookup(p.name) if q.current}) == 1]


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(UNIQUE), st.sampled_from(["人民政府", "人民政府办公室", "卫生健康委员会", "卫健委", "教育局", ""]))
def test_the_city_prefix_never_changes_the_body_id(place, rest) -> None:
    bare = resolve_body(place.name + rest, LEXICON)
    prefixed = resolve_body(place.parents[0].name + place.name + rest, LEXICON)
    assert bare.body_id == prefixed.body_id and bare.body_id.startswith(place.code + ":")
    assert bare.name == prefixed.name and bare.region == place.label


def test_a_slip_with_several_places_near_is_settled_by_what_the_file_names() -> None:
    # 沐 for 沭: 汝阳县, 濮阳县, 安阳县 … are one character from 沐阳县 too; the file name says which.
    text = "# 沐阳县人民政府 2025 年 政府信息公开工作年度报告\n\n沐阳县人民政府\n(2026年1月23日)\n一、总体情况"
    identity = who(text, source_name="沭阳县人民政府2025年政府信息公开工作年度报告-沭阳县人民政府.txt")
    assert (identity.body, identity.body_id, identity.year, identity.published) == (
        "沭阳县人民政府", "321322:gov", 2025, "2026-01-23")
    assert who(text).region_code is None  # nothing backs one of them: left as printed


@pytest.mark.parametrize(("text", "body", "body_id"), [
    ("正文\n2024 年上海市科委政府信息公开工作\n年度报告\n根据《条例》……", "上海市科委", "310000:science_technology"),
    ("正文\n2025 年上海市人民政府办公厅政府信息公开\n工作年度报告\n本年度报告根据……", "上海市人民政府办公厅",
     "310000:gov_office"),
    ("伊川县人民政府办公室\n2023年政府信息公开工作年度报告\n一、总体情况", "伊川县人民政府办公室", "410329:gov_office"),
])
def test_a_title_broken_over_two_lines(text: str, body: str, body_id: str) -> None:
    identity = who(text)
    assert (identity.body, identity.body_id) == (body, body_id)
    assert identity.notes == ()


@pytest.mark.parametrize(("name", "body_id"), [
    ("004-沭阳县-2025.txt", "321322:gov"),
    ("伊春市2023年报.pdf", "230700:gov"),
    ("2023_伊川县人民政府办公室_政府信息公开年度报告.docx", "410329:gov_office"),
])
def test_the_body_in_a_file_name(name: str, body_id: str) -> None:
    assert who("年度报告\n一、总体情况\n2023年，全年……", source_name=name).body_id == body_id
