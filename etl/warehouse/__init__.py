"""The warehouse and the results store: the only package that speaks SQLAlchemy."""

from etl.warehouse.store import (
    SCHEMA_DIR,
    SQL_DIR,
    WarehouseError,
    apply_schema,
    check_reachable,
    connect,
    query_text,
    read_query,
    read_results,
    redact,
    statements,
    upsert_results,
    url_from_connection,
)

__all__ = [
    "SCHEMA_DIR",
    "SQL_DIR",
    "WarehouseError",
    "apply_schema",
    "check_reachable",
    "connect",
    "query_text",
    "read_query",
    "read_results",
    "redact",
    "statements",
    "upsert_results",
    "url_from_connection",
]
