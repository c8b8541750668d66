"""Tables read from a stream of labels and numbers: flattened pages, PDF text, run-together cells."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from index.align import _values_may_lead, align_table, category_phrases, row_phrases
from index.lexicon import load_lexicon
from index.splits import splits
from index.stream import rebuild_rows, tokens

LEXICON = load_lexicon()
REQUEST_PHRASES = row_phrases("requests", LEXICON)
ACTIVE_PHRASES = row_phrases("active", LEXICON)

# Made-up numbers in the national layout; every 勾稽 rule holds.
REQUESTS_FLAT = (
    "申请人情况 自然人 法人或其他组织 总计 商业企业 科研机构 社会公益组织 法律服务机构 其他 "
    "一、本年新收政府信息公开申请数量 58 2 0 0 0 0 60 二、上年结转政府信息公开申请数量 1 0 0 0 0 0 1 "
    "三、本年度办理结果 （一）予以公开 30 1 0 0 0 0 31 （二）部分公开（区分处理的，只计这一情形，不计其他情形） 5 0 0 0 0 0 5 "
    "（三）不予公开 1.属于国家秘密 1 0 0 0 0 0 1 2.其他法律行政法规禁止公开 0 0 0 0 0 0 0 "
    "（四）无法提供 1.本机关不掌握相关政府信息 20 1 0 0 0 0 21 "
    "（七）总计 56 2 0 0 0 0 58 四、结转下年度继续办理 3 0 0 0 0 0 3"
)


def _cells(table: str, text: str) -> dict[tuple[str, str | None], tuple[float | None, str]]:
    found, _raw = align_table(table, [], text, LEXICON)
    return {(c.field, c.applicant): (c.value, c.method) for c in found if not c.derived}


def test_a_flattened_table_is_read_row_by_row() -> None:
    cells = _cells("requests", REQUESTS_FLAT)
    assert cells[("requests.new", "natural_person")] == (58, "printed")
    assert cells[("requests.new", "total")] == (60, "printed")
    assert cells[("requests.denied.state_secret", "total")] == (1, "printed")
    assert cells[("requests.unable.not_held", "business")] == (1, "printed")
    assert cells[("requests.carried_over", "total")] == (3, "printed")


def test_values_printed_before_their_labels_are_read_the_same() -> None:
    # PDF text: the value row comes first, the label after it, broken over two lines.
    text = (
        "申请人情况\n自然人\n商业企业\n总计\n58 2 0 0 0 0 60\n一、本年新收政府\n信息公开申请数量\n"
        "1 0 0 0 0 0 1\n二、上年结转政府信息公开申请数量\n30 1 0 0 0 0 31\n（一）予以公开\n"
        "1 0 0 0 0 0 1\n（三）不予公开\n1.属于国家秘密\n56 2 0 0 0 0 58\n（七）总计\n"
        "3 0 0 0 0 0 3\n四、结转下年度继续办理"
    )
    cells = _cells("requests", text)
    assert cells[("requests.new", "total")] == (60, "printed")
    assert cells[("requests.granted", "natural_person")] == (30, "printed")
    assert cells[("requests.denied.state_secret", "total")] == (1, "printed")
    assert cells[("requests.carried_over", "total")] == (3, "printed")


def test_run_together_cells_are_split_where_the_sums_leave_one_way() -> None:
    glued = REQUESTS_FLAT.replace("58 2 0 0 0 0 60", "582000060")
    cells = _cells("requests", glued)
    assert cells[("requests.new", "natural_person")] == (58, "split")
    assert cells[("requests.new", "business")] == (2, "split")
    assert cells[("requests.new", "total")] == (60, "split")


def test_a_run_together_row_that_arithmetic_cannot_settle_is_kept_raw() -> None:
    # 11 digits for 7 cells with every sum holding in several ways: no cell may be stored.
    found, raw = align_table("requests", [], "申请人情况 自然人 一、本年新收政府信息公开申请数量 11100012", LEXICON)
    assert not [c for c in found if c.field == "requests.new"]
    assert raw and raw[0].reason == "ambiguous_split"


def test_table_two_run_together_is_split_only_when_the_prose_confirms_it() -> None:
    zone = "第二十条第（一）项 信息内容 本年制发件数 本年废止件数 现行有效件数 规章 0 0 0 行政规范性文件1264310"
    found, raw = align_table("active", [], zone, LEXICON)
    assert not [c for c in found if c.field.startswith("normative.")]
    assert raw[0].reason == "ambiguous_split"
    prose = "全年制发行政规范性文件12件，废止行政规范性文件64件，现行有效规范性文件310件。"
    found, _ = align_table("active", [], zone, LEXICON, prose=prose)
    values = {c.field: (c.value, c.method) for c in found}
    assert values["normative.issued"] == (12, "split")
    assert values["normative.repealed"] == (64, "split")
    assert values["normative.in_force"] == (310, "split")


def test_review_table_on_one_line_after_its_header() -> None:
    zone = ("行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉 "
            "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计 "
            "6 2 1 1 10 0 3 0 0 3 1 0 0 0 1")
    cells = _cells("review", zone)
    assert cells[("review.upheld", None)] == (6, "printed")
    assert cells[("review.total", None)] == (10, "printed")
    assert cells[("lawsuit.direct.corrected", None)] == (3, "printed")
    assert cells[("lawsuit.after_review.total", None)] == (1, "printed")


def test_page_footers_and_invented_headers_are_not_cells() -> None:
    stream = tokens("| 数据1 | 数据2 | 数据3 |\n|---|---|---|\n| 规章 | 0 | 1 | 5 |\n— 3 —\n| 行政规范性文件 | 2 | 0 | 9 |",
                    ACTIVE_PHRASES)
    assert [t.text for t in stream] == ["规章", "0", "1", "5", "行政规范性文件", "2", "0", "9"]


def test_a_category_label_gives_way_to_its_item_after_the_numbers() -> None:
    stream = tokens("1 0 0 0 0 0 1 （三）不予公开 1.属于国家秘密", REQUEST_PHRASES)
    rows = rebuild_rows(stream, REQUEST_PHRASES, labels_first=False,
                        weak=category_phrases("requests", LEXICON))
    assert ("1.属于国家秘密", "1", "0", "0", "0", "0", "0", "1") in rows


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=300), min_size=6, max_size=6))
def test_any_row_cut_back_from_its_digits_is_among_the_cuts(parts: list[int]) -> None:
    row = parts + [sum(parts)]
    digits = "".join(str(v) for v in row)
    cuts = splits([digits], 7, total_after=6)
    assert [str(v) for v in row] in cuts
    for cut in cuts:
        assert "".join(cut) == digits
        assert all(c == "0" or not c.startswith("0") for c in cut)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=99), min_size=6, max_size=6))
def test_a_glued_row_is_read_right_or_not_at_all(parts: list[int]) -> None:
    """Whatever the numbers, a run-together row never comes back as a wrong printed cell."""
    row = parts + [sum(parts)]
    zone = "申请人情况 自然人 一、本年新收政府信息公开申请数量 " + "".join(str(v) for v in row)
    found, _raw = align_table("requests", [], zone, LEXICON)
    got = [c for c in found if c.field == "requests.new"]
    if got:
        order = ("natural_person", "business", "research", "public_interest", "legal_service", "other_org", "total")
        values = {c.applicant: c.value for c in got}
        assert [values[a] for a in order] == row
        assert all(c.method == "split" for c in got)


def test_a_label_with_a_slip_is_read_as_the_row_it_is_clearly_closest_to() -> None:
    zone = ("申请人情况 自然人 总计\n一、本年新收政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3\n"
            "（三）不予公开\t2.其他法律行政止公开\t1\t0\t0\t0\t0\t0\t1\n")
    rows = [(tuple(line.split("\t")), False) for line in zone.splitlines()[1:]]
    found, _raw = align_table("requests", rows, zone, LEXICON)
    values = {(c.field, c.applicant): c.value for c in found}
    assert values[("requests.denied.law_prohibited", "total")] == 1


def test_tables_are_found_when_their_section_headings_are_missing(tmp_path) -> None:
    from index.readers import read_bytes
    from index.parser import parse_report

    text = ("某县人民政府2023年政府信息公开工作年度报告 本年度我县认真贯彻条例。 "
            "第二十条第（一）项 信息内容 本年制发件数 本年废止件数 现行有效件数 规章 0 0 0 行政规范性文件 2 1 9 "
            + REQUESTS_FLAT +
            " 行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉 "
            "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计 "
            "2 1 0 0 3 0 0 0 0 0 0 0 0 0 0 五、存在的主要问题及改进情况 公开深度不够。")
    report = parse_report(read_bytes(text.encode(), "report.txt"))
    values = {(c.field, c.applicant): c.value for c in report.cells}
    assert values[("normative.in_force", None)] == 9
    assert values[("requests.new", "total")] == 60
    assert values[("review.total", None)] == 3
    assert {t.table: t.method for t in report.table_reads} == {"active": "printed", "requests": "printed", "review": "printed"}


def test_a_blank_cell_stays_blank_unless_the_row_sum_proves_it_zero() -> None:
    rows = [(("申请人情况", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"), True),
            (("一、本年新收政府信息公开申请数量", "5", "", "0", "0", "0", "0", "7"), True),
            (("二、上年结转政府信息公开申请数量", "2", "", "0", "0", "0", "0", "2"), True)]
    found, _raw = align_table("requests", rows, "", LEXICON)
    cells = {(c.field, c.applicant): c for c in found}
    assert cells[("requests.new", "business")].value is None
    assert cells[("requests.carried_in", "business")].value == 0
    assert cells[("requests.carried_in", "business")].method == "inferred"


def test_a_text_row_with_only_two_numbers_fills_natural_person_and_total_flagged() -> None:
    rows = [(("（一）予以公开", "5", "5"), False), (("（二）部分公开", "1", "2"), False)]
    found, _raw = align_table("requests", rows, "", LEXICON)
    cells = {(c.field, c.applicant): c for c in found}
    assert cells[("requests.granted", "natural_person")].value == 5
    assert cells[("requests.granted", "total")].value == 5
    assert cells[("requests.granted", "natural_person")].method == "inferred"
    # 1 of 2 leaves one request with some organisation: its column is unknown, so nothing else is filled.
    assert cells[("requests.partial", "business")].value is None


def test_natural_person_and_total_run_together_only_as_the_same_number_twice() -> None:
    rows = [(("一、本年新收政府信息公开申请数量", "1212"), False), (("（一）予以公开", "18000018"), False)]
    found, raw = align_table("requests", rows, "", LEXICON)
    cells = {(c.field, c.applicant): c.value for c in found}
    assert cells[("requests.new", "natural_person")] == 12 and cells[("requests.new", "total")] == 12
    assert ("requests.granted", "total") not in cells  # 1|8000018 is no reading: kept raw
    assert any(r.reason for r in raw)


def test_only_a_zone_with_a_line_led_by_values_is_also_read_numbers_first() -> None:
    # PDF text prints a row's values before its label, so such a row starts a line with a value.
    pdf_text = "申请人情况\n58 2 0 0 0 0 60\n一、本年新收政府信息公开申请数量\n1 0 0 0 0 0 1\n二、上年结转政府信息公开申请数量"
    rows = "申请人情况\n一、本年新收政府信息公开申请数量\t58\t2\t0\t0\t0\t0\t60\n1.属于国家秘密\t1\t0\t0\t0\t0\t0\t1"
    assert _values_may_lead(pdf_text)
    assert not _values_may_lead(rows)  # row numbering (1.) is no value
    assert _values_may_lead(REQUESTS_FLAT)  # one line: either order
