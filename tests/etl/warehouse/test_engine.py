"""Engines: SQLite helpers, reachability errors without passwords, URLs from connection fields."""

from __future__ import annotations

import pytest

from etl.warehouse import (
    WarehouseError,
    check_reachable,
    connect,
    url_from_connection,
)

TABLES = {
    "branches", "channels", "product_lines", "policies", "premium_payments", "claims",
    "complaints", "survey_waves", "survey_items", "survey_responses", "survey_answers",
    "feedback_texts", "mystery_shop_visits", "mystery_shop_results", "kpi_targets",
    "improvement_actions", "results",
}  # fmt: skip


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
