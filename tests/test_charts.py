"""Charts are PNGs whose Chinese labels are drawn in the CJK font the project installs."""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager

from bot.answer import Chart
from bot.charts import cjk_font_family, font_path, render_chart

if TYPE_CHECKING:
    from bot.engine import Engine

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RANKING = Chart(
    title="2023年各地行政处罚决定数量",
    labels=("伊春市", "兴隆县", "色达县", "伊川县", "辉县市"),
    values=(88300.0, 215.0, 12.0, 4321.0, 8978.04),
    unit="件",
)


def _missing_from_font(chart: Chart) -> set[str]:
    """Return the characters of the chart's texts that the font file has no glyph for."""
    with TTFont(font_path(), lazy=True) as font:
        cmap = font.getBestCmap()
    texts = (chart.title, chart.unit, *chart.labels)
    return {c for text in texts for c in text if not c.isspace() and ord(c) not in cmap}


def _render_strictly(chart: Chart) -> bytes:
    """Render with matplotlib's "Glyph … missing from font(s)" warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return render_chart(chart)


def test_font_comes_from_mplfonts_and_is_registered() -> None:
    assert "mplfonts" in font_path().parts and font_path().is_file()
    family = cjk_font_family()
    properties = font_manager.FontProperties(family=family)
    assert font_manager.findfont(properties, fallback_to_default=False) == str(font_path())


def test_ranking_renders_as_png_without_missing_glyphs() -> None:
    png = _render_strictly(RANKING)
    assert png.startswith(PNG_MAGIC) and len(png) > 5_000


def test_font_covers_every_character_of_the_labels() -> None:
    assert _missing_from_font(RANKING) == set()


def test_same_label_twice_and_a_single_bar() -> None:
    years = Chart("伊春市行政处罚", ("伊春市", "伊春市"), (88300.0, 80000.0), "件")
    one = Chart("只有一个", ("兴隆县",), (215.0,), "件")
    assert _render_strictly(years).startswith(PNG_MAGIC)
    assert _render_strictly(one).startswith(PNG_MAGIC)


def test_engine_ranking_chart_renders(engine: Engine) -> None:
    chart = engine.ask("哪个地方的行政处罚最多？").chart
    if chart is None:
        pytest.fail("the engine gave no chart for a ranking question")
    assert _missing_from_font(chart) == set()
    assert _render_strictly(chart).startswith(PNG_MAGIC)


def test_strict_rendering_does_catch_a_missing_glyph() -> None:
    """The check above would fail on a character the font lacks (a hieroglyph here)."""
    with pytest.raises(UserWarning, match="missing from font"):
        _render_strictly(Chart("缺字", ("\N{EGYPTIAN HIEROGLYPH A001}",), (1.0,), "件"))
