"""The improvement plan between runs: list, show and change actions for the people who own them."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from etl.core import Settings, UserError, load_settings
from etl.pipeline.compute import open_store
from etl.targets import escalation
from etl.targets.workflow import ActionChange, apply_change
from etl.warehouse import read_action_events, read_actions, record_action_change, records


class UnknownActionError(UserError, LookupError):
    """An action id the results store does not hold."""


def list_actions(
    store_url: str,
    on: dt.date,
    settings: Settings | None = None,
    scope: str | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    """Every action (optionally of one scope or status) with how overdue it is on day `on`."""
    settings = settings or load_settings()
    rows = records(read_actions(open_store(store_url)))
    chosen = []
    for row in rows:
        if (scope and row["scope"] != scope) or (status and row["status"] != status):
            continue
        late = escalation(row["due_on"], str(row["status"]), on, settings)
        chosen.append(row | asdict(late))
    return chosen


def show_action(store_url: str, action_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One action and its history of changes, or an error naming the unknown id."""
    store = open_store(store_url)
    found = [row for row in records(read_actions(store)) if row["action_id"] == action_id]
    if not found:
        raise UnknownActionError(
            f"action {action_id!r} is not in the results store; "
            "`satisfaction-report actions list` shows the ids"
        )
    return found[0], records(read_action_events(store, action_id))


def change_action(store_url: str, change: ActionChange) -> dict[str, Any]:
    """Apply a person's change (checked against the workflow's rules) and keep it in the
    history; later runs leave the action as this person left it. Returns the new state."""
    current, _events = show_action(store_url, change.action_id)
    state = apply_change(current, change)
    event = {"changed_on": change.changed_on, "changed_by": change.changed_by, "note": change.note}
    record_action_change(open_store(store_url), change.action_id, state, event)
    return state


LIST_HEADER = ("action", "scope", "status", "owner", "due", "overdue", "escalated to")


def actions_table(rows: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """`actions list` as rows of text, a header first (days overdue as a plain count)."""
    table = [LIST_HEADER]
    for row in rows:
        late = int(row["overdue_days"])
        table.append(
            (
                str(row["action_id"]),
                str(row["scope"]),
                str(row["status"]) + (" (edited)" if int(row["edits"]) else ""),
                str(row["owner"]),
                str(row["due_on"])[:10],
                f"{late} d" if late else "—",
                str(row["escalated_to"] or "—"),
            )
        )
    return table


def action_lines(action: dict[str, Any], events: list[dict[str, Any]]) -> list[str]:
    """`actions show`: every field of the action, then its history of changes."""
    lines = [f"{key}: {value}" for key, value in action.items()]
    lines.append(f"history ({len(events)} change(s) by people):")
    lines += [
        f"  #{event['event_no']} {str(event['changed_on'])[:10]} {event['changed_by']}: "
        f"{event['changes'] or 'no field changed'}"
        + (f" — {event['note']}" if event["note"] else "")
        for event in events
    ]
    return lines
