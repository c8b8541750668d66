"""The parser on the five real seed reports, every cell, and on the variants the format allows."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.document import Document, Table
from index.errors import NotAReportError
from index import checks, tables
from index.parser import find_year, parse_report, split_body
from index.lexicon import load_lexicon
from index.readers import read_document
from index.readers.text import text_to_blocks
from index.rules import APPLICANT_ORDER
from tests.seed_expectations import SEEDS

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
REVIEW_CODES = [f"{block}.{outcome}" for block in ("review", "lawsuit.direct", "lawsuit.after_review")
                for outcome in ("upheld", "corrected", "other", "pending", "total")]


def parse_text(text: str, name: str = "report.txt"):
    return parse_report(Document(blocks=text_to_blocks(text), source_name=name, sha256="0" * 64, format="txt"))


def parse_sample(name: str):
    return parse_text((SAMPLES / name).read_text(encoding="utf-8"), name)


def printed(report) -> dict[tuple[str, str | None], object]:
    return {(c.field, c.applicant): c for c in report.cells if not c.derived}


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_identity(name: str) -> None:
    report, expected = parse_sample(name), SEEDS[name]
    assert (report.title, report.body, report.region, report.year) == (
        expected["title"], expected["body"], expected["region"], expected["year"])
    assert report.published == expected.get("published")
    assert [s.number for s in report.sections] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_table_two_every_cell(name: str) -> None:
    cells = printed(parse_sample(name))
    active = {field: cell.value for (field, _), cell in cells.items() if cell.table == "active"}
    assert active == pytest.approx(SEEDS[name]["active"])
    assert cells[("fees.amount", None)].unit == "万元"


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_table_three_every_cell(name: str) -> None:
    expected = SEEDS[name]
    cells = printed(parse_sample(name))
    rows = {field for (field, _), cell in cells.items() if cell.table == "requests"}
    assert rows == set(expected["request_rows"])
    for field in expected["request_rows"]:
        want = expected["requests"].get(field, (0,) * 7)
        got = tuple(cells[(field, applicant)].value for applicant in APPLICANT_ORDER)
        assert got == want, field


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_table_four_every_cell(name: str) -> None:
    cells = printed(parse_sample(name))
    assert tuple(cells[(code, None)].value for code in REVIEW_CODES) == SEEDS[name]["review"]


def test_shifted_rows_have_one_inferred_cell_each() -> None:
    report = parse_sample("huixian-2021.txt")
    inferred = [c for c in report.cells if c.inferred]
    assert sorted(c.field for c in inferred) == sorted(SEEDS["huixian-2021.txt"]["shifted_rows"])
    assert all(c.value == 0 and c.raw == "" and c.applicant not in ("natural_person", "business", "total") for c in inferred)
    assert report.findings == ()


def test_a_remembered_gap_placement_reads_the_shifted_rows_as_a_fresh_one(monkeypatch: pytest.MonkeyPatch) -> None:
    # A table is read up to three ways; a placement of the same rows is looked up, not made again.
    monkeypatch.setattr(tables, "_PLACED_GAPS", {})
    chosen = []
    choose = tables._RequestsTable._choose_gaps
    monkeypatch.setattr(tables._RequestsTable, "_choose_gaps", lambda self, *rows: chosen.append(1) or choose(self, *rows))
    fresh = parse_sample("huixian-2021.txt")
    made = len(chosen)
    again = parse_sample("huixian-2021.txt")
    assert len(chosen) == made and made >= 1  # every placement of the second read was remembered
    assert again.cells == fresh.cells and again.findings == fresh.findings


def test_cells_keep_their_printed_text() -> None:
    cells = printed(parse_sample("huixian-2021.txt"))
    assert cells[("fees.amount", None)].raw == "12372.0506"
    assert cells[("requests.partial", "business")].raw == "1"


def test_inconsistent_row_stored_as_printed_with_a_finding() -> None:
    report = parse_sample("xinglong-2023.txt")
    cells = printed(report)
    assert cells[("requests.new", "total")].value == 52
    row_sum = [f for f in report.findings if f.rule == "requests.row_sum"]
    assert len(row_sum) == 1
    assert (row_sum[0].expected, row_sum[0].actual) == (54, 52)
    assert "54" in row_sum[0].message and "52" in row_sum[0].message
    assert "requests.new[total]" in row_sum[0].fields


def test_derived_cells_list_their_inputs() -> None:
    report = parse_sample("yichun-2023.txt")
    derived = {(c.field, c.applicant): c for c in report.cells if c.derived}
    assert derived[("requests.new", "legal_persons")].value == 9
    assert derived[("requests.denied", "total")].value == 15
    assert len(derived[("requests.denied", "total")].inputs) == 8
    assert derived[("lawsuit.total", None)].value == 3


def test_passages_carry_their_section() -> None:
    report = parse_sample("yichuan-2023.txt")
    problems = [p for p in report.passages if "政策解读实效性" in p.text]
    assert problems and problems[0].section == "五、存在的主要问题及改进情况 / (一) 存在问题"
    assert any(p.kind == "table" and "行政处罚" in p.text for p in report.passages)


HEADER = """某某县2020年政府信息公开工作年度报告

一、总体情况

2020年，某某县持续推进政务公开。

二、主动公开政府信息情况

"""

LAYOUT_2019 = HEADER + """第二十条第（一）项\t\t\t
信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量
规章\t0\t0\t0
规范性文件\t５\t５\t１,２３４
第二十条第（五）项\t\t\t
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政许可\t120\t-3\t4567
其他对外管理服务事项\t10\t2\t30
第二十条第（六）项\t\t\t
信息内容\t上一年项目数量\t本年增/减\t处理决定数量
行政处罚\t80\t1\t900
行政强制\t5\t0\t12
第二十条第（八）项\t\t\t
信息内容\t上一年项目数量\t本年增/减\t
行政事业性收费\t15\t-1\t
第二十条第（九）项\t\t\t
信息内容\t采购项目数量\t采购总金额\t
政府集中采购\t8\t356.7\t

三、收到和处理政府信息公开申请情况

\t\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计
一、本年新收政府信息公开申请数量\t\t10\t2\t\t0\t0\t0\t12
二、上年结转政府信息公开申请数量\t\t1\t0\t0\t0\t0\t0\t1
三、本年度办理结果\t（一）予以公开\t5\t1\t0\t0\t0\t0\t6
\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t1\t0\t0\t0\t0\t0\t1
\t（三）不予公开\t1．属于国家秘密\t0\t0\t0\t0\t0\t0\t0
\t\t2．其他法律行政法规禁止公开\t0\t0\t0\t0\t0\t0\t0
\t\t3．危及“三安全一稳定”\t0\t0\t0\t0\t0\t0\t0
\t\t4．保护第三方合法权益\t0\t0\t0\t0\t0\t0\t0
\t\t5．属于三类内部事务信息\t0\t0\t0\t0\t0\t0\t0
\t\t6．属于四类过程性信息\t0\t0\t0\t0\t0\t0\t0
\t\t7．属于行政执法案卷\t0\t0\t0\t0\t0\t0\t0
\t\t8．属于行政查询事项\t0\t0\t0\t0\t0\t0\t0
\t（四）无法提供\t1．本机关不掌握相关政府信息\t3\t1\t0\t0\t0\t0\t4
\t\t2．没有现成信息需要另行制作\t0\t0\t0\t0\t0\t0\t0
\t\t3．补正后申请内容仍不明确\t0\t0\t0\t0\t0\t0\t0
\t（五）不予处理\t1．信访举报投诉类申请\t0\t0\t0\t0\t0\t0\t0
\t\t2．重复申请\t0\t0\t0\t0\t0\t0\t0
\t\t3．要求提供公开出版物\t0\t0\t0\t0\t0\t0\t0
\t\t4．无正当理由大量反复申请\t0\t0\t0\t0\t0\t0\t0
\t\t5．要求行政机关确认或重新出具已获取信息\t0\t0\t0\t0\t0\t0\t0
\t（六）其他处理\t1\t0\t0\t0\t0\t0\t1
\t（七）总计\t10\t2\t0\t0\t0\t0\t12
四、结转下年度继续办理\t\t1\t0\t0\t0\t0\t0\t1

四、政府信息公开行政复议、行政诉讼情况

行政复议\t\t\t\t\t行政诉讼
结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t未经复议直接起诉\t\t\t\t\t复议后起诉
\t\t\t\t\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计
2\t1\t0\t0\t3\t1\t0\t0\t1\t2\t0\t0\t0\t0\t0

五、存在的主要问题及改进情况

信息公开的及时性有待提高。

六、其他需要报告的事项

无。
"""


def test_2019_layout_rows_kept_under_own_codes() -> None:
    report = parse_text(LAYOUT_2019)
    cells = printed(report)
    assert report.layout == "2019"
    assert cells[("normative.new_made", None)].value == 5
    assert cells[("normative.total_published", None)].value == 1234  # full-width digits, thousands separator
    assert cells[("licensing.prev_items", None)].value == 120
    assert cells[("licensing.change", None)].value == -3
    assert cells[("licensing.decisions", None)].value == 4567
    assert cells[("other_services.decisions", None)].value == 30
    assert cells[("penalty.decisions", None)].value == 900
    assert cells[("fees.prev_items", None)].value == 15
    assert cells[("procurement.amount", None)].value == 356.7
    assert cells[("requests.other", "total")].value == 1  # (六) 其他处理 as a single row
    assert report.region == "某某县" and report.year == 2020


def test_blank_cell_that_the_row_sum_proves_zero_is_inferred_not_printed() -> None:
    cells = printed(parse_text(LAYOUT_2019))
    blank = cells[("requests.new", "research")]
    assert blank.value == 0 and blank.raw == "" and blank.method == "inferred"
    assert cells[("requests.new", "public_interest")].value == 0


def test_blank_means_zero_when_the_report_says_so() -> None:
    text = LAYOUT_2019.replace("无。", "表中空白处表示0。")
    assert printed(parse_text(text))[("requests.new", "research")].value == 0


def test_review_in_2019_layout() -> None:
    cells = printed(parse_text(LAYOUT_2019))
    assert cells[("review.total", None)].value == 3
    assert cells[("lawsuit.direct.pending", None)].value == 1


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_three_tables_printed_as_one(name: str) -> None:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    blocks = text_to_blocks(text)
    tables = [b for b in blocks if isinstance(b, Table)]
    merged = Table(rows=tuple(row for t in tables for row in t.rows), grid=False)
    paragraphs = tuple(b for b in blocks if not isinstance(b, Table))
    one_table = parse_report(Document(blocks=paragraphs[:3] + (merged,) + paragraphs[3:], source_name=name,
                                      sha256="0" * 64, format="html"))
    assert printed(one_table).keys() == printed(parse_sample(name)).keys()
    assert {k: c.value for k, c in printed(one_table).items()} == {k: c.value for k, c in printed(parse_sample(name)).items()}


@pytest.mark.parametrize("name", ["yichuan-2023.txt", "huixian-2021.txt"])
def test_table_rows_pasted_with_spaces_for_tabs(name: str) -> None:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    spaced = "\n".join(re.sub(r"\t+", "  ", line).strip() if "\t" in line else line for line in text.split("\n"))
    assert "\t" not in spaced
    got, want = printed(parse_text(spaced)), printed(parse_sample(name))
    assert {k: c.value for k, c in got.items()} == {k: c.value for k, c in want.items()}


def test_prose_with_numbers_stays_prose() -> None:
    blocks = text_to_blocks("全年发布政策解读 12 条，其中政策图解 5 条。\n2024 年 2 月 19 日\n电话：0314 5053366")
    assert all(not isinstance(b, Table) for b in blocks)


def test_portal_metadata_before_the_title() -> None:
    page = LAYOUT_2019.replace("某某县2020年政府信息公开工作年度报告", "某某县人民政府门户网站\n首页 > 政务公开 > 年报\n"
                               "发布日期：2021-01-25 10:12  来源：县政府办  浏览次数：123\n某某县2020年政府信息公开工作年度报告")
    report = parse_text(page)
    assert (report.title, report.body, report.published) == ("某某县2020年政府信息公开工作年度报告", "某某县", "2021-01-25")


def test_a_text_that_is_not_a_report_is_refused() -> None:
    with pytest.raises(NotAReportError, match="年度报告"):
        parse_text("今天天气很好。\n我们去公园散步。\n")


def test_a_report_title_without_tables_is_refused() -> None:
    with pytest.raises(NotAReportError):
        parse_text("某某县2023年政府信息公开工作年度报告\n\n这是一段没有表格的文字。\n")


@pytest.mark.parametrize(("text", "year"), [("2023年", 2023), ("二〇二三年度", 2023), ("二○二一年", 2021), ("无年份", None)])
def test_years(text: str, year: int | None) -> None:
    assert find_year(text) == year


@pytest.mark.parametrize(("body", "region", "level"), [
    ("伊川县人民政府办公室", "伊川县", "county"),
    ("伊春市", "伊春市", "city"),
    ("辉县市人民政府", "辉县市", "county"),  # a county-level city: its code (410782) says so
    ("伊春市伊美区人民政府", "伊春市伊美区", "district"),
    ("河北省人民政府", "河北省", "province"),
    ("伊春市生态环境局", "伊春市", "department"),
    ("新乡市辉县市人民政府", "辉县市", "county"),  # canonical: a county-level place without its city
    ("辉县市教育局", "辉县市", "department"),
    ("安宁县市场监督管理局", "安宁县", "department"),
    ("安宁县住房和城乡建设局", "安宁县", "department"),
    ("伊春市伊美区教育局", "伊春市伊美区", "department"),
    ("北京市朝阳区城市管理委员会", "北京市朝阳区", "department"),
    ("兴隆县兴隆镇人民政府", "兴隆县兴隆镇", "township"),
])
def test_body_to_region_and_level(body: str, region: str, level: str) -> None:
    assert split_body(body, load_lexicon()) == (region, level)


_SAMPLE_REPORTS = [parse_report(read_document(path)) for path in sorted(SAMPLES.glob("*.txt"))]


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(_SAMPLE_REPORTS),
       st.lists(st.tuples(st.integers(min_value=0, max_value=10 ** 6), st.integers(min_value=-3, max_value=3)),
                max_size=6),
       st.lists(st.integers(min_value=0, max_value=10 ** 6), max_size=4))
def test_a_readings_broken_rules_are_the_findings_its_cells_give(report, nudges, drops) -> None:  # type: ignore[no-untyped-def]
    """Readings are weighed by the rules they break (index/align.py), counted from the sums'
    values alone: the same count as the findings a report with those cells, its sums made as
    derived cells, would get. Real tables with numbers nudged and cells dropped."""
    lexicon = load_lexicon()
    cells = [c for c in report.cells if not c.derived]
    for at, change in nudges:
        cell = cells[at % len(cells)]
        cells[at % len(cells)] = replace(cell, value=(cell.value or 0) + change)
    for at in drops:
        del cells[at % len(cells)]
    made = cells + checks._derive_sums(cells, lexicon)
    assert checks.broken_rules(cells, lexicon) == len(checks.find_inconsistencies(made, lexicon))
