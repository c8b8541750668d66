"""Rankings by a rate (公开率最低, 复议纠错率最高) and by change (增长最快, 下降最多); long rankings
as a summary line and the top 10, the rest in the /csv table; the years a ranking mixed, said."""
from __future__ import annotations

import re

from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.synthetic import generate
from bot.engine import Engine
from bot.understand import understand
from index.lexicon import load_lexicon
from index.store import field_values

CORPUS = Path(__file__).parent / "corpus" / "reports"
LEXICON = load_lexicon()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = Engine.open(tmp_path_factory.mktemp("rankings") / "reports.db")
    for path in sorted(CORPUS.iterdir()):
        engine.load(path)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """Forty synthetic reports: more than a ranking lists."""
    folder = tmp_path_factory.mktemp("many")
    engine = Engine.open(folder / "reports.db")
    for made in generate(folder / "files", 40, seed=11, broken_share=0.0):
        engine.load(made.path)
    yield engine
    engine.close()


def test_rates_are_data_with_numerator_and_denominator() -> None:
    rates = {r.code: r for r in LEXICON.rates}
    assert rates["disclosed"].numerator == ("requests.granted", "requests.partial")
    assert rates["disclosed"].denominator == ("requests.handled",)
    assert (rates["review_corrected"].numerator, rates["review_corrected"].denominator) == (("review.corrected",), ("review.total",))
    for rate in rates.values():
        assert all(LEXICON.has_field(code) for code in rate.numerator + rate.denominator)


@pytest.mark.parametrize(("question", "rate", "operation", "descending"), [
    ("公开率最低的是哪个", "disclosed", "rank", False),
    ("哪个地方的不予公开率最高", "denied", "rank", True),
    ("复议纠错率最高的是哪里", "review_corrected", "rank", True),
    ("行政诉讼的纠错率最高的是哪里", "lawsuit_corrected", "rank", True),
    ("淮安市行政复议的纠错率", "review_corrected", "share", True),
    ("淮安市的公开率是多少", "disclosed", "share", True),
    ("各县公开率排名", "disclosed", "rank", True),
])
def test_rate_questions(corpus: Engine, question: str, rate: str, operation: str, descending: bool) -> None:
    intent = understand(question, corpus.catalog, LEXICON)
    assert (intent.rate, intent.operation, intent.descending, intent.refusal) == (rate, operation, descending, None), intent.reading


def test_a_rate_is_computed_from_the_reports_cells(corpus: Engine) -> None:
    answer = corpus.ask("淮安市2024年的公开率是多少")
    db = corpus.db
    rid = answer.values[0].report_id
    granted = field_values(db, "requests.granted", "total")[rid]
    partial = field_values(db, "requests.partial", "total")[rid]
    handled = field_values(db, "requests.handled", "total")[rid]
    assert answer.values[0].value == pytest.approx((granted + partial) / handled)
    assert answer.values[0].unit == "%" and answer.values[0].derived


def test_ranking_by_a_rate_is_in_order_and_says_the_years(corpus: Engine) -> None:
    answer = corpus.ask("公开率最低的是哪个")
    rates = [v.value for v in answer.values]
    assert rates == sorted(rates) and len(rates) >= 5, answer.to_text()
    assert "未指定年度" in answer.text  # the latest reports are of different years
    same_year = corpus.ask("2023年公开率最低的是哪个")
    assert {v.year for v in same_year.values} == {2023} and "未指定年度" not in same_year.text


def test_a_rate_of_another_table_is_refused(corpus: Engine) -> None:
    answer = corpus.ask("行政处罚的公开率最低的是哪个")
    assert not answer.values and "不给数字" in answer.text


@pytest.mark.parametrize(("question", "by_change", "descending"), [
    ("收到申请增长最快的是哪个", "increase_pct", True),
    ("哪个地方的申请增加最多", "increase", True),
    ("申请下降最多的是哪个", "decrease", True),
    ("申请降幅最大的是哪个", "decrease_pct", True),
])
def test_ranking_by_change(corpus: Engine, question: str, by_change: str, descending: bool) -> None:
    intent = understand(question, corpus.catalog, LEXICON)
    assert (intent.operation, intent.by_change, intent.descending) == ("rank", by_change, descending), intent.reading
    answer = corpus.ask(question)
    measured = [v.value for v in answer.values]
    assert measured == sorted(measured, reverse=True) and measured, answer.to_text()
    assert all(v > 0 for v in measured)  # 下降最多 lists the bodies that went down


def test_change_between_the_year_and_the_one_before(corpus: Engine) -> None:
    answer = corpus.ask("2023年收到申请增加最多的是哪个")
    assert answer.values, answer.to_text()
    for value in answer.values:
        assert value.year == 2023
    db = corpus.db
    stored = field_values(db, "requests.new", "total")
    by_name = {(r.name, r.year): r.id for r in corpus.catalog.reports}
    top = answer.values[0]
    assert top.value == stored[by_name[(top.name, 2023)]] - stored[by_name[(top.name, 2022)]]


def test_a_long_ranking_is_a_summary_and_the_top_ten(many: Engine) -> None:
    answer = many.ask("哪个地方收到的申请最多")
    listed = [line for line in answer.text.splitlines() if line[:1].isdigit() and ". " in line]
    assert len(listed) == 10, answer.text
    assert "中位数" in answer.text and "合计" in answer.text
    compared = int(re.search(r"共比较(\d+)份报告", answer.text).group(1))
    assert "/csv" in answer.text and f"其余{compared - 10}份" in answer.text
    assert len(answer.values) == 10  # what the answer lists, with sources; not every report
    rows = list(answer.table)  # /csv sends every row, made when asked for
    assert len(rows) == len(answer.table) == compared + 1
    assert [row[0] for row in rows[1:11]] == [v.name for v in answer.values]
    assert float(rows[-1][4]) == min(float(row[4]) for row in rows[1:])  # the last row is the least
    assert len(answer.chart.values) <= 20 and answer.chart.total == compared


def test_a_sum_over_many_reports_lists_the_largest_and_points_to_the_rest(many: Engine) -> None:
    answer = many.ask("所有地方收到的申请合计多少")
    count = int(re.match(r"(\d+)份报告", answer.text).group(1))
    assert count > 10 and "其中最大的10个" in answer.text and f"其余{count - 10}份" in answer.text
    summary, *inputs = answer.values
    assert len(inputs) == 10 and len(answer.table) == count + 1
    assert summary.value == sum(float(row[4]) for row in list(answer.table)[1:])


def test_a_long_rate_ranking_is_short_too(many: Engine) -> None:
    answer = many.ask("公开率最高的是哪个")
    listed = [line for line in answer.text.splitlines() if line[:1].isdigit() and ". " in line]
    ranked = int(re.search(r"共(\d+)份报告", answer.text).group(1))
    assert len(listed) == len(answer.values) == 10 and ranked > 10, answer.text
    rows = list(answer.table)  # /csv: every report ranked, made when asked for
    assert "/csv" in answer.text and len(rows) == len(answer.table) == ranked + 1
    assert [row[0] for row in rows[1:11]] == [v.name for v in answer.values]
    assert answer.chart.total == ranked
