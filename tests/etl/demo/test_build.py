"""The demo warehouse: deterministic for a seed, the same on both databases, signals planted."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl import demo
from etl.core.periods import Quarter
from etl.warehouse import connect

PLAN = demo.DemoPlan(through=Quarter(2026, 3), size=demo.SCALES["small"])
FINGERPRINT_SQL = {
    "policies": "select count(*), sum(premium_cny), min(issued_on), max(issued_on) from policies",
    "claims": "select count(*), sum(claimed_cny), count(paid_on) from claims",
    "complaints": "select count(*), sum(is_complex), count(resolved_on) from complaints",
    "answers": "select count(*), sum(score) from survey_answers",
}


def fingerprint(engine: Engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        return {
            name: tuple(
                round(float(v), 2) if isinstance(v, (int, float, Decimal)) else str(v)
                for v in conn.execute(sa.text(sql)).one()
            )
            for name, sql in FINGERPRINT_SQL.items()
        }


def test_same_seed_same_warehouse(sqlite_url: str, tmp_path) -> None:
    other = tmp_path / "other.db"
    other.touch()
    first, second = connect(sqlite_url), connect(f"sqlite:///{other}")
    demo.build(first, PLAN)
    demo.build(second, PLAN)
    assert fingerprint(first) == fingerprint(second)


@pytest.mark.postgres
def test_postgres_gets_the_same_rows_as_sqlite(sqlite_url: str, postgres_url: str) -> None:
    lite, pg = connect(sqlite_url), connect(postgres_url)
    written_lite = demo.build(lite, PLAN)
    written_pg = demo.build(pg, PLAN)
    assert written_lite == written_pg
    assert fingerprint(lite) == fingerprint(pg)


def test_building_into_a_non_empty_warehouse_is_refused(small_demo_url: str) -> None:
    with pytest.raises(RuntimeError, match=r"already holds .* policies"):
        demo.build(connect(small_demo_url), PLAN)


def test_planted_signals_are_in_the_data(small_demo_url: str) -> None:
    engine = connect(small_demo_url)
    with engine.connect() as conn:
        cycle = pd.read_sql(
            sa.text(
                "select p.branch_code, avg((date_part('epoch', c.paid_on) "
                "- date_part('epoch', c.reported_on)) / 86400.0) as days "
                "from claims c join policies p on p.policy_id = c.policy_id "
                "where c.outcome = 'paid' group by p.branch_code"
            ),
            conn,
        ).set_index("branch_code")["days"]
        tele = pd.read_sql(
            sa.text(
                "select r.wave_id, avg(a.score) as sat from survey_responses r "
                "join survey_answers a "
                "on a.response_id = r.response_id where a.item_code = 'SAT1' "
                "and r.channel_code = 'TELE' group by r.wave_id order by r.wave_id"
            ),
            conn,
        )["sat"]
    # Sichuan pays claims about four times slower than the rest of the company.
    assert cycle["SC"] > 3 * cycle.drop("SC").mean()
    # Telesales: the last two waves are clearly below the first four.
    assert tele.iloc[-2:].mean() < tele.iloc[:4].mean() - 0.4


def test_every_wave_has_respondents_and_touchpoints_are_missing_by_design(
    small_demo_url: str,
) -> None:
    engine = connect(small_demo_url)
    with engine.connect() as conn:
        waves = dict(
            conn.execute(
                sa.text("select wave_id, count(*) from survey_responses group by wave_id")
            ).all()
        )
        rated = dict(
            conn.execute(
                sa.text(
                    "select item_code, count(*) from survey_answers "
                    "where item_code in ('PO1', 'CL1', 'CP1') group by item_code"
                )
            ).all()
        )
    assert len(waves) == PLAN.quarters and min(waves.values()) > 50
    # Everyone rates policy service; only claimants rate claims, only complainants complaints.
    assert rated["PO1"] > rated["CL1"] > rated["CP1"] > 0
