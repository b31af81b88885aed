"""The warehouse: engines, the portable SQL files in `sql/`, and the results table."""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from etl.core.config import REPOSITORY_ROOT

SQL_DIR = REPOSITORY_ROOT / "sql"
SCHEMA_DIR = SQL_DIR / "schema"


class WarehouseError(RuntimeError):
    """The warehouse cannot be reached or does not hold what the job needs."""


def _sqlite_date_part(field: str, value: Any) -> float | None:
    """PostgreSQL's `date_part('epoch', d)` for SQLite, so day arithmetic is one SQL text."""
    if value is None:
        return None
    if field != "epoch":
        raise sqlite3.ProgrammingError(f"date_part: only 'epoch' is supported, got {field!r}")
    text = str(value)
    moment = (
        dt.datetime.fromisoformat(text)
        if len(text) > 10
        else dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
    )
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
    """An engine for the warehouse; SQLite gets the helper functions the SQL files use."""
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


def check_reachable(engine: Engine) -> None:
    """Fail with a message naming the warehouse if it cannot be queried."""
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
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


def without_comments(sql_text: str) -> str:
    """Drop whole-line `--` comments, so a `:name` written in a comment is not taken as a bind."""
    return "\n".join(line for line in sql_text.splitlines() if not line.strip().startswith("--"))


def statements(sql_text: str) -> list[str]:
    """Split a DDL file into statements (our SQL files keep `;` out of literals)."""
    return [part.strip() for part in without_comments(sql_text).split(";") if part.strip()]


def apply_schema(engine: Engine) -> None:
    """Create every table and index in `sql/schema/`, in file order; safe to rerun."""
    with engine.begin() as conn:
        for path in sorted(SCHEMA_DIR.glob("*.sql")):
            for statement in statements(path.read_text(encoding="utf-8")):
                conn.execute(sa.text(statement))


def query_text(name: str) -> str:
    """The text of `sql/queries/<name>.sql`."""
    path = SQL_DIR / "queries" / f"{name}.sql"
    if not path.exists():
        raise WarehouseError(f"query file {path} does not exist")
    return without_comments(path.read_text(encoding="utf-8"))


def read_query(engine: Engine, name: str, params: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Run a named query with bound parameters and return its rows as a DataFrame."""
    with engine.connect() as conn:
        result = conn.execute(sa.text(query_text(name)), dict(params or {}))
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


@dataclass(frozen=True)
class ResultRow:
    """One figure of the results table, keyed by (quarter, scope, metric)."""

    quarter: str
    scope: str
    metric: str
    value: float | None
    lower_bound: float | None = None
    upper_bound: float | None = None
    n: int | None = None
    n_effective: float | None = None
    flag: str | None = None
    note: str | None = None


_UPSERT = sa.text(
    """
    insert into results
        (quarter, scope, metric, value, lower_bound, upper_bound, n, n_effective, flag, note,
         run_id)
    values
        (:quarter, :scope, :metric, :value, :lower_bound, :upper_bound, :n, :n_effective, :flag,
         :note, :run_id)
    on conflict (quarter, scope, metric) do update set
        value = excluded.value,
        lower_bound = excluded.lower_bound,
        upper_bound = excluded.upper_bound,
        n = excluded.n,
        n_effective = excluded.n_effective,
        flag = excluded.flag,
        note = excluded.note,
        run_id = excluded.run_id
    """
)


def _plain(value: Any) -> Any:
    """numpy scalars and NaN → plain Python values the drivers accept (NaN → NULL)."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def upsert_results(
    engine: Engine, quarter: str, rows: Iterable[ResultRow], run_id: str, scopes: Sequence[str]
) -> int:
    """Replace the quarter's results for `scopes` in one transaction: all or nothing.

    Metrics a rerun no longer produces for a scope are removed, so the table never mixes
    two runs' figures for one (quarter, scope).
    """
    payload = [
        {key: _plain(value) for key, value in row.__dict__.items()} | {"run_id": run_id}
        for row in rows
    ]
    with engine.begin() as conn:
        if scopes:
            conn.execute(
                sa.text(
                    "delete from results where quarter = :quarter and scope in :scopes"
                ).bindparams(sa.bindparam("scopes", expanding=True)),
                {"quarter": quarter, "scopes": list(scopes)},
            )
        if payload:
            conn.execute(_UPSERT, payload)
    return len(payload)


def read_results(
    engine: Engine, quarters: Sequence[str], scopes: Sequence[str] | None = None
) -> pd.DataFrame:
    """Stored results for some quarters (and scopes), for trends and for the report."""
    sql = "select * from results where quarter in :quarters"
    params: dict[str, Any] = {"quarters": list(quarters)}
    statement = sa.text(sql).bindparams(sa.bindparam("quarters", expanding=True))
    if scopes is not None:
        statement = sa.text(sql + " and scope in :scopes").bindparams(
            sa.bindparam("quarters", expanding=True), sa.bindparam("scopes", expanding=True)
        )
        params["scopes"] = list(scopes)
    with engine.connect() as conn:
        result = conn.execute(statement, params)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
