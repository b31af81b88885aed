"""Stored fingerprints of what a report revision and a computed quarter were made from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Connection, Engine

from etl.warehouse.sqlfiles import read_query, statement
from etl.warehouse.stores import records


def read_report_sources(engine: Engine, key: Mapping[str, Any]) -> str | None:
    """The sources fingerprint recorded for a revision (quarter, scope, language, revision)."""
    params = {name: key[name] for name in ("quarter", "scope", "language")}
    params |= {"revision": int(key["revision"])}
    rows = records(read_query(engine, "store/report_sources_of_revision", params))
    return str(rows[0]["sources_sha256"]) if rows else None


def store_report_sources(engine: Engine, key: Mapping[str, Any], sources_sha256: str) -> None:
    """Record what a revision was made from, so an unchanged rerun skips it without rendering."""
    params = {name: key[name] for name in ("quarter", "scope", "language")}
    with engine.begin() as conn:
        conn.execute(
            statement("store/report_sources_upsert"),
            params | {"revision": int(key["revision"]), "sources_sha256": sources_sha256},
        )


def read_quarter_inputs(engine: Engine | Connection, quarter: str) -> str | None:
    """The inputs fingerprint the quarter's stored results were computed from, if recorded."""
    rows = records(read_query(engine, "store/quarter_inputs_of_quarter", {"quarter": quarter}))
    return str(rows[0]["inputs_sha256"]) if rows else None


def store_quarter_inputs(conn: Connection, quarter: str, inputs_sha256: str, run_id: str) -> None:
    """Record the inputs of the quarter's results, in the transaction that stores them."""
    conn.execute(
        statement("store/quarter_inputs_upsert"),
        {"quarter": quarter, "inputs_sha256": inputs_sha256, "run_id": run_id},
    )
