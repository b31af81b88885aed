"""Survey × operations linkage on given rows (SQLite and PostgreSQL): bands in SQL, means in pandas.

Wave 2026-Q3. Respondents' overall scores and weights are given by hand; the expected means
are weighted by those weights, with the arithmetic in comments.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from etl.core.config import Settings, load_settings
from etl.core.periods import Quarter
from etl.survey import indices, linkage
from etl.warehouse import read_query
from tests.sql import rows as given
from tests.sql import run

Q = Quarter(2026, 3)

# response_id → (policy_id, responded_on, branch, overall 0–100, weight)
RESPONDENTS = {
    1: (1, "2026-07-10", "BJ", 80.0, 1.0),
    2: (2, "2026-07-15", "BJ", 60.0, 2.0),
    3: (3, "2026-07-10", "BJ", 90.0, 1.0),
    4: (4, "2026-08-01", "SC", 70.0, 1.0),
    5: (5, "2026-07-01", "SC", 40.0, 1.0),
    6: (6, "2026-07-01", "SC", 50.0, 3.0),
    7: (None, "2026-07-20", "SC", 100.0, 1.0),  # no policy: in no band, in neither group
    8: (1, "2026-07-30", "BJ", math.nan, 1.0),  # did not answer the overall items
}
CLAIMS = [
    # r1: 2026-06-01 → 06-08, 7 days, closed before responding → le10
    given.claim(1, 1, "2026-06-01", closed_on="2026-06-08", outcome="paid"),
    # r2: a 10-day claim (le10), then a later 30-day one (d11_30): the most recent counts
    given.claim(2, 2, "2026-05-01", closed_on="2026-05-11", outcome="paid"),
    given.claim(3, 2, "2026-06-01", closed_on="2026-07-01", outcome="paid"),
    # r3: closed after responding, and one 374 days before: no band
    given.claim(4, 3, "2026-07-01", closed_on="2026-07-20", outcome="paid"),
    given.claim(5, 3, "2025-06-01", closed_on="2025-07-01", outcome="paid"),
    # r4: 11 days → d11_30; a later withdrawn claim does not count
    given.claim(6, 4, "2026-06-01", closed_on="2026-06-12", outcome="paid"),
    given.claim(7, 4, "2026-07-01", closed_on="2026-07-05", outcome="withdrawn"),
    # r5: 31 days, closed on the response day → gt30
    given.claim(8, 5, "2026-05-31", closed_on="2026-07-01", outcome="paid"),
    # r6: denied after 45 days, closed exactly 365 days before responding → gt30
    given.claim(9, 6, "2025-05-17", closed_on="2025-07-01", outcome="denied"),
]
COMPLAINTS = [
    given.complaint(1, "2026-07-10", "2026-07-25", policy_id=1),  # r1: on the response day
    given.complaint(2, "2026-01-01", "2026-01-16", policy_id=2),  # r2
    given.complaint(3, "2025-07-09", "2025-07-24", policy_id=3),  # r3: 366 days before: no
    given.complaint(4, "2026-07-02", "2026-07-17", policy_id=5, branch="SC"),  # r5: after: no
]


@pytest.fixture
def linked(warehouse: Engine) -> Engine:
    given.reference(warehouse)
    given.insert(
        warehouse,
        "policies",
        [
            given.policy(1, "BJ"),
            given.policy(2, "BJ"),
            given.policy(3, "BJ"),
            given.policy(4, "SC"),
            given.policy(5, "SC"),
            given.policy(6, "SC"),
        ],
    )
    given.insert(warehouse, "claims", CLAIMS)
    given.insert(warehouse, "complaints", COMPLAINTS)
    given.wave(warehouse, "2026-Q3", "2026-07-01", "2026-09-30")
    given.wave(warehouse, "2026-Q2", "2026-04-01", "2026-06-30")
    responses = [
        given.response(rid, "2026-Q3", policy, day, branch)
        for rid, (policy, day, branch, _overall, _weight) in RESPONDENTS.items()
    ]
    # Another wave's respondent with a fast claim: not in this quarter's linkage.
    responses.append(given.response(9, "2026-Q2", 1, "2026-06-20", "BJ"))
    given.insert(warehouse, "survey_responses", responses)
    return warehouse


def _respondents() -> tuple[pd.DataFrame, pd.Series]:
    frame = pd.DataFrame(
        [
            {
                "response_id": rid,
                "branch_code": branch,
                "channel_code": given.SEGMENTS[branch][0],
                "product_line_code": given.SEGMENTS[branch][1],
                "overall": overall,
            }
            for rid, (_p, _d, branch, overall, _w) in RESPONDENTS.items()
        ]
    )
    weights = pd.Series([w for (*_rest, w) in RESPONDENTS.values()], index=frame.index)
    return frame, weights


def test_cycle_bands_per_response(linked: Engine) -> None:
    bands = read_query(
        linked, "linkage_claim_cycle_band", {"wave_id": "2026-Q3", "lookback_days": 365}
    )
    assert dict(zip(bands["response_id"], bands["cycle_band"], strict=True)) == {
        1: "le10",
        2: "d11_30",
        4: "d11_30",
        5: "gt30",
        6: "gt30",
        8: "le10",  # policy 1's 7-day claim, 52 days before
    }
    assert dict(zip(bands["response_id"], bands["claim_id"], strict=True))[2] == 3


def test_complained_per_response(linked: Engine) -> None:
    flags = read_query(linked, "linkage_complaint", {"wave_id": "2026-Q3", "lookback_days": 365})
    assert dict(zip(flags["response_id"], flags["complained"], strict=True)) == {
        1: "yes",
        2: "yes",
        3: "no",
        4: "no",
        5: "no",
        6: "no",
        8: "yes",  # same policy as r1, complaint 20 days before
    }


# le10: r1 80 (w 1); r8 has no overall score → 80, n 1.
# d11_30: r2 60 (w 2), r4 70 (w 1) → (120 + 70)/3 = 63.333…, n 2.
# gt30: r5 40 (w 1), r6 50 (w 3) → (40 + 150)/4 = 47.5, n 2.
# complained yes: r1 80 (w 1), r2 60 (w 2) → 200/3; no: r3 90, r4 70, r5 40 (w 1), r6 50 (w 3)
#   → (90 + 70 + 40 + 150)/6 = 350/6.
# BJ: le10 r1 80; d11_30 r2 60; gt30 nobody. SC: d11_30 r4 70; gt30 47.5; yes nobody.
EXPECTED = [
    ("company", "linkage.cycle_band.le10", 80.0, 1),
    ("company", "linkage.cycle_band.d11_30", 190 / 3, 2),
    ("company", "linkage.cycle_band.gt30", 47.5, 2),
    ("company", "linkage.complained.yes", 200 / 3, 2),
    ("company", "linkage.complained.no", 350 / 6, 4),
    ("BJ", "linkage.cycle_band.le10", 80.0, 1),
    ("BJ", "linkage.cycle_band.d11_30", 60.0, 1),
    ("BJ", "linkage.cycle_band.gt30", None, 0),
    ("SC", "linkage.cycle_band.d11_30", 70.0, 1),
    ("SC", "linkage.cycle_band.gt30", 47.5, 2),
    ("SC", "linkage.complained.yes", None, 0),
    ("channel.TELE", "linkage.complained.no", (70 + 40 + 150) / 5, 3),
]


def _no_minimum_base() -> Settings:
    """The default settings with no suppression, to check the arithmetic on tiny groups."""
    raw = copy.deepcopy(load_settings().raw)
    raw["suppression"] |= {"suppress_below": 1, "low_base_below": 60}
    return Settings(raw=raw, home=load_settings().home)


@pytest.mark.parametrize(("scope", "metric", "value", "n"), EXPECTED)
def test_linkage_results(
    linked: Engine, scope: str, metric: str, value: float | None, n: int
) -> None:
    respondents, weights = _respondents()
    frame = run.linked(linked, Q, respondents, weights)
    scopes = ["company", "BJ", "SC", "channel.TELE"]
    rows = linkage.linkage_results(frame, Q, scopes, _no_minimum_base())
    row = {(r.scope, r.metric): r for r in rows}[(scope, metric)]
    assert row.n == n
    if value is None or n < 2:
        # No respondent, or one (one customer's score, no interval): never a value.
        assert (row.value, row.flag) == (None, "suppressed")
    else:
        assert row.value == pytest.approx(value)
        assert row.flag == "low_base"
    # With the default minimum base of 30 every group here is suppressed: n and reason only.
    defaults = linkage.linkage_results(frame, Q, scopes, load_settings())
    hidden = {(r.scope, r.metric): r for r in defaults}[(scope, metric)]
    assert (hidden.value, hidden.lower_bound, hidden.upper_bound) == (None, None, None)
    assert (hidden.n, hidden.flag) == (n, "suppressed")
    assert hidden.note is not None and ("n = " in hidden.note or "no respondents" in hidden.note)


def test_linkage_interval_and_effective_n(linked: Engine) -> None:
    respondents, weights = _respondents()
    rows = linkage.linkage_results(
        run.linked(linked, Q, respondents, weights), Q, ["company"], _no_minimum_base()
    )
    row = {r.metric: r for r in rows}["linkage.complained.no"]
    # values 90, 70, 40, 50 with weights 1, 1, 1, 3: n_eff = 6²/(1 + 1 + 1 + 9) = 3;
    # mean 350/6, spread Σw(x − x̄)²/Σw, se = √(spread / (n_eff − 1)).
    values, w = np.array([90.0, 70.0, 40.0, 50.0]), np.array([1.0, 1.0, 1.0, 3.0])
    mean = 350 / 6
    se = math.sqrt(float(np.sum(w * (values - mean) ** 2) / 6) / 2)
    assert row.n_effective == pytest.approx(3.0)
    assert row.lower_bound == pytest.approx(mean - indices.Z_95 * se)
    assert row.upper_bound == pytest.approx(mean + indices.Z_95 * se)


@pytest.mark.parametrize(
    ("n", "flag"),
    [(29, "suppressed"), (30, "low_base"), (59, "low_base"), (60, None)],
)
def test_group_row_follows_the_suppression_rules(n: int, flag: str | None) -> None:
    # n respondents scoring 0 and 100 alternately with equal weights: the plain mean, and the
    # flag from the n thresholds 30 (suppressed below) and 60 (low base below).
    values = np.array([100.0 * (i % 2) for i in range(n)])
    row = linkage.group_row(
        "2026-Q3",
        "company",
        "linkage.complained.yes",
        values,
        np.ones(n),
        load_settings().suppression,
        "note",
    )
    assert row.flag == flag
    assert row.n == n
    if flag == "suppressed":
        assert (row.value, row.lower_bound, row.upper_bound) == (None, None, None)
        assert row.note == "note; n = 29 < 30"
    else:
        assert row.value == pytest.approx(values.mean())


@pytest.mark.parametrize("suppress_below", [30, 1])
def test_one_respondent_is_never_stored_as_a_value(suppress_below: int) -> None:
    # n = 1: one customer's score. Suppressed by the minimum base, and even without one
    # (suppress_below = 1) an effective n of 1 gives no interval, so nothing is estimated.
    row = linkage.group_row(
        "2026-Q3",
        "BJ",
        "linkage.cycle_band.le10",
        np.array([70.0]),
        np.array([2.5]),
        {"suppress_below": suppress_below, "low_base_below": 60},
        "note",
    )
    assert (row.value, row.lower_bound, row.n, row.flag) == (None, None, 1, "suppressed")
