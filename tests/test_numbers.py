"""Text folding as reports need it: the quick NFKC must be NFKC, character for character."""
from __future__ import annotations

import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from index.numbers import nfkc, normalize, parse_number, squeeze

# Chinese prose, full-width forms, and what sends NFKC down its full path: combining accents,
# circled numbers, compatibility jamo that compose (ㄱㅏ → 가), ligatures.
_ALPHABET = st.one_of(
    st.sampled_from("政府信息公开申请件万元，。（）：；、“”《》　０１２３４５６７８９ＡＢａｂ%％-－—…①②ⅰ℃㎡ﬁ"),
    st.sampled_from("\u0301\u0308\u3131\u314f\u1100\u1161\u00e9e\u212b"),
    st.characters(codec="utf-8"))


@given(st.text(alphabet=_ALPHABET, max_size=60))
@example("Ａ\u0301")  # a full-width letter then an accent: composes to Á
@example("ㄱㅏ")
def test_the_quick_nfkc_is_nfkc(text: str) -> None:
    assert nfkc(text) == unicodedata.normalize("NFKC", text)


def test_squeeze_folds_width_and_drops_white_space() -> None:
    assert squeeze("政策 解读　５１ 件，\n共（１２）") == "政策解读51件,共(12)"
    assert normalize("１２,３７２.０５０６") == "12,372.0506"
    assert parse_number("１２,３７２.０５０６") == 12372.0506
