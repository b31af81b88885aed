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
    """Insert new proposals inside the caller's transaction; keep any status a person set.

    On a rerun, proposals of this quarter that the data no longer support are removed
    while still 'open' (nobody has acted on them yet); the rest are updated in place.
    """
    wanted = {action["action_id"] for action in actions}
    existing = {
        row.action_id: row.status
        for row in conn.execute(statement("store/actions_raised_in_quarter"), {"quarter": quarter})
    }
    for action_id, status in existing.items():
        if action_id not in wanted and status == "open":
            conn.execute(statement("store/actions_delete"), {"action_id": action_id})
    for action in actions:
        known = action["action_id"] in existing
        conn.execute(
            statement("store/actions_update" if known else "store/actions_insert"),
            _payload(action),
        )
