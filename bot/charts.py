"""Draw an answer's chart as a PNG in memory, with Chinese labels in a CJK font.

The font comes with the project's own dependencies (the `mplfonts` package ships Noto Sans CJK
SC), so the chart looks the same on any server without system fonts. Uses the Agg canvas and
a Figure object, not pyplot, so several charts can be drawn at once from worker threads.
"""
from __future__ import annotations

import io
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402  (after choosing the backend)
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

if TYPE_CHECKING:
    from bot.answer import Chart

FONT_FILE = "NotoSansCJKsc-Regular.otf"


def font_path() -> Path:
    """Return the CJK font file that mplfonts installs."""
    return Path(str(files("mplfonts") / "fonts" / FONT_FILE))


@lru_cache(maxsize=1)
def cjk_font_family() -> str:
    """Register the CJK font with matplotlib once and return its family name."""
    path = font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


# Telegram's sendPhoto: width + height at most 10000 px, neither side over 20 times the other,
# at most 10 MB (core.telegram.org/bots/api#sendphoto). At most 20 bars keep a chart far inside
# (960 × 1300 px, about 60 KB) and readable; the rest of a ranking is in the answer's text and /csv.
MAX_BARS = 20
MAX_LABEL = 16  # characters of a bar's name; a longer one ends in …
PHOTO_MAX_SIDES = 10_000
PHOTO_MAX_RATIO = 20
PHOTO_MAX_BYTES = 10 * 1024 * 1024
_DPI = 120
_WIDTH_IN = 8


def render_chart(chart: Chart) -> bytes:
    """Draw a horizontal bar chart (long Chinese names read best down the side) as PNG bytes.

    Over MAX_BARS bars, the first ones are drawn and the title says so (前20名，共185个); the
    chart's source is printed under it.
    """
    family = cjk_font_family()
    count = max(len(chart.labels), chart.total)
    shown = min(len(chart.labels), MAX_BARS)
    labels = [_short(label) for label in reversed(chart.labels[:shown])]
    values = list(reversed(chart.values[:shown]))
    title = chart.title if count <= MAX_BARS else f"{chart.title}（前{MAX_BARS}名，共{count}个）"
    height = 1.2 + 0.45 * max(shown, 1) + (0.35 if chart.source else 0)
    figure = Figure(figsize=(_WIDTH_IN, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    # Positions, not category labels: two bars may share a label (one place, two years).
    positions = range(len(labels))
    bars = axes.barh(positions, values, color="#3b6ea5")
    axes.set_yticks(positions, labels)
    axes.bar_label(bars, labels=[_number(v) for v in values], padding=3, family=family)
    axes.set_title(title, family=family)
    axes.set_xlabel(chart.unit, family=family)
    axes.margins(x=0.15)
    for text in axes.get_yticklabels() + axes.get_xticklabels():
        text.set_family(family)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if chart.source:
        # supxlabel: constrained layout keeps room for it under the axes.
        figure.supxlabel(_wrapped(chart.source), x=0.01, ha="left", fontsize=8, color="#555555", family=family)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def fits_telegram_photo(width: int, height: int, size: int) -> bool:
    """Tell whether Telegram's sendPhoto takes an image of these pixels and bytes."""
    return (width + height <= PHOTO_MAX_SIDES and max(width, height) <= PHOTO_MAX_RATIO * min(width, height)
            and size <= PHOTO_MAX_BYTES)


def _short(label: str) -> str:
    """A bar's name cut in the middle, keeping its end (the year): 某某省某某市…办公室2023."""
    if len(label) <= MAX_LABEL:
        return label
    tail = 7
    return label[: MAX_LABEL - tail - 1] + "…" + label[-tail:]


def _wrapped(text: str, width: int = 60) -> str:
    """Break a long source line every `width` characters (Chinese has no spaces to break at)."""
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


def _number(value: float) -> str:
    """Print 88300.0 as 88300 and 8978.04 as 8978.04, as the report printed it."""
    return f"{value:.10g}"
