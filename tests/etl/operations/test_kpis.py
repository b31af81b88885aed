"""KPI SQL families on given rows (SQLite and PostgreSQL), trends, and eight quarters of history.

Reporting quarter 2026-Q3 = [2026-07-01, 2026-10-01) throughout. Policies of branch BJ are
AGENT / LIFE, of SC TELE / HEALTH (tests/sql/rows.py); ZJ has no data, so each of its KPIs is
"not applicable". Expected values are (value, n) with the arithmetic in a comment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from etl import demo
from etl.core.periods import Quarter
from etl.core.results import ResultRow
from etl.operations import kpis
from etl.pipeline import compute_quarter
from etl.warehouse import connect, read_query, read_results
from tests.sql import rows as given
from tests.sql import run

Q = Quarter(2026, 3)
SCOPES = ["company", "BJ", "SC", "ZJ"]
NA = None  # expected value of a "not applicable" row

Expected = Mapping[tuple[str, str], tuple[float | None, int]]


def _load(engine: Engine, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    given.reference(engine)
    for table in ("policies", "premium_payments", "claims", "complaints"):
        given.insert(engine, table, tables.get(table, []))
    given.insert(engine, "mystery_shop_visits", tables.get("mystery_shop_visits", []))
    given.insert(engine, "mystery_shop_results", tables.get("mystery_shop_results", []))


def _results(
    engine: Engine, conventions: kpis.KpiConventions | None = None
) -> dict[tuple[str, str], ResultRow]:
    return {(r.scope, r.metric): r for r in run.kpi_rows(engine, Q, SCOPES, conventions)}


def _check(results: Mapping[tuple[str, str], ResultRow], expected: Expected) -> None:
    for key, (value, n) in expected.items():
        row = results[key]
        if value is None:
            assert row.value is None, key
            assert row.flag == "not_applicable", key
        else:
            assert row.value == pytest.approx(value, rel=1e-9), key
            assert row.flag is None, key
        assert row.n == n, key


# --- claim cycle time -------------------------------------------------------------------------

CYCLE_ROWS = {
    "policies": [given.policy(1, "BJ"), given.policy(2, "SC")],
    "claims": [
        # paid on the quarter's first day: 2026-06-28 → 07-01 = 3 days, in
        given.claim(1, 1, "2026-06-28", closed_on="2026-07-01", outcome="paid"),
        given.claim(2, 1, "2026-07-01", closed_on="2026-07-08", outcome="paid"),  # 7
        given.claim(3, 1, "2026-07-10", closed_on="2026-08-09", outcome="paid"),  # 30
        given.claim(4, 2, "2026-08-01", closed_on="2026-09-30", outcome="paid"),  # 60, last day
        given.claim(5, 2, "2026-09-01", closed_on="2026-10-01", outcome="paid"),  # next quarter
        given.claim(6, 1, "2026-07-01", closed_on="2026-07-15", outcome="denied"),  # not paid
        given.claim(7, 1, "2026-07-01", closed_on="2026-07-02", outcome="withdrawn"),
        given.claim(8, 1, "2026-09-01"),  # still open
    ],
}
# company [3, 7, 30, 60]: mean 100/4 = 25; median h = 1 + 3·0.5 = 2.5 → 7 + 0.5·23 = 18.5;
#   P90 h = 1 + 3·0.9 = 3.7 → 30 + 0.7·30 = 51.
# BJ [3, 7, 30]: mean 40/3; median h = 2 → 7; P90 h = 1 + 2·0.9 = 2.8 → 7 + 0.8·23 = 25.4.
# SC [60]: every statistic 60. ZJ: no claim paid.
CYCLE_EXPECTED: Expected = {
    ("company", "claim_cycle_days_mean"): (25.0, 4),
    ("company", "claim_cycle_days_median"): (18.5, 4),
    ("company", "claim_cycle_days_p90"): (51.0, 4),
    ("BJ", "claim_cycle_days_mean"): (40 / 3, 3),
    ("BJ", "claim_cycle_days_median"): (7.0, 3),
    ("BJ", "claim_cycle_days_p90"): (25.4, 3),
    ("channel.AGENT", "claim_cycle_days_p90"): (25.4, 3),
    ("product.LIFE", "claim_cycle_days_median"): (7.0, 3),
    ("SC", "claim_cycle_days_mean"): (60.0, 1),
    ("SC", "claim_cycle_days_median"): (60.0, 1),
    ("SC", "claim_cycle_days_p90"): (60.0, 1),
    ("product.HEALTH", "claim_cycle_days_p90"): (60.0, 1),
    ("ZJ", "claim_cycle_days_mean"): (NA, 0),
    ("ZJ", "claim_cycle_days_p90"): (NA, 0),
}


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        pytest.param(CYCLE_ROWS, CYCLE_EXPECTED, id="paid-in-quarter"),
        pytest.param(
            {"policies": [given.policy(1)]},
            {
                ("company", "claim_cycle_days_mean"): (NA, 0),
                ("BJ", "claim_cycle_days_p90"): (NA, 0),
            },
            id="no-claims",
        ),
    ],
)
def test_claim_cycle_time(warehouse: Engine, tables: dict, expected: Expected) -> None:
    _load(warehouse, tables)
    _check(_results(warehouse), expected)


def test_cycle_percentiles_match_linear_interpolation(warehouse: Engine) -> None:
    # 37 claims with uneven cycles: the SQL ranks must equal numpy's linear method (the
    # definition of PostgreSQL's percentile_cont) on both databases.
    cycles = [int(x) for x in np.random.default_rng(7).integers(1, 90, 37)]
    start = dt.date(2026, 6, 1)
    claims = []
    for i, days in enumerate(cycles, start=1):
        paid = dt.date(2026, 7, 1) + dt.timedelta(days=i)
        claims.append(
            given.claim(
                i,
                1,
                (paid - dt.timedelta(days=days)).isoformat(),
                registered_on=start.isoformat(),
                closed_on=paid.isoformat(),
                outcome="paid",
            )
        )
    _load(warehouse, {"policies": [given.policy(1)], "claims": claims})
    frame = read_query(warehouse, "kpi_claim_cycle_time", kpis.quarter_params(Q))
    company = frame.set_index("scope").loc["company"]
    assert company["claim_cycle_days_median"] == pytest.approx(np.percentile(cycles, 50))
    assert company["claim_cycle_days_p90"] == pytest.approx(np.percentile(cycles, 90))
    assert company["claim_cycle_days_mean"] == pytest.approx(np.mean(cycles))


# --- claim closure rate (rolling 12 months) and paid ratio -----------------------------------

OUTCOME_ROWS = {
    "policies": [given.policy(1, "BJ"), given.policy(2, "SC")],
    "claims": [
        # 12-month window [2025-10-01, 2026-10-01)
        given.claim(1, 1, "2025-10-01", closed_on="2025-11-01", outcome="paid"),  # window day 1
        given.claim(2, 1, "2025-09-30", closed_on="2025-10-15", outcome="paid"),  # before window
        given.claim(3, 1, "2026-09-30"),  # registered on the last day, still open
        given.claim(4, 2, "2026-05-01", closed_on="2026-10-02", outcome="paid"),  # closed after
        given.claim(5, 2, "2026-03-01", closed_on="2026-03-05", outcome="withdrawn"),
        given.claim(6, 2, "2026-02-01", closed_on="2026-02-20", outcome="denied"),
        # quarter [2026-07-01, 2026-10-01): closed with payment, denied, withdrawn, outside
        given.claim(7, 1, "2026-06-25", closed_on="2026-07-01", outcome="paid"),
        given.claim(8, 2, "2026-09-01", closed_on="2026-09-30", outcome="denied"),
        given.claim(9, 1, "2026-07-20", closed_on="2026-08-01", outcome="withdrawn"),
        given.claim(10, 1, "2026-06-01", closed_on="2026-06-30", outcome="paid"),
    ],
}
# closure, registered in window (withdrawn out): 1, 3, 4, 6, 7, 8, 10 = 7; closed before
#   2026-10-01: 1, 6, 7, 8, 10 = 5 → 5/7.  BJ: 1, 3, 7, 10 → closed 1, 7, 10 = 3/4.
#   SC: 4, 6, 8 → closed 6, 8 = 2/3.
# paid ratio, closed in quarter (withdrawn out): 7 paid, 8 denied → 1/2; BJ 1/1; SC 0/1.
OUTCOME_EXPECTED: Expected = {
    ("company", "claim_closure_rate_12m"): (5 / 7, 7),
    ("BJ", "claim_closure_rate_12m"): (3 / 4, 4),
    ("SC", "claim_closure_rate_12m"): (2 / 3, 3),
    ("channel.TELE", "claim_closure_rate_12m"): (2 / 3, 3),
    ("ZJ", "claim_closure_rate_12m"): (NA, 0),
    ("company", "claim_paid_ratio"): (0.5, 2),
    ("BJ", "claim_paid_ratio"): (1.0, 1),
    ("SC", "claim_paid_ratio"): (0.0, 1),
    ("product.HEALTH", "claim_paid_ratio"): (0.0, 1),
    ("ZJ", "claim_paid_ratio"): (NA, 0),
}


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        pytest.param(OUTCOME_ROWS, OUTCOME_EXPECTED, id="window-and-quarter"),
        pytest.param(
            {
                "policies": [given.policy(1)],
                "claims": [
                    # only withdrawn claims: both denominators are zero
                    given.claim(1, 1, "2026-07-01", closed_on="2026-07-03", outcome="withdrawn")
                ],
            },
            {
                ("company", "claim_closure_rate_12m"): (NA, 0),
                ("company", "claim_paid_ratio"): (NA, 0),
            },
            id="only-withdrawn",
        ),
    ],
)
def test_claim_outcomes(warehouse: Engine, tables: dict, expected: Expected) -> None:
    _load(warehouse, tables)
    _check(_results(warehouse), expected)


# --- complaint volume: per 10k policies in force, per 100M premium ---------------------------

VOLUME_ROWS = {
    "policies": [
        given.policy(1, "BJ"),
        given.policy(2, "BJ", issued_on="2026-09-30"),  # issued on the last day: in force
        given.policy(3, "BJ", issued_on="2026-10-01"),  # issued the day after: not yet
        given.policy(4, "BJ", lapsed_on="2026-09-30"),  # lapsed inside the quarter: out
        given.policy(5, "BJ", surrendered_on="2026-10-01"),  # surrendered after: in force
        given.policy(6, "SC"),
    ],
    "premium_payments": [
        # premium window [2025-10-01, 2026-10-01)
        given.payment(1, 1, 1, "2026-01-15", "2026-01-15", 1000.0),
        given.payment(2, 1, 2, "2025-09-30", "2025-09-30", 1000.0),  # before the window
        given.payment(3, 2, 1, "2026-09-30", "2026-09-30", 500.0),
        given.payment(4, 6, 2, "2026-10-01", "2026-10-01", 2000.0),  # after the window
        given.payment(5, 6, 1, "2025-10-01", "2025-10-01", 4000.0),
        given.payment(6, 5, 1, "2026-03-01", None, 700.0),  # due, never paid
    ],
    "complaints": [
        given.complaint(1, "2026-07-01", "2026-07-16", branch="BJ", policy_id=1),
        given.complaint(2, "2026-09-30", "2026-10-15", branch="BJ", policy_id=2),
        given.complaint(3, "2026-10-01", "2026-10-16", branch="BJ", policy_id=1),  # next quarter
        given.complaint(4, "2026-06-30", "2026-07-15", branch="BJ", policy_id=1),  # last quarter
        # no policy: counts for the company, SC and TELE, not for any product line
        given.complaint(5, "2026-08-01", "2026-08-16", branch="SC", channel="TELE"),
    ],
}
# in force at 2026-09-30: BJ 1, 2, 5 = 3; SC 6 = 1; company 4.
# complaints received: BJ 1, 2; SC 5; company 3.  Written premium (due in the window, paid or
# not): BJ 1000 + 500 + 700 = 2200, SC 4000, company 6200. Collected (paid in the window):
# BJ 1000 + 500 = 1500, SC 4000, company 5500.
# per 10k: company 3·10⁴/4 = 7500; BJ 2·10⁴/3; SC 10⁴; product.LIFE (BJ's) 2·10⁴/3;
#   product.HEALTH 0 complaints / 1 policy = 0; channel.TELE 1·10⁴/1.
# per 100M written: company 3·10⁸/6200; BJ 2·10⁸/2200; SC 1·10⁸/4000.
VOLUME_EXPECTED: Expected = {
    ("company", "complaints_per_10k_policies"): (7500.0, 3),
    ("BJ", "complaints_per_10k_policies"): (2e4 / 3, 2),
    ("SC", "complaints_per_10k_policies"): (1e4, 1),
    ("channel.TELE", "complaints_per_10k_policies"): (1e4, 1),
    ("product.LIFE", "complaints_per_10k_policies"): (2e4 / 3, 2),
    ("product.HEALTH", "complaints_per_10k_policies"): (0.0, 0),
    ("ZJ", "complaints_per_10k_policies"): (NA, 0),
    ("company", "complaints_per_100m_premium"): (3e8 / 6200, 3),
    ("BJ", "complaints_per_100m_premium"): (2e8 / 2200, 2),
    ("SC", "complaints_per_100m_premium"): (1e8 / 4000, 1),
    ("ZJ", "complaints_per_100m_premium"): (NA, 0),
}


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        pytest.param(VOLUME_ROWS, VOLUME_EXPECTED, id="book-and-premium"),
        pytest.param(
            # complaints but an empty book: both denominators zero
            {"complaints": [given.complaint(1, "2026-07-02", "2026-07-17", branch="SC")]},
            {
                ("company", "complaints_per_10k_policies"): (NA, 1),
                ("SC", "complaints_per_100m_premium"): (NA, 1),
            },
            id="empty-book",
        ),
    ],
)
def test_complaint_volume(warehouse: Engine, tables: dict, expected: Expected) -> None:
    _load(warehouse, tables)
    _check(_results(warehouse), expected)


@pytest.mark.parametrize(
    ("basis", "expected", "note"),
    [
        ("written", {("company", 3e8 / 6200), ("BJ", 2e8 / 2200), ("SC", 1e8 / 4000)},
         "denominator: written premium (due) 6200.00 CNY 2025-10-01–2026-09-30"),
        ("collected", {("company", 3e8 / 5500), ("BJ", 2e8 / 1500), ("SC", 1e8 / 4000)},
         "denominator: collected premium (paid) 5500.00 CNY 2025-10-01–2026-09-30"),
    ],
)  # fmt: skip
def test_premium_basis_is_a_setting_named_in_the_note(
    warehouse: Engine, basis: str, expected: set, note: str
) -> None:
    _load(warehouse, VOLUME_ROWS)
    results = _results(warehouse, kpis.KpiConventions(premium_basis=basis))
    for scope, value in expected:
        assert results[(scope, "complaints_per_100m_premium")].value == pytest.approx(value)
    assert results[("company", "complaints_per_100m_premium")].note == note


def test_complaint_volume_notes_name_the_denominators(warehouse: Engine) -> None:
    _load(warehouse, VOLUME_ROWS)
    results = _results(warehouse)
    assert results[("company", "complaints_per_10k_policies")].note == (
        "denominator: 4 policies in force at 2026-09-30"
    )


# --- complaint handling: on-time and resolution rates ----------------------------------------

HANDLING_ROWS = {
    "policies": [given.policy(1, "BJ"), given.policy(2, "SC")],
    "complaints": [
        # a: received last quarter, due in this one, resolved on its due date → on time
        given.complaint(1, "2026-06-20", "2026-07-05", policy_id=1, resolved_on="2026-07-05"),
        # b: received and due in the quarter, resolved 4 days late
        given.complaint(2, "2026-07-01", "2026-07-16", policy_id=1, resolved_on="2026-07-20"),
        # c: complex (30 days), due next quarter, resolved in this one
        given.complaint(
            3, "2026-09-01", "2026-10-01", policy_id=1, resolved_on="2026-09-15", is_complex=1
        ),
        # d: due in the quarter and still unresolved at its end
        given.complaint(4, "2026-09-10", "2026-09-25", branch="SC", policy_id=2),
        # e: received in the quarter, resolved after its end
        given.complaint(
            5, "2026-09-20", "2026-10-05", branch="SC", policy_id=2, resolved_on="2026-10-02"
        ),
        # f: withdrawn by the customer two days in: closed on time
        given.complaint(
            6,
            "2026-08-01",
            "2026-08-16",
            branch="SC",
            policy_id=2,
            resolved_on="2026-08-03",
            outcome="withdrawn",
        ),
    ],
}
# on time: due in quarter a, b, d, f = 4, on time a, f = 2 → 1/2.  BJ a, b → 1/2; SC d, f → 1/2.
# resolution: received b, c, d, e, f = 5; f withdrawn (in neither term) → 4; resolved with an
#   outcome by 2026-09-30 b, c → 2/4.  BJ b, c → 2/2; SC d, e → 0/2.  Withdrawn: company 1 of 5.
HANDLING_EXPECTED: Expected = {
    ("company", "complaint_on_time_rate"): (0.5, 4),
    ("BJ", "complaint_on_time_rate"): (0.5, 2),
    ("SC", "complaint_on_time_rate"): (0.5, 2),
    ("ZJ", "complaint_on_time_rate"): (NA, 0),
    ("company", "complaint_resolution_rate"): (0.5, 4),
    ("BJ", "complaint_resolution_rate"): (1.0, 2),
    ("SC", "complaint_resolution_rate"): (0.0, 2),
    ("product.HEALTH", "complaint_resolution_rate"): (0.0, 2),
    ("ZJ", "complaint_resolution_rate"): (NA, 0),
    ("company", "complaints_withdrawn"): (1.0, 5),
    ("BJ", "complaints_withdrawn"): (0.0, 2),
    ("SC", "complaints_withdrawn"): (1.0, 3),
}


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        pytest.param(HANDLING_ROWS, HANDLING_EXPECTED, id="due-and-received"),
        pytest.param(
            {"complaints": [given.complaint(1, "2026-05-01", "2026-05-16", branch="BJ")]},
            {
                ("company", "complaint_on_time_rate"): (NA, 0),
                ("company", "complaint_resolution_rate"): (NA, 0),
            },
            id="nothing-due-or-received",
        ),
    ],
)
def test_complaint_handling(warehouse: Engine, tables: dict, expected: Expected) -> None:
    _load(warehouse, tables)
    _check(_results(warehouse), expected)


# --- persistency ------------------------------------------------------------------------------

PERSISTENCY_ROWS = {
    "policies": [
        # 13-month cohort [2025-06-01, 2025-09-01)
        given.policy(1, "BJ", issued_on="2025-06-01", premium=1000.0),  # first day: in
        given.policy(2, "BJ", issued_on="2025-08-31", premium=3000.0),  # last day: in
        given.policy(3, "BJ", issued_on="2025-09-01", premium=500.0),  # day after: out
        given.policy(4, "BJ", issued_on="2025-05-31", premium=500.0),  # day before: out
        given.policy(5, "BJ", issued_on="2025-07-01", mode="single"),  # single premium: out
        given.policy(6, "SC", issued_on="2025-07-15", premium=2000.0),
        given.policy(7, "SC", issued_on="2025-07-20", premium=6000.0),
        # paid, then surrendered before its month-13 anniversary (2026-08-10): not retained
        given.policy(8, "SC", issued_on="2025-07-10", surrendered_on="2026-08-09"),
        # paid 66 days after the due date, beyond the 60-day grace period: not retained
        given.policy(9, "BJ", issued_on="2025-06-10"),
        # surrendered on its month-13 anniversary: in force at month 13, retained
        given.policy(10, "SC", issued_on="2025-07-05", surrendered_on="2026-08-05"),
        # 25-month cohort [2024-06-01, 2024-09-01)
        given.policy(11, "BJ", issued_on="2024-06-01", premium=1000.0),
        given.policy(12, "BJ", issued_on="2024-08-31", premium=1000.0, lapsed_on="2026-10-30"),
        given.policy(13, "BJ", issued_on="2024-09-01", premium=1000.0),  # out
        given.policy(14, "SC", issued_on="2024-07-01", premium=2000.0),
    ],
    "premium_payments": [
        given.payment(1, 1, 2, "2026-06-01", "2026-06-05"),  # instalment 2 paid: retained
        given.payment(2, 2, 2, "2026-08-31", None),  # due, unpaid: not retained
        given.payment(3, 3, 2, "2026-09-01", "2026-09-01"),
        given.payment(4, 4, 2, "2026-05-31", "2026-05-31"),
        given.payment(6, 6, 2, "2026-07-15", "2026-10-02"),  # paid after the quarter: not yet
        given.payment(7, 7, 2, "2026-07-20", "2026-07-25"),  # retained
        given.payment(11, 11, 2, "2025-06-01", "2025-06-03"),
        given.payment(12, 11, 3, "2026-06-01", "2026-06-05"),  # instalment 3 paid: retained
        given.payment(13, 12, 2, "2025-08-31", "2025-09-01"),  # only instalment 2: not
        given.payment(14, 14, 3, "2026-07-01", "2026-07-02"),  # retained
        given.payment(15, 8, 2, "2026-07-10", "2026-07-12"),
        given.payment(16, 9, 2, "2026-06-10", "2026-08-15"),
        given.payment(17, 10, 2, "2026-07-05", "2026-07-06"),
    ],
}
# 13: cohort 1, 2, 6, 7, 8, 9, 10 = 7, retained 1, 7, 10 → 3/7; premium (1000 + 6000 + 1000)/
#   (1000 + 3000 + 2000 + 6000 + 1000 + 1000 + 1000) = 8000/15000.
#   BJ: 1, 2, 9 → 1/3, premium 1000/5000.  SC: 6, 7, 8, 10 → 2/4, premium 7000/10000.
# 25: cohort 11, 12, 14 = 3, retained 11, 14 → 2/3; premium 3000/4000.  BJ 1/2; SC 1/1.
PERSISTENCY_EXPECTED: Expected = {
    ("company", "persistency_13_count"): (3 / 7, 7),
    ("company", "persistency_13_premium"): (8000 / 15000, 7),
    ("BJ", "persistency_13_count"): (1 / 3, 3),
    ("BJ", "persistency_13_premium"): (0.2, 3),
    ("SC", "persistency_13_premium"): (0.7, 4),
    ("company", "persistency_25_count"): (2 / 3, 3),
    ("company", "persistency_25_premium"): (0.75, 3),
    ("BJ", "persistency_25_count"): (0.5, 2),
    ("channel.TELE", "persistency_25_count"): (1.0, 1),
    ("ZJ", "persistency_13_count"): (NA, 0),
    ("ZJ", "persistency_25_premium"): (NA, 0),
}


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        pytest.param(PERSISTENCY_ROWS, PERSISTENCY_EXPECTED, id="cohorts"),
        pytest.param(
            # only single-premium policies in the cohorts: nothing to persist
            {"policies": [given.policy(1, issued_on="2025-07-01", mode="single")]},
            {
                ("company", "persistency_13_count"): (NA, 0),
                ("company", "persistency_25_premium"): (NA, 0),
            },
            id="empty-cohorts",
        ),
    ],
)
def test_persistency(warehouse: Engine, tables: dict, expected: Expected) -> None:
    _load(warehouse, tables)
    _check(_results(warehouse), expected)


def test_persistency_note_names_the_cohort(warehouse: Engine) -> None:
    _load(warehouse, PERSISTENCY_ROWS)
    note = _results(warehouse)[("company", "persistency_25_count")].note
    assert note == (
        "cohort: regular-premium policies issued 2024-06-01–2024-08-31; "
        "retained = in force at month 25 with instalment 3 paid within 60 days of its due "
        "date (by 2026-09-30)"
    )


# --- surrender rate ---------------------------------------------------------------------------

SURRENDER_ROWS = {
    "policies": [
        given.policy(1, "BJ"),  # in force at start
        given.policy(2, "BJ", issued_on="2026-06-30", surrendered_on="2026-07-01"),  # in, surr.
        given.policy(3, "BJ", issued_on="2026-07-01", surrendered_on="2026-08-01"),  # surr. only
        given.policy(4, "SC", lapsed_on="2026-07-01"),  # lapses in the quarter: in force at start
        given.policy(5, "SC", surrendered_on="2026-06-30"),  # surrendered before: neither
        given.policy(6, "SC", surrendered_on="2026-10-01"),  # surrendered after: in force only
        given.policy(7, "SC", matured_on="2026-06-30"),  # matured before: neither
    ],
}
# in force at 2026-07-01: 1, 2, 4, 6 = 4; surrendered in the quarter: 2, 3 → 2/4.
# BJ: in force 1, 2; surrendered 2, 3 → 2/2.  SC: in force 4, 6; none → 0/2.
SURRENDER_EXPECTED: Expected = {
    ("company", "surrender_rate"): (0.5, 4),
    ("BJ", "surrender_rate"): (1.0, 2),
    ("SC", "surrender_rate"): (0.0, 2),
    ("channel.TELE", "surrender_rate"): (0.0, 2),
    ("ZJ", "surrender_rate"): (NA, 0),
}


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        pytest.param(SURRENDER_ROWS, SURRENDER_EXPECTED, id="book"),
        pytest.param(
            # the whole book was issued in the quarter: nothing in force at its start
            {"policies": [given.policy(1, issued_on="2026-07-01", surrendered_on="2026-07-20")]},
            {("company", "surrender_rate"): (NA, 0)},
            id="new-book",
        ),
    ],
)
def test_surrender_rate(warehouse: Engine, tables: dict, expected: Expected) -> None:
    _load(warehouse, tables)
    results = _results(warehouse)
    _check(results, expected)
    assert results[("company", "surrender_rate")].note == kpis.SURRENDER_BASIS


# --- mystery-shop compliance ------------------------------------------------------------------


def _visit(visit_id: int, branch: str, channel: str, day: str) -> dict[str, Any]:
    return {
        "visit_id": visit_id,
        "branch_code": branch,
        "channel_code": channel,
        "visited_on": day,
        "scenario": "新单咨询",
    }


def _checks(visit_id: int, passed: Sequence[int]) -> list[dict[str, Any]]:
    return [
        {"visit_id": visit_id, "checklist_item": f"item {i}", "is_passed": p}
        for i, p in enumerate(passed)
    ]


MYSTERY_ROWS = {
    "mystery_shop_visits": [
        _visit(1, "BJ", "AGENT", "2026-07-01"),
        _visit(2, "SC", "TELE", "2026-09-30"),
        _visit(3, "BJ", "AGENT", "2026-10-01"),  # next quarter
    ],
    "mystery_shop_results": _checks(1, [1, 1, 1, 0]) + _checks(2, [0, 0]) + _checks(3, [1, 1]),
}
# company 3 passed of 6 checked in 2 visits; BJ 3/4 (1 visit); SC 0/2 (1 visit); the base n is
# the visits; visits are never per product line.
MYSTERY_EXPECTED: Expected = {
    ("company", "mystery_shop_compliance"): (0.5, 2),
    ("BJ", "mystery_shop_compliance"): (0.75, 1),
    ("SC", "mystery_shop_compliance"): (0.0, 1),
    ("channel.AGENT", "mystery_shop_compliance"): (0.75, 1),
    ("product.LIFE", "mystery_shop_compliance"): (NA, 0),
    ("ZJ", "mystery_shop_compliance"): (NA, 0),
}


@pytest.mark.parametrize(
    ("tables", "expected"),
    [
        pytest.param(MYSTERY_ROWS, MYSTERY_EXPECTED, id="visits"),
        pytest.param({}, {("company", "mystery_shop_compliance"): (NA, 0)}, id="no-visits"),
    ],
)
def test_mystery_shop_compliance(warehouse: Engine, tables: dict, expected: Expected) -> None:
    _load(warehouse, tables)
    _check(_results(warehouse), expected)


@pytest.mark.parametrize(
    ("low_base_below", "flag"),
    [(None, None), (2, None), (3, "low_base"), (10, "low_base")],
)
def test_a_kpi_on_few_visits_is_flagged_low_base(
    warehouse: Engine, low_base_below: int | None, flag: str | None
) -> None:
    _load(warehouse, MYSTERY_ROWS)
    thresholds = {} if low_base_below is None else {"mystery_shop_compliance": low_base_below}
    results = _results(warehouse, kpis.KpiConventions(low_base=thresholds))
    company = results[("company", "mystery_shop_compliance")]  # 2 visits
    assert (company.value, company.flag) == (0.5, flag)
    assert results[("company", "mystery_shop_compliance")].note == "2 visits, 6 checklist items"


# --- aged open claims -------------------------------------------------------------------------

OPEN_ROWS = {
    "policies": [given.policy(1, "BJ"), given.policy(2, "SC")],
    "claims": [
        # quarter end 2026-10-01; aged when reported before 2026-09-01 (open > 30 days)
        given.claim(1, 1, "2026-08-31"),  # open 31 days: aged
        given.claim(2, 1, "2026-09-01"),  # open 30 days: not aged
        given.claim(3, 1, "2026-06-01", closed_on="2026-10-01", outcome="paid"),  # closed after
        given.claim(4, 1, "2026-06-01", closed_on="2026-09-30", outcome="paid"),  # closed: out
        given.claim(5, 2, "2026-05-01"),  # aged
        given.claim(6, 2, "2026-10-01"),  # reported after the quarter: out
    ],
}
# open at quarter end: BJ 1, 2, 3 (aged 1, 3); SC 5 (aged) → company 4 open, 3 aged.
OPEN_EXPECTED: Expected = {
    ("company", "claims_open_aged"): (3.0, 4),
    ("company", "claims_open_aged_share"): (0.75, 4),
    ("BJ", "claims_open_aged"): (2.0, 3),
    ("BJ", "claims_open_aged_share"): (2 / 3, 3),
    ("SC", "claims_open_aged_share"): (1.0, 1),
    ("product.HEALTH", "claims_open_aged"): (1.0, 1),
    ("ZJ", "claims_open_aged_share"): (NA, 0),
}


def test_aged_open_claims(warehouse: Engine) -> None:
    _load(warehouse, OPEN_ROWS)
    results = _results(warehouse)
    _check(results, OPEN_EXPECTED)
    assert results[("company", "claims_open_aged")].note == (
        "claims open at 2026-09-30 for more than 30 days, of 4 open"
    )


def test_aged_threshold_is_a_setting(warehouse: Engine) -> None:
    _load(warehouse, OPEN_ROWS)
    results = _results(warehouse, kpis.KpiConventions(claim_aged_days=100))
    # reported before 2026-06-23: claims 3 and 5
    assert results[("company", "claims_open_aged")].value == 2.0


# --- every KPI, every scope -------------------------------------------------------------------


def test_empty_warehouse_gives_every_kpi_not_applicable_for_every_scope(warehouse: Engine) -> None:
    given.reference(warehouse)
    rows = run.kpi_rows(warehouse, Q, ["company", "BJ"])
    scopes = ["company", "BJ", "channel.AGENT", "channel.TELE", "product.HEALTH", "product.LIFE"]
    assert sorted({(r.scope, r.metric) for r in rows}) == sorted(
        (scope, metric) for scope in scopes for metric in kpis.KPI_METRICS
    )
    assert all(r.value is None and r.flag == "not_applicable" and r.n == 0 for r in rows)
    assert len(rows) == len(scopes) * len(kpis.KPI_METRICS)


@pytest.mark.parametrize(
    ("quarter", "expected"),
    [
        # 2026-Q3: cohorts start 13 (25) months before 2026-07-01 and end before 2026-10-01's
        (
            Quarter(2026, 3),
            ("2025-10-01", "2025-06-01", "2025-09-01", "2024-06-01", "2024-09-01"),
        ),
        # 2026-Q1 crosses a year: 2026-01-01 − 13 months = 2024-12-01
        (
            Quarter(2026, 1),
            ("2025-04-01", "2024-12-01", "2025-03-01", "2023-12-01", "2024-03-01"),
        ),
    ],
)
def test_family_params(quarter: Quarter, expected: tuple[str, ...]) -> None:
    params = kpis.family_params(quarter)
    persistency = params["kpi_persistency"]
    assert (
        params["kpi_claim_outcomes"]["window_start"],
        persistency["cohort13_start"],
        persistency["cohort13_end"],
        persistency["cohort25_start"],
        persistency["cohort25_end"],
    ) == expected
    assert params["kpi_complaint_volume"]["premium_window_start"] == expected[0]


# --- trend from stored results ----------------------------------------------------------------


def _stored(quarter: str, scope: str, metric: str, value: float | None) -> dict[str, Any]:
    return {
        "quarter": quarter,
        "scope": scope,
        "metric": metric,
        "value": value,
        "lower_bound": None,
        "upper_bound": None,
        "n": 10,
        "n_effective": None,
        "flag": None if value is not None else "not_applicable",
        "note": None,
        "run_id": "r",
    }


def test_kpi_trend_orders_quarters_and_keeps_gaps() -> None:
    results = pd.DataFrame(
        [
            _stored("2026-Q3", "SC", "claim_cycle_days_mean", 30.0),
            _stored("2026-Q1", "SC", "claim_cycle_days_mean", 35.0),
            _stored("2025-Q4", "SC", "claim_cycle_days_mean", None),
            _stored("2026-Q2", "BJ", "claim_cycle_days_mean", 8.0),  # other scope
            _stored("2026-Q2", "SC", "claim_paid_ratio", 0.9),  # other metric
        ]
    )
    trend = kpis.kpi_trend(
        results, "claim_cycle_days_mean", "SC", ["2026-Q3", "2026-Q2", Quarter(2026, 1), "2025-Q4"]
    )
    assert list(trend["quarter"]) == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    assert list(trend["stored"]) == [True, True, False, True]
    values = trend["value"].tolist()
    assert np.isnan(values[0]) and np.isnan(values[2])
    assert values[1] == 35.0 and values[3] == 30.0
    assert trend["flag"].tolist()[0] == "not_applicable"


def test_eight_quarters_of_history_give_a_full_trend(tmp_path: Path) -> None:
    # The default demo size (the small one has branches with a single respondent some
    # quarters, which the survey step cannot weight); a fresh file, as compute_quarter writes.
    path = tmp_path / "warehouse.db"
    path.touch()
    url = f"sqlite:///{path}"
    demo.build(connect(url), demo.DemoPlan(through=Quarter(2026, 3)))
    quarters = Quarter(2026, 3).trailing(8)
    for quarter in quarters:
        compute_quarter(url, str(quarter), "test-history")
    results = read_results(connect(url), [str(q) for q in quarters])
    for metric, scope in [
        ("claim_cycle_days_mean", "company"),
        ("complaint_on_time_rate", "SC"),
        ("persistency_13_count", "channel.TELE"),
        ("surrender_rate", "product.LIFE"),
        ("service_grade", "company"),
        ("linkage.cycle_band.le10", "company"),
    ]:
        trend = kpis.kpi_trend(results, metric, scope, quarters)
        assert trend["stored"].all(), (metric, scope)
        assert trend["value"].notna().all(), (metric, scope)
    # The planted signal: Sichuan pays claims slower than the company in every quarter.
    company = kpis.kpi_trend(results, "claim_cycle_days_median", "company", quarters)
    sichuan = kpis.kpi_trend(results, "claim_cycle_days_median", "SC", quarters)
    assert (sichuan["value"] > company["value"]).all()
    grades = results[(results["metric"] == "service_grade") & (results["scope"] == "company")]
    assert set(grades["flag"]) == {"internal_estimate"}
    assert grades["note"].isin(["AAA", "AA", "A", "BBB", "BB", "B", "CCC", "CC", "C", "D"]).all()
