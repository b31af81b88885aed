"""Segments: branches, channels and product lines side by side, and linkage."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from etl.core.metrics import SPECS
from etl.core.scopes import COMPANY
from etl.report import charts
from etl.report.format import ReportView, chart_labels, flag_text, rank_text
from etl.report.labels import SEGMENT_KPI_HEADERS, SEGMENT_KPIS
from etl.report.sections.dimensions import branch_ranks


def segment_rows(report: ReportView, codes: Sequence[str]) -> list[dict[str, Any]]:
    """One row per branch or segment: survey indices, three headline KPIs and the CSI rank."""
    ranked = {code for code, _v in branch_ranks(report, "csi")}
    rows = []
    for code in codes:
        respondents = report.stat("respondents", code)
        csi = report.stat("csi", code)
        nps = report.stat("nps", code)
        csat = report.stat("csat", code)
        kpis = []
        for metric in SEGMENT_KPIS:
            stat = report.stat(metric, code)
            unit = SPECS[metric].unit
            kpis.append(
                report.fmt["number"](stat.value, 1)
                if unit == "days" and stat and stat.shown
                else report.format(unit, stat.value)
                if stat and stat.shown
                else "—"
            )
        rows.append(
            {
                "code": code,
                "name": report.scope_name(code),
                "respondents": report.fmt["number"](respondents.value, 0)
                if respondents is not None and respondents.value is not None
                else "—",
                "csi": report.fmt["number"](csi.value, 1) if csi and csi.shown else "—",
                "nps": report.fmt["number"](nps.value, 1) if nps and nps.shown else "—",
                "csat": report.format("csat", csat.value) if csat and csat.shown else "—",
                "kpis": kpis,
                "flag": (csi.flag if csi else "") or "",
                "flag_text": flag_text(report, csi) if csi is not None and csi.flag else "",
                "rank": rank_text(report, "csi", code) if code in ranked else None,
                "highlight": code == report.scope.code,
            }
        )
    return rows


def segments_section(report: ReportView) -> dict[str, Any]:
    """Branches side by side (ranked by CSI), channels and product lines."""
    _ = report.gettext
    branches = segment_rows(report, report.branch_codes())
    ranked = branch_ranks(report, "csi")
    channels = segment_rows(report, report.segment_codes("channel"))
    products = segment_rows(report, report.segment_codes("product"))
    own = report.scope.kind == "branch"
    scope_name = report.scope_name(report.scope.code)
    return {
        "channels_caption": _("%(scope)s's own customers by channel (not the company's).")
        % {"scope": scope_name}
        if own
        else "",
        "products_caption": _("%(scope)s's own customers by product line (not the company's).")
        % {"scope": scope_name}
        if own
        else "",
        "branches_caption": _(
            "All branches of the company, for comparison; %(scope)s is highlighted."
        )
        % {"scope": scope_name}
        if own
        else "",
        "csat_header": _("CSAT %(low)s–%(high)s")
        % dict(zip(("low", "high"), report.csat_boxes(), strict=True)),
        "kpi_columns": [_(label) for label in SEGMENT_KPI_HEADERS],
        "survey_missing": [
            kind
            for kind, rows in ((_("channel"), channels), (_("product line"), products))
            if rows and all(row["csi"] == "—" and not row["flag_text"] for row in rows)
        ],
        "branches": branches,
        "rank_sentence": rank_sentence(report, ranked),
        "chart": branch_chart(report, ranked) if ranked else None,
        "channels": channels,
        "products": products,
        "suppress_below": report.settings.suppression["suppress_below"],
        "low_base_below": report.settings.suppression["low_base_below"],
    }


def rank_sentence(report: ReportView, ranked: list[tuple[str, float]]) -> str:
    """Where a branch stands among the branches by CSI (empty for the company)."""
    _ = report.gettext
    if report.scope.kind != "branch":
        return ""
    own_rank = next(
        (position for position, (code, _v) in enumerate(ranked, 1) if code == report.scope.code),
        None,
    )
    if own_rank:
        stat = report.stat("rank.csi")
        if stat is not None and stat.lower is not None and stat.lower != stat.upper:
            return _(
                "%(scope)s ranks %(low)s–%(high)s of %(total)s branches by CSI this quarter "
                "(95%% interval of the rank; the data do not separate a single place)."
            ) % {
                "scope": report.scope_name(report.scope.code),
                "low": int(stat.lower),
                "high": int(stat.upper or stat.lower),
                "total": len(ranked),
            }
        return _("%(scope)s ranks %(rank)s of %(total)s branches by CSI this quarter.") % {
            "scope": report.scope_name(report.scope.code),
            "rank": own_rank,
            "total": len(ranked),
        }
    return _("%(scope)s is not ranked this quarter: its CSI is suppressed.") % {
        "scope": report.scope_name(report.scope.code)
    }


def branch_chart(report: ReportView, ranked: list[tuple[str, float]]) -> charts.Chart:
    """CSI by branch with intervals, ranked; branches without a CSI say why."""
    _ = report.gettext
    company = report.stat("csi", COMPANY)
    bars = []
    for code, value in ranked:
        stat = report.stat("csi", code)
        assert stat is not None
        bars.append(
            charts.Bar(
                label=report.scope_name(code),
                value=value,
                lower=stat.lower,
                upper=stat.upper,
                note=(_("low base") if stat.flag == "low_base" else ""),
                highlight=code == report.scope.code,
            )
        )
    for code in report.branch_codes():
        if code not in [c for c, _v in ranked]:
            stat = report.stat("csi", code)
            bars.append(
                charts.Bar(label=report.scope_name(code), value=None, note=flag_text(report, stat))
            )
    return charts.bar_panels(
        "branch-csi",
        _("CSI by branch with 95% intervals"),
        _("CSI 0–100; company %(value)s · n per branch in the table")
        % {"value": report.fmt["number"](company.value, 1) if company and company.shown else "—"},
        [charts.BarPanel("", tuple(bars))],
        report.style,
        chart_labels(report, value_axis=_("CSI (0–100)")),
        value_limits=(0, 100),
        bar_height_in=0.2,
    )
