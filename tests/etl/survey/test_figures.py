"""Survey figures per scope: CSI standard error, changes, segments, drivers, suppression."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from etl.core.config import SERVICE_DIMENSIONS, load_item_bank, load_settings
from etl.core.results import ResultRow
from etl.core.scopes import Scope
from etl.survey.driver_figures import drivable_dimensions
from etl.survey.drivers import pairwise_relative_weights, relative_weights
from etl.survey.figures import change_rows, csi_estimate, scope_rows, segment_masks

SETTINGS = load_settings()
BANK = load_item_bank()


def stored(quarter: str, value: float, half_width: float, metric: str = "csi") -> dict:
    return {"quarter": quarter, "scope": "company", "metric": metric, "value": value,
            "lower_bound": value - half_width, "upper_bound": value + half_width, "n": 400,
            "n_effective": 380.0, "flag": None}  # fmt: skip


@pytest.mark.parametrize(
    ("now", "now_half", "then", "then_half", "direction", "difference"),
    [
        # se_now = 1.96/1.96 = 1, se_then = 0.98/1.96 = 0.5; z = 2/√1.25 = 1.789 < 1.96
        (72.0, 1.96, 70.0, 0.98, "no_change", 2.0),
        # z = −3/√1.25 = −2.683 → significant decline
        (72.0, 1.96, 75.0, 0.98, "down", -3.0),
        # z = 2.5/√(0.25 + 0.25) = 3.54 → significant rise
        (72.5, 0.98, 70.0, 0.98, "up", 2.5),
    ],
)
def test_change_is_up_or_down_only_when_significant(
    now: float, now_half: float, then: float, then_half: float, direction: str, difference: float
) -> None:
    current = [
        ResultRow("2026-Q3", "company", "csi", now, now - now_half, now + now_half, 500, 450.0)
    ]
    history = pd.DataFrame([stored("2026-Q2", then, then_half)])
    changes = {row.metric: row for row in change_rows("2026-Q3", current, history)}
    assert changes["csi.change_prev"].flag == direction
    assert changes["csi.change_prev"].value == pytest.approx(difference)
    # No stored figure a year ago: not comparable, no number invented.
    assert changes["csi.change_year"].flag == "not_comparable"
    assert changes["csi.change_year"].value is None


def test_suppressed_earlier_figure_is_not_compared() -> None:
    current = [ResultRow("2026-Q3", "company", "nps", 10.0, 5.0, 15.0, 500, 450.0)]
    history = pd.DataFrame([stored("2026-Q2", 0.0, 5.0, "nps") | {"flag": "suppressed"}])
    changes = {row.metric: row for row in change_rows("2026-Q3", current, history)}
    assert changes["nps.change_prev"].flag == "not_comparable"


def test_csi_standard_error_by_influence_hand_computed() -> None:
    # Two dimensions present (claims 0.30, complaints 0.10 → renormalised 0.75 / 0.25),
    # equal weights. claims = [60, 80, 100] mean 80; complaints = [50, NaN, 70] mean 60.
    # CSI = 0.75·80 + 0.25·60 = 75.
    # influence_i = 0.75·(c_i − 80)/3 + 0.25·(k_i − 60)/2 (complaints over its 2 raters):
    #   r1: 0.75·(−20)/3 + 0.25·(−10)/2 = −5 − 1.25 = −6.25
    #   r2: 0.75·0/3 = 0
    #   r3: 0.75·20/3 + 0.25·10/2 = 5 + 1.25 = 6.25
    # se = √(6.25² + 0 + 6.25²) = 8.8388
    frame = pd.DataFrame({d: [np.nan] * 3 for d in SERVICE_DIMENSIONS})
    frame["claims"] = [60.0, 80.0, 100.0]
    frame["complaints"] = [50.0, np.nan, 70.0]
    estimate = csi_estimate(frame, np.ones(3), SETTINGS.csi_weights)
    assert estimate is not None
    assert estimate.value == pytest.approx(75.0)
    assert estimate.se == pytest.approx(math.sqrt(2 * 6.25**2))


def scored_frame(n: int, branch: str = "BJ") -> pd.DataFrame:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "response_id": np.arange(n),
            "branch_code": branch,
            "channel_code": rng.choice(["AGENT", "TELE"], n),
            "product_line_code": "LIFE",
        }
    )
    for dimension in SERVICE_DIMENSIONS:
        frame[dimension] = rng.uniform(40, 100, n)
    frame["overall"] = frame[list(SERVICE_DIMENSIONS)].mean(axis=1)
    frame["nps_raw"] = rng.integers(0, 11, n).astype(float)
    frame["overall_raw"] = rng.integers(1, 11, n).astype(float)
    return frame


@pytest.mark.parametrize(
    ("n", "flag"),
    [(20, "suppressed"), (45, "low_base"), (80, None)],  # thresholds 30 and 60 (docs/metrics.md §3)
)
def test_small_bases_are_flagged(n: int, flag: str | None) -> None:
    rows = {
        r.metric: r
        for r in scope_rows("2026-Q3", "BJ", scored_frame(n), np.ones(n), BANK, SETTINGS)
    }
    assert rows["csi"].flag == flag
    assert rows["nps"].flag == flag
    assert rows["respondents"].value == n


def test_scope_with_no_respondents_gets_suppressed_rows_with_a_reason() -> None:
    rows = scope_rows("2026-Q3", "LN", scored_frame(0), np.ones(0), BANK, SETTINGS)
    by_metric = {r.metric: r for r in rows}
    assert by_metric["respondents"].value == 0
    for metric in ("csi", "nps", "csat", "overall"):
        assert by_metric[metric].value is None
        assert (by_metric[metric].flag, by_metric[metric].note) == ("suppressed", "no respondents")


def test_dimension_nobody_rated_is_suppressed_not_zero() -> None:
    frame = scored_frame(100)
    frame["complaints"] = np.nan
    rows = {r.metric: r for r in scope_rows("2026-Q3", "BJ", frame, np.ones(100), BANK, SETTINGS)}
    assert rows["dimension.complaints"].value is None
    assert rows["dimension.complaints"].flag == "suppressed"
    assert rows["csi"].value is not None  # renormalised over the five dimensions present


# (service dimensions rated by enough respondents, by a few only) → the branch CSI's flag.
# The coverage rule of the data contract, per scope: csi_min_dimensions = 3 by default.
COVERAGE = [
    (SERVICE_DIMENSIONS, (), None),
    (SERVICE_DIMENSIONS[:3], SERVICE_DIMENSIONS[3:], None),
    (SERVICE_DIMENSIONS[:2], SERVICE_DIMENSIONS[2:], "insufficient_coverage"),
    (("claims",), (), "insufficient_coverage"),
    ((), SERVICE_DIMENSIONS, "insufficient_coverage"),
]


@pytest.mark.parametrize(("rated", "few", "flag"), COVERAGE)
def test_a_csi_from_too_few_dimensions_is_left_out_with_the_reason(
    rated: tuple[str, ...], few: tuple[str, ...], flag: str | None
) -> None:
    frame = scored_frame(100)
    for dimension in SERVICE_DIMENSIONS:
        if dimension in few:
            frame.loc[frame.index[10:], dimension] = np.nan  # 10 raters: under the minimum
        elif dimension not in rated:
            frame[dimension] = np.nan
    rows = {r.metric: r for r in scope_rows("2026-Q3", "BJ", frame, np.ones(100), BANK, SETTINGS)}
    assert rows["csi"].flag == flag
    if flag is None:
        assert rows["csi"].value is not None
        return
    assert rows["csi"].value is None and rows["csi"].n == 100
    named = ", ".join(d for d in SERVICE_DIMENSIONS if d in rated) or "none"
    assert rows["csi"].note == (
        f"{len(rated)} of {len(SERVICE_DIMENSIONS)} service dimensions have ≥ 30 answers "
        f"({named}); the CSI needs 3"
    )


def test_segments_cover_company_branches_channels_products_and_each_branch_own() -> None:
    frame = pd.concat([scored_frame(10, "BJ"), scored_frame(5, "SC")], ignore_index=True)
    scopes = [
        Scope("company", "company", "", ""),
        Scope("BJ", "branch", "", ""),
        Scope("SC", "branch", "", ""),
    ]
    masks = segment_masks(frame, scopes)

    def count(branch: str | None, channel: str) -> int:
        rows = frame if branch is None else frame[frame.branch_code == branch]
        return int((rows.channel_code == channel).sum())

    own = {
        f"{branch}.channel.{channel}": count(branch, channel)
        for branch in ("BJ", "SC")
        for channel in ("AGENT", "TELE")
        if count(branch, channel)
    }
    assert {code: int(mask.sum()) for code, mask in masks.items()} == {
        "company": 15,
        "BJ": 10,
        "SC": 5,
        "channel.AGENT": count(None, "AGENT"),
        "channel.TELE": count(None, "TELE"),
        "product.LIFE": 15,
        **own,
        "BJ.product.LIFE": 10,
        "SC.product.LIFE": 5,
    }


@pytest.mark.parametrize(
    ("rated", "kept", "dropped"),
    [
        # everyone rates everything: all six kept
        ({d: 100 for d in SERVICE_DIMENSIONS}, list(SERVICE_DIMENSIONS), []),
        # complaints rated by only 20 < 30: dropped by name, the rest kept
        (
            {**{d: 100 for d in SERVICE_DIMENSIONS}, "complaints": 20},
            [d for d in SERVICE_DIMENSIONS if d != "complaints"],
            ["complaints"],
        ),
    ],
)
def test_drivable_dimensions(rated: dict[str, int], kept: list[str], dropped: list[str]) -> None:
    frame = pd.DataFrame(
        {d: [70.0] * count + [np.nan] * (100 - count) for d, count in rated.items()}
    )
    frame["overall"] = 70.0
    assert drivable_dimensions(frame, 30) == (kept, dropped)


def test_pairwise_weights_equal_listwise_on_complete_data_and_sum_to_r_squared() -> None:
    rng = np.random.default_rng(11)
    data = pd.DataFrame(rng.normal(size=(600, 3)), columns=["a", "b", "c"])
    data["y"] = 0.7 * data.a + 0.2 * data.b + rng.normal(0, 0.6, 600)
    listwise = relative_weights(data[["a", "b", "c"]], data["y"])
    pairwise = pairwise_relative_weights(data, ["a", "b", "c"], "y", n_boot=50)
    assert pairwise.normalized_weights.to_numpy() == pytest.approx(
        listwise.normalized_weights.to_numpy(), abs=1e-9
    )
    assert pairwise.r_squared == pytest.approx(listwise.r_squared, abs=1e-12)
    assert pairwise.normalized_weights.sum() == pytest.approx(100.0)
    assert (
        (pairwise.lower <= pairwise.normalized_weights)
        & (pairwise.normalized_weights <= pairwise.upper)
    ).all()
