"""Persistency on the demo warehouse equals an independent SQL implementation of the definition."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.core.periods import Quarter
from etl.operations import kpis
from etl.warehouse import connect
from tests.sql import run

REFERENCE = (Path(__file__).parent / "reference_persistency.sql").read_text()


@pytest.mark.parametrize("quarter", [Quarter(2026, 3), Quarter(2026, 1)])
@pytest.mark.parametrize("horizon", [13, 25])
def test_persistency_equals_the_reference(
    small_demo_url: str, quarter: Quarter, horizon: int
) -> None:
    engine = connect(small_demo_url)
    params = {
        "horizon": horizon,
        "cohort_start": kpis.months_before(quarter.start, horizon).isoformat(),
        "cohort_end": kpis.months_before(quarter.end, horizon).isoformat(),
        "quarter_end": quarter.end.isoformat(),
        "grace_days": 60,
    }
    with engine.connect() as conn:
        reference = conn.execute(sa.text(REFERENCE), params).mappings().all()
    assert len(reference) > 2, "the reference found no cohort"
    scopes = [record["scope"] for record in reference]
    rows = {(r.scope, r.metric): r for r in run.kpi_rows(engine, quarter, scopes)}
    for record in reference:
        count = rows[(record["scope"], f"persistency_{horizon}_count")]
        premium = rows[(record["scope"], f"persistency_{horizon}_premium")]
        assert count.n == record["cohort"]
        assert count.value == pytest.approx(record["by_count"], abs=1e-12)
        assert premium.value == pytest.approx(record["by_premium"], rel=1e-9)
