"""When an improvement action is overdue and to whom it is escalated (a rule of the plan)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from etl.core.config import Settings

OPEN_STATUSES = ("open", "in_progress")


@dataclass(frozen=True)
class Escalation:
    """How late an action is at a quarter's end, and to whom it goes when too late."""

    overdue_days: int  # 0: not overdue (closed, or its deadline not passed)
    escalated_to: str | None


def escalation(due_on: dt.date | str, status: str, on: dt.date, settings: Settings) -> Escalation:
    """Overdue when still open after its deadline on day `on` (a report: its quarter's last
    day); escalated (to the configured role) once overdue `[actions.escalation] after_days`."""
    due = due_on if isinstance(due_on, dt.date) else dt.date.fromisoformat(str(due_on)[:10])
    late = (on - due).days if status in OPEN_STATUSES else 0
    rule = settings.raw["actions"].get("escalation", {})
    after = int(rule.get("after_days", 90))
    to = str(rule.get("to", "")) or None
    return Escalation(max(late, 0), to if late > 0 and late >= after else None)
