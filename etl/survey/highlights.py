"""Strengths and weaknesses: only dimensions whose difference the data support.

A branch's dimension is compared with the company's score for the same dimension; the
company's dimensions with the mean of its own dimension scores. A dimension is a strength
(weakness) only when

- its figure is not suppressed or low base (n ≥ `[suppression] low_base_below`), and
- its 95% interval lies entirely above (below) the reference value.

The reference is treated as fixed: the company's score rests on the whole sample (of which
the branch is a part), so its own uncertainty is small against the branch's; for the
company, the mean of its dimensions is the yardstick, not an estimate being tested. Up to
three of each, largest gaps first. Each dimension of each scope gets a row
`highlight.<dimension>`: value = the gap, note = strength | weakness | neither, flag = why a
dimension could not be judged (low_base, suppressed).
"""

from __future__ import annotations

from collections.abc import Sequence

from etl.core.config import SERVICE_DIMENSIONS
from etl.core.results import ResultRow
from etl.core.scopes import COMPANY, is_segment

HIGHLIGHTS_PER_SIDE = 3


def _judged(row: ResultRow | None) -> bool:
    return (
        row is not None
        and row.value is not None
        and row.flag not in ("suppressed", "low_base")
        and row.lower_bound is not None
        and row.upper_bound is not None
    )


def scope_highlights(
    quarter: str,
    scope: str,
    rows: dict[str, ResultRow],
    reference: dict[str, float] | None,
) -> list[ResultRow]:
    """highlight.<dimension> rows of one scope against its reference (see module doc)."""
    dimensions = {d: rows.get(f"dimension.{d}") for d in SERVICE_DIMENSIONS}
    shown = {d: r for d, r in dimensions.items() if r is not None and r.value is not None}
    if reference is None:
        values = [float(r.value) for r in shown.values()]  # type: ignore[arg-type]
        mean = sum(values) / len(values) if values else 0.0
        reference = dict.fromkeys(shown, mean)
    candidates: dict[str, tuple[float, str]] = {}
    out = []
    for d, row in shown.items():
        if d not in reference:
            continue
        gap = float(row.value) - reference[d]  # type: ignore[arg-type]
        if not _judged(row):
            out.append(ResultRow(quarter, scope, f"highlight.{d}", gap, n=row.n,
                                 flag=row.flag or "no_interval", note="neither"))  # fmt: skip
            continue
        side = (
            "strength"
            if row.lower_bound > reference[d]  # type: ignore[operator]
            else "weakness"
            if row.upper_bound < reference[d]  # type: ignore[operator]
            else "neither"
        )
        candidates[d] = (gap, side)
    ranked = sorted(candidates, key=lambda d: (-abs(candidates[d][0]), d))
    counts = {"strength": 0, "weakness": 0}
    for d in ranked:
        gap, side = candidates[d]
        if side in counts:
            counts[side] += 1
            side = side if counts[side] <= HIGHLIGHTS_PER_SIDE else "neither"
        out.append(ResultRow(quarter, scope, f"highlight.{d}", gap, n=dimensions[d].n,  # type: ignore[union-attr]
                             note=side))  # fmt: skip
    return out


def highlight_rows(quarter: str, rows: Sequence[ResultRow]) -> list[ResultRow]:
    """Strength/weakness rows of the company and each branch (segments are not reported so)."""
    by_scope: dict[str, dict[str, ResultRow]] = {}
    for row in rows:
        if row.metric.startswith("dimension.") and row.metric.count(".") == 1:
            by_scope.setdefault(row.scope, {})[row.metric] = row
    company = by_scope.get(COMPANY, {})
    reference = {
        d: float(r.value)
        for d in SERVICE_DIMENSIONS
        if (r := company.get(f"dimension.{d}")) is not None and r.value is not None
    }
    out = []
    for scope, scoped in by_scope.items():
        if is_segment(scope):
            continue
        out += scope_highlights(quarter, scope, scoped, None if scope == COMPANY else reference)
    return out
