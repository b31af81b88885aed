"""Engines: connecting by URL, SQLite's helper functions, reachability, Airflow-free URLs."""

from __future__ import annotations

import datetime as dt
import math
import re
import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from etl.core.errors import WarehouseError


def _sqlite_date_part(field: str, value: Any) -> float | None:
    """PostgreSQL's `date_part` for SQLite ('epoch', 'year', 'month', 'day'), so day and
    calendar-month arithmetic is one SQL text on both databases."""
    if value is None:
        return None
    if field not in ("epoch", "year", "month", "day"):
        raise sqlite3.ProgrammingError(
            f"date_part: only 'epoch', 'year', 'month' and 'day' are supported, got {field!r}"
        )
    text = str(value)
    moment = (
        dt.datetime.fromisoformat(text)
        if len(text) > 10
        else dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
    )
    if field != "epoch":
        return float(getattr(moment, field))
    return (moment - dt.datetime(1970, 1, 1)).total_seconds()


def _sqlite_sqrt(value: float | None) -> float | None:
    """sqrt() for SQLite builds compiled without the math functions."""
    return None if value is None else math.sqrt(value)


def _on_sqlite_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    dbapi_connection.create_function("date_part", 2, _sqlite_date_part, deterministic=True)
    dbapi_connection.create_function("sqrt", 1, _sqlite_sqrt, deterministic=True)
    dbapi_connection.execute("pragma foreign_keys = on")


def redact(url: str | URL) -> str:
    """The URL with its password hidden, for error messages and logs."""
    return make_url(str(url)).render_as_string(hide_password=True)


def connect(url: str | URL) -> Engine:
    """An engine for the warehouse; SQLite gets the helper functions the SQL files use.

    A malformed URL or one naming a driver that is not installed is a WarehouseError that
    names the URL with its password hidden (never a traceback that prints it).
    """
    try:
        return _engine(url)
    except (sa.exc.ArgumentError, ImportError) as exc:
        shown = _redacted_text(str(url))
        reason = str(exc).replace(str(url), shown).splitlines()[0]
        raise WarehouseError(
            f"warehouse URL {shown} cannot be used: {reason} (expected e.g. "
            "postgresql+psycopg2://USER@HOST:5432/DB or sqlite:////abs/path.db)"
        ) from None


def _redacted_text(url: str) -> str:
    try:
        return redact(url)
    except sa.exc.ArgumentError:
        return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", url)


def _engine(url: str | URL) -> Engine:
    parsed = make_url(str(url))
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not Path(database).exists():
            raise WarehouseError(
                f"warehouse {redact(parsed)} is unreachable: the SQLite file {database} does "
                "not exist (build the demo with `satisfaction-report demo`)"
            )
        engine = sa.create_engine(parsed)
        sa.event.listen(engine, "connect", _on_sqlite_connect)
    else:
        engine = sa.create_engine(parsed, pool_pre_ping=True)
    return engine


def new_sqlite_file(url: str) -> None:
    """Create the file of a SQLite URL for a new warehouse (`demo --warehouse`).

    Everywhere else a missing SQLite file is refused, so that a mistyped path never becomes
    an empty warehouse; building one is the one place where a new file is the point.
    """
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError:
        return  # connect() explains a malformed URL in words
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)


def check_reachable(engine: Engine) -> None:
    """Fail with a message naming the warehouse if it cannot be queried."""
    try:
        with engine.connect() as conn:
            conn.execute(sa.select(sa.literal(1)))
    except sa.exc.SQLAlchemyError as exc:
        reason = str(exc.orig if getattr(exc, "orig", None) else exc).strip().splitlines()[0]
        raise WarehouseError(f"warehouse {redact(engine.url)} is unreachable: {reason}") from exc


def url_from_connection(
    conn_type: str,
    host: str | None = None,
    login: str | None = None,
    password: str | None = None,
    port: int | None = None,
    schema: str | None = None,
) -> URL:
    """A SQLAlchemy URL from an Airflow connection's fields (kept here so etl/ needs no Airflow)."""
    kind = (conn_type or "").lower()
    if kind == "sqlite":
        return URL.create("sqlite", database=host or schema)
    if kind in {"postgres", "postgresql"}:
        return URL.create(
            "postgresql+psycopg2",
            username=login or None,
            password=password or None,
            host=host or None,
            port=port or None,
            database=schema or None,
        )
    raise WarehouseError(
        f"warehouse connection type {conn_type!r} is not supported (use sqlite or postgres)"
    )
