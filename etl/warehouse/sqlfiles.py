"""The SQL files in `sql/`: reading them, splitting DDL, running named queries with bound params."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from etl.core.config import REPOSITORY_ROOT
from etl.core.errors import WarehouseError

SQL_DIR = REPOSITORY_ROOT / "sql"
SCHEMA_DIR = SQL_DIR / "schema"


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
    """The text of `sql/<name>.sql`; a bare name is a file of `sql/queries/`."""
    path = SQL_DIR / (f"{name}.sql" if "/" in name else f"queries/{name}.sql")
    if not path.exists():
        raise WarehouseError(f"query file {path} does not exist")
    return without_comments(path.read_text(encoding="utf-8"))


@cache
def statement(name: str, expanding: tuple[str, ...] = ()) -> sa.TextClause:
    """A named statement as a bound `text()`; `expanding` names the binds that take a list."""
    clause = sa.text(query_text(name))
    if expanding:
        clause = clause.bindparams(*(sa.bindparam(bind, expanding=True) for bind in expanding))
    return clause


def read_query(
    engine: Engine | Connection,
    name: str,
    params: Mapping[str, Any] | None = None,
    expanding: Sequence[str] = (),
) -> pd.DataFrame:
    """Run a named query with bound parameters and return its rows as a DataFrame."""
    if isinstance(engine, Connection):
        return _frame(engine, name, params, expanding)
    with engine.connect() as conn:
        return _frame(conn, name, params, expanding)


def _frame(
    conn: Connection, name: str, params: Mapping[str, Any] | None, expanding: Sequence[str]
) -> pd.DataFrame:
    result = conn.execute(statement(name, tuple(expanding)), dict(params or {}))
    return pd.DataFrame(result.fetchall(), columns=list(result.keys()))
