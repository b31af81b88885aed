"""The SQL files in `sql/`: reading them, splitting DDL, running named queries with bound params."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from etl.core.config import REPOSITORY_ROOT, load_settings
from etl.core.errors import WarehouseError

SQL_DIR = REPOSITORY_ROOT / "sql"
SCHEMA_DIR = SQL_DIR / "schema"
# The results store's tables (results, actions, revisions, delivery log, findings): in the
# database of the `satisfaction_results` connection, else beside the warehouse's tables.
STORE_SCHEMA_DIR = SQL_DIR / "store" / "schema"
SOURCES_DIR = SQL_DIR / "sources"
# The input relations of the data contract, each read through one source view
# (`sql/sources/<relation>.sql`, or the insurer's own folder): queries name them `src_<relation>`.
SOURCE_RELATIONS = (
    "branches",
    "channels",
    "product_lines",
    "policies",
    "premium_payments",
    "claims",
    "complaints",
    "survey_waves",
    "survey_items",
    "survey_responses",
    "survey_answers",
    "feedback_texts",
    "mystery_shop_visits",
    "mystery_shop_results",
    "kpi_targets",
)
_SOURCE_REFERENCE = re.compile(r"\bsrc_([a-z][a-z0-9_]*)\b")
_LEADING_WITH = re.compile(r"^\s*with\b", re.IGNORECASE)


def without_comments(sql_text: str) -> str:
    """Drop whole-line `--` comments, so a `:name` written in a comment is not taken as a bind."""
    return "\n".join(line for line in sql_text.splitlines() if not line.strip().startswith("--"))


def statements(sql_text: str) -> list[str]:
    """Split a DDL file into statements (our SQL files keep `;` out of literals)."""
    return [part.strip() for part in without_comments(sql_text).split(";") if part.strip()]


def _apply(conn: Connection, folder: Path) -> None:
    for path in sorted(folder.glob("*.sql")):
        for statement in statements(path.read_text(encoding="utf-8")):
            conn.execute(sa.text(statement))


def apply_schema(engine: Engine) -> None:
    """The canonical warehouse and the results store in one database (the embedded default):
    every table and index of `sql/schema/` and `sql/store/schema/`; safe to rerun."""
    with engine.begin() as conn:
        _apply(conn, SCHEMA_DIR)
        _apply(conn, STORE_SCHEMA_DIR)


_TABLE = re.compile(r"\btable\s+if\s+not\s+exists\s+(\w+)", re.IGNORECASE)


def store_tables() -> set[str]:
    """The tables `sql/store/schema/` defines."""
    return {
        name
        for path in STORE_SCHEMA_DIR.glob("*.sql")
        for name in _TABLE.findall(path.read_text(encoding="utf-8"))
    }


def apply_store_schema(target: Engine | Connection) -> None:
    """Create the results store's tables where they are missing.

    Nothing runs when they all exist: DDL (even `if not exists`) needs CREATE on the schema,
    which the job's least-privilege account does not have (sql/grants/job_role.sql).
    """
    if isinstance(target, Connection):
        if not store_tables() <= set(sa.inspect(target).get_table_names()):
            _apply(target, STORE_SCHEMA_DIR)
        return
    with target.begin() as conn:
        if not store_tables() <= set(sa.inspect(conn).get_table_names()):
            _apply(conn, STORE_SCHEMA_DIR)


_INCLUDE = re.compile(r"^--\s*include:\s*(\S+)\s*$", re.MULTILINE)


def query_text(name: str) -> str:
    """The text of `sql/<name>.sql`; a bare name is a file of `sql/queries/`.

    A line `-- include: <folder>/<file>` is replaced by that file of `sql/` (a part shared
    by several statements, e.g. the contract's "five examples per broken rule" ending).
    """
    path = SQL_DIR / (f"{name}.sql" if "/" in name else f"queries/{name}.sql")
    if not path.exists():
        raise WarehouseError(f"query file {path} does not exist")
    text = _INCLUDE.sub(lambda found: query_text(found.group(1)), path.read_text(encoding="utf-8"))
    return without_comments(text)


def sources_dir() -> Path:
    """The folder of source views: `warehouse.sources` in the settings, else `sql/sources/`."""
    return load_settings().sources_dir or SOURCES_DIR


def source_text(relation: str, folder: Path) -> str:
    """The SELECT of one source view, without comments or a trailing semicolon."""
    if relation not in SOURCE_RELATIONS:
        raise WarehouseError(
            f"src_{relation} is not a relation of the data contract; expected one of "
            f"{', '.join(SOURCE_RELATIONS)}"
        )
    path = folder / f"{relation}.sql"
    if not path.exists():
        raise WarehouseError(
            f"source view {path} does not exist: every relation of the data contract needs "
            f"one (start from {SOURCES_DIR / path.name}; docs/data-contract.md)"
        )
    return without_comments(path.read_text(encoding="utf-8")).strip().rstrip(";").strip()


def with_sources(sql_text: str, folder: Path) -> str:
    """The statement with each `src_<relation>` it reads defined by its source view.

    The views become leading common table expressions marked NOT MATERIALIZED, so PostgreSQL
    (12+) and SQLite (3.35+) plan them as if the query read the tables: filters and indexes
    reach through a view, and the warehouse needs no objects of ours, only read access.
    """
    relations = list(dict.fromkeys(_SOURCE_REFERENCE.findall(sql_text)))
    if not relations:
        return sql_text
    definitions = ",\n".join(
        "src_" + relation + " as not materialized (\n" + source_text(relation, folder) + "\n)"
        for relation in relations
    )
    leading = _LEADING_WITH.match(sql_text)
    if leading:
        return "with " + definitions + ",\n" + sql_text[leading.end() :]
    return "with " + definitions + "\n" + sql_text


def statement(name: str, expanding: tuple[str, ...] = ()) -> sa.TextClause:
    """A named statement as a bound `text()`; `expanding` names the binds that take a list.

    The source views it reads come from the configured folder (`sources_dir`).
    """
    return _statement(name, expanding, sources_dir())


@cache
def _statement(name: str, expanding: tuple[str, ...], folder: Path) -> sa.TextClause:
    clause = sa.text(with_sources(query_text(name), folder))
    if expanding:
        clause = clause.bindparams(*(sa.bindparam(bind, expanding=True) for bind in expanding))
    return clause


SESSION_DIR = SQL_DIR / "session"


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """One connection for a batch of read statements, set up by `sql/session/<dialect>_reads.sql`
    when that file exists (PostgreSQL: no JIT); the settings end with the connection."""
    with engine.connect() as conn:
        setup = SESSION_DIR / f"{conn.dialect.name}_reads.sql"
        if setup.exists():
            for part in statements(setup.read_text(encoding="utf-8")):
                conn.execute(sa.text(part))
        yield conn


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
    try:
        result = conn.execute(statement(name, tuple(expanding)), dict(params or {}))
    except sa.exc.DBAPIError as exc:
        relations = sorted(set(_SOURCE_REFERENCE.findall(query_text(name))))
        if not relations or exc.connection_invalidated:
            raise
        # A statement over the source views that the warehouse refuses: most often a view
        # that names a column or table the warehouse lacks. Name the views, not a traceback.
        reason = str(exc.orig).strip().splitlines()[0]
        raise WarehouseError(
            f"{name} failed on the warehouse: {reason}; it reads the source views "
            f"{', '.join(relations)} of {sources_dir()} (docs/data-contract.md)"
        ) from exc
    # Plain tuples: pandas probes each SQLAlchemy Row for attributes (a failed key look-up
    # per row), which cost several times the fetch on a report's 30,000 result rows.
    return pd.DataFrame([tuple(row) for row in result.fetchall()], columns=list(result.keys()))
