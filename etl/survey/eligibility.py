"""Which responses enter the estimates: one voice per policy, and a stated population rule.

Two rules, both counted and named in the methodology appendix:

- **One response per policy and wave.** A policy that answered twice (a reminder answered
  after the first invitation, a second channel) would count twice. The first response is
  kept — the earliest `responded_on`, then the lowest `response_id` — and later ones are
  dropped from every estimate.
- **The raking population is the policy book in force at the quarter's end.** A respondent
  whose policy ended during the quarter (or who has no policy) is outside it. By default
  (`[weighting] outside_population = "keep"`) they are kept and weighted with their
  branch × channel × product-line cell: they were customers in the quarter the survey asks
  about, and dropping those who left would flatter the scores. `"exclude"` leaves them out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from etl.core.config import ConfigError

OUTSIDE_POPULATION_RULES = ("keep", "exclude")


@dataclass(frozen=True)
class Eligibility:
    """How many responses each rule touched."""

    responses: int
    duplicates_dropped: int
    outside_population: int
    outside_population_rule: str
    kept: int


def outside_population_rule(raw: Mapping[str, Any]) -> str:
    """[weighting] outside_population, checked."""
    rule = str(dict(raw.get("weighting", {})).get("outside_population", "keep"))
    if rule not in OUTSIDE_POPULATION_RULES:
        raise ConfigError(
            f"settings [weighting] outside_population: must be one of "
            f"{OUTSIDE_POPULATION_RULES}, got {rule!r}"
        )
    return rule


def eligible_responses(
    respondents: pd.DataFrame, rule: str = "keep"
) -> tuple[pd.DataFrame, Eligibility]:
    """The responses that enter the estimates, and the counts for the appendix.

    Without `policy_id` / `in_population` columns (older extracts) nothing is dropped.
    """
    frame = respondents
    duplicates = pd.Series(False, index=frame.index)
    if "policy_id" in frame.columns:
        order = frame.sort_values(
            [c for c in ("responded_on", "response_id") if c in frame.columns], kind="stable"
        )
        has_policy = order["policy_id"].notna()
        later = order[has_policy].duplicated("policy_id", keep="first")
        duplicates.loc[later[later].index] = True
    outside = (
        frame["in_population"].fillna(0).astype(int).eq(0) & ~duplicates
        if "in_population" in frame.columns
        else pd.Series(False, index=frame.index)
    )
    dropped = duplicates | (outside if rule == "exclude" else False)
    kept = frame[~dropped]
    return kept, Eligibility(
        responses=len(frame),
        duplicates_dropped=int(duplicates.sum()),
        outside_population=int(outside.sum()),
        outside_population_rule=rule,
        kept=len(kept),
    )
