"""Charts: specs say what to show; matplotlib draws them once, as inline SVG with text kept."""

from etl.report.charts.plots import bar_panels, quadrant_chart, stacked_bars, trend_panels
from etl.report.charts.specs import (
    PAGE_WIDTH_IN,
    Bar,
    BarPanel,
    Chart,
    ChartStyle,
    Labels,
    Panel,
    QuadrantPoint,
    Series,
    Stack,
)
from etl.report.charts.style import clear_cache, font_families, installed_families, wrap
from etl.report.charts.svg import inline_svg

__all__ = [
    "PAGE_WIDTH_IN",
    "Bar",
    "BarPanel",
    "Chart",
    "ChartStyle",
    "Labels",
    "Panel",
    "QuadrantPoint",
    "Series",
    "Stack",
    "bar_panels",
    "clear_cache",
    "font_families",
    "inline_svg",
    "installed_families",
    "quadrant_chart",
    "stacked_bars",
    "trend_panels",
    "wrap",
]
