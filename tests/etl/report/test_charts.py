"""Charts: vector SVG with text kept as text, title/units/n present, same bytes every run."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from etl.report import charts

STYLE = charts.ChartStyle(
    palette=("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7"),
    font_families=charts.font_families("'Noto Sans CJK SC', sans-serif"),
)
LABELS = charts.Labels(
    value_axis="得分（0–100）",
    reference="全公司",
    target="目标",
    quadrants=(("concentrate_here", "重点改进"), ("keep_up", "继续保持")),
    x_axis="表现",
    y_axis="重要性",
)
QUARTERS = ("24Q4", "25Q1", "25Q2", "25Q3", "25Q4", "26Q1", "26Q2", "26Q3")
SERIES = charts.Series(
    "四川分公司",
    (68.7, 69.8, None, 70.8, 71.2, 70.2, 71.2, 70.3),
    (66.7, 67.8, None, 68.8, 69.2, 68.2, 69.2, 68.3),
    (70.7, 71.8, None, 72.8, 73.2, 72.2, 73.2, 72.3),
)
REFERENCE = charts.Series(
    "全公司", (70.9, 70.5, 70.6, 71.1, 71.0, 70.9, 71.2, 71.1), reference=True
)


def _all_charts() -> dict[str, charts.Chart]:
    bars = (
        charts.Bar("理赔服务质量", 61.2, 58.7, 63.8, reference=70.2, note="n = 105"),
        charts.Bar("客户投诉与纠纷处理", None, note="不予显示 n = 12"),
    )
    return {
        "trend": charts.trend_panels(
            "t-trend",
            "近八个季度趋势",
            "得分 0–100 · 本季度 n = 273",
            QUARTERS,
            (charts.Panel("CSI", (SERIES, REFERENCE), target=72.0),),
            STYLE,
            LABELS,
            columns=1,
        ),
        "bars": charts.bar_panels(
            "t-bars",
            "各维度得分",
            "得分 0–100 · n = 273",
            (charts.BarPanel("", bars),),
            STYLE,
            LABELS,
            value_limits=(0, 100),
        ),
        "quadrant": charts.quadrant_chart(
            "t-quadrant",
            "重要性—表现四象限",
            "重要性 % · 表现 0–100 · n = 3,271",
            (
                charts.QuadrantPoint("理赔", 30.0, 70.2),
                charts.QuadrantPoint("售前", 12.0, 74.8),
                charts.QuadrantPoint("增值", 18.0, 66.1),
            ),
            STYLE,
            LABELS,
        ),
        "stacked": charts.stacked_bars(
            "t-stacked",
            "客户反馈主题",
            "条数 · n = 90",
            ("理赔", "投诉"),
            (
                charts.Stack("负面", (10.0, 20.0), "#D55E00"),
                charts.Stack("正面", (30.0, 30.0), "#009E73"),
            ),
            STYLE,
            LABELS,
        ),
    }


@pytest.fixture(scope="module")
def rendered() -> dict[str, charts.Chart]:
    return _all_charts()


@pytest.mark.parametrize(
    ("kind", "title", "units_and_n"),
    [
        ("trend", "近八个季度趋势", "得分 0–100 · 本季度 n = 273"),
        ("bars", "各维度得分", "得分 0–100 · n = 273"),
        ("quadrant", "重要性—表现四象限", "重要性 % · 表现 0–100 · n = 3,271"),
        ("stacked", "客户反馈主题", "条数 · n = 90"),
    ],
)
def test_every_chart_has_title_units_and_n_as_text(
    rendered: dict[str, charts.Chart], kind: str, title: str, units_and_n: str
) -> None:
    svg = str(rendered[kind].svg)
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert title in texts
    assert units_and_n in texts
    # The alternative text tagged PDF uses for the figure says the same.
    assert f"<title>{title}. {units_and_n}</title>" in svg


@pytest.mark.parametrize("kind", ["trend", "bars", "quadrant", "stacked"])
def test_chart_svg_is_inline_ready(rendered: dict[str, charts.Chart], kind: str) -> None:
    svg = str(rendered[kind].svg)
    assert svg.startswith("<svg ")
    assert svg.endswith("</svg>")
    # No prolog, no metadata (matplotlib version, dates), no <style> that would style the page,
    # no style attributes the HTML cascade would read, and no glyphs drawn as paths.
    for absent in ("<?xml", "<!DOCTYPE", "<metadata", "<style", ' style="', "<image"):
        assert absent not in svg
    assert 'font-family="' in svg
    ids = re.findall(r' id="([^"]+)"', svg)
    assert ids and all(identifier.startswith(f"t-{kind}-") for identifier in ids)
    assert len(ids) == len(set(ids))


def test_brand_palette_colours_the_series(rendered: dict[str, charts.Chart]) -> None:
    svg = str(rendered["trend"].svg).lower()
    assert 'stroke="#0072b2"' in svg  # the first palette colour draws the scope's line
    assert 'stroke="#6b7785"' in svg  # the reference line is muted, not a palette colour


def test_text_from_data_is_escaped_and_not_mathtext() -> None:
    chart = charts.bar_panels.__wrapped__(  # type: ignore[attr-defined]
        "t-escape",
        "<script>alert(1)</script>",
        "$x$ & n = 3",
        (charts.BarPanel("", (charts.Bar("<b>A & B</b>", 50.0),)),),
        STYLE,
        LABELS,
    )
    svg = str(chart.svg)
    assert "<script>" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "$x$ &amp; n = 3" in svg  # a dollar sign stays text, no TeX


def test_same_inputs_give_same_svg_and_memoise() -> None:
    first = _all_charts()
    again = {key: chart for key, chart in _all_charts().items()}
    for key in first:
        assert first[key] is again[key]  # cached: a report rendered twice draws once
    uncached = charts.quadrant_chart.__wrapped__(  # type: ignore[attr-defined]
        "t-quadrant",
        first["quadrant"].title,
        first["quadrant"].subtitle,
        (
            charts.QuadrantPoint("理赔", 30.0, 70.2),
            charts.QuadrantPoint("售前", 12.0, 74.8),
            charts.QuadrantPoint("增值", 18.0, 66.1),
        ),
        STYLE,
        LABELS,
    )
    assert str(uncached.svg) == str(first["quadrant"].svg)


def test_same_svg_in_another_process() -> None:
    """No per-process randomness: hash salt fixed, no dates, ids from content."""
    code = (
        "import hashlib, sys; sys.path.insert(0, 'tests/etl/report'); "
        "from test_charts import _all_charts; "
        "print(hashlib.sha256(''.join(str(c.svg) for c in _all_charts().values())"
        ".encode()).hexdigest())"
    )
    root = Path(__file__).resolve().parents[3]
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        for _ in range(2)
    }
    here = hashlib.sha256("".join(str(c.svg) for c in _all_charts().values()).encode()).hexdigest()
    assert outputs == {here}


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        ("'Noto Sans CJK SC', 'Noto Sans', sans-serif", ("Noto Sans CJK SC", "DejaVu Sans")),
        ('"Noto Serif CJK SC", serif', ("Noto Serif CJK SC", "DejaVu Sans")),
        ("'No Such Font'", ("DejaVu Sans",)),
    ],
)
def test_font_families_keep_only_installed_fonts(css: str, expected: tuple[str, ...]) -> None:
    assert charts.font_families(css) == expected


def test_inline_svg_rewrites_a_matplotlib_document() -> None:
    raw = (
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" width="10pt" height="5pt">\n'
        " <metadata><title>Matplotlib</title></metadata>\n"
        ' <defs>\n  <style type="text/css">*{stroke-linejoin: round}</style>\n </defs>\n'
        ' <g id="figure_1">\n  <g id="axes_1"><path id="m1" d="M 0 0" '
        'style="fill: #ffffff; stroke: none"/>'
        '<use xlink:href="#m1" style="stroke: #000000; stroke-width: 0.8"/>'
        '<g clip-path="url(#p9)"><text style="font-size: 8px">  a &lt; b </text></g>'
        '<clipPath id="p9"><rect/></clipPath></g>\n </g>\n</svg>\n'
    )
    # metadata and style gone, style → attributes, the id-only groups unwrapped, only
    # referenced ids kept (prefixed), whitespace between elements dropped, text kept as is
    assert str(charts.inline_svg(raw, "k", "A <b> & C")) == (
        '<svg width="10pt" height="5pt" class="chart" stroke-linejoin="round" '
        'stroke-linecap="butt" xmlns="http://www.w3.org/2000/svg">'
        "<title>A &lt;b&gt; &amp; C</title>"
        '<path d="M 0 0" fill="#ffffff" stroke="none" id="k-m1"/>'
        '<use stroke="#000000" stroke-width="0.8" href="#k-m1"/>'
        '<g clip-path="url(#k-p9)"><text font-size="8px">  a &lt; b </text></g>'
        '<clipPath id="k-p9"><rect/></clipPath></svg>'
    )


def test_no_namespace_prefixes_whatever_was_imported_before() -> None:
    """WeasyPrint's import rewrites ElementTree's prefix registry; charts must not care."""
    import weasyprint.pdf.metadata  # noqa: F401  (registers its XMP prefixes)

    chart = charts.stacked_bars.__wrapped__(  # type: ignore[attr-defined]
        "t-prefix", "t", "n = 1", ("a",), (charts.Stack("s", (1.0,), "#009E73"),), STYLE, LABELS
    )
    svg = str(chart.svg)
    assert svg.startswith("<svg ") and 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert not re.search(r"<[a-z0-9]+:", svg), "prefixed element names are not SVG in HTML"


@pytest.mark.parametrize("alignment", ["left", "center", "right"])
def test_upright_text_is_written_at_its_start_where_matplotlib_placed_it(alignment: str) -> None:
    """No `text-anchor` for the renderer to align again: x is the left end matplotlib laid out."""
    import io

    from etl.report.charts.style import _chart_rc, _figure

    figure = _figure(1.0)
    figure.set_dpi(72)  # display pixels are the SVG's points
    with _chart_rc(STYLE, "t-anchor"):
        label = figure.text(0.5, 0.5, "近八个季度 CSI", ha=alignment, fontsize=8)
        raw = io.StringIO()
        figure.savefig(raw, format="svg")
        left = label.get_window_extent().x0  # matplotlib's own layout
    svg = str(charts.inline_svg(raw.getvalue(), "t-anchor", "alt"))
    (text,) = re.findall(r"<text [^>]*>近八个季度 CSI</text>", svg)
    assert "text-anchor" not in text and "transform" not in text
    assert float(re.search(r' x="([-0-9.e]+)"', text).group(1)) == pytest.approx(left, abs=0.01)


@pytest.mark.parametrize(
    ("text", "family", "size", "weight"),
    [
        ("80", "DejaVu Sans", 8.0, "normal"),
        ("2025-Q4", "DejaVu Sans", 8.0, "normal"),
        ("近八个季度 CSI", "Noto Sans CJK SC", 8.0, "normal"),
        ("近八个季度 CSI", "Noto Sans CJK SC", 10.0, "bold"),
        ("Agyq (n = 412)", "DejaVu Sans", 9.5, "normal"),
    ],
)
def test_a_label_is_measured_once_per_process_as_each_chart_would(
    text: str, family: str, size: float, weight: str
) -> None:
    """One chart's renderer measures; another chart's asks the same and gets the same."""
    from matplotlib.backends.backend_svg import RendererSVG
    from matplotlib.font_manager import FontProperties

    from etl.report.charts.style import _StartAnchoredSVG, _text_size

    prop = FontProperties(family=[family, "DejaVu Sans"], size=size, weight=weight)
    own = RendererSVG(100, 100, io.StringIO()).get_text_width_height_descent(text, prop, False)
    first, second = (_StartAnchoredSVG(100, 100, io.StringIO()) for _ in range(2))
    assert first.get_text_width_height_descent(text, prop, False) == own
    hits = _text_size.cache_info().hits
    assert second.get_text_width_height_descent(text, prop.copy(), False) == own
    assert _text_size.cache_info().hits == hits + 1
    prop.set_size(size + 1)  # a changed property is a new key, not the old answer
    assert first.get_text_width_height_descent(text, prop, False) != own


def _small_multiples() -> object:
    """A drawn figure of six panels, as trend_panels makes them."""
    from etl.report.charts.style import _chart_rc, _figure

    figure = _figure(3.0)
    with _chart_rc(STYLE, "t-apart"):
        for axes in figure.subplots(2, 3).flat:
            axes.plot([1, 2, 3], [71.5, 70.2, 72.8], marker="o", label="CSI")
            axes.set_title("近八个季度")
            axes.axhline(70.0, linestyle="--")
        figure.savefig(io.StringIO(), format="svg")
    return figure


def test_a_drawn_chart_is_freed_without_waiting_for_the_collector() -> None:
    import gc

    from etl.report.charts.style import _take_apart

    def left_after(take_apart: bool) -> int:
        gc.collect()
        gc.disable()
        try:
            figure = _small_multiples()
            if take_apart:
                _take_apart(figure)
            del figure
            return gc.collect()
        finally:
            gc.enable()

    kept, taken_apart = left_after(False), left_after(True)
    assert kept > 5_000  # a cycle holding everything drawn
    assert taken_apart < kept / 10, (taken_apart, kept)


# matplotlib's circle marker of markersize 3.5 (radius 1.75), as its SVG writes it
CIRCLE = (
    "M 0 1.75 C 0.464105 1.75 0.909265 1.565609 1.237437 1.237437 "
    "C 1.565609 0.909265 1.75 0.464105 1.75 0 "
    "C 1.75 -0.464105 1.565609 -0.909265 1.237437 -1.237437 "
    "C 0.909265 -1.565609 0.464105 -1.75 0 -1.75 "
    "C -0.464105 -1.75 -0.909265 -1.565609 -1.237437 -1.237437 "
    "C -1.565609 -0.909265 -1.75 -0.464105 -1.75 0 "
    "C -1.75 0.464105 -1.565609 0.909265 -1.237437 1.237437 "
    "C -0.909265 1.565609 -0.464105 1.75 0 1.75 z"
)


@pytest.mark.parametrize(
    ("shape", "outline", "dot_width"),
    [
        (CIRCLE, None, "4.5"),  # outlined 1 unit, the default: 2 × 1.75 + 1
        (CIRCLE, "0.5", "4"),
        # a diamond is no circle: its corners are moved, as before
        ("M 0 -2 L 2 0 L 0 2 L -2 0 z", None, None),
    ],
)
def test_round_markers_become_round_capped_dots(
    shape: str, outline: str | None, dot_width: str | None
) -> None:
    from xml.etree import ElementTree

    from etl.report.charts.markers import expand_markers

    stroke = f' stroke-width="{outline}"' if outline else ""
    root = ElementTree.fromstring(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        f'<defs><path id="m" d="{shape}" stroke="#0072b2"{stroke}/></defs><g>'
        '<use xlink:href="#m" x="10" y="20" fill="#0072b2" stroke="#0072b2"/>'
        '<use xlink:href="#m" x="30.5" y="40" fill="#0072b2" stroke="#0072b2"/></g></svg>'
    )
    expand_markers(root)
    (path,) = [p for p in root.iter("{http://www.w3.org/2000/svg}path") if p.get("id") is None]
    if dot_width is None:
        assert path.get("d") == (
            "M 10 18 L 12 20 L 10 22 L 8 20 z M 30.5 38 L 32.5 40 L 30.5 42 L 28.5 40 z"
        )
        assert path.get("fill") == "#0072b2"
        return
    assert path.get("d") == "M 10 20 h 0.001 M 30.5 40 h 0.001"
    assert (path.get("fill"), path.get("stroke")) == ("none", "#0072b2")
    assert (path.get("stroke-width"), path.get("stroke-linecap")) == (dot_width, "round")
