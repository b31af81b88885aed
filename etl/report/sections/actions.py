"""The improvement plan: new SMART actions and earlier ones followed up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from etl.core.config import SERVICE_DIMENSIONS
from etl.core.metrics import SPECS
from etl.core.periods import Quarter
from etl.report.format import ReportView
from etl.report.i18n import quarter_label
from etl.report.labels import ACTION_MET, ACTION_REASONS, ACTION_STATUS
from etl.report.sections.voc import in_language


def subject_name(report: ReportView, code: str) -> str:
    """A dimension or KPI code of an action, named for the reader."""
    code = code.removeprefix("dimension.")
    if code in SERVICE_DIMENSIONS:
        return report.dimension_name(code)
    return report.gettext(SPECS[code].label) if code in SPECS else code


def unit_of(metric: str) -> str:
    return SPECS[metric].unit if metric in SPECS else "score"


def target_text(report: ReportView, metric: str, value: Any) -> str:
    label = subject_name(report, metric)
    if value is None:
        return label
    return f"{label} {report.format(unit_of(metric), float(value))}"


def date_text(report: ReportView, value: Any) -> str:
    if value in (None, ""):
        return "—"
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return report.fmt["date"](day)


def actions_section(report: ReportView) -> dict[str, Any]:
    """New SMART actions raised this quarter and earlier ones with their target met or not."""
    new = [new_action_row(report, action) for action in report.findings.new_actions]
    earlier = [follow_up_row(report, action) for action in report.findings.follow_ups]
    earlier.sort(key=lambda row: (row["quarter"], row["id"]))
    # The plan is computed for every scope at once: any action in the quarter means the plan
    # ran, so a scope without actions has none rather than no plan.
    return {"available": report.findings.plan_ran, "new": new, "earlier": earlier}


def new_action_row(report: ReportView, action: Mapping[str, Any]) -> dict[str, Any]:
    """A new action: issue, evidence, who, by when, and its measurable target."""
    _ = report.gettext
    language = report.language
    reason = str(action.get("issue", ""))
    subject = str(action.get("subject", ""))
    return {
        "id": str(action["action_id"]),
        "subject": subject_name(report, subject),
        "issue": _(ACTION_REASONS[reason]) if reason in ACTION_REASONS else reason,
        "evidence": _("now %(value)s")
        % {"value": report.format(unit_of(subject), action.get("current_value"))},
        "department": in_language(str(action.get("department", "")), language),
        "owner": in_language(str(action.get("owner", "")), language),
        "due": date_text(report, action.get("due_on")),
        "target": target_text(
            report, str(action.get("target_metric", "")), action.get("target_value")
        ),
    }


def follow_up_row(report: ReportView, action: Mapping[str, Any]) -> dict[str, Any]:
    """An earlier action: when raised, its status, and whether its target is met now."""
    _ = report.gettext
    language = report.language
    target_metric = str(action.get("target_metric", ""))
    issue = str(action.get("issue", ""))
    met = str(action.get("target_status", ""))
    met = met if met in ACTION_MET else "no_data"
    raised = str(action.get("quarter_raised", ""))
    status = str(action.get("status", ""))
    return {
        "id": str(action["action_id"]),
        "quarter": raised,
        "raised": quarter_label(Quarter.parse(raised), language) if raised else "—",
        "subject": subject_name(report, str(action.get("subject", ""))),
        "issue": _(ACTION_REASONS[issue]) if issue in ACTION_REASONS else issue,
        "department": in_language(str(action.get("department", "")), language),
        "owner": in_language(str(action.get("owner", "")), language),
        "due": date_text(report, action.get("due_on")),
        "target": target_text(report, target_metric, action.get("target_value")),
        "status_label": _(ACTION_STATUS[status]) if status in ACTION_STATUS else status,
        "current": report.format(unit_of(target_metric), action.get("measured_value")),
        "met": {"met": "yes", "not_met": "no"}.get(met, "unknown"),
        "met_label": _(ACTION_MET[met]),
    }
