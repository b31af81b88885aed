"""Satisfaction by dimension and item, with trends and branch ranks."""

from __future__ import annotations

from typing import Any

from etl.core.config import SERVICE_DIMENSIONS
from etl.core.scopes import COMPANY
from etl.report import charts
from etl.report.format import (
    ReportView,
    change_marker,
    chart_labels,
    flag_text,
    interval_text,
    n_text,
    rank_text,
    trend_series,
)
from etl.report.i18n import quarter_tick
from etl.report.labels import TREND_QUARTERS


def branch_ranks(report: ReportView, metric: str) -> list[tuple[str, float]]:
    """Branches with a shown figure for `metric`, best first (ties by code)."""
    ranked = []
    for code in report.branch_codes():
        stat = report.stat(metric, code)
        if stat is not None and stat.shown and stat.value is not None:
            ranked.append((code, stat.value))
    return sorted(ranked, key=lambda item: (-item[1], item[0]))


def dimensions_section(report: ReportView) -> dict[str, Any]:
    """Each dimension's score, interval, changes and rank; the index and dimension charts."""
    is_company = report.scope.code == COMPANY
    ticks = [quarter_tick(q, report.language) for q in report.quarter.trailing(TREND_QUARTERS)]
    rows, bars, panels = [], [], []
    for code in SERVICE_DIMENSIONS:
        row = dimension_row(report, code, is_company)
        rows.append(row)
        bars.append(dimension_bar(report, code, row["name"], is_company))
        panels.append(dimension_panel(report, code, row["name"], is_company))
    respondents = report.stat("respondents")
    n_all = respondents.value if respondents and respondents.value is not None else 0
    any_dimension = any(bar.value is not None for bar in bars)
    return {
        "rows": rows,
        "is_company": is_company,
        "index_chart": index_chart(report, ticks, n_all, is_company),
        "bar_chart": dimension_bar_chart(report, bars) if any_dimension else None,
        "trend_chart": dimension_trend_chart(report, ticks, panels, n_all)
        if any_dimension
        else None,
        "items": item_rows(report),
    }


def dimension_row(report: ReportView, code: str, is_company: bool) -> dict[str, Any]:
    """One dimension's table row: score, interval, n, flag, changes, and best/worst or rank."""
    _ = report.gettext
    metric = f"dimension.{code}"
    stat = report.stat(metric)
    ranked = branch_ranks(report, metric)
    shown = bool(stat and stat.shown)
    row: dict[str, Any] = {
        "code": code,
        "name": report.dimension_name(code),
        "shown": shown,
        "value": report.fmt["number"](stat.value, 1) if stat and stat.shown else "—",
        "interval": interval_text(report, stat) if stat and stat.shown else "",
        "n": report.fmt["number"](stat.n if stat else 0, 0),
        "flag": (stat.flag if stat else None) or "",
        "flag_text": flag_text(report, stat),
        "change_prev": change_marker(report, metric, "change_prev", "score"),
        "change_year": change_marker(report, metric, "change_year", "score"),
    }
    if is_company:
        # Best and worst carry their rank interval: a "best" the data do not separate
        # from the next branches says so.
        row["best"] = ranked_branch(report, metric, *ranked[0]) if ranked else "—"
        row["worst"] = ranked_branch(report, metric, *ranked[-1]) if len(ranked) > 1 else "—"
        return row
    row["rank"] = rank_text(report, metric)
    return row


def ranked_branch(report: ReportView, metric: str, code: str, value: float) -> str:
    """`Beijing Branch 73.1 (1–3 of 12)`: the branch, its figure and its rank interval."""
    text = f"{report.scope_name(code)} {report.fmt['number'](value, 1)}"
    rank = rank_text(report, metric, code)
    return text if rank == "—" else f"{text} ({rank})"


def dimension_bar(report: ReportView, code: str, name: str, is_company: bool) -> charts.Bar:
    """The dimension's bar: score with interval, the company's score as reference in a branch."""
    metric = f"dimension.{code}"
    stat = report.stat(metric)
    company = report.stat(metric, COMPANY)
    return charts.Bar(
        label=name,
        value=stat.value if stat and stat.shown else None,
        lower=stat.lower if stat and stat.shown else None,
        upper=stat.upper if stat and stat.shown else None,
        reference=company.value
        if not is_company and company is not None and company.shown
        else None,
        note=(flag_text(report, stat) + " " + n_text(report, stat.n if stat else 0)).strip()
        if not (stat and stat.shown) or (stat and stat.flag == "low_base")
        else n_text(report, stat.n),
    )


def scope_and_company_series(
    report: ReportView, metric: str, is_company: bool
) -> tuple[charts.Series, ...]:
    """The scope's trend, and in a branch report the company's as a reference line."""
    _ = report.gettext
    series = [trend_series(report, report.scope_name(report.scope.code), report.trend(metric))]
    if not is_company:
        series.append(
            trend_series(report, _("Company"), report.trend(metric, COMPANY), reference=True)
        )
    return tuple(series)


def dimension_panel(report: ReportView, code: str, name: str, is_company: bool) -> charts.Panel:
    return charts.Panel(
        title=name, series=scope_and_company_series(report, f"dimension.{code}", is_company)
    )


def index_chart(
    report: ReportView, ticks: list[str], n_all: float, is_company: bool
) -> charts.Chart | None:
    """CSI and NPS over eight quarters, when either has any value."""
    _ = report.gettext
    panels = [
        charts.Panel(
            title=report.metric_label(code),
            series=scope_and_company_series(report, code, is_company),
        )
        for code in ("csi", "nps")
    ]
    if not any(v is not None for panel in panels for s in panel.series for v in s.values):
        return None
    return charts.trend_panels(
        "index-trend",
        _("CSI and NPS over eight quarters"),
        _(
            "CSI 0–100 (axis spans at least 10 points), NPS −100 to 100 (at least 20); "
            "shaded: 95%% interval · %(n)s this quarter"
        )
        % {"n": n_text(report, n_all)},
        ticks,
        panels,
        report.style,
        chart_labels(report),
        columns=2,
        panel_height_in=1.8,
        # The axis-range rule (docs/report.md): CSI spans at least 10 points, NPS 20.
        min_spans=[10.0, 20.0],
    )


def dimension_bar_chart(report: ReportView, bars: list[charts.Bar]) -> charts.Chart:
    _ = report.gettext
    return charts.bar_panels(
        "dimension-bars",
        _("Dimension scores with 95% intervals"),
        _("Score 0–100 · n = respondents who rated the dimension"),
        [charts.BarPanel("", tuple(bars))],
        report.style,
        chart_labels(report, value_axis=_("Score (0–100)")),
        value_limits=(0, 100),
    )


def dimension_trend_chart(
    report: ReportView, ticks: list[str], panels: list[charts.Panel], n_all: float
) -> charts.Chart:
    _ = report.gettext
    return charts.trend_panels(
        "dimension-trend",
        _("Dimension scores over eight quarters"),
        _(
            "Score 0–100, every panel on one scale (at least 10 points); shaded: 95%% "
            "interval · %(n)s this quarter"
        )
        % {"n": n_text(report, n_all)},
        ticks,
        panels,
        report.style,
        chart_labels(report),
        columns=3,
        panel_height_in=2.0,
        # Small multiples on one scale, at least 10 points, inside 0–100.
        min_spans=[10.0] * len(panels),
        bounds=(0.0, 100.0),
        shared=True,
    )


def item_rows(report: ReportView) -> list[dict[str, Any]]:
    """Item-level scores per dimension (`item.<CODE>`); empty when none are stored."""
    groups = []
    for code in SERVICE_DIMENSIONS:
        items = []
        for item in report.bank.items:
            if item.dimension != code:
                continue
            stat = report.stat(f"item.{item.code}")
            if stat is None:
                continue
            items.append(
                {
                    "code": item.code,
                    "text": item.text_zh if report.language == "zh-CN" else item.text_en,
                    "value": report.fmt["number"](stat.value, 1) if stat.shown else "—",
                    "n": report.fmt["number"](stat.n or 0, 0),
                    "flag_text": flag_text(report, stat),
                }
            )
        if items:
            groups.append({"name": report.dimension_name(code), "items": items})
    return groups
