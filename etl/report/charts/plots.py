"""The report's charts, drawn with matplotlib from their specs."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from etl.report.charts.specs import (
    _POINT_SIZE,
    Bar,
    BarPanel,
    Chart,
    ChartStyle,
    Labels,
    Panel,
    QuadrantPoint,
    Stack,
)
from etl.report.charts.style import (
    _chart_rc,
    _figure,
    _finish,
    _headline,
    _plot_series,
    memoised,
    wrap,
)
from etl.report.i18n import format_number


def _trend_panel(
    axes: Axes,
    panel: Panel,
    title: str,
    quarters: Sequence[str],
    columns: int,
    style: ChartStyle,
    labels: Labels,
) -> None:
    """One small multiple: its series, target line and quarter axis."""
    axes.set_title(title, fontsize=_POINT_SIZE + 0.5)
    # With more than two lines the last-value labels would run into each other.
    annotate = sum(not series.reference for series in panel.series) <= 2
    for position, series in enumerate(panel.series):
        colour = style.palette[position % len(style.palette)]
        _plot_series(axes, series, colour, style, labels.language, annotate)
    if panel.target is not None:
        axes.axhline(
            panel.target,
            color=style.target,
            linestyle=(0, (1, 1.5)),
            linewidth=1.1,
            label=labels.target,
        )
    # Narrow panels label every other quarter, always including the latest. An unlabelled
    # quarter gets no tick at all: tick marks and vertical grid lines are off, so it would
    # draw nothing, and matplotlib builds five artists per tick (a tenth of a chart's time).
    step = 1 if columns <= 2 else 2
    last = len(quarters) - 1
    labelled = [i for i in range(len(quarters)) if (last - i) % step == 0]
    axes.set_xticks(labelled, [quarters[i] for i in labelled], fontsize=_POINT_SIZE - 1)
    axes.set_xlim(-0.4, len(quarters) - 0.4)
    axes.yaxis.set_major_locator(MaxNLocator(4))
    axes.grid(axis="y", color=style.grid, linewidth=0.5)
    axes.margins(y=0.25)


def value_range(
    panels: Sequence[Panel], min_span: float, bounds: tuple[float, float] | None = None
) -> tuple[float, float] | None:
    """The y-range a set of trend panels shares: every value, interval and target in view,
    widened about its middle to at least `min_span` and kept inside `bounds` (docs/report.md:
    a move of 0.3 points must not fill the axis)."""
    values = [
        value
        for panel in panels
        for series in panel.series
        for column in (series.values, series.lower or (), series.upper or ())
        for value in column
        if value is not None
    ] + [panel.target for panel in panels if panel.target is not None]
    if not values:
        return None
    low, high = min(values), max(values)
    pad = max((high - low) * 0.12, 0.0)
    low, high = low - pad, high + pad
    if high - low < min_span:
        middle = (low + high) / 2
        low, high = middle - min_span / 2, middle + min_span / 2
    if bounds is not None:
        if low < bounds[0]:
            low, high = bounds[0], max(high, bounds[0] + min_span)
        if high > bounds[1]:
            low, high = min(low, bounds[1] - min_span), bounds[1]
    return low, high


def _value_axis(
    axes: Axes,
    panels: Sequence[Panel],
    index: int,
    min_spans: Sequence[float | None] | None,
    bounds: tuple[float, float] | None,
    shared: bool,
) -> None:
    """Panel `index`'s y-range by the axis-range rule (its own, or shared by all panels)."""
    spans = list(min_spans or [None] * len(panels))
    span = max((s for s in spans if s), default=0.0) if shared else (spans[index] or 0.0)
    limits = value_range(panels if shared else [panels[index]], span, bounds)
    if limits is not None and (span or shared):
        axes.set_ylim(*limits)


def _shared_legend(figure: Any, grid: Any, panels: Sequence[Panel]) -> int:
    """One legend under the panels (each label once); returns how many rows it takes."""
    handles: dict[str, Any] = {}
    for axes in grid.flat:
        for handle, label in zip(*axes.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    if not (len(handles) > 1 or any(p.target is not None for p in panels)):
        return 0
    ncol = min(len(handles), 6)
    figure.legend(
        handles.values(), handles.keys(), loc="lower center", ncol=ncol, bbox_to_anchor=(0.5, 0.0)
    )
    return math.ceil(len(handles) / ncol)


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
    min_spans: Sequence[float | None] | None = None,
    bounds: tuple[float, float] | None = None,
    shared: bool = False,
) -> Chart:
    """Eight-quarter trends as small multiples, each with its target line when there is one.

    `min_spans` (one per panel) gives each panel's y-axis at least that span; `shared` puts
    every panel on one y-range (small multiples compared side by side), at least the largest
    span; `bounds` keeps the range inside the scale (0–100).
    """
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
            _trend_panel(axes, panels[index], titles[index], quarters, columns, style, labels)
            _value_axis(axes, panels, index, min_spans, bounds, shared)
        legend_rows = _shared_legend(figure, grid, panels)
        _headline(figure, title, subtitle, style)
        top = 1.0 - (0.5 + 0.13 * extra_lines) / figure.get_figheight()
        # Room under the quarter labels for every row of the legend (no overlap).
        bottom = (0.14 + 0.19 * legend_rows) / figure.get_figheight() if legend_rows else 0.1
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
    value_digits: int = 1,
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
                has_reference |= _draw_bar(axes, position, bar, bars, style, labels, value_digits)
            _bar_axes(axes, panel.title, bars, positions, value_limits, style)
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
        top = 1.0 - 0.5 / figure.get_figheight()
        bottom = 0.4 / figure.get_figheight()
        figure.subplots_adjust(
            left=0.30,
            right=0.97,
            top=top,
            bottom=bottom,
            hspace=_gap(figure, top, bottom, len(panels)),
        )
        return _finish(figure, key, title, subtitle)


def _gap(figure: Any, top: float, bottom: float, count: int, inches: float = 0.62) -> float:
    """matplotlib's hspace for a fixed gap between stacked panels: room for the upper panel's
    tick labels and the lower panel's heading, however short the panels are."""
    if count < 2:
        return 0.0
    total = figure.get_figheight() * (top - bottom)
    height = max((total - inches * (count - 1)) / count, 0.1)
    return inches / height


def _draw_bar(
    axes: Axes,
    position: int,
    bar: Bar,
    bars: Sequence[Bar],
    style: ChartStyle,
    labels: Labels,
    value_digits: int,
) -> bool:
    """One bar with its interval, reference marker and value text; True if it has a reference."""
    colour = style.highlight if bar.highlight else style.palette[0]
    if bar.value is None:
        axes.text(0, position, bar.note or "—", va="center", color=style.muted)
        return False
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
    text = bar.value_text or format_number(bar.value, labels.language, value_digits)
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
    return bar.reference is not None


def _bar_axes(
    axes: Axes,
    title: str | None,
    bars: Sequence[Bar],
    positions: Sequence[int],
    value_limits: tuple[float, float] | None,
    style: ChartStyle,
) -> None:
    """Labels, limits and grid of one bar panel."""
    axes.set_yticks(positions)
    axes.set_yticklabels([wrap(bar.label, 30) for bar in bars])
    if title:
        axes.set_title(title)
    if value_limits:
        axes.set_xlim(*value_limits)
    else:
        top = max([b.upper or b.value or 0 for b in bars] + [1])
        axes.set_xlim(min(0, min([b.value or 0 for b in bars])), top * 1.28)
    axes.grid(axis="x", color=style.grid, linewidth=0.5)
    axes.set_axisbelow(True)
    axes.tick_params(axis="y", length=0)
    axes.set_ylim(-0.6, len(bars) - 0.4)


# Where each quadrant's name sits: axes fraction x, y and its alignment.
QUADRANT_CORNERS = {
    "concentrate_here": (0.02, 0.98, "left", "top"),
    "keep_up": (0.98, 0.98, "right", "top"),
    "low_priority": (0.02, 0.02, "left", "bottom"),
    "possible_overkill": (0.98, 0.02, "right", "bottom"),
}


def _numbered_points(axes: Axes, points: Sequence[QuadrantPoint], style: ChartStyle) -> None:
    """Points carry a number; the legend beside the plot names them (long English names
    would otherwise run into each other and into the quadrant labels)."""
    for position, point in enumerate(points):
        colour = style.palette[position % len(style.palette)]
        axes.plot(
            point.performance,
            point.importance,
            marker="o",
            markersize=6,
            color=colour,
            linestyle="none",
            label=wrap(f"{position + 1}  {point.label}", 26),
        )
        axes.annotate(
            str(position + 1),
            (point.performance, point.importance),
            xytext=(5, 3),
            textcoords="offset points",
            fontsize=_POINT_SIZE,
            color=style.text,
            fontweight="bold",
        )


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
        for quadrant, (x, y, ha, va) in QUADRANT_CORNERS.items():
            axes.text(
                x,
                y,
                wrap(dict(labels.quadrants).get(quadrant, quadrant), 16),
                transform=axes.transAxes,
                ha=ha,
                va=va,
                color=style.muted,
                fontsize=_POINT_SIZE + 0.5,
                fontweight="bold",
            )
        _numbered_points(axes, points, style)
        axes.set_xlabel(labels.x_axis)
        axes.set_ylabel(labels.y_axis)
        axes.grid(color=style.grid, linewidth=0.4)
        axes.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False, numpoints=1)
        _headline(figure, title, subtitle, style)
        figure.subplots_adjust(left=0.09, right=0.70, top=1.0 - 0.5 / 3.6, bottom=0.13)
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
        # A kind with no count anywhere draws nothing, so it gets no legend entry either.
        stacks = [stack for stack in stacks if any(value for value in stack.values)]
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
            axes.text(
                total,
                position,
                "  " + format_number(total, labels.language, 0),
                va="center",
                color=style.text,
            )
        axes.set_yticks(positions)
        axes.set_yticklabels([wrap(category, 30) for category in categories])
        axes.set_xlim(0, max([*left, 1]) * 1.15)
        axes.set_xlabel(labels.value_axis)
        axes.tick_params(axis="y", length=0)
        axes.grid(axis="x", color=style.grid, linewidth=0.5)
        axes.set_axisbelow(True)
        height = figure.get_figheight()
        figure.legend(loc="lower center", ncol=max(1, len(stacks)), bbox_to_anchor=(0.5, 0.0))
        _headline(figure, title, subtitle, style)
        figure.subplots_adjust(left=0.30, right=0.97, top=1.0 - 0.5 / height, bottom=0.62 / height)
        return _finish(figure, key, title, subtitle)
