"""A quarter through compute: every scope gets its figures; a rerun replaces, never duplicates."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pandas as pd
import pytest
import sqlalchemy as sa

from etl.core.scopes import UnknownScopeError
from etl.pipeline import compute_quarter, resolve_run
from etl.warehouse import connect, read_results

BRANCHES = ["BJ", "FJ", "GD", "HA", "HB", "JS", "LN", "SC", "SD", "SH", "SN", "ZJ"]


@pytest.fixture(scope="module")
def computed(small_demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A private copy of the small demo with 2026-Q3 (and the history it needs) computed."""
    copy = tmp_path_factory.mktemp("pipeline") / "warehouse.db"
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    compute_quarter(url, "2026-Q3", "run-1")
    return url


def test_every_scope_has_the_headline_figures(computed: str) -> None:
    stored = read_results(connect(computed), ["2026-Q3"])
    for scope in ["company", *BRANCHES]:
        metrics = set(stored[stored["scope"] == scope]["metric"])
        assert {"respondents", "csi", "nps", "csat", "claim_cycle_days_mean"} <= metrics, scope


def test_history_is_every_fielded_quarter_from_the_first_computed_once(computed: str) -> None:
    stored = read_results(
        connect(computed), [f"{y}-Q{q}" for y in range(2022, 2027) for q in (1, 2, 3, 4)]
    )
    company_csi = stored[(stored["scope"] == "company") & (stored["metric"] == "csi")]
    # The small demo fields 2023-Q4 … 2026-Q3: the history is fixed from its first wave, so
    # 2026-Q3 does not depend on which quarters happened to be computed before it.
    assert sorted(company_csi["quarter"]) == [
        "2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2",
        "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("fielded", "first", "expected"),
    [
        ({"2024-Q1", "2024-Q2", "2024-Q3"}, "", ["2024-Q1", "2024-Q2", "2024-Q3"]),
        ({"2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"}, "2024-Q2", ["2024-Q2", "2024-Q3"]),
        ({"2024-Q3", "2023-Q4", "pilot"}, "", ["2023-Q4", "2024-Q3"]),
        ({"2024-Q4"}, "", []),
    ],
)
def test_history_quarters_start_at_a_fixed_quarter(
    fielded: set[str], first: str, expected: list[str]
) -> None:
    from etl.core import load_settings
    from etl.core.periods import Quarter
    from etl.pipeline.compute import history_quarters

    base = load_settings()
    settings = replace(base, raw=base.raw | {"history": {"first_quarter": first}})
    assert history_quarters(fielded, Quarter(2024, 4), settings) == expected


def test_rerun_replaces_rows_and_keeps_history(computed: str) -> None:
    engine = connect(computed)
    with engine.connect() as conn:
        before = conn.execute(sa.text("select count(*) from results")).scalar_one()
        q2_run = conn.execute(
            sa.text("select distinct run_id from results where quarter = '2026-Q2'")
        ).scalar_one()
        q3_run = conn.execute(
            sa.text("select distinct run_id from results where quarter = '2026-Q3'")
        ).scalar_one()
    compute_quarter(computed, "2026-Q3", "run-2")
    with engine.connect() as conn:
        after = conn.execute(sa.text("select count(*) from results")).scalar_one()
        runs = (
            conn.execute(sa.text("select distinct run_id from results where quarter = '2026-Q3'"))
            .scalars()
            .all()
        )
        q2_after = conn.execute(
            sa.text("select distinct run_id from results where quarter = '2026-Q2'")
        ).scalar_one()
    assert after == before
    # Unchanged inputs: the stored rows stand (a correction replaces them: test_second_run).
    assert runs == [q3_run]
    assert q2_after == q2_run  # history is not rewritten by a rerun of a later quarter


def test_company_weights_reach_the_policy_book(computed: str) -> None:
    stored = read_results(connect(computed), ["2026-Q3"], ["company"]).set_index("metric")
    assert pd.isna(stored.loc["weighting.iterations", "flag"])  # converged
    assert (
        0 < stored.loc["weighting.kish_effective_n", "value"] <= stored.loc["respondents", "value"]
    )
    assert stored.loc["weighting.design_effect", "value"] >= 1.0


def test_unknown_scope_is_refused_before_anything_is_computed(computed: str) -> None:
    with pytest.raises(UnknownScopeError, match=r"unknown scope\(s\) \['XX'\]; known: company, BJ"):
        resolve_run(quarter_param="2026-Q3", scopes_param=["BJ", "XX"], language="zh-CN",
                    run_after=None, warehouse_url=computed, run_id="r")  # fmt: skip


def test_no_suppressed_value_is_stored_anywhere(computed: str) -> None:
    # Every quarter, scope and metric: a suppressed cell has its n and reason, never a value.
    stored = read_results(
        connect(computed), [f"{y}-Q{q}" for y in (2024, 2025, 2026) for q in (1, 2, 3, 4)]
    )
    suppressed = stored[stored["flag"] == "suppressed"]
    assert len(suppressed) > 0  # the small demo has small cells: the scan checks something
    leaked = suppressed[suppressed[["value", "lower_bound", "upper_bound"]].notna().any(axis=1)]
    assert leaked.empty, leaked[["quarter", "scope", "metric", "value", "n"]].head(20)
    assert suppressed["n"].notna().all()
    assert suppressed["note"].notna().all()


def test_change_flags_survive_the_fdr_correction_only(computed: str) -> None:
    stored = read_results(connect(computed), ["2026-Q3"])
    by_key = stored.set_index(["scope", "metric"])
    changes = stored[stored["metric"].str.endswith((".change_prev", ".change_year"))]
    for row in changes.itertuples(index=False):
        if row.flag not in ("up", "down"):
            continue
        adjusted = by_key.loc[(row.scope, f"{row.metric}.p_adjusted"), "value"]
        assert adjusted <= 0.05, (row.scope, row.metric)
    counts = stored[stored["metric"].str.startswith("multiplicity.")]
    company = counts[counts["scope"] == "company"].set_index("metric")["value"]
    assert (
        company["multiplicity.significant_adjusted"]
        <= company["multiplicity.significant_unadjusted"]
        <= company["multiplicity.change_tests"]
    )
