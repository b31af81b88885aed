"""Warehouses that break the data contract: the small demo without the canonical constraints.

An insurer's warehouse, read through views, enforces none of our keys, checks or references,
so the contract must catch what a constraint would have refused. The small demo is copied
once per session into tables with the canonical columns and types but no constraints (on
SQLite and on PostgreSQL); each test gets its own copy to break.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.warehouse import SOURCE_RELATIONS, apply_schema, connect
from tests.conftest import postgres_database


def unconstrained_tables(target: Engine) -> sa.MetaData:
    """The input relations with the canonical columns and types, no keys or checks."""
    canonical = sa.create_engine("sqlite://")
    apply_schema(canonical)
    inspector = sa.inspect(canonical)
    metadata = sa.MetaData()
    for relation in SOURCE_RELATIONS:
        columns = [sa.Column(c["name"], c["type"]) for c in inspector.get_columns(relation)]
        sa.Table(relation, metadata, *columns)
    metadata.create_all(target)
    return metadata


def copy_relations(source: Engine, target: Engine, metadata: sa.MetaData) -> None:
    """Every row of the input relations, typed by the canonical columns (dates stay dates)."""
    with source.connect() as read, target.begin() as write:
        for relation in SOURCE_RELATIONS:
            table = metadata.tables[relation]
            rows = [dict(row) for row in read.execute(sa.select(table)).mappings()]
            if rows:
                write.execute(sa.insert(table), rows)


@pytest.fixture(scope="session")
def clean_sqlite(small_demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("contract") / "clean.db"
    path.touch()
    target = connect(f"sqlite:///{path}")
    copy_relations(connect(small_demo_url), target, unconstrained_tables(target))
    target.dispose()
    return path


@pytest.fixture(scope="session")
def clean_postgres_template(clean_sqlite: Path) -> Iterator[str]:
    with postgres_database("satisfaction_contract") as url:
        target = sa.create_engine(url)
        copy_relations(connect(f"sqlite:///{clean_sqlite}"), target, unconstrained_tables(target))
        target.dispose()
        yield sa.engine.make_url(url).database or ""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def clean_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the clean warehouse, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "warehouse.db"
        shutil.copy(request.getfixturevalue("clean_sqlite"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("clean_postgres_template")
    with postgres_database(template=template) as url:
        yield url


def break_warehouse(url: str, statements: list[str]) -> Engine:
    """Run the statements that break a rule; returns the warehouse's engine."""
    engine = connect(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    return engine
