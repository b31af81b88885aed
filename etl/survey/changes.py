"""Changes against last quarter and a year ago, marked only when they survive the FDR control.

Each headline figure of each scope is compared with its stored value a quarter and a year
earlier by a two-sample z test (independent samples: each wave is a fresh sample). The
p-values of every report's family of tests are adjusted together (multiplicity.py), and
a change is "up" or "down" only when its adjusted p-value is at most α. Each test stores:

- `<metric>.<change>`: the difference, its 95% interval (d ± 1.96 √(se₁² + se₀²)), the
  direction after correction (up | down | no_change | not_comparable) and a note with both
  p-values;
- `<metric>.<change>.p_value` and `<metric>.<change>.p_adjusted`: the two p-values as
  numbers, for the methodology appendix.

Per family (the report's scope): `multiplicity.change_tests` (m),
`multiplicity.significant_unadjusted` (p < α) and `multiplicity.significant_adjusted`
(adjusted p ≤ α), so the appendix can say how many flags the correction removed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from etl.core.config import SERVICE_DIMENSIONS
from etl.core.periods import Quarter
from etl.core.results import ResultRow
from etl.core.scopes import is_branch_segment
from etl.survey import indices
from etl.survey.multiplicity import MultiplicityConfig, family_adjusted, report_family

CHANGE_METRICS = ("csi", "nps", "csat", "overall", *(f"dimension.{d}" for d in SERVICE_DIMENSIONS))
CHANGE_KINDS = ("change_prev", "change_year")


def _stored_figures(history: pd.DataFrame) -> dict[tuple[str, str, str], dict]:
    """Each (quarter, scope, metric)'s first stored row, looked up once for all tests."""
    stored: dict[tuple[str, str, str], dict] = {}
    for row in history.to_dict("records"):
        stored.setdefault((row["quarter"], row["scope"], row["metric"]), row)
    return stored


def _stored_estimate(row: dict | None) -> indices.Estimate | None:
    """An earlier quarter's stored figure as an Estimate (se from its symmetric 95% interval)."""
    if row is None:
        return None
    if pd.isna(row["value"]) or pd.isna(row["lower_bound"]) or row["flag"] == "suppressed":
        return None
    se = (float(row["upper_bound"]) - float(row["lower_bound"])) / (2 * indices.Z_95)
    n = int(row["n"]) if not pd.isna(row["n"]) else 0
    n_eff = float(row["n_effective"]) if not pd.isna(row["n_effective"]) else float(n)
    return indices.Estimate(
        float(row["value"]), se, float(row["lower_bound"]), float(row["upper_bound"]), n, n_eff
    )


@dataclass(frozen=True)
class ChangeTest:
    """One comparison before the multiplicity correction."""

    row: ResultRow  # the current figure
    kind: str  # change_prev | change_year
    then_quarter: str
    change: indices.Change
    se: float | None  # √(se₁² + se₀²), None when not comparable


def _tests(quarter: str, rows: Sequence[ResultRow], history: pd.DataFrame) -> list[ChangeTest]:
    current = Quarter.parse(quarter)
    earlier = {"change_prev": str(current.previous()), "change_year": str(current.year_ago())}
    stored = _stored_figures(history)
    tests = []
    for row in rows:
        if row.metric not in CHANGE_METRICS or row.value is None or row.flag == "suppressed":
            continue
        if is_branch_segment(row.scope):
            # A branch's own segments are shown, not tested: the branch's family stays as it was.
            continue
        if row.lower_bound is None or row.upper_bound is None:
            # A figure without an interval cannot be tested: not comparable, never a guess.
            tests += [
                ChangeTest(row, kind, then, indices.compare(None, None), None)
                for kind, then in earlier.items()
            ]
            continue
        now = indices.Estimate(
            row.value,
            (row.upper_bound - row.lower_bound) / (2 * indices.Z_95),
            row.lower_bound,
            row.upper_bound,
            row.n or 0,
            row.n_effective or 0.0,
        )
        for kind, then_quarter in earlier.items():
            then = _stored_estimate(stored.get((then_quarter, row.scope, row.metric)))
            change = indices.compare(now, then)
            se = None if then is None else math.sqrt(now.se**2 + then.se**2)
            tests.append(ChangeTest(row, kind, then_quarter, change, se))
    return tests


def _direction(test: ChangeTest, adjusted: float | None, alpha: float) -> str:
    if test.change.p_value is None or test.change.difference is None:
        return "not_comparable"
    if adjusted is not None and adjusted <= alpha and test.change.difference != 0:
        return "up" if test.change.difference > 0 else "down"
    return "no_change"


def _test_rows(
    quarter: str, test: ChangeTest, adjusted: float | None, config: MultiplicityConfig
) -> list[ResultRow]:
    row, change = test.row, test.change
    metric = f"{row.metric}.{test.kind}"
    direction = _direction(test, adjusted, config.alpha)
    if change.difference is None or change.p_value is None or adjusted is None:
        return [ResultRow(quarter, row.scope, metric, None, n=row.n, flag=direction,
                          note=f"vs {test.then_quarter}")]  # fmt: skip
    half = indices.Z_95 * (test.se or 0.0)
    note = (
        f"vs {test.then_quarter}, p = {change.p_value:.4f}, adjusted p = {adjusted:.4f} "
        f"({config.method}, family {report_family(row.scope, config.family)})"
    )
    return [
        ResultRow(quarter, row.scope, metric, change.difference, change.difference - half,
                  change.difference + half, row.n, row.n_effective, direction, note),
        ResultRow(quarter, row.scope, f"{metric}.p_value", change.p_value, n=row.n),
        ResultRow(quarter, row.scope, f"{metric}.p_adjusted", adjusted, n=row.n,
                  flag="significant" if adjusted <= config.alpha else None,
                  note=f"{config.method}, family {report_family(row.scope, config.family)}"),
    ]  # fmt: skip


def family_summary_rows(
    quarter: str, tests: Sequence[ChangeTest], adjusted: Sequence[float], config: MultiplicityConfig
) -> list[ResultRow]:
    """Per family: how many tests, how many significant before and after the correction."""
    counts: dict[str, list[int]] = {}
    for test, q in zip(tests, adjusted, strict=True):
        tally = counts.setdefault(report_family(test.row.scope, config.family), [0, 0, 0])
        tally[0] += 1
        tally[1] += int(test.change.p_value is not None and test.change.p_value < config.alpha)
        tally[2] += int(q <= config.alpha and bool(test.change.difference))
    note = f"{config.method}, family = {config.family}, alpha = {config.alpha:g}"
    out = []
    for family, (m, raw, kept) in counts.items():
        out += [
            ResultRow(quarter, family, "multiplicity.change_tests", float(m), n=m, note=note),
            ResultRow(quarter, family, "multiplicity.significant_unadjusted", float(raw), n=m,
                      note=note),
            ResultRow(quarter, family, "multiplicity.significant_adjusted", float(kept), n=m,
                      note=note),
        ]  # fmt: skip
    return out


def change_rows(
    quarter: str,
    rows: list[ResultRow],
    history: pd.DataFrame,
    config: MultiplicityConfig | None = None,
) -> list[ResultRow]:
    """Change rows of every comparable figure, corrected for multiplicity within families."""
    config = config or MultiplicityConfig()
    tests = _tests(quarter, rows, history)
    comparable = [t for t in tests if t.change.p_value is not None]
    adjusted = family_adjusted(
        [(t.row.scope, float(t.change.p_value or 0.0)) for t in comparable], config
    )
    by_test = {id(t): q for t, q in zip(comparable, adjusted, strict=True)}
    out: list[ResultRow] = []
    for test in tests:
        out += _test_rows(quarter, test, by_test.get(id(test)), config)
    return out + family_summary_rows(quarter, comparable, adjusted, config)
