"""Executive summary: headline tiles, grade, scorecard, strengths and weaknesses."""

from __future__ import annotations

from typing import Any

from etl.core.config import SERVICE_DIMENSIONS
from etl.core.metrics import INDICES, KPIS, SPECS, MetricSpec
from etl.core.scopes import COMPANY
from etl.report.format import ReportView, change_marker, flag_text, interval_text, n_text
from etl.report.i18n import quarter_label
from etl.report.labels import RAG


def strengths_and_weaknesses(
    report: ReportView, count: int = 3
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The stored strengths and weaknesses of the scope (`highlight.<dimension>`), each with
    its gap: only dimensions on an adequate base whose interval clears the reference."""
    strengths, weaknesses = [], []
    for code in SERVICE_DIMENSIONS:
        row = report.stat(f"highlight.{code}")
        if row is None or row.value is None:
            continue
        if row.note == "strength":
            strengths.append((code, row.value))
        elif row.note == "weakness":
            weaknesses.append((code, row.value))
    strengths.sort(key=lambda item: (-item[1], item[0]))
    weaknesses.sort(key=lambda item: (item[1], item[0]))
    return strengths[:count], weaknesses[:count]


def dimension_scores(report: ReportView, scope: str) -> dict[str, float]:
    scores = {}
    for code in SERVICE_DIMENSIONS:
        stat = report.stat(f"dimension.{code}", scope)
        if stat is not None and stat.shown and stat.value is not None:
            scores[code] = stat.value
    return scores


def headline_tile(report: ReportView, spec: MetricSpec) -> dict[str, Any]:
    _ = report.gettext
    stat = report.stat(spec.code)
    tile: dict[str, Any] = {
        "code": spec.code,
        "label": report.metric_label(spec.code),
        "available": False,
        "internal": False,
    }
    if stat is None:
        tile["value"] = "—"
        tile["detail"] = _("Not available for this quarter.")
        tile["changes"] = []
        return tile
    if not stat.shown:
        tile["value"] = "—"
        tile["detail"] = flag_text(report, stat) + " · " + n_text(report, stat.n)
        tile["changes"] = []
        return tile
    tile["available"] = True
    tile["value"] = report.format(spec.unit, stat.value)
    details = []
    interval = interval_text(report, stat, spec.unit)
    if interval:
        details.append(_("95%% interval %(interval)s") % {"interval": interval})
    details.append(n_text(report, stat.n))
    if stat.flag == "low_base":
        details.append(_("low base"))
    tile["detail"] = " · ".join(details)
    tile["changes"] = [
        change_marker(report, spec.code, which, spec.unit)
        for which in ("change_prev", "change_year")
    ]
    return tile


def grade_tile(report: ReportView) -> dict[str, Any]:
    _ = report.gettext
    stat = report.stat("service_grade")
    tile: dict[str, Any] = {
        "code": "service_grade",
        "label": _("Service evaluation grade"),
        "available": False,
        "changes": [],
        "internal": False,
    }
    if stat is None or not stat.shown:
        tile["value"] = "—"
        tile["detail"] = _("Not available for this quarter.")
        return tile
    tile["available"] = True
    # Marked as internal wherever the letter appears, so it cannot pass for the regulator's.
    tile["value"] = (
        _("%(letter)s (internal)") % {"letter": stat.note}
        if stat.note
        else report.fmt["number"](stat.value, 1)
    )
    tile["internal"] = True
    tile["detail"] = _("Score %(score)s of 100 · internal estimate, not a regulatory rating") % {
        "score": report.fmt["number"](stat.value, 1)
    }
    # The grade is a composite of census KPIs, not a sample estimate: its change carries
    # no significance test, so it is shown as a difference with the earlier grade.
    for quarter, period in (
        (report.quarter.previous(), _("vs last quarter")),
        (report.quarter.year_ago(), _("vs a year ago")),
    ):
        before = report.stat("service_grade", quarter=str(quarter))
        if before is None or not before.shown or before.value is None:
            tile["changes"].append(
                {
                    "direction": "none",
                    "short": "—",
                    "long": _("%(period)s: not available") % {"period": period},
                }
            )
            continue
        tile["changes"].append(
            {
                "direction": "none",
                "short": report.fmt["signed"](stat.value - before.value, 1),
                "long": _("%(period)s: %(difference)s points (was %(grade)s)")
                % {
                    "period": period,
                    "difference": report.fmt["signed"](stat.value - before.value, 1),
                    "grade": before.note or report.fmt["number"](before.value, 1),
                },
            }
        )
    return tile


def scorecard(report: ReportView) -> list[dict[str, Any]]:
    """Every figure with a target (`rag.<metric>`), in report order, with its RAG status."""
    _ = report.gettext
    known = [spec.code for spec in (*INDICES, *KPIS)]
    present = [
        m.removeprefix("rag.") for m in report.results.metrics(report.q, report.scope.code, "rag.")
    ]
    ordered = [code for code in known if code in present] + sorted(
        code for code in present if code not in known
    )
    rows = []
    for code in ordered:
        rag = report.stat(f"rag.{code}")
        stat = report.stat(code)
        spec = SPECS.get(code, MetricSpec(code, code, "score", True, ""))
        status = (rag.note or "") if rag is not None else ""
        rows.append(
            {
                "code": code,
                "label": report.metric_label(code),
                "value": report.format(spec.unit, stat.value)
                if stat is not None and stat.shown
                else flag_text(report, stat) or "—",
                "target": report.format(spec.unit, rag.value if rag else None),
                "status": status if status in RAG else "none",
                "status_label": _(RAG[status]) if status in RAG else _("no status"),
            }
        )
    return rows


def summary_section(report: ReportView) -> dict[str, Any]:
    _ = report.gettext
    respondents = report.stat("respondents")
    csi = report.stat("csi")
    n = int(respondents.value or 0) if respondents and respondents.value is not None else 0
    lead = _(
        "Customer service satisfaction of %(scope)s in %(quarter)s, from %(n)s survey respondents."
    ) % {
        "scope": report.scope_name(report.scope.code),
        "quarter": quarter_label(report.quarter, report.language),
        "n": report.fmt["number"](n, 0),
    }
    if csi is not None and csi.n_effective:
        lead += " " + _(
            "Kish effective n after weighting (the base of every interval): %(n_eff)s."
        ) % {"n_eff": report.fmt["number"](csi.n_effective, 0)}
    tiles = [headline_tile(report, SPECS[code]) for code in ("csi", "nps", "csat")]
    tiles.append(grade_tile(report))

    scores = dimension_scores(report, report.scope.code)
    is_company = report.scope.code == COMPANY
    strengths, weaknesses = strengths_and_weaknesses(report)

    def describe(code: str, gap: float) -> dict[str, str]:
        against = _("vs the mean of its dimensions") if is_company else _("vs the company")
        return {
            "name": report.dimension_name(code),
            "score": report.fmt["number"](scores[code], 1),
            "evidence": f"{report.fmt['signed'](gap, 1)} {against}",
        }

    if not scores:
        no_strengths = no_weaknesses = _("Dimension scores are not available for this quarter.")
    elif is_company:
        no_strengths = (
            _("No dimension scores clearly above the mean of the dimensions (95%% interval).") % {}
        )
        no_weaknesses = (
            _("No dimension scores clearly below the mean of the dimensions (95%% interval).") % {}
        )
    else:
        no_strengths = _("No dimension scores clearly above the company (95%% interval).") % {}
        no_weaknesses = _("No dimension scores clearly below the company (95%% interval).") % {}
    return {
        "lead": lead,
        "tiles": tiles,
        "strengths": [describe(code, gap) for code, gap in strengths],
        "weaknesses": [describe(code, gap) for code, gap in weaknesses],
        "no_strengths": no_strengths,
        "no_weaknesses": no_weaknesses,
        "scorecard": scorecard(report),
    }
