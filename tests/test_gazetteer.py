"""The gazetteer of China's administrative divisions: names, codes, parents, levels, OCR slips."""
from __future__ import annotations

import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import gazetteer
from index.gazetteer import by_code, canonical, chain, find_places, is_place, level_of, lookup, repair

CURRENT = [p for p in gazetteer._table().places if p.current]


@pytest.mark.parametrize(("name", "code"), [
    ("辉县市", "410782"),  # full name
    ("辉县", "410782"),  # short name
    ("新乡市辉县市", "410782"),  # with its city
    ("河南省新乡市辉县市", "410782"),
    ("伊春", "230700"),  # the current city before the district abolished in 2019 (伊春区)
    ("伊美区", "230717"),  # created in 2019
    ("伊川县", "410329"),
    ("色达县", "513333"),
    ("兴隆县", "130822"),
    ("北京市朝阳区", "110105"),
    ("长春市朝阳区", "220104"),
    ("上海市浦东新区", "310115"),
])
def test_lookup(name: str, code: str) -> None:
    assert lookup(name)[0].code == code


@pytest.mark.parametrize(("code", "level"), [
    ("410000", "province"),
    ("410700", "city"),
    ("532900", "city"),  # 大理白族自治州
    ("441900", "city"),  # 东莞市, a prefecture-level city without districts
    ("410782", "county"),  # 辉县市: a county-level city (81–99), whatever its name ends with
    ("410329", "county"),  # 伊川县
    ("532901", "county"),  # 大理市: 01–20 under an autonomous prefecture are county-level cities
    ("419001", "county"),  # 济源市, directly under the province (digits 3–4: 90)
    ("429021", "county"),  # 神农架林区
    ("230717", "district"),  # 伊美区
    ("310151", "district"),  # 崇明区: a municipality's 01 block holds districts only
    ("500156", "district"),  # 武隆区
    ("130822001000", "township"),
    ("130822001001", "village"),
])
def test_level_by_code(code: str, level: str) -> None:
    assert level_of(code) == level


def test_level_is_read_from_the_code_not_the_suffix() -> None:
    (huixian,) = lookup("辉县市")
    assert huixian.level == "county" and huixian.name.endswith("市")
    assert lookup("神农架林区")[0].level == "county"


def test_chain_goes_up_to_the_province() -> None:
    assert [p.name for p in chain(lookup("伊美区")[0])] == ["伊美区", "伊春市", "黑龙江省"]
    assert [p.name for p in chain(lookup("北京市朝阳区")[0])] == ["朝阳区", "北京市"]  # no 市辖区 in between
    assert [p.name for p in chain(lookup("济源市")[0])] == ["济源市", "河南省"]


def test_parents_as_they_were_when_the_place_was_listed() -> None:
    (laiwu,) = [p for p in lookup("莱芜区") if p.code == "370116"]
    assert laiwu.parents[0].name == "济南市"
    (yichun_district,) = lookup("伊春区")
    assert not yichun_district.current and yichun_district.last_year < 2019


@pytest.mark.parametrize(("name", "expected"), [
    ("辉县", "辉县市"),
    ("新乡市辉县市", "辉县市"),
    ("伊春", "伊春市"),
    ("朝阳区", None),  # 北京市朝阳区 and 长春市朝阳区
    ("北京市朝阳区", "朝阳区"),
    ("某某县", None),
])
def test_canonical(name: str, expected: str | None) -> None:
    assert canonical(name) == expected


@pytest.mark.parametrize(("name", "label"), [
    ("伊美区", "伊春市伊美区"),  # a district with its city
    ("北京市朝阳区", "北京市朝阳区"),
    ("辉县市", "辉县市"),  # a county-level place alone
    ("伊春", "伊春市"),
    ("河北省", "河北省"),
])
def test_label(name: str, label: str) -> None:
    assert lookup(name)[0].label == label


@pytest.mark.parametrize(("typed", "repaired"), [
    ("晖县市", "辉县市"),  # 晖 for 辉: no place is called 晖县市, one is one character away
    ("新乡市晖县市", "新乡市辉县市"),
    ("唐山市洛南县", "唐山市滦南县"),  # 洛 for 滦: 洛南县 is real, but not in 唐山市
    ("上海市青泸区", "上海市青浦区"),  # 泸 in a Shanghai district
    ("上海市闵衍区", "上海市闵行区"),
    ("晖县", None),  # two characters: 滑县, 沛县, 辉县 … all one character away
    ("泸州市", None),  # real: never "repaired" into 沪
    ("泸县", None),
    ("洛南县", None),  # real (陕西 商洛市), even though 滦南县 is one character away
    ("辉县市", None),
    ("某某县", None),  # nothing near
    ("伊春市伊美区", None),
])
def test_repair(typed: str, repaired: str | None) -> None:
    assert repair(typed) == repaired


def test_find_places_longest_first() -> None:
    matches = find_places("伊春市伊美区和河南省新乡市辉县市的报告，还有伊川县")
    assert [(m.text, [p.code for p in m.places]) for m in matches] == [
        ("伊春市伊美区", ["230717"]), ("河南省新乡市辉县市", ["410782"]), ("伊川县", ["410329"])]


def test_find_places_keeps_every_place_a_shared_name_may_mean() -> None:
    (match,) = find_places("朝阳区的申请")
    assert {p.code for p in match.places} >= {"110105", "220104"}


def test_find_places_short_names_only_when_asked() -> None:
    assert find_places("伊川和辉县比") == []
    assert [m.places[0].name for m in find_places("伊川和辉县比", short=True)] == ["伊川县", "辉县市"]


def test_generic_district_names_count_only_after_their_city() -> None:
    assert find_places("主城区和郊区") == []
    assert [m.text for m in find_places("阳泉市城区")] == ["阳泉市城区"]


def test_by_code() -> None:
    assert by_code("410782").name == "辉县市"
    assert by_code("999999") is None


def test_loads_offline_and_caches(tmp_path, monkeypatch) -> None:
    """Nothing is downloaded: the table loads with every socket refused, then from the cache."""
    def refuse(*args, **kwargs):
        raise AssertionError("the gazetteer opened a network connection")

    monkeypatch.setenv("REPORTBOT_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    gazetteer._table.cache_clear()
    try:
        assert lookup("辉县")[0].code == "410782"
        assert list(tmp_path.glob("reportbot/gazetteer-*.json"))
        gazetteer._table.cache_clear()
        assert lookup("辉县")[0].code == "410782"  # from the cache
    finally:
        gazetteer._table.cache_clear()


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CURRENT))
def test_every_current_place_is_found_by_its_names_and_never_repaired(place) -> None:
    assert place in lookup(place.name)
    assert place in lookup(place.label)
    assert repair(place.name) is None and repair(place.label) is None
    assert level_of(place.code) in ("province", "city", "county", "district")
    assert chain(place)[-1].level == "province"


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(CURRENT), st.integers(min_value=0, max_value=20),
       st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5))
def test_a_repair_is_always_one_real_place_one_character_away(place, index, char) -> None:
    name = place.label
    typed = name[:index % len(name)] + char + name[index % len(name) + 1:]
    fixed = repair(typed)
    if fixed is not None:
        assert is_place(fixed) and not is_place(typed)
        assert len(fixed) == len(typed) and sum(a != b for a, b in zip(fixed, typed)) == 1


def _longest_names_oracle(text: str, names: dict[str, tuple]) -> list[tuple[int, int]]:
    """At each position the longest name that starts there, else the next position."""
    spans, i = [], 0
    while i < len(text):
        length = max((len(n) for n in names if text.startswith(n, i)), default=0)
        if length:
            spans.append((i, i + length))
            i += length
        else:
            i += 1
    return spans


_TABLE = gazetteer._table()
_NAMES = sorted(_TABLE.by_name)
_SHORTS = sorted(_TABLE.by_short)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_NAMES), st.sampled_from(_SHORTS),
                          st.text(alphabet="的市县区省乡镇人民政府一二三北京南阳新乡 a1", max_size=4)), max_size=12),
       st.booleans())
def test_place_names_are_found_longest_first_at_each_position(pieces: list[str], short: bool) -> None:
    text = "".join(pieces)
    names = {**_TABLE.by_name, **_TABLE.by_short} if short else _TABLE.by_name
    assert [(s, e) for s, e, _ in gazetteer._name_spans(text, short)] == _longest_names_oracle(text, names)
