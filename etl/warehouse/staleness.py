"""Stale reports and what moved between revisions: the store's side of a correction."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection, Engine

from etl.warehouse.sqlfiles import read_query, statement
from etl.warehouse.stores import records


def revised_quarters_after(conn: Engine | Connection, quarter: str) -> list[str]:
    """Later quarters that have rendered reports (whose readers hold a published figure)."""
    frame = read_query(conn, "store/revised_quarters_after", {"quarter": quarter})
    return [str(value) for value in frame["quarter"]]


def mark_stale(
    conn: Connection, quarters: Sequence[str], because_of: str, reason: str, run_id: str
) -> None:
    """Mark the quarters' published reports stale because `because_of` was corrected."""
    for quarter in quarters:
        conn.execute(
            statement("store/report_staleness_upsert"),
            {"quarter": quarter, "because_of": because_of, "reason": reason, "run_id": run_id},
        )


def clear_stale(conn: Connection, quarter: str) -> None:
    """A quarter computed again reads the corrected history: no longer stale."""
    conn.execute(statement("store/report_staleness_delete"), {"quarter": quarter})


def read_stale(engine: Engine | Connection, quarter: str) -> list[dict[str, Any]]:
    """Why a quarter's reports are stale (one row per corrected earlier quarter), or []."""
    return records(read_query(engine, "store/report_staleness_of_quarter", {"quarter": quarter}))


def store_revision_figures(
    engine: Engine,
    key: Mapping[str, Any],
    figures: Mapping[str, float | None],
    changed: Sequence[Mapping[str, Any]],
) -> None:
    """The figures a revision printed and those that moved since the revision before."""
    with engine.begin() as conn:
        conn.execute(
            statement("store/revision_figures_insert"),
            {
                "quarter": key["quarter"],
                "scope": key["scope"],
                "language": key["language"],
                "revision": int(key["revision"]),
                "figures": json.dumps(dict(figures), sort_keys=True),
                "changed": json.dumps(list(changed), ensure_ascii=False),
            },
        )


def read_revision_figures(engine: Engine | Connection, quarter: str) -> list[dict[str, Any]]:
    """Every stored revision's figures and changes of a quarter (JSON decoded)."""
    rows = records(read_query(engine, "store/revision_figures_of_quarter", {"quarter": quarter}))
    return [
        row | {"figures": json.loads(row["figures"]), "changed": json.loads(row["changed"])}
        for row in rows
    ]
