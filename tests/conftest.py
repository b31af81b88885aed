"""Shared fixtures: fresh warehouses on SQLite and on the PostgreSQL server, and small demos."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl import demo
from etl.core.periods import Quarter
from etl.warehouse import apply_schema, connect

# The server .ci/run starts; tests that need it fail (never skip) when it is down.
POSTGRES_ADMIN_URL = os.environ.get(
    "SATISFACTION_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
DEMO_THROUGH = Quarter(2026, 3)


def _postgres_admin() -> Engine:
    engine = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
    except sa.exc.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable ({exc.orig}); start it with "
            "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` — "
            "PostgreSQL tests never skip"
        )
    return engine


@contextmanager
def postgres_database(
    prefix: str = "satisfaction_test", template: str | None = None
) -> Iterator[str]:
    """A new PostgreSQL database (a copy of `template` if given); its URL, dropped after."""
    admin = _postgres_admin()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    copy_of = f' template "{template}"' if template else ""
    with admin.connect() as conn:
        conn.execute(sa.text(f'create database "{name}"{copy_of}'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        sa.create_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    with postgres_database() as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A new, empty SQLite warehouse file for one test."""
    path = tmp_path / "warehouse.db"
    path.touch()
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse(request: pytest.FixtureRequest) -> Engine:
    """An empty warehouse with the schema applied, once on SQLite and once on PostgreSQL."""
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    engine = connect(url)
    apply_schema(engine)
    return engine


@pytest.fixture(scope="session")
def small_demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small demo warehouse on SQLite (through 2026-Q3), built once per session."""
    path = tmp_path_factory.mktemp("demo") / "warehouse.db"
    path.touch()
    url = f"sqlite:///{path}"
    demo.build(connect(url), demo.DemoPlan(through=DEMO_THROUGH, size=demo.SCALES["small"]))
    return url


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The default-size demo warehouse (as `make demo` builds it), through 2026-Q3."""
    path = tmp_path_factory.mktemp("demo_full") / "warehouse.db"
    path.touch()
    url = f"sqlite:///{path}"
    demo.build(connect(url), demo.DemoPlan(through=DEMO_THROUGH))
    return url
