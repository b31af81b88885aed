"""Report charts as inline vector SVG: matplotlib with text kept as text, same bytes every run."""

from __future__ import annotations

import io
import math
import re
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache, wraps
from typing import Any, TypeVar
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

import matplotlib
from markupsafe import Markup
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

# Text width of the report page (A4 less 2 × 18 mm margins) in inches.
PAGE_WIDTH_IN = 6.8
_POINT_SIZE = 7.5
_SVG_NS_ATTRIBUTES = {
    "font-size",
    "font-family",
    "font-weight",
    "font-style",
    "text-anchor",
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-miterlimit",
    "stroke-opacity",
    "opacity",
    "clip-path",
}


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
    value_format: str = "{:.1f}"


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


ChartFunction = TypeVar("ChartFunction", bound=Callable[..., "Chart"])
_CACHES: list[Any] = []


def clear_cache() -> None:
    """Forget every memoised chart (benchmarks time a cold chart set per report)."""
    for cached in _CACHES:
        cached.cache_clear()


def memoised(function: ChartFunction) -> ChartFunction:
    """Cache a chart on its (hashable) inputs; lists are taken as tuples.

    A report's HTML is rendered more than once (the archive fingerprints it before the
    final render), and the same inputs must not pay for matplotlib twice.
    """
    cached = lru_cache(maxsize=256)(function)
    _CACHES.append(cached)

    def frozen(value: Any) -> Any:
        return tuple(value) if isinstance(value, list) else value

    @wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Chart:
        return cached(*map(frozen, args), **{k: frozen(v) for k, v in kwargs.items()})

    return wrapper  # type: ignore[return-value]


@cache
def installed_families() -> frozenset[str]:
    """Font family names matplotlib can measure text with."""
    return frozenset(entry.name for entry in font_manager.fontManager.ttflist)


def font_families(css_font_family: str) -> tuple[str, ...]:
    """The brand's CSS font list reduced to families matplotlib has, DejaVu Sans last.

    Unknown families are dropped rather than passed on: matplotlib would warn on every
    text and measure with a fallback font, so labels would not fit.
    """
    names = [part.strip().strip("'\"") for part in css_font_family.split(",")]
    known = [name for name in names if name in installed_families()]
    return (*known, "DejaVu Sans")


@contextmanager
def _chart_rc(style: ChartStyle, key: str) -> Iterator[None]:
    rc = {
        "svg.fonttype": "none",  # text stays text: searchable, and set in the report's font
        "svg.hashsalt": key,  # ids come from the content and this salt, not from chance
        "svg.image_inline": True,
        "text.parse_math": False,  # a "$" in a branch name is text, not TeX
        "font.family": list(style.font_families),
        "font.size": _POINT_SIZE,
        "axes.edgecolor": style.grid,
        "axes.labelcolor": style.text,
        "axes.titlesize": _POINT_SIZE + 0.5,
        "axes.titleweight": "bold",
        "axes.titlecolor": style.text,
        "axes.titlelocation": "left",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": matplotlib.cycler(color=list(style.palette)),
        "xtick.bottom": False,  # tick marks add nodes to draw and nothing to read:
        "ytick.left": False,  # the grid lines carry the scale
        "xtick.color": style.muted,
        "ytick.color": style.muted,
        "xtick.labelcolor": style.text,
        "ytick.labelcolor": style.text,
        "legend.frameon": False,
        "legend.fontsize": _POINT_SIZE,
        "lines.linewidth": 1.6,
        "lines.markersize": 3.5,
    }
    with matplotlib.rc_context(rc):
        yield


def wrap(label: str, width: int) -> str:
    """Break a long label on spaces (English); CJK labels have none and are short enough."""
    return "\n".join(textwrap.wrap(label, width)) if len(label) > width and " " in label else label


def _figure(height_in: float) -> Figure:
    figure = Figure(figsize=(PAGE_WIDTH_IN, height_in))
    FigureCanvasSVG(figure)
    return figure


def _headline(figure: Figure, title: str, subtitle: str, style: ChartStyle) -> None:
    figure.text(
        0.0,
        1.0,
        title,
        ha="left",
        va="top",
        fontsize=_POINT_SIZE + 2,
        color=style.text,
        fontweight="bold",
    )
    figure.text(
        0.0,
        1.0 - 0.17 / figure.get_figheight(),
        subtitle,
        ha="left",
        va="top",
        fontsize=_POINT_SIZE,
        color=style.muted,
    )


_SVG = "http://www.w3.org/2000/svg"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_REFERENCE = re.compile(r"url\(#([^)]+)\)")


def _declarations(style: str) -> list[tuple[str, str]]:
    """`fill: #fff; stroke: none` → [("fill", "#fff"), ("stroke", "none")] for SVG properties."""
    pairs = []
    for declaration in style.split(";"):
        if ":" in declaration:
            name, value = (part.strip() for part in declaration.split(":", 1))
            if name in _SVG_NS_ATTRIBUTES:
                pairs.append((name, value))
    return pairs


def _unwrap_groups(element: ElementTree.Element, referenced: set[str]) -> None:
    """Lift the children of groups that carry nothing but an id into their parent.

    matplotlib nests every tick, line and label in its own `<g id=…>`; the renderer
    draws each node in Python, so the empty wrappers cost time and nothing else.
    """
    children: list[ElementTree.Element] = []
    for child in element:
        _unwrap_groups(child, referenced)
        plain = set(child.attrib) <= {"id"} and child.get("id") not in referenced
        children.extend(list(child) if child.tag == f"{{{_SVG}}}g" and plain else [child])
    element[:] = children


def inline_svg(raw: str, key: str, alt: str) -> Markup:
    """matplotlib's SVG document → an `<svg>` element safe to place in the report HTML.

    Drops the prolog, metadata and the `<style>` block (which would otherwise style the
    whole HTML page), turns style attributes into SVG presentation attributes (the HTML
    cascade would read and warn about them), unwraps empty groups, keeps only the ids
    something refers to, prefixed with the chart key so charts can share a page, and adds
    a `<title>` that tagged PDF uses as the figure's alternative text.
    """
    root = ElementTree.fromstring(raw[raw.index("<svg") :])
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{{{_SVG}}}metadata", f"{{{_SVG}}}style"):
                parent.remove(child)
    referenced: set[str] = set()
    for element in root.iter():
        for name, value in _declarations(element.attrib.pop("style", "")):
            element.set(name, value)
        href = element.get(_XLINK_HREF, "")
        if href.startswith("#"):
            referenced.add(href[1:])
        for value in element.attrib.values():
            referenced.update(_REFERENCE.findall(value))
    _unwrap_groups(root, referenced)
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag == f"{{{_SVG}}}defs" and len(child) == 0:
                parent.remove(child)
    for element in root.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        element.tail = None
        identifier = element.attrib.pop("id", None)
        if identifier in referenced:
            element.set("id", f"{key}-{identifier}")
        # SVG 2's plain `href`: no xlink prefix to declare (ElementTree's prefix registry is
        # global, and WeasyPrint rewrites it on import).
        href = element.attrib.pop(_XLINK_HREF, "")
        if href.startswith("#"):
            element.set("href", f"#{key}-{href[1:]}")
        for name, value in list(element.attrib.items()):
            if "url(#" in value:
                element.set(name, _REFERENCE.sub(lambda m: f"url(#{key}-{m.group(1)})", value))
    title = ElementTree.Element(f"{{{_SVG}}}title")
    title.text = alt
    root.insert(0, title)
    root.set("class", "chart")
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    root.set("xmlns", _SVG)
    return Markup(_serialise(root))


def _serialise(element: ElementTree.Element) -> str:
    """Elements without namespace prefixes, as inline SVG in HTML is written.

    (ElementTree's own writer takes prefixes from a process-wide registry that other
    libraries change, WeasyPrint among them: `ns0:svg` would be no SVG in HTML.)
    """
    name = element.tag.rpartition("}")[2]
    attributes = "".join(f" {key}={quoteattr(value)}" for key, value in element.attrib.items())
    children = "".join(_serialise(child) for child in element)
    text = escape(element.text or "")
    if not children and not text:
        return f"<{name}{attributes}/>"
    return f"<{name}{attributes}>{text}{children}</{name}>"


def _finish(figure: Figure, key: str, title: str, subtitle: str) -> Chart:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    alt = f"{title}. {subtitle}"
    return Chart(
        key=key, title=title, subtitle=subtitle, svg=inline_svg(buffer.getvalue(), key, alt)
    )


def _present(values: Sequence[float | None]) -> list[tuple[int, float]]:
    return [(i, v) for i, v in enumerate(values) if v is not None and math.isfinite(v)]


def _plot_series(axes: Axes, series: Series, colour: str, style: ChartStyle) -> None:
    points = _present(series.values)
    if not points:
        return
    xs = [i for i, _ in points]
    ys = [v for _, v in points]
    if series.reference:
        axes.plot(
            xs, ys, color=style.reference, linestyle=(0, (3, 2)), linewidth=1.1, label=series.label
        )
        return
    if series.lower is not None and series.upper is not None:
        band = [
            (i, lo, hi)
            for i, lo, hi in zip(range(len(series.values)), series.lower, series.upper, strict=True)
            if lo is not None and hi is not None and series.values[i] is not None
        ]
        if band:
            axes.fill_between(
                [b[0] for b in band],
                [b[1] for b in band],
                [b[2] for b in band],
                color=colour,
                alpha=0.15,
                linewidth=0,
            )
    axes.plot(xs, ys, color=colour, marker="o", label=series.label)
    last_x, last_y = points[-1]
    axes.annotate(
        f"{last_y:.1f}",
        (last_x, last_y),
        xytext=(4, 0),
        textcoords="offset points",
        va="center",
        fontsize=_POINT_SIZE,
        color=colour,
    )


@memoised
def trend_panels(
    key: str,
    title: str,
    subtitle: str,
    quarters: Sequence[str],
    panels: Sequence[Panel],
    style: ChartStyle,
    labels: Labels,
    *,
    columns: int = 3,
    panel_height_in: float = 1.55,
) -> Chart:
    """Eight-quarter trends as small multiples, each with its target line when there is one."""
    columns = max(1, min(columns, len(panels)))
    rows = math.ceil(len(panels) / columns)
    titles = [wrap(panel.title, 36 if columns <= 2 else 30) for panel in panels]
    extra_lines = max(title.count("\n") for title in titles)  # wrapped panel titles
    figure = _figure(0.55 + rows * (panel_height_in + 0.14 * extra_lines) + 0.25)
    with _chart_rc(style, key):
        grid = figure.subplots(rows, columns, squeeze=False)
        for index, axes in enumerate(grid.flat):
            if index >= len(panels):
                axes.set_visible(False)
                continue
            panel = panels[index]
            axes.set_title(titles[index], fontsize=_POINT_SIZE + 0.5)
            for position, series in enumerate(panel.series):
                _plot_series(axes, series, style.palette[position % len(style.palette)], style)
            if panel.target is not None:
                axes.axhline(
                    panel.target,
                    color=style.target,
                    linestyle=(0, (1, 1.5)),
                    linewidth=1.1,
                    label=labels.target,
                )
            axes.set_xticks(range(len(quarters)))
            # Narrow panels label every other quarter, always including the latest.
            step = 1 if columns <= 2 else 2
            last = len(quarters) - 1
            axes.set_xticklabels(
                [q if (last - i) % step == 0 else "" for i, q in enumerate(quarters)],
                fontsize=_POINT_SIZE - 1,
            )
            axes.set_xlim(-0.4, len(quarters) - 0.4)
            axes.yaxis.set_major_locator(MaxNLocator(4))
            axes.grid(axis="y", color=style.grid, linewidth=0.5)
            axes.margins(y=0.25)
        handles: dict[str, Any] = {}
        for axes in grid.flat:
            for handle, label in zip(*axes.get_legend_handles_labels(), strict=True):
                handles.setdefault(label, handle)
        if len(handles) > 1 or any(p.target is not None for p in panels):
            figure.legend(
                handles.values(),
                handles.keys(),
                loc="lower center",
                ncol=min(len(handles), 4),
                bbox_to_anchor=(0.5, 0.0),
            )
        _headline(figure, title, subtitle, style)
        top = 1.0 - (0.5 + 0.13 * extra_lines) / figure.get_figheight()
        bottom = 0.33 / figure.get_figheight() if handles else 0.1
        figure.subplots_adjust(
            left=0.07,
            right=0.97,
            top=top,
            bottom=bottom + 0.06,
            hspace=0.75 + 0.2 * extra_lines,
            wspace=0.28,
        )
        return _finish(figure, key, title, subtitle)


@memoised
def bar_panels(
    key: str,
    title: str,
    subtitle: str,
    panels: Sequence[BarPanel],
    style: ChartStyle,
    labels: Labels,
    *,
    value_limits: tuple[float, float] | None = None,
    bar_height_in: float = 0.24,
    value_format: str = "{:.1f}",
) -> Chart:
    """Horizontal bars with 95% intervals, reference markers and notes, in one or more panels."""
    heights = [max(len(panel.bars), 1) for panel in panels]
    figure = _figure(0.7 + sum(heights) * bar_height_in + 0.3 * len(panels))
    with _chart_rc(style, key):
        grid = figure.subplots(
            len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": heights}
        )
        has_reference = False
        for axes, panel in zip(grid[:, 0], panels, strict=True):
            bars = list(panel.bars)
            positions = list(range(len(bars)))[::-1]
            for position, bar in zip(positions, bars, strict=True):
                colour = style.highlight if bar.highlight else style.palette[0]
                if bar.value is None:
                    axes.text(0, position, bar.note or "—", va="center", color=style.muted)
                    continue
                axes.barh(
                    position,
                    bar.value,
                    height=0.62,
                    color=colour,
                    alpha=1.0 if bar.highlight or not any(b.highlight for b in bars) else 0.55,
                )
                if bar.lower is not None and bar.upper is not None:
                    axes.errorbar(
                        bar.value,
                        position,
                        xerr=[[bar.value - bar.lower], [bar.upper - bar.value]],
                        fmt="none",
                        ecolor=style.text,
                        elinewidth=0.8,
                        capsize=2,
                    )
                if bar.reference is not None:
                    has_reference = True
                    axes.plot(
                        bar.reference,
                        position,
                        marker="D",
                        markersize=4,
                        color=style.target,
                        linestyle="none",
                        label=labels.reference,
                    )
                end = max(v for v in (bar.value, bar.upper, bar.reference) if v is not None)
                text = bar.value_text or value_format.format(bar.value)
                if bar.note:
                    text += "  " + bar.note
                axes.annotate(
                    text,
                    (end, position),
                    xytext=(5, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=_POINT_SIZE - 0.5,
                    color=style.text,
                )
            axes.set_yticks(positions)
            axes.set_yticklabels([wrap(bar.label, 30) for bar in bars])
            if panel.title:
                axes.set_title(panel.title)
            if value_limits:
                axes.set_xlim(*value_limits)
            else:
                top = max([b.upper or b.value or 0 for b in bars] + [1])
                axes.set_xlim(min(0, min([b.value or 0 for b in bars])), top * 1.28)
            axes.grid(axis="x", color=style.grid, linewidth=0.5)
            axes.set_axisbelow(True)
            axes.tick_params(axis="y", length=0)
            axes.set_ylim(-0.6, len(bars) - 0.4)
        grid[-1, 0].set_xlabel(labels.value_axis)
        if has_reference:
            handle = grid[0, 0].get_legend_handles_labels()
            if not handle[0]:
                handle = next(
                    a.get_legend_handles_labels()
                    for a in grid[:, 0]
                    if a.get_legend_handles_labels()[0]
                )
            figure.legend(
                handle[0][:1], handle[1][:1], loc="upper right", bbox_to_anchor=(0.99, 1.0)
            )
        _headline(figure, title, subtitle, style)
        figure.subplots_adjust(
            left=0.30,
            right=0.97,
            top=1.0 - 0.5 / figure.get_figheight(),
            bottom=0.4 / figure.get_figheight(),
            hspace=0.55,
        )
        return _finish(figure, key, title, subtitle)


@memoised
def quadrant_chart(
    key: str,
    title: str,
    subtitle: str,
    points: Sequence[QuadrantPoint],
    style: ChartStyle,
    labels: Labels,
) -> Chart:
    """Importance (y) against performance (x), split at the means (Martilla & James)."""
    figure = _figure(3.6)
    with _chart_rc(style, key):
        axes = figure.subplots()
        xs = [p.performance for p in points]
        ys = [p.importance for p in points]
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        span_x = max(max(xs) - min(xs), 2.0)
        span_y = max(max(ys) - min(ys), 2.0)
        axes.set_xlim(min(xs) - 0.35 * span_x, max(xs) + 0.35 * span_x)
        axes.set_ylim(min(ys) - 0.3 * span_y, max(ys) + 0.3 * span_y)
        axes.axvline(mean_x, color=style.muted, linewidth=0.8, linestyle=(0, (3, 2)))
        axes.axhline(mean_y, color=style.muted, linewidth=0.8, linestyle=(0, (3, 2)))
        corners = {
            "concentrate_here": (0.02, 0.98, "left", "top"),
            "keep_up": (0.98, 0.98, "right", "top"),
            "low_priority": (0.02, 0.02, "left", "bottom"),
            "possible_overkill": (0.98, 0.02, "right", "bottom"),
        }
        for quadrant, (x, y, ha, va) in corners.items():
            axes.text(
                x,
                y,
                dict(labels.quadrants).get(quadrant, quadrant),
                transform=axes.transAxes,
                ha=ha,
                va=va,
                color=style.muted,
                fontsize=_POINT_SIZE + 0.5,
                fontweight="bold",
            )
        for position, point in enumerate(points):
            colour = style.palette[position % len(style.palette)]
            axes.plot(
                point.performance,
                point.importance,
                marker="o",
                markersize=6,
                color=colour,
                linestyle="none",
            )
            axes.annotate(
                point.label,
                (point.performance, point.importance),
                xytext=(6, 3),
                textcoords="offset points",
                fontsize=_POINT_SIZE,
                color=style.text,
            )
        axes.set_xlabel(labels.x_axis)
        axes.set_ylabel(labels.y_axis)
        axes.grid(color=style.grid, linewidth=0.4)
        _headline(figure, title, subtitle, style)
        figure.subplots_adjust(left=0.09, right=0.97, top=1.0 - 0.5 / 3.6, bottom=0.13)
        return _finish(figure, key, title, subtitle)


@memoised
def stacked_bars(
    key: str,
    title: str,
    subtitle: str,
    categories: Sequence[str],
    stacks: Sequence[Stack],
    style: ChartStyle,
    labels: Labels,
) -> Chart:
    """Horizontal stacked counts per category (e.g. comment themes by sentiment)."""
    figure = _figure(1.2 + 0.26 * len(categories))
    with _chart_rc(style, key):
        axes = figure.subplots()
        positions = list(range(len(categories)))[::-1]
        left = [0.0] * len(categories)
        for stack in stacks:
            axes.barh(
                positions,
                stack.values,
                left=left,
                height=0.62,
                color=stack.colour,
                label=stack.label,
            )
            left = [a + b for a, b in zip(left, stack.values, strict=True)]
        for position, total in zip(positions, left, strict=True):
            axes.text(total, position, f"  {total:,.0f}", va="center", color=style.text)
        axes.set_yticks(positions)
        axes.set_yticklabels([wrap(category, 30) for category in categories])
        axes.set_xlim(0, max([*left, 1]) * 1.15)
        axes.set_xlabel(labels.value_axis)
        axes.tick_params(axis="y", length=0)
        axes.grid(axis="x", color=style.grid, linewidth=0.5)
        axes.set_axisbelow(True)
        height = figure.get_figheight()
        figure.legend(loc="lower center", ncol=len(stacks), bbox_to_anchor=(0.5, 0.0))
        _headline(figure, title, subtitle, style)
        figure.subplots_adjust(left=0.30, right=0.97, top=1.0 - 0.5 / height, bottom=0.62 / height)
        return _finish(figure, key, title, subtitle)
