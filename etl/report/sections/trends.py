"""Segment trends: branch × quarter matrices of CSI and NPS, channel and product-line trends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from etl.core.scopes import COMPANY
from etl.report import charts
from etl.report.format import ReportView, chart_labels
from etl.report.i18n import quarter_tick
from etl.report.labels import TREND_QUARTERS

# Trend axes span at least this much (docs/report.md: the axis-range rule), so a move of
# a few tenths of a point does not fill the panel.
MIN_SPAN = {"csi": 10.0, "nps": 20.0}


def matrix_cell(report: ReportView, metric: str, scope: str, quarter: str) -> dict[str, str]:
    """One cell: the value, ▲/▼ when the change on the quarter before is significant."""
    stat = report.stat(metric, scope, quarter)
    if stat is None or not stat.shown or stat.value is None:
        return {"text": "—", "mark": "", "class": "missing"}
    change = report.stat(f"{metric}.change_prev", scope, quarter)
    mark = {"up": "▲", "down": "▼"}.get(change.flag or "", "") if change is not None else ""
    classes = [f"move-{change.flag}" if mark and change is not None else ""]
    if stat.flag == "low_base":
        classes.append("low-base")
    return {
        "text": report.fmt["number"](stat.value, 1),
        "mark": mark,
        "class": " ".join(c for c in classes if c),
    }


def trend_matrix(
    report: ReportView, metric: str, codes: Sequence[str], with_company: bool = True
) -> dict[str, Any]:
    """Rows of scopes × the last eight quarters of one figure, significant moves marked."""
    quarters = [str(q) for q in report.quarter.trailing(TREND_QUARTERS)]
    scopes = ([COMPANY] if with_company else []) + list(codes)
    rows = [
        {
            "name": report.scope_name(code),
            "highlight": code == report.scope.code,
            "company": code == COMPANY,
            "cells": [matrix_cell(report, metric, code, q) for q in quarters],
        }
        for code in scopes
    ]
    return {
        "metric": metric,
        "label": report.metric_label(metric),
        "quarters": [quarter_tick(report.quarter.trailing(TREND_QUARTERS)[i], report.language)
                     for i in range(len(quarters))],
        "rows": [row for row in rows if any(cell["text"] != "—" for cell in row["cells"])],
    }  # fmt: skip


def segment_series(report: ReportView, metric: str, codes: Sequence[str]) -> list[charts.Series]:
    """One line per segment (no interval bands: several lines share the panel)."""
    series = []
    for code in codes:
        values = tuple(
            stat.value if stat is not None and stat.shown else None
            for stat in report.trend(metric, code)
        )
        if sum(value is not None for value in values) >= 2:
            series.append(charts.Series(label=report.scope_name(code), values=values))
    return series


def segment_trend_chart(
    report: ReportView, key: str, title: str, codes: Sequence[str]
) -> charts.Chart | None:
    """CSI and NPS of each channel (or product line) over eight quarters, on one scale each."""
    _ = report.gettext
    panels = [
        charts.Panel(title=report.metric_label(metric), series=tuple(series))
        for metric in ("csi", "nps")
        if (series := segment_series(report, metric, codes))
    ]
    if not panels:
        return None
    ticks = [quarter_tick(q, report.language) for q in report.quarter.trailing(TREND_QUARTERS)]
    return charts.trend_panels(
        key,
        title,
        _(
            "CSI 0–100 (axis spans at least 10 points), NPS −100 to 100 (at least 20) · "
            "quarters whose segment has fewer than %(n)s respondents are left out"
        )
        % {"n": report.settings.suppression["suppress_below"]},
        ticks,
        panels,
        report.style,
        chart_labels(report),
        columns=2,
        panel_height_in=1.6,
        min_spans=[MIN_SPAN["csi"], MIN_SPAN["nps"]][: len(panels)],
    )


def trends_section(report: ReportView) -> dict[str, Any]:
    """The segment trends the segments chapter shows after this quarter's tables."""
    _ = report.gettext
    own = report.scope.kind == "branch"
    scope_name = report.scope_name(report.scope.code)
    channels = report.segment_codes("channel")
    products = report.segment_codes("product")
    branches = report.branch_codes()
    return {
        "branch_matrices": [trend_matrix(report, m, branches) for m in ("csi", "nps")]
        if branches
        else [],
        "branch_caption": _(
            "Every branch, for comparison; %(scope)s is highlighted. ▲/▼: significant change "
            "on the quarter before (95%%, after the false-discovery-rate correction)."
        )
        % {"scope": scope_name}
        if own
        else _(
            "▲/▼: significant change on the quarter before (95%, after the false-discovery-rate "
            "correction); “—”: suppressed or not computed."
        ),
        "channel_chart": segment_trend_chart(
            report,
            "channel-trend",
            _("%(scope)s by channel over eight quarters") % {"scope": scope_name},
            channels,
        ),
        "product_chart": segment_trend_chart(
            report,
            "product-trend",
            _("%(scope)s by product line over eight quarters") % {"scope": scope_name},
            products,
        ),
        "channel_matrix": trend_matrix(report, "csi", channels, with_company=not own),
        "segment_note": _(
            "A branch's own channels and product lines are shown without significance marks: "
            "their bases are small and they are not tested."
        )
        if own
        else "",
    }
