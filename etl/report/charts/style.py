"""Drawing set-up: fonts, rc parameters, figure frames, headlines, memoised charts."""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache, lru_cache, wraps
from typing import Any, TypeVar

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_mixed import MixedModeRenderer
from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG
from matplotlib.figure import Figure
from matplotlib.textpath import text_to_path

from etl.report.charts.specs import _POINT_SIZE, PAGE_WIDTH_IN, Chart, ChartStyle, Series
from etl.report.charts.svg import inline_svg
from etl.report.i18n import format_number

# Every memoised chart function, so one call can clear them all (tests, a new brand).
_CACHES: list[Any] = []
ChartFunction = TypeVar("ChartFunction", bound=Callable[..., "Chart"])


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
        # A fixed title height: the automatic one measures every tick label of the axes to
        # dodge a top axis these charts never have (same place, a fifth of the drawing time).
        "axes.titley": 1.0,
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


# The demo's 26 reports (13 scopes, two languages) measure 834 distinct labels.
@lru_cache(maxsize=4_096)
def _text_size(s: str, prop: Any, ismath: Any) -> tuple[float, float, float]:
    """Width, height and descent of a text in points, as matplotlib's SVG writer measures it
    (each writer's TextToPath is a fresh one of the same kind, holding nothing that measures)."""
    return text_to_path.get_text_width_height_descent(s, prop, ismath)


class _StartAnchoredSVG(RendererSVG):
    """matplotlib's SVG writer with every upright text placed at its start, as laid out.

    matplotlib measures each label and places it by its alignment, then writes the
    alignment point with `text-anchor: middle` or `end` for the viewer to align again.
    WeasyPrint aligns such a text by drawing it into a PDF form of its own first: a
    chart's 250 centred or right-aligned labels made 250 PDF objects, a sixth of its
    drawing. The start of the text, where matplotlib put it, is the same place.
    """

    def get_text_width_height_descent(self, s: str, prop: Any, ismath: Any) -> Any:
        """A label's size, measured once per process for its text and font.

        matplotlib keeps its measurements per renderer, and every chart has a renderer of
        its own: each chart measured its ticks ("80", "2025-Q4") and names again, an eighth
        of its drawing time. The SVG writer measures at 72 dpi with the font properties
        alone, so a measurement holds for every chart; the properties are copied because
        matplotlib's are mutable and hash by their state.
        """
        return _text_size(s, prop.copy(), ismath)

    def _draw_text_as_text(self, gc: Any, x: float, y: float, s: str, prop: Any,
                           angle: float, ismath: Any, mtext: Any = None) -> None:  # fmt: skip
        super()._draw_text_as_text(gc, x, y, s, prop, angle, ismath, None if angle == 0 else mtext)


class _ChartCanvas(FigureCanvasSVG):
    """FigureCanvasSVG.print_svg with the start-anchored writer (into a text buffer)."""

    # print_figure also passes dpi, facecolor, edgecolor and orientation, which matplotlib
    # drops for its own print_svg (the figure's own colours apply) and for this one here.
    def print_svg(self, filename: Any, *, bbox_inches_restore: Any = None,
                  metadata: Any = None, **_: Any) -> None:  # fmt: skip
        dpi = self.figure.dpi
        self.figure.dpi = 72
        width, height = self.figure.get_size_inches()
        renderer = MixedModeRenderer(
            self.figure, width, height, dpi,
            _StartAnchoredSVG(width * 72, height * 72, filename, image_dpi=dpi, metadata=metadata),
            bbox_inches_restore=bbox_inches_restore,
        )  # fmt: skip
        self.figure.draw(renderer)
        renderer.finalize()


def _figure(height_in: float) -> Figure:
    figure = Figure(figsize=(PAGE_WIDTH_IN, height_in))
    _ChartCanvas(figure)
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


def _finish(figure: Figure, key: str, title: str, subtitle: str) -> Chart:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    _take_apart(figure)
    alt = f"{title}. {subtitle}"
    return Chart(
        key=key, title=title, subtitle=subtitle, svg=inline_svg(buffer.getvalue(), key, alt)
    )


def _take_apart(figure: Figure) -> None:
    """Empty every artist of a drawn figure, so that it is freed without the cycle collector.

    Each artist holds its axes and figure, and they hold it: a chart of small multiples is
    one cycle of 2,000 objects holding 10,000 more (transforms, paths, callbacks), and a
    report's charts were two thirds of what the collector still had to walk after it. The
    figure is written once and dropped; emptied, its objects go as their last reference does.
    """
    for artist in figure.findobj(include_self=True):
        vars(artist).clear()


def _present(values: Sequence[float | None]) -> list[tuple[int, float]]:
    return [(i, v) for i, v in enumerate(values) if v is not None and math.isfinite(v)]


def _plot_series(
    axes: Axes,
    series: Series,
    colour: str,
    style: ChartStyle,
    language: str,
    annotate: bool = True,
) -> None:
    points = _present(series.values)
    if not points:
        return
    # Every quarter on the axis, a missing one as NaN: the line breaks at a gap instead of
    # joining two quarters across a suppressed one.
    xs = list(range(len(series.values)))
    present = dict(points)
    ys = [present.get(i, math.nan) for i in xs]
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
    if not annotate:
        return
    last_x, last_y = points[-1]
    axes.annotate(
        format_number(last_y, language, 1),
        (last_x, last_y),
        xytext=(4, 0),
        textcoords="offset points",
        va="center",
        fontsize=_POINT_SIZE,
        color=colour,
    )
