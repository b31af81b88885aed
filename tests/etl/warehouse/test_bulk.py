"""Bulk loading: the same rows land on SQLite (executemany) and PostgreSQL (COPY), NULLs kept."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.warehouse import BulkWriter, apply_schema, policy_count

BRANCHES = pd.DataFrame(
    {
        "branch_code": ["BJ", "SC"],
        "name_zh": ["北京分公司", "四川分公司"],
        "name_en": ["Beijing", "Sichuan"],
        "region_zh": ["华北", "西南"],
        "region_en": ["North", "Southwest"],
    }
)
RESULTS = pd.DataFrame(
    {
        "quarter": ["2026-Q3", "2026-Q3"],
        "scope": ["company", "SC"],
        "metric": ["csi", "csi"],
        "value": [70.8, None],
        "flag": [None, "suppressed"],
        "run_id": ["r1", "r1"],
    }
)


def test_rows_land_with_their_nulls_and_are_counted(warehouse: Engine) -> None:
    writer = BulkWriter(warehouse)
    writer.write("branches", BRANCHES)
    writer.write("results", RESULTS)
    writer.write("branches", BRANCHES.iloc[:0])  # nothing to write: not counted
    with warehouse.connect() as conn:
        branches = pd.read_sql(sa.text("select * from branches order by branch_code"), conn)
        results = pd.read_sql(sa.text("select * from results order by scope"), conn)
    assert writer.rows_written == {"branches": 2, "results": 2}
    assert branches["name_zh"].tolist() == ["北京分公司", "四川分公司"]
    assert results["value"].isna().tolist() == [True, False]  # SC, company
    assert results["flag"].isna().tolist() == [False, True]


def test_a_table_name_is_an_identifier_never_sql(warehouse: Engine) -> None:
    apply_schema(warehouse)
    writer = BulkWriter(warehouse)
    with pytest.raises(Exception, match=r"no such table|does not exist"):
        writer.write("branches; drop table policies; --", BRANCHES)
    assert policy_count(warehouse) == 0
