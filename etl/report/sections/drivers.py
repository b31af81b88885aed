"""Key drivers: importance, performance quadrants and the PLS path model."""

from __future__ import annotations

from typing import Any

from etl.core.config import SERVICE_DIMENSIONS
from etl.report import charts
from etl.report.format import ReportView, chart_labels, flag_text, interval_text, n_text
from etl.report.labels import QUADRANTS, UNDETERMINED
from etl.report.results import Stat


def drivers_section(report: ReportView) -> dict[str, Any]:
    """Relative importance per dimension, the quadrant chart, and the PLS path model."""
    rows = []
    points = []
    for code in SERVICE_DIMENSIONS:
        importance = report.stat(f"drivers.{code}.importance")
        if importance is None:
            continue
        rows.append(driver_row(report, code, importance))
        score = report.stat(f"dimension.{code}")
        shown = importance.shown and importance.value is not None
        if shown and score is not None and score.shown and score.value is not None:
            points.append(
                charts.QuadrantPoint(report.dimension_name(code), importance.value, score.value)
            )
    r_squared = report.stat("drivers.r_squared")
    # The n behind a pairwise analysis is its smallest pair, not the respondent count.
    min_pair = report.stat("drivers.min_pair_n")
    listwise = report.stat("drivers.listwise_n")
    dimensions = report.stat("drivers.dimensions")
    n = int(min_pair.value) if min_pair is not None and min_pair.value is not None else None
    return {
        "available": any(row["importance"] != "—" for row in rows),
        "rows": rows,
        "chart": quadrant(report, points, n) if len(points) >= 2 else None,
        "r_squared": report.fmt["number"](r_squared.value, 2)
        if r_squared is not None and r_squared.value is not None
        else None,
        "n": report.fmt["number"](n, 0) if n else None,
        "listwise_n": report.fmt["number"](listwise.value, 0)
        if listwise is not None and listwise.value is not None
        else "—",
        "dimension_count": report.fmt["number"](dimensions.value, 0)
        if dimensions is not None and dimensions.value is not None
        else "—",
        **pls_model(report),
    }


def driver_row(report: ReportView, code: str, importance: Stat) -> dict[str, Any]:
    """One dimension's importance, interval, score and quadrant (or why it is not shown)."""
    _ = report.gettext
    if not importance.shown or importance.value is None:
        return {
            "name": report.dimension_name(code),
            "importance": "—",
            "interval": "",
            "impact": "—",
            "incidence": "—",
            "score": "—",
            "quadrant": "",
            "quadrant_label": flag_text(report, importance),
        }
    impact = report.stat(f"drivers.{code}.impact")
    incidence = report.stat(f"drivers.{code}.incidence")
    quadrant_row = report.stat(f"drivers.{code}.quadrant")
    score = report.stat(f"dimension.{code}")
    quadrant_code = quadrant_row.note if quadrant_row is not None else None
    return {
        "name": report.dimension_name(code),
        "importance": report.fmt["number"](importance.value, 1) + "%",
        "interval": interval_text(report, importance),
        "impact": report.fmt["number"](impact.value, 1) + "%"
        if impact is not None and impact.value is not None
        else "—",
        "incidence": report.fmt["percent"](incidence.value, 0)
        if incidence is not None and incidence.value is not None
        else "—",
        "score": report.fmt["number"](score.value, 1) if score and score.shown else "—",
        "quadrant": quadrant_code or "",
        "quadrant_label": _(QUADRANTS[quadrant_code])
        if quadrant_code in QUADRANTS
        else _(UNDETERMINED)
        if quadrant_code == "undetermined"
        else "—",
    }


def quadrant(report: ReportView, points: list[charts.QuadrantPoint], n: int | None) -> charts.Chart:
    """The importance–performance chart, split at the means."""
    _ = report.gettext
    return charts.quadrant_chart(
        "quadrant",
        _("Importance–performance quadrants"),
        _(
            "Importance: relative weight, %% · performance: score 0–100 · split at the means · "
            "smallest pair %(n)s"
        )
        % {"n": n_text(report, n)},
        points,
        report.style,
        chart_labels(
            report,
            quadrants=tuple((key, _(label)) for key, label in QUADRANTS.items()),
            x_axis=_("Performance: dimension score (0–100)"),
            y_axis=_("Importance: relative weight (%)"),
        ),
    )


def pls_model(report: ReportView) -> dict[str, Any]:
    """The PLS index, its paths with intervals, R² and n."""
    paths = []
    for metric in report.results.metrics(report.q, report.scope.code, "pls.path."):
        stat = report.stat(metric)
        parts = metric.removeprefix("pls.path.").split(".")
        if stat is None or stat.value is None or len(parts) != 2:
            continue
        paths.append(
            {
                "source": pls_name(report, parts[0]),
                "target": pls_name(report, parts[1]),
                "value": report.fmt["number"](stat.value, 3),
                "interval": interval_text(report, stat, digits=3),
            }
        )
    pls = report.stat("csi.pls")
    pls_r2 = report.stat("pls.r_squared.sat")
    excluded = report.stat("pls.n_excluded")
    return {
        "pls_excluded": report.fmt["number"](excluded.value, 0)
        if excluded is not None and excluded.value is not None
        else "—",
        "pls_unavailable": pls is not None and not pls.shown,
        "touchpoints": touchpoint_rows(report),
        "pls_index": report.fmt["number"](pls.value, 1) if pls is not None and pls.shown else None,
        "pls_interval": interval_text(report, pls) if pls is not None and pls.shown else "",
        "paths": paths,
        "pls_r_squared": report.fmt["number"](pls_r2.value, 2)
        if pls_r2 is not None and pls_r2.value is not None
        else None,
        "pls_n": report.fmt["number"](pls.n, 0) if pls is not None and pls.n else None,
    }


def touchpoint_rows(report: ReportView) -> list[dict[str, str]]:
    """Each touchpoint's effect among its users, its incidence and their product (impact)."""
    rows = []
    number = report.fmt["number"]
    for code in SERVICE_DIMENSIONS:
        impact = report.stat(f"pls.touchpoint.{code}.impact")
        effect = report.stat(f"pls.touchpoint.{code}.effect")
        incidence = report.stat(f"pls.touchpoint.{code}.incidence")
        if impact is None:
            continue
        shown = impact.shown and effect is not None and incidence is not None
        rows.append(
            {
                "name": report.dimension_name(code),
                "effect": number(effect.value, 2) if shown and effect else "—",
                "incidence": report.fmt["percent"](incidence.value, 0)
                if shown and incidence
                else "—",
                "impact": number(impact.value, 3) if shown else "—",
                "n": number(impact.n or 0, 0),
            }
        )
    return rows


def pls_name(report: ReportView, code: str) -> str:
    _ = report.gettext
    if code in SERVICE_DIMENSIONS:
        return report.dimension_name(code)
    return {
        "exp": _("Expectations"),
        "qual": _("Perceived quality"),
        "val": _("Perceived value"),
        "cmp": _("Complaint"),
        "sat": _("Satisfaction"),
        "satisfaction": _("Satisfaction"),
        "overall": _("Satisfaction"),
        "loy": _("Loyalty"),
        "loyalty": _("Loyalty"),
    }.get(code, code)
