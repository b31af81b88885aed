"""One response per policy and wave; respondents outside the raking population by rule."""

from __future__ import annotations

import pandas as pd
import pytest

from etl.core.config import ConfigError
from etl.survey.eligibility import eligible_responses, outside_population_rule

RESPONSES = pd.DataFrame(
    [
        # response_id, policy_id, responded_on, in_population
        (1, 10, "2026-07-05", 1),
        (2, 10, "2026-07-03", 1),  # same policy, earlier: kept, response 1 dropped
        (3, 11, "2026-07-04", 1),
        (4, 12, "2026-07-04", 0),  # policy ended in the quarter
        (5, 13, "2026-07-09", 1),
        (6, 13, "2026-07-09", 1),  # same day: the lower response_id (5) is kept
        (7, None, "2026-07-10", 0),  # no policy: never a duplicate, outside the population
    ],
    columns=["response_id", "policy_id", "responded_on", "in_population"],
)


@pytest.mark.parametrize(
    ("rule", "kept", "outside"),
    [("keep", [2, 3, 4, 5, 7], 2), ("exclude", [2, 3, 5], 2)],
)
def test_eligible_responses(rule: str, kept: list[int], outside: int) -> None:
    frame, counts = eligible_responses(RESPONSES, rule)
    assert sorted(frame["response_id"]) == kept
    assert (counts.responses, counts.duplicates_dropped, counts.outside_population) == (
        7,
        2,
        outside,
    )
    assert counts.kept == len(kept)


def test_without_policy_columns_nothing_is_dropped() -> None:
    frame, counts = eligible_responses(RESPONSES[["response_id"]])
    assert len(frame) == 7 and counts.duplicates_dropped == 0


def test_bad_rule_is_named() -> None:
    with pytest.raises(ConfigError, match="outside_population"):
        outside_population_rule({"weighting": {"outside_population": "drop"}})
