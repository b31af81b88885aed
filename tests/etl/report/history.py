"""Warehouses with eight quarters of history computed, shared by the report tests."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from etl.core.periods import Quarter
from etl.pipeline import compute_quarter
from etl.warehouse import connect, read_results

QUARTER = Quarter(2026, 3)


def with_history(demo_url: str, tmp_path_factory: pytest.TempPathFactory, name: str) -> str:
    """A private copy of a demo warehouse with the eight quarters to QUARTER computed, so that
    trends and year-ago comparisons read real history (the test may write to its copy)."""
    copy = tmp_path_factory.mktemp(name) / "warehouse.db"
    shutil.copy(demo_url.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    for quarter in QUARTER.trailing(8):
        compute_quarter(url, str(quarter), "test-run")
    return url


def history_results(url: str) -> pd.DataFrame:
    """Every stored results row of the eight quarters to QUARTER."""
    return read_results(connect(url), [str(q) for q in QUARTER.trailing(8)])
