"""The warehouse layer on SQLite and PostgreSQL: schema, results upsert, errors, URLs."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.core.results import ResultRow
from etl.warehouse import (
    WarehouseError,
    apply_schema,
    check_reachable,
    connect,
    read_results,
    statements,
    upsert_results,
    url_from_connection,
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


def test_upsert_replaces_a_quarters_rows_instead_of_duplicating(warehouse: Engine) -> None:
    first = [
        ResultRow("2026-Q3", "company", "csi", 71.0, n=100),
        ResultRow("2026-Q3", "company", "nps", 5.0, n=100),
    ]
    upsert_results(warehouse, "2026-Q3", first, "run-1", ["company"])
    second = [ResultRow("2026-Q3", "company", "csi", 72.5, n=101)]
    upsert_results(warehouse, "2026-Q3", second, "run-2", ["company"])
    stored = read_results(warehouse, ["2026-Q3"])
    # One row per (quarter, scope, metric); a metric the rerun no longer produces is gone.
    assert stored[["metric", "value", "n", "run_id"]].to_dict("records") == [
        {"metric": "csi", "value": 72.5, "n": 101, "run_id": "run-2"}
    ]


def test_upsert_leaves_other_quarters_and_scopes_alone(warehouse: Engine) -> None:
    upsert_results(
        warehouse, "2026-Q2", [ResultRow("2026-Q2", "company", "csi", 70.0)], "r1", ["company"]
    )
    upsert_results(warehouse, "2026-Q3", [ResultRow("2026-Q3", "BJ", "csi", 69.0)], "r1", ["BJ"])
    upsert_results(
        warehouse, "2026-Q3", [ResultRow("2026-Q3", "company", "csi", 71.0)], "r2", ["company"]
    )
    stored = read_results(warehouse, ["2026-Q2", "2026-Q3"]).sort_values(["quarter", "scope"])
    assert list(zip(stored["quarter"], stored["scope"], stored["value"], strict=True)) == [
        ("2026-Q2", "company", 70.0), ("2026-Q3", "BJ", 69.0), ("2026-Q3", "company", 71.0),
    ]  # fmt: skip


def test_upsert_is_all_or_nothing(warehouse: Engine) -> None:
    upsert_results(
        warehouse, "2026-Q3", [ResultRow("2026-Q3", "company", "csi", 71.0)], "r1", ["company"]
    )
    broken = [ResultRow("2026-Q3", "company", "csi", 80.0), ResultRow("2026-Q3", None, "nps", 1.0)]  # type: ignore[arg-type]
    with pytest.raises(sa.exc.IntegrityError):
        upsert_results(warehouse, "2026-Q3", broken, "r2", ["company"])
    stored = read_results(warehouse, ["2026-Q3"])
    assert stored[["metric", "value", "run_id"]].to_dict("records") == [
        {"metric": "csi", "value": 71.0, "run_id": "r1"}
    ]


def test_missing_sqlite_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(
        WarehouseError, match=r"unreachable: the SQLite file .*nope.db does not exist"
    ):
        connect(f"sqlite:///{tmp_path / 'nope.db'}")


def test_unreachable_server_is_a_clear_error_without_the_password() -> None:
    engine = connect("postgresql+psycopg2://cx:s3cret@127.0.0.1:9/warehouse?connect_timeout=2")
    with pytest.raises(
        WarehouseError,
        match=r"warehouse postgresql\+psycopg2://cx:\*\*\*@127.0.0.1:9/warehouse.* is unreachable",
    ) as caught:
        check_reachable(engine)
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"conn_type": "sqlite", "schema": "/data/warehouse.db"}, "sqlite:////data/warehouse.db"),
        ({"conn_type": "sqlite", "host": "/data/w.db"}, "sqlite:////data/w.db"),
        (
            {
                "conn_type": "postgres",
                "host": "db",
                "login": "cx",
                "password": "p@ss",
                "port": 5432,
                "schema": "dw",
            },
            "postgresql+psycopg2://cx:p%40ss@db:5432/dw",
        ),
    ],
)
def test_url_from_airflow_connection_fields(fields: dict, expected: str) -> None:
    assert url_from_connection(**fields).render_as_string(hide_password=False) == expected


def test_unsupported_connection_type_is_named() -> None:
    with pytest.raises(WarehouseError, match="connection type 'mysql' is not supported"):
        url_from_connection("mysql", host="h")


def test_statements_split_ignores_comment_lines() -> None:
    text = "-- a comment; with a semicolon\ncreate table a (x int);\n\ncreate table b (y int);\n"
    assert statements(text) == ["create table a (x int)", "create table b (y int)"]
