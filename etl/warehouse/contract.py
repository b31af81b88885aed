"""The data contract's warnings in the results store: written by the check, read by the
computation (into the results) and by the manifest."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from sqlalchemy.engine import Engine

from etl.warehouse.sqlfiles import apply_store_schema, read_query, statement


def replace_contract_warnings(
    engine: Engine,
    quarter: str,
    warnings: Sequence[Mapping[str, Any]],
    run_id: str,
    rules_checked: int,
) -> None:
    """The quarter's check: its warnings, replacing an earlier check's, in one transaction."""
    with engine.begin() as conn:
        apply_store_schema(conn)
        conn.execute(
            statement("store/contract_check_upsert"),
            {
                "quarter": quarter,
                "rules_checked": rules_checked,
                "warnings": len(warnings),
                "run_id": run_id,
            },
        )
        conn.execute(statement("store/contract_warnings_delete"), {"quarter": quarter})
        rows = [
            {
                "quarter": quarter,
                "relation": w["relation"],
                "rule": w["rule"],
                "failed": int(w["failed"]),
                "examples": ", ".join(str(key) for key in w["examples"]),
                "message": w["message"],
                "run_id": run_id,
            }
            for w in warnings
        ]
        if rows:
            conn.execute(statement("store/contract_warnings_insert"), rows)


def read_contract_warnings(engine: Engine, quarter: str) -> pd.DataFrame | None:
    """The quarter's stored warnings; None when the quarter was never checked."""
    with engine.begin() as conn:
        apply_store_schema(conn)
        params = {"quarter": quarter}
        if read_query(conn, "store/contract_check_of_quarter", params).empty:
            return None
        return read_query(conn, "store/contract_warnings_of_quarter", params)
