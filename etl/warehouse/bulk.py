"""Bulk loading frames into a table: COPY on PostgreSQL, one executemany on SQLite."""

from __future__ import annotations

import csv
import io

import pandas as pd
import sqlalchemy as sa
from psycopg2 import sql as pg_sql
from sqlalchemy.engine import Connection, Engine

from etl.warehouse.sqlfiles import read_query, statement


class BulkWriter:
    """Appends frames to tables and counts the rows written per table.

    Identifiers are quoted by SQLAlchemy (SQLite) or psycopg2.sql (PostgreSQL COPY), never
    pasted into SQL text; the frame's columns name the table's columns.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rows_written: dict[str, int] = {}

    def write(self, table: str, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        self.rows_written[table] = self.rows_written.get(table, 0) + len(frame)
        if self.engine.dialect.name == "postgresql":
            self._copy(table, frame)
        else:
            self._insert(table, frame)

    def _insert(self, table: str, frame: pd.DataFrame) -> None:
        raw = self.engine.raw_connection()
        try:
            _executemany(raw.cursor(), self.engine.dialect, table, frame)
            raw.commit()
        finally:
            raw.close()

    def _copy(self, table: str, frame: pd.DataFrame) -> None:
        raw = self.engine.raw_connection()
        try:
            _copy_frame(raw.cursor(), table, frame)
            raw.commit()
        finally:
            raw.close()


def _executemany(cursor, dialect, table: str, frame: pd.DataFrame) -> None:
    target = sa.table(table, *(sa.column(column) for column in frame.columns))
    # Compiled once to the driver's paramstyle, then one executemany over plain tuples:
    # the fastest path through sqlite3 for millions of rows.
    insert = str(sa.insert(target).compile(dialect=dialect))
    records = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    cursor.executemany(insert, records)


def _copy_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns escaped for COPY's text format (backslash, tab, newlines)."""
    escaped = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            text = values.astype(object)
            is_text = text.map(lambda value: isinstance(value, str))
            if is_text.any():
                cleaned = text[is_text].astype(str)
                for plain, coded in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
                    cleaned = cleaned.str.replace(plain, coded, regex=False)
                text = text.where(~is_text, cleaned)
            escaped[column] = text
    return escaped


def _copy_frame(cursor, table: str, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    _copy_text(frame).to_csv(
        buffer, index=False, header=False, na_rep="\\N", sep="\t", quoting=csv.QUOTE_NONE
    )
    buffer.seek(0)
    copy = pg_sql.SQL("copy {table} ({columns}) from stdin with (format text)").format(
        table=pg_sql.Identifier(table),
        columns=pg_sql.SQL(", ").join(pg_sql.Identifier(c) for c in frame.columns),
    )
    cursor.copy_expert(copy, buffer)


def bulk_insert(conn: Connection, table: str, frame: pd.DataFrame) -> int:
    """Append a frame inside the caller's transaction (COPY on PostgreSQL); rows written."""
    if frame.empty:
        return 0
    cursor = conn.connection.driver_connection.cursor()
    if conn.dialect.name == "postgresql":
        _copy_frame(cursor, table, frame)
    else:
        _executemany(cursor, conn.dialect, table, frame)
    return len(frame)


def policy_count(engine: Engine) -> int:
    """Policies already in the warehouse (a generator writes into an empty one only)."""
    return int(read_query(engine, "demo/policy_count")["policies"].iloc[0])


def refresh_statistics(engine: Engine) -> None:
    """ANALYZE after a bulk load on PostgreSQL, so the KPI queries get good plans."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(statement("demo/analyze"))
