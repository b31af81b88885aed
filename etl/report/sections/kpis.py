"""Operational KPIs against their targets, and the service grade's groups."""

from __future__ import annotations

from typing import Any

from etl.core.metrics import KPIS, LINKAGE_GROUPS, SPECS, MetricSpec
from etl.report import charts
from etl.report.format import ReportView, chart_labels, flag_text, n_text, trend_series
from etl.report.i18n import quarter_tick
from etl.report.labels import GRADE_GROUPS, KPI_PANELS, RAG, TREND_QUARTERS
from etl.report.sections.summary import grade_tile


def kpi_row(report: ReportView, spec: MetricSpec) -> dict[str, Any] | None:
    _ = report.gettext
    stat = report.stat(spec.code)
    if stat is None:
        return None
    rag = report.stat(f"rag.{spec.code}")
    previous = report.stat(spec.code, quarter=str(report.quarter.previous()))
    change = "—"
    if stat.shown and previous is not None and previous.shown and previous.value is not None:
        change = report.format_difference(spec.unit, stat.value - previous.value)  # type: ignore[operator]
    status = rag.note if rag is not None and rag.note in RAG else "none"
    return {
        "code": spec.code,
        "label": report.metric_label(spec.code),
        "value": report.format(spec.unit, stat.value) if stat.shown else "—",
        "note": flag_text(report, stat),
        "n": report.fmt["number"](stat.n, 0) if stat.n is not None else "—",
        "target": report.format(spec.unit, rag.value) if rag is not None else "—",
        "status": status,
        "status_label": _(RAG[status]) if status in RAG else "",
        "change": change,
    }


def kpis_section(report: ReportView) -> dict[str, Any]:
    """Every KPI against its target, their trends, and satisfaction by operational experience."""
    _ = report.gettext
    rows = []
    missing = []
    with_target: list[charts.Panel] = []
    without_target: list[charts.Panel] = []
    for spec in KPIS:
        row = kpi_row(report, spec)
        if row is None:
            missing.append(report.metric_label(spec.code))
            continue
        rows.append(row)
        panel = kpi_panel(report, spec)
        if panel is not None:
            (without_target if panel.target is None else with_target).append(panel)
    # The chart is about targets: KPIs that have one, else the first six with a history.
    panels = with_target[:KPI_PANELS] if with_target else without_target[:6]
    linkage_panels, linkage_rows = linkage(report)
    return {
        "available": bool(rows),
        "rows": rows,
        "missing": missing,
        "trend_chart": kpi_trend_chart(report, panels) if panels else None,
        "linkage_chart": linkage_chart(report, linkage_panels)
        if any(bar.value is not None for panel in linkage_panels for bar in panel.bars)
        else None,
        "linkage_rows": linkage_rows,
        "grade": grade_tile(report),
        "grade_groups": grade_groups(report),
        "subscores": subscore_rows(report),
        "surrender_basis": surrender_basis(report),
    }


def kpi_panel(report: ReportView, spec: MetricSpec) -> charts.Panel | None:
    """A KPI's eight-quarter trend with its target line; None with fewer than two values."""
    _ = report.gettext
    history = report.trend(spec.code)
    if sum(1 for stat in history if stat is not None and stat.shown) < 2:
        return None
    scale = 100.0 if spec.unit == "rate" else 1.0
    rag = report.stat(f"rag.{spec.code}")
    unit = {"rate": "%", "days": _("days")}.get(spec.unit, "")
    return charts.Panel(
        title=report.metric_label(spec.code) + (f" ({unit})" if unit else ""),
        series=(trend_series(report, report.scope_name(report.scope.code), history, scale=scale),),
        target=None if rag is None or rag.value is None else rag.value * scale,
    )


def kpi_trend_chart(report: ReportView, panels: list[charts.Panel]) -> charts.Chart:
    _ = report.gettext
    ticks = [quarter_tick(q, report.language) for q in report.quarter.trailing(TREND_QUARTERS)]
    return charts.trend_panels(
        "kpi-trend",
        _("KPIs over eight quarters against their targets"),
        _(
            "Rates in %%, cycle times in days, complaints per 10,000 policies · dotted "
            "line: target · n in the KPI table"
        )
        % {},
        ticks,
        panels,
        report.style,
        chart_labels(report),
        columns=3,
    )


def linkage(report: ReportView) -> tuple[list[charts.BarPanel], list[dict[str, Any]]]:
    """Satisfaction by claim cycle band and by complaint history: bars and table rows."""
    _ = report.gettext
    panels = []
    rows = []
    for group_label, bands in LINKAGE_GROUPS:
        bars = []
        for metric, label in bands:
            stat = report.stat(metric)
            if stat is None:
                continue
            shown = stat.shown
            bars.append(
                charts.Bar(
                    label=_(label),
                    value=stat.value if shown else None,
                    lower=stat.lower if shown else None,
                    upper=stat.upper if shown else None,
                    note=n_text(report, stat.n)
                    if shown
                    else (flag_text(report, stat) + " " + n_text(report, stat.n)).strip(),
                )
            )
            rows.append(
                {
                    "group": _(group_label),
                    "label": _(label),
                    "value": report.fmt["number"](stat.value, 1) if shown else "—",
                    "n": report.fmt["number"](stat.n or 0, 0),
                    "flag_text": flag_text(report, stat),
                }
            )
        if bars:
            panels.append(charts.BarPanel(_(group_label), tuple(bars)))
    return panels, rows


def linkage_chart(report: ReportView, panels: list[charts.BarPanel]) -> charts.Chart:
    _ = report.gettext
    return charts.bar_panels(
        "linkage",
        _("Satisfaction by claim cycle time and complaint experience"),
        _("Mean overall satisfaction of the respondents in each group, 0–100 · n per bar"),
        panels,
        report.style,
        chart_labels(report, value_axis=_("Overall satisfaction (0–100)")),
        value_limits=(0, 100),
    )


def grade_groups(report: ReportView) -> list[dict[str, str]]:
    """The grade's component scores (`service_grade.group.<group>`), where stored."""
    _ = report.gettext
    rows = []
    for code, label in GRADE_GROUPS:
        stat = report.stat(f"service_grade.group.{code}")
        if stat is not None and stat.value is not None:
            rows.append({"label": _(label), "score": report.fmt["number"](stat.value, 1)})
    return rows


def subscore_rows(report: ReportView) -> list[dict[str, str]]:
    """Each KPI's sub-score with its value, the line it is scored on and where that comes from.

    `service_grade.kpi.<metric>` stores the sub-score, lower_bound = the value scoring 0,
    upper_bound = the value scoring 100, flag = target | configured.
    """
    _ = report.gettext
    groups = dict(GRADE_GROUPS)
    config = dict(report.settings.raw.get("grading", {}).get("kpis", {}))
    rows = []
    for metric in report.results.metrics(report.q, report.scope.code, "service_grade.kpi."):
        stat = report.stat(metric)
        code = metric.removeprefix("service_grade.kpi.")
        spec = SPECS.get(code)
        kpi = report.stat(code)
        if stat is None or stat.value is None or spec is None:
            continue
        group_label = groups.get(str(config.get(code, {}).get("group")), "")
        rows.append(
            {
                "label": report.metric_label(spec.code),
                "group": _(group_label) if group_label else "—",
                "value": report.format(spec.unit, kpi.value) if kpi and kpi.shown else "—",
                "zero": report.format(spec.unit, stat.lower),
                "full": report.format(spec.unit, stat.upper),
                "source": _("from the target") if stat.flag == "target" else _("configured"),
                "subscore": report.fmt["number"](stat.value, 1),
            }
        )
    return rows


def surrender_basis(report: ReportView) -> str:
    """Which surrender-rate definition the figure used, read from its stored note."""
    _ = report.gettext
    stat = report.stat("surrender_rate")
    if stat is None or not stat.note:
        return ""
    if stat.note.startswith("count"):
        return _(
            "Surrender rate on the count basis: policies surrendered in the quarter ÷ "
            "policies in force at quarter start (reserves are not held in the warehouse)."
        )
    return _(
        "Surrender rate on the reserve basis: surrender payments in the quarter ÷ (reserves "
        "at quarter start + premium written in the quarter)."
    )
