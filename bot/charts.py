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


def render_chart(chart: Chart) -> bytes:
    """Draw a horizontal bar chart (long Chinese names read best down the side) as PNG bytes."""
    family = cjk_font_family()
    labels, values = list(reversed(chart.labels)), list(reversed(chart.values))
    figure = Figure(figsize=(8, 1.2 + 0.45 * max(len(labels), 1)), dpi=120, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    # Positions, not category labels: two bars may share a label (one place, two years).
    positions = range(len(labels))
    bars = axes.barh(positions, values, color="#3b6ea5")
    axes.set_yticks(positions, labels)
    axes.bar_label(bars, labels=[_number(v) for v in values], padding=3, family=family)
    axes.set_title(chart.title, family=family)
    axes.set_xlabel(chart.unit, family=family)
    axes.margins(x=0.15)
    for text in axes.get_yticklabels() + axes.get_xticklabels():
        text.set_family(family)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _number(value: float) -> str:
    """Print 88300.0 as 88300 and 8978.04 as 8978.04, as the report printed it."""
    return f"{value:.10g}"
