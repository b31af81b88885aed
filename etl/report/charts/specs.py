"""Chart specs: what a chart shows (series, panels, bars, points, labels) and its style."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

# Text width of the report page (A4 less 2 × 18 mm margins) in inches.
PAGE_WIDTH_IN = 6.8


_POINT_SIZE = 7.5


@dataclass(frozen=True)
class ChartStyle:
    """Colours and fonts of the brand, as the charts use them."""

    palette: tuple[str, ...]
    font_families: tuple[str, ...]
    text: str = "#1F2933"
    muted: str = "#6B7785"
    grid: str = "#D5DCE2"
    reference: str = "#6B7785"
    target: str = "#D55E00"
    highlight: str = "#0072B2"


@dataclass(frozen=True)
class Chart:
    """One rendered chart: its key (unique in a report), title, alt text and inline SVG."""

    key: str
    title: str
    subtitle: str
    svg: Markup

    @property
    def alt(self) -> str:
        return f"{self.title}. {self.subtitle}"


@dataclass(frozen=True)
class Series:
    """A line over the report's quarters; None marks a quarter without a (shown) figure."""

    label: str
    values: tuple[float | None, ...]
    lower: tuple[float | None, ...] | None = None
    upper: tuple[float | None, ...] | None = None
    reference: bool = False  # a comparison line (e.g. the company), drawn muted and dashed


@dataclass(frozen=True)
class Panel:
    """One small multiple of a trend chart, optionally with a target line."""

    title: str
    series: tuple[Series, ...]
    target: float | None = None


@dataclass(frozen=True)
class Bar:
    """A horizontal bar with an optional interval, reference marker and end note."""

    label: str
    value: float | None
    lower: float | None = None
    upper: float | None = None
    reference: float | None = None
    note: str = ""
    highlight: bool = False
    value_text: str | None = None


@dataclass(frozen=True)
class BarPanel:
    """A group of bars with its own heading (one panel of a bar chart)."""

    title: str
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class QuadrantPoint:
    """A dimension in the importance–performance plane."""

    label: str
    importance: float
    performance: float


@dataclass(frozen=True)
class Stack:
    """One segment kind of a stacked bar chart (e.g. negative comments)."""

    label: str
    values: tuple[float, ...]
    colour: str


@dataclass(frozen=True)
class Labels:
    """Axis and legend words a chart needs, already translated by the caller."""

    value_axis: str = ""
    reference: str = ""
    target: str = ""
    quadrants: tuple[tuple[str, str], ...] = ()  # (quadrant code, label)
    x_axis: str = ""
    y_axis: str = ""
    language: str = "en"  # numbers printed in the chart are formatted for it (Babel)
