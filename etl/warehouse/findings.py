"""Findings beside the results: VoC themes and quotes, and earlier actions followed up."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from etl.core.periods import Quarter
from etl.warehouse.sqlfiles import apply_store_schema, read_query, statement
from etl.warehouse.stores import records

FINDINGS_TABLES = (
    "voc_themes",
    "voc_quotes",
    "action_proposals",
    "action_follow_ups",
    "action_coverage",
)


def ensure_findings_schema(conn: Connection) -> None:
    """Create the results store's tables in a store made before they existed.

    Only when one is missing: DDL needs CREATE on the schema, which the job's least-privilege
    account does not have (sql/grants/job_role.sql).
    """
    if set(sa.inspect(conn).get_table_names()) >= set(FINDINGS_TABLES):
        return
    apply_store_schema(conn)


def replace_findings(
    conn: Connection, quarter: str, tables: Mapping[str, Sequence[Mapping[str, Any]]]
) -> None:
    """Replace the quarter's rows of each findings table inside the caller's transaction."""
    ensure_findings_schema(conn)
    for table in FINDINGS_TABLES:
        conn.execute(statement(f"store/{table}_delete"), {"quarter": quarter})
        rows = [dict(row) | {"quarter": quarter} for row in tables.get(table, ())]
        if rows:
            conn.execute(statement(f"store/{table}_insert"), rows)


def changed_in(quarter: str, scope: str) -> dict[str, str]:
    """Bound parameters of the changes people made to a scope's actions during the quarter."""
    period = Quarter.parse(quarter)
    return {"scope": scope, "since": period.previous().last_day.isoformat(),
            "through": period.last_day.isoformat()}  # fmt: skip


def read_findings(engine: Engine, quarter: str, scope: str) -> dict[str, Any]:
    """A scope's findings for the report: themes, quotes, new actions, follow-ups."""
    with engine.begin() as conn:
        ensure_findings_schema(conn)
        params = {"quarter": quarter, "scope": scope}
        new_actions = records(read_query(conn, "store/action_proposals_of_scope", params))
        return {
            "themes": records(read_query(conn, "store/voc_themes_of_scope", params)),
            "quotes": records(read_query(conn, "store/voc_quotes_of_scope", params)),
            "new_actions": new_actions,
            "follow_ups": records(read_query(conn, "store/action_follow_ups_of_scope", params)),
            "covered": records(read_query(conn, "store/action_coverage_of_scope", params)),
            "changes": records(
                read_query(conn, "store/action_events_of_scope", changed_in(quarter, scope))
            ),
            "plan_ran": bool(
                read_query(conn, "store/action_plan_count", {"quarter": quarter})["actions"].iloc[0]
            ),
        }
