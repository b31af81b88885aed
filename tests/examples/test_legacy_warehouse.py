"""The worked example: the demo's data in a legacy core system's shape (other table and column
names, names for codes, fen, text dates, Chinese statuses) read through its own source views
gives a results table identical to the canonical demo's."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from etl import demo
from etl.core import load_settings
from etl.pipeline import compute_quarter, contract_report
from etl.warehouse import SOURCE_RELATIONS, connect, read_results
from examples.legacy_warehouse.build import SOURCES, build_legacy
from tests.conftest import DEMO_THROUGH, postgres_database

QUARTERS = [str(q) for q in DEMO_THROUGH.trailing(8)]


def results_of(url: str) -> pd.DataFrame:
    frame = read_results(connect(url), QUARTERS)
    return frame.drop(columns=["run_id"]).sort_values(
        ["quarter", "scope", "metric"], ignore_index=True
    )


@pytest.fixture
def legacy_views(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "legacy.toml"
    config.write_text(f'[warehouse]\nsources = "{SOURCES}"\n', encoding="utf-8")
    monkeypatch.setenv("SATISFACTION_CONFIG", str(config))
    load_settings.cache_clear()
    yield
    load_settings.cache_clear()


def demo_plan() -> demo.DemoPlan:
    return demo.DemoPlan(through=DEMO_THROUGH, size=demo.SCALES["small"])


@pytest.fixture(scope="module")
def canonical_results(
    small_demo_url: str, tmp_path_factory: pytest.TempPathFactory
) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("canonical") / "warehouse.db"
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), path)
    compute_quarter(f"sqlite:///{path}", str(DEMO_THROUGH), "canonical")
    return results_of(f"sqlite:///{path}")


@pytest.fixture(scope="module")
def canonical_postgres_results() -> Iterator[pd.DataFrame]:
    """The canonical small demo computed on PostgreSQL (its own database, dropped after)."""
    with postgres_database() as url:
        demo.build(connect(url), demo_plan())
        compute_quarter(url, str(DEMO_THROUGH), "canonical")
        yield results_of(url)


def test_the_legacy_warehouse_holds_no_canonical_table(tmp_path: Path, legacy_views: None) -> None:
    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    (tmp_path / "legacy.db").touch()
    build_legacy(connect(url), demo_plan())
    tables = set(sa.inspect(connect(url)).get_table_names())
    assert not tables & set(SOURCE_RELATIONS)
    assert {"core_policy", "clm_case", "cmp_ticket", "svy_ans"} <= tables
    assert contract_report(url, str(DEMO_THROUGH)).exit_code == 0


def test_legacy_views_give_the_canonical_results_table(
    tmp_path: Path, legacy_views: None, canonical_results: pd.DataFrame
) -> None:
    url = f"sqlite:///{tmp_path / 'legacy.db'}"
    (tmp_path / "legacy.db").touch()
    build_legacy(connect(url), demo_plan())
    compute_quarter(url, str(DEMO_THROUGH), "legacy")
    legacy = results_of(url)
    assert len(legacy) == len(canonical_results) > 10_000
    pd.testing.assert_frame_equal(legacy, canonical_results, check_exact=True)


@pytest.mark.postgres
def test_legacy_views_on_postgresql_give_the_canonical_results_table(
    postgres_url: str, legacy_views: None, canonical_postgres_results: pd.DataFrame
) -> None:
    build_legacy(connect(postgres_url), demo_plan())
    tables = set(sa.inspect(connect(postgres_url)).get_table_names())
    assert not tables & set(SOURCE_RELATIONS)
    assert contract_report(postgres_url, str(DEMO_THROUGH)).exit_code == 0
    compute_quarter(postgres_url, str(DEMO_THROUGH), "legacy")
    legacy = results_of(postgres_url)
    assert len(legacy) == len(canonical_postgres_results) > 10_000
    pd.testing.assert_frame_equal(legacy, canonical_postgres_results, check_exact=True)
