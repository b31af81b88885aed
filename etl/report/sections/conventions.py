"""Methodology appendix, part two: multiplicity, weighting honesty and the conventions used.

Everything printed here is read from the stored results (counts of change tests, adjusted
p-values, weighting diagnostics, eligibility counts, KPI notes), so the appendix says what
the run did, not what the configuration intended.
"""

from __future__ import annotations

from typing import Any

from etl.core.config import SERVICE_DIMENSIONS
from etl.core.metrics import N_
from etl.core.scopes import COMPANY
from etl.report.format import ReportView

CHANGE_LABELS = {"change_prev": N_("vs last quarter"), "change_year": N_("vs a year ago")}
TESTED = ("csi", "nps", "csat", "overall", *(f"dimension.{d}" for d in SERVICE_DIMENSIONS))


def _metric_label(report: ReportView, metric: str) -> str:
    _ = report.gettext
    if metric.startswith("dimension."):
        return report.dimension_name(metric.removeprefix("dimension."))
    return report.metric_label(metric)


def _family_scopes(report: ReportView) -> list[str]:
    """The scopes whose change tests form this report's family (multiplicity.report_family)."""
    if report.scope.code != COMPANY:
        return [report.scope.code]
    return [COMPANY, *report.segment_codes("channel"), *report.segment_codes("product")]


def _p_text(report: ReportView, p: float) -> str:
    """A p-value to three decimals; below 0.001 as “< 0.001” (never a bare 0.000)."""
    number = report.fmt["number"]
    return number(p, 3) if p >= 0.001 else f"< {number(0.001, 3)}"


def change_test_rows(report: ReportView) -> list[dict[str, Any]]:
    """Every test of the report's own scope, and the segment tests significant before the
    correction (so the reader sees which flags it removed), with both p-values."""
    _ = report.gettext
    rows = []
    for scope in _family_scopes(report):
        for metric in TESTED:
            for which, period in CHANGE_LABELS.items():
                p = report.stat(f"{metric}.{which}.p_value", scope)
                q = report.stat(f"{metric}.{which}.p_adjusted", scope)
                change = report.stat(f"{metric}.{which}", scope)
                if p is None or q is None or p.value is None or q.value is None:
                    continue
                if scope != report.scope.code and p.value >= 0.05:
                    continue
                rows.append(
                    {
                        "scope": report.scope_name(scope),
                        "figure": _metric_label(report, metric),
                        "period": _(period),
                        "difference": report.fmt["signed"](change.value, 1)
                        if change is not None and change.value is not None
                        else "—",
                        "p": _p_text(report, p.value),
                        "q": _p_text(report, q.value),
                        "significant": change is not None and change.flag in ("up", "down"),
                        "flag_removed": p.value < 0.05 and q.flag != "significant",
                    }
                )
    return rows


def multiplicity_text(report: ReportView) -> str:
    """How many change tests the family had, and how many flags survived the correction."""
    _ = report.gettext
    number = report.fmt["number"]
    family = COMPANY if report.scope.code == COMPANY else report.scope.code
    tests = report.stat("multiplicity.change_tests", family)
    raw = report.stat("multiplicity.significant_unadjusted", family)
    kept = report.stat("multiplicity.significant_adjusted", family)
    if tests is None or raw is None or kept is None:
        return _("No change test could be made this quarter (no comparable earlier figures).")
    return _(
        "This report's family holds %(tests)s change tests (vs last quarter and a year ago). "
        "%(raw)s were significant at p < 0.05 on their own; %(kept)s remain significant after "
        "the Benjamini–Hochberg correction, which keeps the expected share of false alarms "
        "among the flagged changes at or below 5%%. Only those are marked ▲/▼, and only those "
        "raise improvement actions."
    ) % {
        "tests": number(tests.value, 0),
        "raw": number(raw.value, 0),
        "kept": number(kept.value, 0),
    }


def weighting_details(report: ReportView) -> str:
    """Trimmed weights, margin error, weight range, the method used and eligibility rules."""
    _ = report.gettext
    number = report.fmt["number"]
    stat = report.stat
    trimmed = stat("weighting.n_trimmed", COMPANY)
    error = stat("weighting.max_margin_error", COMPANY)
    high = stat("weighting.max_weight_ratio", COMPANY)
    low = stat("weighting.min_weight_ratio", COMPANY)
    parts = []
    if trimmed and error and high and low:
        method = (error.note or "").removeprefix("method: ").split(";")[0]
        how = {
            "raked": _("raked within the bounds"),
            "collapsed": _("sparse categories collapsed, then raked"),
            "bounded": _("bounds kept, margins not fully met"),
        }.get(method, method)
        parts.append(
            _(
                "Weighting outcome: %(how)s; %(trimmed)s weights on a trim bound; weights range "
                "%(low)s–%(high)s × the mean; largest gap between a weighted and a population "
                "share %(error)s percentage points."
            )
            % {
                "how": how,
                "trimmed": number(trimmed.value, 0),
                "low": number(low.value, 2),
                "high": number(high.value, 2),
                "error": number(100.0 * (error.value or 0.0), 2),
            }
        )
    duplicates = stat("eligibility.duplicates_dropped", COMPANY)
    outside = stat("eligibility.outside_population", COMPANY)
    if duplicates is not None and outside is not None:
        rule = (outside.note or "").rsplit(": ", 1)[-1]
        parts.append(
            _(
                "Of %(responses)s responses, %(duplicates)s were second answers of a policy in "
                "the same wave and were dropped (the earliest is kept); %(outside)s came from "
                "policies no longer in force at quarter end, outside the raking population, "
                "and were %(rule)s."
            )
            % {
                "responses": number(duplicates.n or 0, 0),
                "duplicates": number(duplicates.value, 0),
                "outside": number(outside.value, 0),
                "rule": _("kept and weighted with their branch, channel and product cell")
                if rule == "keep"
                else _("left out of every estimate"),
            }
        )
    return " ".join(parts)


def kpi_conventions_text(report: ReportView) -> list[str]:
    """The KPI conventions of this run, each from its setting."""
    _ = report.gettext
    kpis = dict(report.settings.raw.get("kpis", {}))
    basis = kpis.get("premium_basis", "written")
    return [
        _(
            "Complaints per premium: the denominator is the premium of the last four "
            "quarters, %(basis)s."
        )
        % {
            "basis": _("written (booked) premium — instalments falling due, paid or not")
            if basis == "written"
            else _("collected premium — cash received")
        },
        _(
            "The complaint resolution rate counts complaints resolved with an outcome; "
            "withdrawn complaints are counted on their own and are in neither term."
        ),
        _(
            "Persistency: a policy is retained when it is in force on its month-13 (25) "
            "anniversary and the instalment due there was paid within %(grace)s days of its "
            "due date."
        )
        % {"grace": kpis.get("persistency_grace_days", 60)},
        _(
            "Aged open claims: claims still open at quarter end that were reported more "
            "than %(days)s days before it, shown beside the cycle time of paid claims."
        )
        % {"days": kpis.get("claim_aged_days", 30)},
        _(
            "A KPI resting on fewer cases than its minimum base (e.g. %(visits)s "
            "mystery-shop visits) is flagged “low base”, is not coloured and does not "
            "enter the grade."
        )
        % {"visits": dict(kpis.get("low_base", {})).get("mystery_shop_compliance", 10)},
    ]
