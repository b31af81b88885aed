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
    column = frame[name]
    missing = column.isna()
    if not missing.any():
        return column.tolist()
    return column.astype(object).where(~missing, None).tolist()


def as_number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class Results:
    """Stored results indexed by (quarter, scope, metric)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        # Raw column values per key; a Stat is built when a section first asks for it. A
        # report reads eight quarters of every scope (tens of thousands of rows) and uses a
        # fraction of them, and the archive builds each context twice.
        self._raw: dict[tuple[str, str, str], tuple[Any, ...]] = {}
        self._stats: dict[tuple[str, str, str], Stat] = {}
        self._scopes: dict[str, list[str]] = {}
        self._metrics: dict[tuple[str, str], list[str]] = {}
        columns = zip(*(column_values(frame, name) for name in RESULT_COLUMNS), strict=True)
        for quarter, scope, metric, *figures in columns:
            key = (str(quarter), str(scope), str(metric))
            if key not in self._raw:
                metrics = self._metrics.setdefault(key[:2], [])
                if not metrics:
                    self._scopes.setdefault(key[0], []).append(key[1])
                metrics.append(key[2])
            self._raw[key] = tuple(figures)

    def get(self, quarter: str, scope: str, metric: str) -> Stat | None:
        key = (quarter, scope, metric)
        stat = self._stats.get(key)
        if stat is None and key in self._raw:
            value, lower, upper, n, n_eff, flag, note = self._raw[key]
            stat = self._stats[key] = Stat(
                value=as_number(value),
                lower=as_number(lower),
                upper=as_number(upper),
                n=None if n is None else int(n),
                n_effective=as_number(n_eff),
                flag=flag,
                note=note,
            )
        return stat

    def scopes(self, quarter: str) -> list[str]:
        return list(self._scopes.get(quarter, []))

    def metrics(self, quarter: str, scope: str, prefix: str) -> list[str]:
        return sorted(m for m in self._metrics.get((quarter, scope), ()) if m.startswith(prefix))

    def any_metric(self, quarter: str, prefix: str) -> bool:
        """Whether any scope has a metric starting with `prefix` in the quarter."""
        return any(
            metric.startswith(prefix)
            for scope in self._scopes.get(quarter, ())
            for metric in self._metrics[(quarter, scope)]
        )

    def rows(self, quarter: str, scope: str) -> dict[str, Stat]:
        return {
            metric: stat
            for metric in self._metrics.get((quarter, scope), ())
            if (stat := self.get(quarter, scope, metric)) is not None
        }


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
