"""KPI targets with red/amber/green status, and the service evaluation grade (docs/metrics.md §6).

Targets come from the warehouse table kpi_targets: for a (metric, scope) the scope's own row
with the latest valid_from on or before the quarter, else the company's. Status: green when
the value meets the target, amber when it meets the amber threshold, red otherwise;
is_higher_better decides which side "meets" is.

The grade is an internal estimate, not a regulatory rating (its row carries flag
"internal_estimate"; note = the grade letter): each KPI configured in
`[grading.kpis]` maps to a 0–100 sub-score on a straight line through `zero` (0 points) and
`full` (100 points), clipped to 0–100; groups average their KPIs' sub-scores with the
configured weights, the composite averages the groups with theirs (both renormalised over
what has a value in the scope) and the composite is graded AAA ≥ 95 … C ≥ 55, D below.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from etl.core.config import ConfigError, Settings
from etl.core.errors import WarehouseError
from etl.core.periods import Quarter, QuarterError
from etl.core.results import ResultRow
from etl.core.scopes import COMPANY

Status = Literal["red", "amber", "green"]
INTERNAL_ESTIMATE = "internal_estimate"
NOT_APPLICABLE = "not_applicable"
LOWEST_GRADE = "D"


@dataclass(frozen=True)
class Target:
    """One row of kpi_targets, validated."""

    metric: str
    scope: str
    valid_from: Quarter
    target_value: float
    amber_value: float
    is_higher_better: bool


def parse_targets(frame: pd.DataFrame) -> list[Target]:
    """Validate kpi_targets rows; an error names the row and the rule it breaks."""
    targets = []
    for record in frame.to_dict("records"):
        where = (
            f"kpi_targets row (metric={record['metric']!r}, scope={record['scope']!r}, "
            f"valid_from={record['valid_from']!r})"
        )
        try:
            valid_from = Quarter.parse(str(record["valid_from"]), field="valid_from")
        except QuarterError as exc:
            raise WarehouseError(f"{where}: {exc}") from exc
        target = Target(
            metric=str(record["metric"]),
            scope=str(record["scope"]),
            valid_from=valid_from,
            target_value=float(record["target_value"]),
            amber_value=float(record["amber_value"]),
            is_higher_better=bool(record["is_higher_better"]),
        )
        worse_or_equal = (
            target.amber_value <= target.target_value
            if target.is_higher_better
            else target.amber_value >= target.target_value
        )
        if not worse_or_equal:
            side = "at or below" if target.is_higher_better else "at or above"
            raise WarehouseError(
                f"{where}: amber_value {target.amber_value} must be {side} target_value "
                f"{target.target_value} when is_higher_better = {int(target.is_higher_better)}"
            )
        targets.append(target)
    return targets


def target_for(
    targets: Sequence[Target], metric: str, scope: str, quarter: Quarter
) -> Target | None:
    """The scope's own latest target valid in the quarter, else the company's, else None."""
    for owner in dict.fromkeys([scope, COMPANY]):
        valid = [
            t
            for t in targets
            if t.metric == metric and t.scope == owner and t.valid_from <= quarter
        ]
        if valid:
            return max(valid, key=lambda t: t.valid_from)
    return None


def rag_status(value: float, target: Target) -> Status:
    """green meets the target, amber meets the amber threshold, red otherwise."""
    if target.is_higher_better:
        if value >= target.target_value:
            return "green"
        return "amber" if value >= target.amber_value else "red"
    if value <= target.target_value:
        return "green"
    return "amber" if value <= target.amber_value else "red"


def usable(row: ResultRow) -> bool:
    """A figure that may be judged: it has a value and is not suppressed (n below the minimum
    base must not leak out as a red or green, nor into the grade)."""
    return row.value is not None and not math.isnan(row.value) and row.flag != "suppressed"


def rag_rows(
    quarter: Quarter, rows: Sequence[ResultRow], targets: Sequence[Target]
) -> list[ResultRow]:
    """rag.<metric> for every row of the quarter whose metric has a target.

    value = the target, note = red|amber|green; a row without a value, or suppressed, gets
    flag "not_applicable" and no status.
    """
    out = []
    for row in rows:
        if row.quarter != str(quarter) or row.metric.startswith(("rag.", "service_grade")):
            continue
        target = target_for(targets, row.metric, row.scope, quarter)
        if target is None:
            continue
        has_value = usable(row)
        out.append(
            ResultRow(
                str(quarter),
                row.scope,
                f"rag.{row.metric}",
                target.target_value,
                n=row.n,
                flag=None if has_value else NOT_APPLICABLE,
                note=rag_status(float(row.value), target) if has_value else None,  # type: ignore[arg-type]
            )
        )
    return out


@dataclass(frozen=True)
class KpiScoring:
    """How one KPI enters the grade: its group, weight in the group, and sub-score line."""

    metric: str
    group: str
    weight: float
    zero: float
    full: float

    def subscore(self, value: float) -> float:
        """100 (value − zero) / (full − zero), clipped to 0–100."""
        return min(100.0, max(0.0, 100.0 * (value - self.zero) / (self.full - self.zero)))


@dataclass(frozen=True)
class GradingConfig:
    """The [grading] settings, validated."""

    groups: dict[str, float]
    grades: tuple[tuple[str, float], ...]  # (letter, lowest score), best first
    kpis: tuple[KpiScoring, ...]

    def letter(self, score: float) -> str:
        """AAA ≥ 95, AA ≥ 90, … C ≥ 55, D below (thresholds from config)."""
        for letter, lowest in self.grades:
            if score >= lowest:
                return letter
        return LOWEST_GRADE


def grading_config(settings: Settings) -> GradingConfig:
    """Read and check [grading]; errors name the settings key and the rule broken."""
    raw: Mapping[str, Any] = settings.raw.get("grading", {})
    groups = {str(k): float(v) for k, v in raw.get("groups", {}).items()}
    if not groups or any(w <= 0 for w in groups.values()):
        raise ConfigError(f"settings [grading] groups: need positive weights, got {groups}")
    grades = tuple(
        sorted(((str(k), float(v)) for k, v in raw.get("grades", {}).items()), key=lambda g: -g[1])
    )
    if not grades:
        raise ConfigError("settings [grading] grades: at least one grade threshold is needed")
    kpis = []
    for metric, entry in raw.get("kpis", {}).items():
        key = f"settings [grading.kpis] {metric}"
        missing = {"group", "weight", "zero", "full"} - set(entry)
        if missing:
            raise ConfigError(f"{key}: missing {sorted(missing)}")
        if entry["group"] not in groups:
            raise ConfigError(f"{key}: group {entry['group']!r} is not in [grading] groups")
        if float(entry["weight"]) <= 0:
            raise ConfigError(f"{key}: weight must be positive, got {entry['weight']}")
        if float(entry["zero"]) == float(entry["full"]):
            raise ConfigError(f"{key}: zero and full must differ, both are {entry['zero']}")
        kpis.append(
            KpiScoring(
                metric=str(metric),
                group=str(entry["group"]),
                weight=float(entry["weight"]),
                zero=float(entry["zero"]),
                full=float(entry["full"]),
            )
        )
    if not kpis:
        raise ConfigError("settings [grading.kpis]: no KPI is configured for the grade")
    return GradingConfig(groups, grades, tuple(kpis))


def _weighted(pairs: Sequence[tuple[float, float]]) -> float:
    """Σ w x / Σ w over (x, w) pairs."""
    return sum(x * w for x, w in pairs) / sum(w for _, w in pairs)


def grade_scope(
    quarter: Quarter, scope: str, values: Mapping[str, float | None], config: GradingConfig
) -> list[ResultRow]:
    """service_grade, service_grade.group.<g> and service_grade.kpi.<kpi> rows of one scope."""
    label = str(quarter)
    rows = []
    by_group: dict[str, list[tuple[float, float]]] = {}
    for kpi in config.kpis:
        value = values.get(kpi.metric)
        if value is None or math.isnan(value):
            continue
        subscore = kpi.subscore(value)
        by_group.setdefault(kpi.group, []).append((subscore, kpi.weight))
        rows.append(
            ResultRow(
                label,
                scope,
                f"service_grade.kpi.{kpi.metric}",
                subscore,
                note=f"linear: {kpi.zero:g} → 0, {kpi.full:g} → 100",
            )
        )
    group_scores = []
    for group, weight in config.groups.items():
        if group not in by_group:
            continue
        score = _weighted(by_group[group])
        group_scores.append((score, weight))
        rows.append(
            ResultRow(label, scope, f"service_grade.group.{group}", score, n=len(by_group[group]))
        )
    used = sum(len(pairs) for pairs in by_group.values())
    if not group_scores:
        rows.append(
            ResultRow(label, scope, "service_grade", None, n=0, flag=NOT_APPLICABLE, note=None)
        )
        return rows
    composite = _weighted(group_scores)
    rows.append(
        ResultRow(
            label,
            scope,
            "service_grade",
            composite,
            n=used,
            flag=INTERNAL_ESTIMATE,
            note=config.letter(composite),
        )
    )
    return rows


def service_grade_rows(
    quarter: Quarter, rows: Sequence[ResultRow], config: GradingConfig
) -> list[ResultRow]:
    """The grade rows of every scope that has rows in the quarter."""
    values: dict[str, dict[str, float | None]] = {}
    for row in rows:
        if row.quarter == str(quarter):
            values.setdefault(row.scope, {})[row.metric] = row.value if usable(row) else None
    out = []
    for scope, metrics in values.items():
        out += grade_scope(quarter, scope, metrics, config)
    return out


def grading_results(
    quarter: Quarter, rows: Sequence[ResultRow], targets: Sequence[Target], settings: Settings
) -> list[ResultRow]:
    """rag.<metric> rows against the KPI targets and the service grade rows, from the KPI rows."""
    return rag_rows(quarter, rows, targets) + service_grade_rows(
        quarter, rows, grading_config(settings)
    )
