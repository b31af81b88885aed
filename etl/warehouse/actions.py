"""The improvement-action store: earlier actions to follow up, this quarter's proposals kept."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy.engine import Connection, Engine

from etl.warehouse.sqlfiles import read_query, statement


def read_earlier_actions(engine: Engine | Connection, quarter: str, since: str) -> pd.DataFrame:
    """Actions to follow up in `quarter`: raised since `since`, or earlier and still open."""
    return read_query(engine, "store/actions_earlier", {"quarter": quarter, "since": since})


def _payload(action: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "action_id": action["action_id"],
        "quarter_raised": action["quarter_raised"],
        "scope": action["scope"],
        "subject": action["subject"],
        "issue": action["reason"],
        "evidence": json.dumps({"current_value": action["current_value"]}),
        "department": action["department"],
        "owner": action["owner"],
        "due_on": action["due_on"],
        "target_metric": action["target_metric"],
        "target_value": action["target_value"],
        "is_higher_better": int(action["is_higher_better"]),
    }


def store_actions(conn: Connection, quarter: str, actions: Sequence[Mapping[str, Any]]) -> None:
    """Insert new proposals inside the caller's transaction; never overwrite a person's change.

    On a rerun, proposals of this quarter that the data no longer support are removed
    while still 'open' and untouched (nobody has acted on them yet); untouched ones are
    updated in place; one a person accepted, edited, reassigned or closed is left as it is.
    """
    wanted = {action["action_id"] for action in actions}
    existing = {
        row.action_id: (row.status, int(row.edits))
        for row in conn.execute(statement("store/actions_raised_in_quarter"), {"quarter": quarter})
    }
    for action_id, (status, edits) in existing.items():
        if action_id not in wanted and status == "open" and edits == 0:
            conn.execute(statement("store/actions_delete"), {"action_id": action_id})
    for action in actions:
        status, edits = existing.get(action["action_id"], ("", 0))
        if edits:
            continue  # a person's version stands
        conn.execute(
            statement("store/actions_update" if status else "store/actions_insert"),
            _payload(action),
        )


def read_actions(engine: Engine | Connection) -> pd.DataFrame:
    """Every improvement action with how many times a person changed it (for the CLI)."""
    return read_query(engine, "store/actions_all")


def read_action_events(engine: Engine | Connection, action_id: str) -> pd.DataFrame:
    """What people did to one action, oldest first."""
    return read_query(engine, "store/action_events_of_action", {"action_id": action_id})


def read_scope_action_events(
    engine: Engine | Connection, scope: str, since: str, through: str
) -> pd.DataFrame:
    """Changes people made to a scope's actions after `since` up to `through` (ISO dates)."""
    return read_query(
        engine,
        "store/action_events_of_scope",
        {"scope": scope, "since": since, "through": through},
    )


def record_action_change(
    engine: Engine, action_id: str, state: Mapping[str, Any], event: Mapping[str, Any]
) -> int:
    """Store a person's change: the action's new state and the event in its history, together.

    `state` holds status, department, owner, due_on, target_value and changes; `event`
    changed_on, changed_by and note. Returns the event's number.
    """
    with engine.begin() as conn:
        number = len(read_query(conn, "store/action_events_of_action", {"action_id": action_id}))
        fields = {key: state[key] for key in ("status", "department", "owner", "due_on")}
        fields["target_value"] = float(state["target_value"])
        conn.execute(statement("store/actions_person_update"), fields | {"action_id": action_id})
        conn.execute(
            statement("store/action_events_insert"),
            fields
            | {
                "action_id": action_id,
                "event_no": number + 1,
                "changed_on": str(event["changed_on"]),
                "changed_by": str(event["changed_by"]),
                "changes": str(state["changes"]),
                "note": str(event["note"]),
            },
        )
    return number + 1
