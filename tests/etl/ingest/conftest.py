"""Warehouses to ingest into: a copy of the small demo (SQLite) and a PostgreSQL one."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from etl.core import load_item_bank, load_settings
from etl.ingest import IngestRun, Mapping, ingest_file
from etl.ingest.load import FileOutcome
from etl.warehouse import BulkWriter, apply_schema, connect, read_query

TODAY = dt.date(2026, 12, 6)


@pytest.fixture
def warehouse_copy(small_demo_url: str, tmp_path: Path) -> Engine:
    """A private copy of the small demo warehouse (branches, channels, policies, waves)."""
    source = Path(small_demo_url.removeprefix("sqlite:///"))
    target = tmp_path / "copy.db"
    shutil.copy(source, target)
    return connect(f"sqlite:///{target}")


@pytest.fixture
def postgres_warehouse(small_demo_url: str, postgres_url: str) -> Engine:
    """PostgreSQL with the schema and the small demo's reference data and first policies."""
    source, engine = connect(small_demo_url), connect(postgres_url)
    apply_schema(engine)
    writer = BulkWriter(engine)
    for table in ("branches", "channels", "product_lines", "policies", "survey_waves"):
        frame = read_query(source, "testing/table_" + table)
        writer.write(table, frame)
    return engine


def ingest(
    engine: Engine, path: Path, mapping: Mapping | None = None, inbox: Path | None = None
) -> FileOutcome:
    run = IngestRun(engine, mapping or Mapping(), load_settings(), load_item_bank(), today=TODAY)
    return ingest_file(run, path, inbox)


def policy_numbers(engine: Engine, count: int) -> list[tuple[str, str]]:
    """(policy_no, branch_code) of the first policies of the warehouse."""
    frame = read_query(engine, "testing/table_policies").head(count)
    return list(zip(frame["policy_no"], frame["branch_code"], strict=True))
