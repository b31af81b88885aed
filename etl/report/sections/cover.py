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
    }
