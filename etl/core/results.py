"""Result rows: one figure of the results table, keyed by (quarter, scope, metric)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class ResultRow:
    """One figure of the results table, keyed by (quarter, scope, metric)."""

    quarter: str
    scope: str
    metric: str
    value: float | None
    lower_bound: float | None = None
    upper_bound: float | None = None
    n: int | None = None
    n_effective: float | None = None
    flag: str | None = None
    note: str | None = None


# The stored columns, in table order (the results table adds run_id and computed_at).
RESULT_COLUMNS: tuple[str, ...] = tuple(field.name for field in fields(ResultRow))
