"""SQL files: the schema applies twice safely, statements split, one SQL text on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.warehouse import (
    apply_schema,
    statements,
)

TABLES = {
    "branches", "channels", "product_lines", "policies", "premium_payments", "claims",
    "complaints", "survey_waves", "survey_items", "survey_responses", "survey_answers",
    "feedback_texts", "mystery_shop_visits", "mystery_shop_results", "kpi_targets",
    "improvement_actions", "results",
}  # fmt: skip


def test_schema_creates_every_table(warehouse: Engine) -> None:
    assert set(sa.inspect(warehouse).get_table_names()) >= TABLES


def test_schema_is_safe_to_apply_twice(warehouse: Engine) -> None:
    apply_schema(warehouse)
    assert set(sa.inspect(warehouse).get_table_names()) >= TABLES


def test_day_difference_is_the_same_sql_on_both_databases(warehouse: Engine) -> None:
    # Stored DATE columns (ISO text on SQLite); never `cast(… as date)`, which SQLite turns
    # into the number 2026. 2026-07-01 → 2026-07-31 is 30 days.
    with warehouse.begin() as conn:
        conn.execute(
            sa.text("insert into survey_waves values ('2026-Q3', '2026-Q3', :a, :b, '2026.1', 10)"),
            {"a": "2026-07-01", "b": "2026-07-31"},
        )
        days = conn.execute(
            sa.text(
                "select (date_part('epoch', fielded_to) - date_part('epoch', fielded_from))"
                " / 86400.0 from survey_waves"
            )
        ).scalar_one()
    assert float(days) == 30.0


def test_statements_split_ignores_comment_lines() -> None:
    text = "-- a comment; with a semicolon\ncreate table a (x int);\n\ncreate table b (y int);\n"
    assert statements(text) == ["create table a (x int)", "create table b (y int)"]
