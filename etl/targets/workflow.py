"""What a person may do to an action: accept, edit, reassign, close (pure rules, no I/O)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from etl.core.errors import UserError

STATUSES = ("open", "in_progress", "done", "dropped")
CLOSED_STATUSES = ("done", "dropped")
# open → in progress → done / dropped; an open action may also be closed at once.
NEXT_STATUSES = {
    "open": ("open", "in_progress", "done", "dropped"),
    "in_progress": ("in_progress", "done", "dropped"),
    "done": (),
    "dropped": (),
}
EDITABLE = ("status", "department", "owner", "due_on", "target_value")


class ActionChangeError(UserError, ValueError):
    """A change to an action that breaks a rule of the workflow (named in the message)."""


@dataclass(frozen=True)
class ActionChange:
    """One change a person asks for; None leaves a field as it is."""

    action_id: str
    changed_on: dt.date
    changed_by: str
    note: str
    status: str | None = None
    department: str | None = None
    owner: str | None = None
    due_on: dt.date | None = None
    target_value: float | None = None


def parse_day(text: str, option: str) -> dt.date:
    """A date given on the command line (YYYY-MM-DD), or an error naming the option."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ActionChangeError(
            f"{option}={text!r}: not a date; write it as YYYY-MM-DD, e.g. 2026-12-31"
        ) from None


def _as_day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def apply_change(current: Mapping[str, Any], change: ActionChange) -> dict[str, Any]:
    """The action's state after the change, and `changes` (what moved, as `field: old → new`).

    Refused, with the rule: a closed action (done or dropped); a status outside the workflow
    or going back; closing without a note; a change that changes nothing; a deadline before
    the quarter the action was raised in; a person's name left empty.
    """
    status = str(current["status"])
    where = f"action {change.action_id}"
    if status in CLOSED_STATUSES:
        raise ActionChangeError(f"{where} is already {status}: a closed action is not changed")
    wanted = change.status or status
    if wanted not in STATUSES:
        raise ActionChangeError(
            f"{where}: --status={wanted!r} is not a status; use one of {', '.join(STATUSES)}"
        )
    if wanted not in NEXT_STATUSES[status]:
        raise ActionChangeError(
            f"{where}: cannot go from {status} to {wanted} "
            f"(allowed: {', '.join(NEXT_STATUSES[status])})"
        )
    if wanted in CLOSED_STATUSES and not change.note.strip():
        raise ActionChangeError(f"{where}: closing as {wanted} needs --note saying what was done")
    for name in ("department", "owner"):
        value = getattr(change, name)
        if value is not None and not value.strip():
            raise ActionChangeError(f"{where}: --{name} is empty; name who is responsible")
    raised = str(current.get("quarter_raised", ""))
    if change.due_on is not None and raised and change.due_on.isoformat() < f"{raised[:4]}-01-01":
        raise ActionChangeError(
            f"{where}: --due {change.due_on} is before the year the action was raised ({raised})"
        )
    updated = {
        "status": wanted,
        "department": change.department or str(current["department"]),
        "owner": change.owner or str(current["owner"]),
        "due_on": (change.due_on or _as_day(current["due_on"])).isoformat(),
        "target_value": float(
            current["target_value"] if change.target_value is None else change.target_value
        ),
    }
    before = {
        "status": status,
        "department": str(current["department"]),
        "owner": str(current["owner"]),
        "due_on": _as_day(current["due_on"]).isoformat(),
        "target_value": float(current["target_value"]),
    }
    moved = [
        f"{key}: {before[key]} → {updated[key]}" for key in EDITABLE if before[key] != updated[key]
    ]
    if not moved and not change.note.strip():
        raise ActionChangeError(f"{where}: nothing to change; give a new value or a --note")
    return updated | {"changes": "; ".join(moved)}
