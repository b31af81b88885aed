"""The cover: scope, quarter, revision and its reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from etl.report.format import ReportView


def cover_section(report: ReportView, revision: Mapping[str, Any] | None) -> dict[str, Any]:
    _ = report.gettext
    fmt = report.fmt
    revision = dict(revision or {})
    label = str(revision.get("label") or "v1")
    reason = revision.get("reason")
    date_text = revision.get("date")
    issued = None
    if date_text:
        issued = fmt["date"](dt.date.fromisoformat(str(date_text)[:10]))
    kind = {
        "company": _("Company report"),
        "branch": _("Branch report"),
        "channel": _("Channel report"),
        "product": _("Product line report"),
    }.get(report.scope.kind, "")
    return {
        "kind": kind,
        "period": _("%(start)s – %(end)s")
        % {"start": fmt["date"](report.quarter.start), "end": fmt["date"](report.quarter.last_day)},
        "as_of": fmt["date"](report.quarter.last_day),
        "revision": {"label": label, "reason": reason, "date": issued},
        "changed": changed_figures(report, revision.get("changed") or ()),
        "previous_label": f"v{int(label.removeprefix('v') or 1) - 1}" if label != "v1" else "",
    }


def changed_figures(report: ReportView, changed: Any) -> list[dict[str, str]]:
    """The headline figures that moved since the revision before: name, before, after."""
    from etl.report.sections.actions import subject_name, unit_of

    rows = []
    for figure in changed:
        metric = str(figure.get("metric", ""))
        unit = "count" if metric == "respondents" else unit_of(metric)
        name = report.gettext("Respondents") if metric == "respondents" else None
        rows.append(
            {
                "name": name or subject_name(report, metric),
                "before": report.format(unit, figure.get("before")),
                "after": report.format(unit, figure.get("after")),
            }
        )
    return rows
