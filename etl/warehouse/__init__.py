"""The warehouse and the results store: the only package that speaks SQLAlchemy."""

from etl.core.errors import WarehouseError
from etl.warehouse.actions import (
    read_action_events,
    read_actions,
    read_earlier_actions,
    read_scope_action_events,
    record_action_change,
    store_actions,
)
from etl.warehouse.bulk import BulkWriter, policy_count, refresh_statistics
from etl.warehouse.contract import read_contract_warnings, replace_contract_warnings
from etl.warehouse.engine import (
    check_reachable,
    connect,
    new_sqlite_file,
    redact,
    url_from_connection,
)
from etl.warehouse.findings import read_findings, replace_findings
from etl.warehouse.fingerprints import (
    read_quarter_inputs,
    read_report_sources,
    store_quarter_inputs,
    store_report_sources,
)
from etl.warehouse.results import plain, read_results, replace_results, upsert_results
from etl.warehouse.scopes import available_scopes, demo_brand, segment_scopes
from etl.warehouse.sqlfiles import (
    SCHEMA_DIR,
    SOURCE_RELATIONS,
    SOURCES_DIR,
    SQL_DIR,
    STORE_SCHEMA_DIR,
    apply_schema,
    apply_store_schema,
    query_text,
    read_query,
    reading,
    sources_dir,
    statement,
    statements,
    with_sources,
    without_comments,
)
from etl.warehouse.staleness import (
    clear_stale,
    mark_stale,
    read_revision_figures,
    read_stale,
    revised_quarters_after,
    store_revision_figures,
)
from etl.warehouse.stores import read_known_names, records

__all__ = [
    "SCHEMA_DIR",
    "SOURCES_DIR",
    "SOURCE_RELATIONS",
    "SQL_DIR",
    "STORE_SCHEMA_DIR",
    "BulkWriter",
    "WarehouseError",
    "apply_schema",
    "apply_store_schema",
    "available_scopes",
    "check_reachable",
    "clear_stale",
    "connect",
    "demo_brand",
    "mark_stale",
    "new_sqlite_file",
    "plain",
    "policy_count",
    "query_text",
    "read_action_events",
    "read_actions",
    "read_contract_warnings",
    "read_earlier_actions",
    "read_findings",
    "read_known_names",
    "read_quarter_inputs",
    "read_query",
    "read_report_sources",
    "read_results",
    "read_revision_figures",
    "read_scope_action_events",
    "read_stale",
    "reading",
    "record_action_change",
    "records",
    "redact",
    "refresh_statistics",
    "replace_contract_warnings",
    "replace_findings",
    "replace_results",
    "revised_quarters_after",
    "segment_scopes",
    "sources_dir",
    "statement",
    "statements",
    "store_actions",
    "store_quarter_inputs",
    "store_report_sources",
    "store_revision_figures",
    "upsert_results",
    "url_from_connection",
    "with_sources",
    "without_comments",
]
