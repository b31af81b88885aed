"""The improvement plan: new SMART actions and earlier ones followed up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from etl.core.actions import escalation
from etl.core.config import SERVICE_DIMENSIONS
from etl.core.metrics import SPECS
from etl.core.periods import Quarter
from etl.report.format import ReportView
from etl.report.i18n import quarter_label
from etl.report.labels import ACTION_MET, ACTION_REASONS, ACTION_STATUS, N_
from etl.report.sections.voc import in_language


def subject_name(report: ReportView, code: str) -> str:
    """A dimension or KPI code of an action, named for the reader."""
    code = code.removeprefix("dimension.")
    if code in SERVICE_DIMENSIONS:
        return report.dimension_name(code)
    return report.metric_label(code)


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
    """New SMART actions raised this quarter, the triggers open earlier actions already cover,
    earlier ones with their target met or not (overdue and escalated flagged), and what
    people changed during the quarter."""
    new = [new_action_row(report, action) for action in report.findings.new_actions]
    earlier = [follow_up_row(report, action) for action in report.findings.follow_ups]
    earlier.sort(key=lambda row: (row["quarter"], row["id"]))
    covered = [covered_row(report, trigger) for trigger in report.findings.covered]
    # The plan is computed for every scope at once: any action in the quarter means the plan
    # ran, so a scope without actions has none rather than no plan.
    return {
        "available": report.findings.plan_ran,
        "new": new,
        "covered": covered,
        "earlier": earlier,
        "changes": changes_since_last_quarter(report, new, earlier),
    }


def covered_row(report: ReportView, trigger: Mapping[str, Any]) -> dict[str, Any]:
    """A trigger of the quarter and the open earlier action that covers it."""
    _ = report.gettext
    reason = str(trigger.get("reason", ""))
    subject = str(trigger.get("subject", ""))
    status = str(trigger.get("status", ""))
    raised = str(trigger.get("quarter_raised", ""))
    return {
        "subject": subject_name(report, subject),
        "issue": _(ACTION_REASONS[reason]) if reason in ACTION_REASONS else reason,
        "evidence": _("now %(value)s")
        % {"value": report.format(unit_of(subject), trigger.get("current_value"))},
        "action": str(trigger.get("action_id", "")),
        "raised": quarter_label(Quarter.parse(raised), report.language) if raised else "—",
        "status_label": _(ACTION_STATUS[status]) if status in ACTION_STATUS else status,
        "owner": in_language(str(trigger.get("owner", "")), report.language),
        "due": date_text(report, trigger.get("due_on")),
    }


def lateness(report: ReportView, action: Mapping[str, Any]) -> dict[str, Any]:
    """Overdue at the quarter's end (days), and to whom it is escalated under the rule."""
    _ = report.gettext
    if action.get("due_on") in (None, ""):
        return {"overdue": "", "escalated": ""}
    late = escalation(
        action["due_on"], str(action.get("status", "")), report.quarter.last_day, report.settings
    )
    overdue = _("overdue %(days)s days") % {"days": late.overdue_days} if late.overdue_days else ""
    escalated = (
        _("escalated to %(role)s") % {"role": in_language(late.escalated_to, report.language)}
        if late.escalated_to
        else ""
    )
    return {"overdue": overdue, "escalated": escalated}


CHANGED_FIELDS = {
    "status": N_("Status"),
    "owner": N_("Owner"),
    "department": N_("Department"),
    "due_on": N_("Deadline"),
    "target_value": N_("Target"),
}


def change_text(report: ReportView, changes: str) -> str:
    """`status: open → in_progress; owner: A → B` (as stored) in the reader's language."""
    _ = report.gettext
    parts = []
    for part in filter(None, changes.split("; ")):
        field, _sep, moved = part.partition(": ")
        old, _arrow, new = moved.partition(" → ")
        if field == "status":
            old, new = (_(ACTION_STATUS.get(value, value)) for value in (old, new))
        elif field == "due_on":
            old, new = (date_text(report, value) for value in (old, new))
        elif field in ("owner", "department"):
            old, new = (in_language(value, report.language) for value in (old, new))
        parts.append(f"{_(CHANGED_FIELDS.get(field, field))} {old} → {new}")
    return "；".join(parts) if report.language == "zh-CN" else "; ".join(parts)


def changes_since_last_quarter(
    report: ReportView, new: list[dict[str, Any]], earlier: list[dict[str, Any]]
) -> list[str]:
    """One line per change since last quarter: actions raised, what people changed (closed,
    accepted, reassigned, deadline moved), and actions that became overdue or escalated."""
    _ = report.gettext
    lines = []
    if new:
        lines.append(_("%(count)s new action(s) raised") % {"count": len(new)})
    for event in report.findings.changes:
        what = change_text(report, str(event.get("changes") or "")) or _("note added")
        note = str(event.get("note") or "")
        lines.append(
            f"{date_text(report, event.get('changed_on'))} · "
            f"{subject_name(report, str(event.get('subject', '')))} ({event.get('action_id')}): "
            f"{what}" + (f" — {note}" if note else "")
        )
    last_quarter_end = report.quarter.previous().last_day
    for row in earlier:
        if not row["overdue"]:
            continue
        before = escalation(row["due_on"], row["status"], last_quarter_end, report.settings)
        if before.overdue_days == 0 or (row["escalated"] and not before.escalated_to):
            lines.append(f"{row['subject']} ({row['id']}): {row['escalated'] or row['overdue']}")
    return lines


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
        "status": status,
        "due_on": action.get("due_on"),
        "status_label": _(ACTION_STATUS[status]) if status in ACTION_STATUS else status,
        **lateness(report, action),
        "current": report.format(unit_of(target_metric), action.get("measured_value")),
        "met": {"met": "yes", "not_met": "no"}.get(met, "unknown"),
        "met_label": _(ACTION_MET[met]),
    }
