"""Places and bodies in questions: one body across years and spellings (body_id), short names of
places the gazetteer lacks, and the gazetteer's hierarchy (江苏省各县, 淮安市下辖各区县, 河北省的厅局)."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.engine import Engine
from bot.understand import understand
from index.lexicon import load_lexicon
from index.store import StoredReport

CORPUS = Path(__file__).parent / "corpus" / "reports"
LEXICON = load_lexicon()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The 24 real reports of tests/corpus (淮安市, 洪泽区, 平潭综合实验区, 河北省的厅 …)."""
    engine = Engine.open(tmp_path_factory.mktemp("places") / "reports.db")
    for path in sorted(CORPUS.iterdir()):
        engine.load(path)
    yield engine
    engine.close()


def _report(id_: int, body: str, region: str, level: str, year: int, body_id: str, code: str | None) -> StoredReport:
    return StoredReport(id_, f"{body}{year}年政府信息公开工作年度报告", body, region, level, year, None, "x.txt",
                        str(id_), 200, 0, body_id=body_id, region_code=code)


def test_one_body_across_spellings_is_named_by_its_fuller_name() -> None:
    catalog = Catalog([
        _report(1, "河北省工信厅", "河北省", "department", 2019, "130000:industry_it", "130000"),
        _report(2, "河北省工业和信息化厅", "河北省", "department", 2023, "130000:industry_it", "130000"),
        _report(3, "某省卫生和计划生育委员会", "某省", "department", 2018, "x:health", None),
        _report(4, "某省卫生健康委员会", "某省", "department", 2019, "x:health", None),
    ], LEXICON)
    assert [(b.name, len(b.reports)) for b in catalog.bodies] == [("河北省工业和信息化厅", 2), ("某省卫生健康委员会", 2)]
    assert {r.name for r in catalog.bodies[0].reports} == {"河北省工业和信息化厅"}
    for name in ("河北省工信厅", "河北省工业和信息化厅"):
        assert [b.id for m in catalog.find(name) for b in m.bodies] == ["130000:industry_it"]


@pytest.mark.parametrize(("question", "year", "title_has"), [
    ("河北省工业和信息化厅2019年收到多少申请", 2019, "河北省工信厅"),
    ("河北省工信厅2023年收到多少申请", 2023, "河北省工业和信息化厅"),
])
def test_a_body_is_found_by_any_of_its_spellings(corpus: Engine, question: str, year: int, title_has: str) -> None:
    answer = corpus.ask(question)
    assert [v.year for v in answer.values] == [year], answer.to_text()
    assert title_has in answer.values[0].report  # the report as printed that year
    assert answer.values[0].name == "河北省工业和信息化厅"  # one name in answers


def test_short_name_of_a_place_the_gazetteer_lacks(corpus: Engine) -> None:
    answer = corpus.ask("平潭2023年收到多少申请")
    assert [(v.name, v.year) for v in answer.values] == [("平潭综合实验区", 2023)], answer.to_text()


def test_a_parent_never_answers_for_its_child(corpus: Engine) -> None:
    city = corpus.ask("淮安市2024年收到多少申请")
    assert [v.name for v in city.values] == ["淮安市"], city.to_text()
    district = corpus.ask("淮安市洪泽区2024年收到多少申请")
    assert [v.name for v in district.values] == ["淮安市洪泽区"], district.to_text()
    missing = corpus.ask("淮安市2023年收到多少申请")  # 洪泽区 has 2023, 淮安市 has not
    assert not missing.values and "没有" in missing.text


@pytest.mark.parametrize(("question", "within", "levels", "names"), [
    ("江苏省各县收到多少申请", "江苏省", ("county",), {"沭阳县"}),
    ("淮安市下辖各区县收到多少申请", "淮安市", ("county", "district"), {"淮安市洪泽区"}),
    ("河北省的厅局收到多少申请", "河北省", ("department",),
     {"河北省教育厅", "河北省工业和信息化厅", "河北省科学技术厅"}),
    ("江苏省哪个县收到的申请最多", "江苏省", ("county",), {"沭阳县"}),
])
def test_scopes_of_the_hierarchy(corpus: Engine, question: str, within: str, levels: tuple[str, ...], names: set[str]) -> None:
    intent = understand(question, corpus.catalog, LEXICON)
    assert (intent.within, intent.levels, intent.bodies, intent.refusal) == (within, levels, (), None), intent.reading
    answer = corpus.ask(question)
    assert {v.name for v in answer.values} == names, answer.to_text()


def test_a_scope_with_nothing_under_it_says_so(corpus: Engine) -> None:
    answer = corpus.ask("河南省各县收到多少申请")
    assert not answer.values and "没有" in answer.text, answer.to_text()


def test_which_county_uses_the_level_from_the_code(corpus: Engine) -> None:
    answer = corpus.ask("哪个县收到的申请最多")
    assert {v.name for v in answer.values} == {"沭阳县"}, answer.to_text()  # not 淮安市, 洪泽区, 平潭
    district = corpus.ask("哪个区收到的申请最多")
    assert "沭阳县" not in {v.name for v in district.values}
