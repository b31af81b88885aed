"""Small helpers of the results store: named writes, plain records, late-added tables."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from etl.warehouse.results import plain
from etl.warehouse.sqlfiles import (
    SQL_DIR,
    apply_store_schema,
    query_text,
    read_query,
    statements,
)

UPGRADES_DIR = SQL_DIR / "schema_upgrades"
DELIVERY_TABLES = frozenset(
    {
        "report_revisions",
        "delivery_log",
        "delivery_locks",
        "report_staleness",
        "revision_figures",
        "report_sources",
        "quarter_inputs",
    }
)


def ensure_schema(engine: Engine) -> None:
    """Create the results store's tables where they are missing (a new or older store).

    Only when one is missing or has an old shape: DDL (even `create index if not exists`)
    needs the table's owner on PostgreSQL, and the least-privilege account that renders and
    delivers is not the owner. A delivery_log of the old shape is upgraded, rows kept.
    """
    inspector = sa.inspect(engine)
    present = set(inspector.get_table_names())
    old_log = "delivery_log" in present and "interrupted" not in {
        column["name"] for column in inspector.get_columns("delivery_log")
    }
    if present >= DELIVERY_TABLES and not old_log:
        return
    with engine.begin() as conn:
        if old_log:
            _run_file(conn, UPGRADES_DIR / "09_delivery_log_v2_before.sql")
        apply_store_schema(conn)
        if old_log:
            _run_file(conn, UPGRADES_DIR / "09_delivery_log_v2_after.sql")


def _run_file(conn: Connection, path: Path) -> None:
    for statement in statements(path.read_text(encoding="utf-8")):
        conn.execute(sa.text(statement))


def execute(engine: Engine, name: str, params: Mapping[str, Any] | list[dict[str, Any]]) -> None:
    """Run a write statement from `sql/queries/<name>.sql` in its own transaction."""
    with engine.begin() as conn:
        conn.execute(sa.text(query_text(name)), params)


def execute_count(engine: Engine, name: str, params: Mapping[str, Any]) -> int:
    """Run one write statement in its own transaction; returns how many rows it changed."""
    with engine.begin() as conn:
        return int(conn.execute(sa.text(query_text(name)), params).rowcount or 0)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A query result as plain dicts, NULLs as None (pandas reads them as NaN)."""
    return [
        {key: plain(value) for key, value in row.items()} for row in frame.to_dict(orient="records")
    ]


def read_latest_revision(
    engine: Engine, quarter: str, scope: str, language: str
) -> dict[str, Any] | None:
    """The newest stored revision row of a report, or None before its first render."""
    params = {"quarter": quarter, "scope": scope, "language": language}
    rows = records(read_query(engine, "delivery_revision_latest", params))
    return rows[0] if rows else None


def read_headline_figures(engine: Engine, quarter: str) -> dict[str, dict[str, Any]]:
    """CSI, NPS, CSAT and respondents per scope; suppressed figures are None."""
    figures: dict[str, dict[str, Any]] = {}
    for row in records(read_query(engine, "delivery_headline", {"quarter": quarter})):
        entry = figures.setdefault(str(row["scope"]), {})
        entry[row["metric"]] = None if row["flag"] == "suppressed" else row["value"]
        if row["metric"] != "respondents":
            entry[f"{row['metric']}_flag"] = row["flag"]
        boxes = re.search(r"(\d+)–(\d+) of (\d+)", str(row.get("note") or ""))
        if row["metric"] == "csat" and boxes:
            entry["csat_boxes"] = (int(boxes[1]), int(boxes[2]))
    return figures


def read_known_names(engine: Engine) -> tuple[str, ...]:
    """Names of people the warehouse knows (`person_names`), to mask in comments; () if none.

    The table is optional in a production warehouse: its absence means no list of names.
    """
    if not sa.inspect(engine).has_table("person_names"):
        return ()
    return tuple(str(name) for name in read_query(engine, "person_names")["full_name"] if name)
