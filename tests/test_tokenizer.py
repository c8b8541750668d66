"""The jieba wrapper: whole domain phrases, no punctuation or stop words, findable numbers."""
from __future__ import annotations

import pytest

from index import tokenizer
from index.lexicon import load_lexicon
from index.tokenizer import add_words, tokenize


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("本年度作出行政处罚决定", "行政处罚"),
        ("不予公开的申请", "不予公开"),
        ("政府信息公开工作年度报告", "政府信息公开"),
        ("危及“三安全一稳定”", "三安全一稳定"),
    ],
)
def test_domain_phrases_stay_whole(text: str, term: str) -> None:
    assert term in tokenize(text)


def test_punctuation_whitespace_and_stop_words_are_dropped() -> None:
    tokens = tokenize("请问，伊春市的 报告（2023年）有多少件？！…… 《条例》\n")
    dropped = {"，", "的", "（", "）", "？", "！", "……", "《", "》", " ", "\n", "多少", "件", "请问", "报告"}
    assert not dropped & set(tokens)
    assert {"伊春市", "2023", "条例"} <= set(tokens)


def test_only_stop_words_and_punctuation_give_no_tokens() -> None:
    assert tokenize("的了是在，。！？ 多少") == []


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("通过公众号推送信息 475 条", "475"),
        ("全年共办理12345市长热线14287件", "14287"),
        ("全年共办理12345市长热线14287件", "12345"),
        ("主动公开发布各类信息共2808条", "2808"),
        ("电话：0314-5053366）", "0314-5053366"),
        ("收费金额8978.04万元", "8978.04"),
    ],
)
def test_numbers_are_tokens(text: str, number: str) -> None:
    assert number in tokenize(text)


def test_a_number_with_hyphens_or_dots_is_findable_by_its_parts() -> None:
    assert {"0314", "5053366"} <= set(tokenize("电话：0314-5053366"))


def test_full_width_digits_and_letters_are_normalised() -> None:
    assert tokenize("共１４２８７件，ＡＢＣ") == tokenize("共14287件，abc")
    assert "14287" in tokenize("共１４２８７件")


def test_ascii_is_lower_cased() -> None:
    assert "ngo" in tokenize("NGO 申请")


def test_add_words_makes_a_place_name_one_token_and_is_idempotent() -> None:
    assert "康定市" not in tokenize("康定市的微信公众号")  # jieba alone cuts 康定 / 市
    add_words(["康定市"])
    add_words(["康定市"])
    assert "康定市" in tokenize("康定市的微信公众号")


def test_add_words_also_makes_the_bare_place_name_a_token() -> None:
    add_words(["色达县"])
    assert {"色达县", "色达"} <= set(tokenize("色达县的微信公众号叫什么"))
    assert "色达" in tokenize("推进“中国色达”微信公众号")


def test_a_paragraph_kept_clause_by_clause_gives_the_words_of_the_whole_and_learns_new_names() -> None:
    text = "本机关全年共收到政府信息公开申请，其中予以公开的占多数；不予公开的均依法告知理由。康平县政务公开工作稳步推进"
    tokenize(text)  # its clauses are kept now
    segmenter, stopwords = tokenizer._segmenter(), load_lexicon().stopwords
    whole = [w for w in segmenter.lcut_for_search(text, HMM=False) if w not in stopwords and not tokenizer._is_noise(w)]
    assert tokenize(text) == whole
    add_words(["康平县"])  # a kept clause holding a name added since is segmented again
    assert "康平县" in tokenize(text)


def test_tokenize_is_deterministic() -> None:
    text = "伊春市政府公众号全年推送了多少条信息"
    assert tokenize(text) == tokenize(text)


def test_dictionary_cache_is_built_once_then_reused_and_rebuilt_when_unreadable(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    built = tokenizer._load()
    cached = list((tmp_path / "reportbot").glob("jieba-*.pickle"))
    assert len(cached) == 1
    reused = tokenizer._load()
    assert reused.FREQ == built.FREQ and reused.total == built.total
    assert reused.lcut_for_search("政府信息公开工作年度报告", HMM=False) == built.lcut_for_search(
        "政府信息公开工作年度报告", HMM=False)
    cached[0].write_bytes(b"not a pickle")
    assert tokenizer._load().FREQ == built.FREQ
