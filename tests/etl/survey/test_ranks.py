"""Branch ranks with bootstrap intervals: only ranks the data separate are single places."""

from __future__ import annotations

import numpy as np
import pytest

from etl.core.results import ResultRow
from etl.survey.ranks import _ranks, rank_intervals, rank_rows


def test_competition_ranks_best_first() -> None:
    assert _ranks(np.array([[70.0, 80.0, 70.0, 60.0]])).tolist() == [[2.0, 1.0, 2.0, 4.0]]


def test_far_apart_branches_are_separated_and_close_ones_are_not() -> None:
    # se 0.5: 90, 80, 70 are 20 se apart → ranks 1, 2, 3 in every replicate.
    point, lower, upper = rank_intervals(np.array([70.0, 90.0, 80.0]), np.full(3, 0.5), 1000, 1)
    assert point.tolist() == [3.0, 1.0, 2.0]
    assert lower.tolist() == point.tolist() and upper.tolist() == point.tolist()
    # 70.0 and 70.2 with se 1: either order is plausible → both intervals 1–2.
    point, lower, upper = rank_intervals(np.array([70.0, 70.2]), np.ones(2), 1000, 1)
    assert lower.tolist() == [1.0, 1.0] and upper.tolist() == [2.0, 2.0]


def _csi(scope: str, value: float, half: float, flag: str | None = None) -> ResultRow:
    return ResultRow("2026-Q3", scope, "csi", value, value - half, value + half, 400, flag=flag)


def test_rank_rows_skip_the_company_segments_and_low_bases() -> None:
    rows = [
        _csi("company", 71.0, 0.5),
        _csi("channel.TELE", 50.0, 1.0),
        _csi("BJ", 80.0, 0.5),
        _csi("SC", 60.0, 0.5),
        _csi("SN", 99.0, 9.0, flag="low_base"),
        _csi("GD", 70.0, 0.5),
    ]
    out = {r.scope: r for r in rank_rows("2026-Q3", rows, {})}
    assert set(out) == {"BJ", "SC", "GD"}
    assert [(out[s].value, out[s].lower_bound, out[s].upper_bound) for s in ("BJ", "GD", "SC")] == [
        (1.0, 1.0, 1.0),
        (2.0, 2.0, 2.0),
        (3.0, 3.0, 3.0),
    ]
    assert out["BJ"].note == "separated" and out["BJ"].n == 3


def test_rank_intervals_are_repeatable_with_the_seed() -> None:
    first = rank_intervals(np.array([70.0, 70.5, 71.0]), np.ones(3), 500, 7)
    second = rank_intervals(np.array([70.0, 70.5, 71.0]), np.ones(3), 500, 7)
    for a, b in zip(first, second, strict=True):
        assert a.tolist() == b.tolist()
    assert pytest.approx(first[0].tolist()) == [3.0, 2.0, 1.0]
