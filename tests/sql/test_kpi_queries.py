"""Every KPI and linkage query: jaffle-shop shape; runs on an empty warehouse (both databases)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.engine import Engine

from etl.core.periods import Quarter
from etl.operations.kpis import family_params
from etl.warehouse import SQL_DIR, query_text, read_query

NAMES = sorted(
    path.stem
    for pattern in ("kpi_*.sql", "linkage_*.sql")
    for path in (SQL_DIR / "queries").glob(pattern)
)
PARAMS = family_params(Quarter(2026, 3)) | {
    "kpi_targets": {},
    "linkage_claim_cycle_band": {"wave_id": "2026-Q3", "lookback_days": 365},
    "linkage_complaint": {"wave_id": "2026-Q3", "lookback_days": 365},
}


def test_every_query_has_parameters_here() -> None:
    assert set(NAMES) == set(PARAMS)


@pytest.mark.parametrize("name", NAMES)
def test_query_shape(name: str) -> None:
    text = query_text(name)
    # Bound parameters only, and the final CTE selected as a whole.
    assert "{" not in text and "%s" not in text
    assert re.search(r"select \* from final\s+order by [a-z_, ]+\s*$", text), name
    assert set(re.findall(r"(?<!:):([a-z_0-9]+)", text)) == set(PARAMS[name]), name


@pytest.mark.parametrize("name", NAMES)
def test_query_runs_on_an_empty_warehouse(warehouse: Engine, name: str) -> None:
    frame = read_query(warehouse, name, PARAMS[name])
    assert frame.empty
