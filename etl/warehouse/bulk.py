"""Bulk loading frames into a table: COPY on PostgreSQL, one executemany on SQLite."""

from __future__ import annotations

import io

import pandas as pd
import sqlalchemy as sa
from psycopg2 import sql as pg_sql
from sqlalchemy.engine import Engine

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
        target = sa.table(table, *(sa.column(column) for column in frame.columns))
        # Compiled once to the driver's paramstyle, then one executemany over plain tuples:
        # the fastest path through sqlite3 for millions of rows.
        insert = str(sa.insert(target).compile(dialect=self.engine.dialect))
        records = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
        raw = self.engine.raw_connection()
        try:
            raw.cursor().executemany(insert, records)
            raw.commit()
        finally:
            raw.close()

    def _copy(self, table: str, frame: pd.DataFrame) -> None:
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False, na_rep="\\N", sep="\t")
        buffer.seek(0)
        copy = pg_sql.SQL("copy {table} ({columns}) from stdin with (format text)").format(
            table=pg_sql.Identifier(table),
            columns=pg_sql.SQL(", ").join(pg_sql.Identifier(c) for c in frame.columns),
        )
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.copy_expert(copy, buffer)
            raw.commit()
        finally:
            raw.close()


def policy_count(engine: Engine) -> int:
    """Policies already in the warehouse (a generator writes into an empty one only)."""
    return int(read_query(engine, "demo/policy_count")["policies"].iloc[0])


def refresh_statistics(engine: Engine) -> None:
    """ANALYZE after a bulk load on PostgreSQL, so the KPI queries get good plans."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(statement("demo/analyze"))
