"""The results read model: stored figures by (quarter, scope, metric)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from etl.core.results import RESULT_COLUMNS
from etl.report.labels import HIDDEN_FLAGS


@dataclass(frozen=True)
class Stat:
    """One stored figure (a row of the results table)."""

    value: float | None
    lower: float | None = None
    upper: float | None = None
    n: int | None = None
    n_effective: float | None = None
    flag: str | None = None
    note: str | None = None

    @property
    def shown(self) -> bool:
        """A figure the report may print: present, and neither suppressed nor not applicable."""
        return self.value is not None and self.flag not in HIDDEN_FLAGS


def column_values(frame: pd.DataFrame, name: str) -> list[Any]:
    """A column as plain Python values, missing (None, NaN, NA) as None; absent → all None."""
    if name not in frame.columns:
        return [None] * len(frame)
    return [
        None if value is None or value is pd.NA or (isinstance(value, float) and value != value)
        else value
        for value in frame[name].tolist()
    ]  # fmt: skip


def as_number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class Results:
    """Stored results indexed by (quarter, scope, metric)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._stats: dict[tuple[str, str, str], Stat] = {}
        self._scopes: dict[str, list[str]] = {}
        # Column lists rather than row records: a report reads tens of thousands of rows,
        # and the archive builds each context twice.
        columns = zip(*(column_values(frame, name) for name in RESULT_COLUMNS), strict=True)
        for quarter, scope, metric, value, lower, upper, n, n_eff, flag, note in columns:
            key = (str(quarter), str(scope), str(metric))
            self._stats[key] = Stat(
                value=as_number(value),
                lower=as_number(lower),
                upper=as_number(upper),
                n=None if n is None else int(n),
                n_effective=as_number(n_eff),
                flag=flag,
                note=note,
            )
            scopes = self._scopes.setdefault(key[0], [])
            if key[1] not in scopes:
                scopes.append(key[1])

    def get(self, quarter: str, scope: str, metric: str) -> Stat | None:
        return self._stats.get((quarter, scope, metric))

    def scopes(self, quarter: str) -> list[str]:
        return list(self._scopes.get(quarter, []))

    def metrics(self, quarter: str, scope: str, prefix: str) -> list[str]:
        return sorted(
            metric
            for (q, s, metric) in self._stats
            if q == quarter and s == scope and metric.startswith(prefix)
        )

    def any_metric(self, quarter: str, prefix: str) -> bool:
        """Whether any scope has a metric starting with `prefix` in the quarter."""
        return any(q == quarter and m.startswith(prefix) for (q, _s, m) in self._stats)

    def rows(self, quarter: str, scope: str) -> dict[str, Stat]:
        return {m: stat for (q, s, m), stat in self._stats.items() if q == quarter and s == scope}


@dataclass(frozen=True)
class Findings:
    """A scope's findings beside its figures, as the findings tables hold them.

    `themes` (dimension, texts, negative, positive, previous, change), `quotes` (position,
    dimension, sentiment, source, quote_text), `new_actions` (improvement_actions raised
    this quarter, with `current_value`), `follow_ups` (earlier actions with `measured_value`
    and `target_status`); `plan_ran` says whether the quarter's improvement plan ran at all.
    """

    themes: tuple[Mapping[str, Any], ...] = ()
    quotes: tuple[Mapping[str, Any], ...] = ()
    new_actions: tuple[Mapping[str, Any], ...] = ()
    follow_ups: tuple[Mapping[str, Any], ...] = ()
    covered: tuple[Mapping[str, Any], ...] = ()  # triggers an open earlier action covers
    changes: tuple[Mapping[str, Any], ...] = ()  # what people changed during the quarter
    plan_ran: bool = False

    @classmethod
    def from_store(cls, stored: Mapping[str, Any]) -> Findings:
        return cls(
            themes=tuple(stored.get("themes", ())),
            quotes=tuple(stored.get("quotes", ())),
            new_actions=tuple(stored.get("new_actions", ())),
            follow_ups=tuple(stored.get("follow_ups", ())),
            covered=tuple(stored.get("covered", ())),
            changes=tuple(stored.get("changes", ())),
            plan_ran=bool(stored.get("plan_ran", False)),
        )
