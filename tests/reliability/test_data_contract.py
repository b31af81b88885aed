"""Corrupted warehouses: each broken rule stops the run before anything is computed or written."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.core.periods import Quarter
from etl.pipeline import compute_quarter
from etl.pipeline.compute import check_contract
from etl.warehouse import WarehouseError, connect, read_results

# (fault, SQL that plants it in a copy of the demo, what the error names)
CORRUPTIONS = [
    (
        "claims paid before reported",
        "update claims set paid_on = date(reported_on, '-400 days') where claim_id in "
        "(select claim_id from claims where paid_on >= '2026-07-01' limit 3)",
        "claims.paid_on: 3 row(s) paid before the claim was reported",
    ),
    (
        "claims dated in the future",
        "update claims set reported_on = '2027-06-01', paid_on = '2027-06-09' where claim_id = "
        "(select min(claim_id) from claims where reported_on >= '2026-07-01')",
        "reported, closed or paid after the run date",
    ),
    (
        "complaints resolved in the future",
        "update complaints set resolved_on = '2027-02-01' where complaint_id in "
        "(select complaint_id from complaints where received_on >= '2026-07-01' limit 2)",
        "complaints: 2 row(s) received or resolved after the run date",
    ),
    (
        "unknown branch code",
        "update complaints set branch_code = 'XX' where complaint_id in "
        "(select complaint_id from complaints where received_on >= '2026-07-01' limit 5)",
        "complaints.branch_code: 5 row(s) branch code not in branches",
    ),
    (
        "duplicate survey response ids",
        "alter table survey_responses rename to survey_responses_base; "
        "create view survey_responses as select * from survey_responses_base union all "
        "select * from survey_responses_base where response_id = (select min(response_id) "
        "from survey_responses_base where wave_id = '2026-Q3')",
        "survey_responses.response_id: 1 row(s) response id given more than once",
    ),
]


@pytest.mark.parametrize(("fault", "plant", "named"), CORRUPTIONS, ids=[c[0] for c in CORRUPTIONS])
def test_a_corrupted_warehouse_stops_the_run_naming_the_rule_and_the_rows(
    small_demo_url: str, tmp_path: Path, fault: str, plant: str, named: str
) -> None:
    copy = tmp_path / "warehouse.db"
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), copy)
    with sqlite3.connect(copy) as raw:  # no foreign keys: as a view over another system is
        raw.executescript(plant)
    url = f"sqlite:///{copy}"
    with pytest.raises(WarehouseError, match="break the data contract") as raised:
        compute_quarter(url, "2026-Q3", "corrupt")
    assert named in str(raised.value) and "ids " in str(raised.value)
    assert read_results(connect(url), ["2026-Q3", "2026-Q2"]).empty  # nothing written


def test_the_contract_query_runs_on_both_databases(warehouse: Engine) -> None:
    check_contract(warehouse, Quarter(2026, 3))  # an empty warehouse breaks nothing
    statements = [
        "insert into branches values ('BJ', '北京分公司', 'Beijing', '华北', 'North')",
        "insert into channels values ('agency', '个险', 'Agency')",
        "insert into product_lines values ('life', '寿险', 'Life')",
        "insert into policies (policy_id, policy_no, customer_id, branch_code, channel_code,"
        " product_line_code, issued_on, premium_cny, premium_mode, status)"
        " values (1, 'PBJ0000000001', 1, 'BJ', 'agency', 'life', '2025-01-01', 100, 'single',"
        " 'in_force')",
        "insert into claims (claim_id, policy_id, reported_on, paid_on, outcome, claimed_cny)"
        " values (7, 1, '2026-08-10', '2025-07-06', 'paid', 100)",
    ]
    with warehouse.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    with pytest.raises(WarehouseError, match=r"claims.paid_on: 1 row\(s\) paid before .* \(ids 7"):
        check_contract(warehouse, Quarter(2026, 3))
