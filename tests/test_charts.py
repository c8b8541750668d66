"""Charts are PNGs whose Chinese labels are drawn in the CJK font the project installs."""
from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.text import Text

from bot.answer import Chart
from bot.charts import MAX_BARS, cjk_font_family, fits_telegram_photo, font_path, render_chart

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


# -- within Telegram's photo limits, whatever the ranking's length


def _size(png: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return image.size


@pytest.mark.parametrize("bars", [1, 20, 21, 185, 3000])
def test_a_long_ranking_draws_twenty_bars_and_says_so(bars: int) -> None:
    labels = tuple(f"某某省某某市第{i}县人民政府办公室2023" for i in range(bars))
    chart = Chart("本年新收政府信息公开申请数量排名", labels, tuple(float(bars - i) for i in range(bars)), "件",
                  source="来源：政府信息公开工作年度报告的表三（依申请公开）「本年新收政府信息公开申请数量」")
    png = _render_strictly(chart)
    width, height = _size(png)
    assert fits_telegram_photo(width, height, len(png)), (width, height, len(png))
    assert height <= 1400 and len(png) < 500_000
    texts = _drawn_texts(chart)
    said = f"前{MAX_BARS}名，共{bars}个"
    assert (said in " ".join(texts)) == (bars > MAX_BARS)
    assert sum(1 for t in texts if t.endswith("2023")) == min(bars, MAX_BARS)  # names keep their year
    assert any(t.startswith("来源：") for t in texts)


def _drawn_texts(chart: Chart) -> list[str]:
    """The texts a chart draws, read back from the figure (render_chart with the figure kept)."""
    from matplotlib.figure import Figure

    kept: list[Figure] = []
    original = Figure.savefig

    def keep(self, *args, **kwargs):
        kept.append(self)
        return original(self, *args, **kwargs)

    Figure.savefig = keep
    try:
        render_chart(chart)
    finally:
        Figure.savefig = original
    drawn = {id(t): t for t in kept[0].findobj(Text) if t.get_visible() and t.get_text()}
    return [t.get_text() for t in drawn.values()]


def test_telegram_photo_limits() -> None:
    assert fits_telegram_photo(960, 1300, 100_000)
    assert not fits_telegram_photo(960, 10_134, 100_000)  # the 185-bar chart before the limit
    assert not fits_telegram_photo(100, 2_001, 1_000)  # ratio over 20
    assert not fits_telegram_photo(960, 1300, 11 * 1024 * 1024)


@pytest.mark.parametrize(("question", "bars", "title"), [
    ("哪个地方的行政处罚最多？", 5, "排名"),
    ("伊春市、兴隆县、色达县哪个行政处罚最多", 3, "排名"),
    ("伊春市和兴隆县哪个行政处罚多？", 2, "对比"),
    ("伊春市、兴隆县和色达县的行政处罚分别是多少", 3, "对比"),
    ("伊春市行政处罚比上年变化多少？", 2, "变化"),
])
def test_each_comparison_ranking_and_change_has_a_sourced_chart(engine: Engine, tmp_path, question: str, bars: int,
                                                                title: str) -> None:
    from tests.auxil.reports import YICHUN

    earlier = tmp_path / "yichun-2022.txt"  # the same body a year before: a change to draw
    earlier.write_text(YICHUN.replace("2023", "2022").replace("88300", "80000"), encoding="utf-8")
    engine.load(earlier)
    chart = engine.ask(question).chart
    assert chart is not None, question
    assert title in chart.title and len(chart.labels) == bars, chart
    assert chart.source.startswith("来源：") and "表二（主动公开）「行政处罚" in chart.source
    png = _render_strictly(chart)
    assert fits_telegram_photo(*_size(png), len(png))


def test_a_ranking_over_many_reports_says_how_many_it_left_out(tmp_path) -> None:
    """The answer keeps only the first 20 values for its chart; the chart still says of how many."""
    from benchmarks.synthetic import generate
    from bot.engine import Engine

    generate(tmp_path / "in", 60, seed=3, broken_share=0.0)
    engine = Engine.open(tmp_path / "r.db")
    try:
        loaded = [o for _, o in engine.load_many(sorted((tmp_path / "in").iterdir())) if not isinstance(o, Exception)]
        chart = engine.ask("哪个地方行政处罚最多？").chart
    finally:
        engine.close()
    assert chart is not None and len(chart.labels) == MAX_BARS and chart.total > MAX_BARS
    assert chart.total <= len(loaded)
    texts = _drawn_texts(chart)
    assert f"前{MAX_BARS}名，共{chart.total}个" in " ".join(texts)
    png = _render_strictly(chart)
    assert fits_telegram_photo(*_size(png), len(png))
