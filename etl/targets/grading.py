"""KPI targets with red/amber/green status, and the service evaluation grade (docs/metrics.md §6).

Targets come from the warehouse table kpi_targets: for a (metric, scope) the scope's own row
with the latest valid_from on or before the quarter, else the company's. Status: green when
the value meets the target, amber when it meets the amber threshold, red otherwise;
is_higher_better decides which side "meets" is. Two states say that the data cannot decide:

- "within_margin": a sample estimate (it has a 95% interval) whose interval contains the
  target or the amber threshold — the colour would be decided by sampling noise;
- "low_base": a census KPI resting on fewer cases than its configured base (mystery-shop
  visits, claims, complaints): shown with its n, never coloured.

The grade is an internal estimate, not a regulatory rating (its row carries flag
"internal_estimate"; note = the grade letter): each KPI configured in
`[grading.kpis]` maps to a 0–100 sub-score on a straight line through `zero` (0 points) and
`full` (100 points), clipped to 0–100. With `[grading] anchors = "targets"` (the default) the
line is derived from the KPI's own target where it has one: the target scores 100 and the
amber threshold scores `amber_points` (60), so zero = target + (amber − target)·100/(100 −
amber_points); a KPI without a target keeps its configured `zero` and `full`. Anchors set
by hand far from the data make a sub-score a constant (complaints per 10k: 30 → 0 against
values of 80–172), which only dilutes the composite. Low-base KPIs are left out; groups
average their KPIs' sub-scores with the configured weights, the composite averages the
groups with theirs (both renormalised over what has a value in the scope) and the
composite is graded AAA ≥ 95 … C ≥ 55, D below.
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
WITHIN_MARGIN = "within_margin"
LOW_BASE = "low_base"
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


def within_margin(row: ResultRow, target: Target) -> bool:
    """The row's 95% interval contains the target or the amber threshold (closed interval)."""
    if row.lower_bound is None or row.upper_bound is None:
        return False
    low, high = sorted((float(row.lower_bound), float(row.upper_bound)))
    return any(low <= edge <= high for edge in (target.target_value, target.amber_value))


def judged_status(row: ResultRow, target: Target) -> str:
    """red | amber | green, or within_margin / low_base when the data cannot decide."""
    if within_margin(row, target):
        return WITHIN_MARGIN
    if row.flag == LOW_BASE and row.lower_bound is None:
        return LOW_BASE
    return rag_status(float(row.value), target)  # type: ignore[arg-type]


def usable(row: ResultRow) -> bool:
    """A figure that may be judged: it has a value and is not suppressed (n below the minimum
    base must not leak out as a red or green, nor into the grade)."""
    return row.value is not None and not math.isnan(row.value) and row.flag != "suppressed"


def rag_rows(
    quarter: Quarter, rows: Sequence[ResultRow], targets: Sequence[Target]
) -> list[ResultRow]:
    """rag.<metric> for every row of the quarter whose metric has a target.

    value = the target, lower/upper = the amber threshold and the target (the band the
    status is judged on), note = red | amber | green | within_margin | low_base, flag = the
    point status when the note is within_margin or low_base; a row without a value, or
    suppressed, gets flag "not_applicable" and no status.
    """
    out = []
    for row in rows:
        if row.quarter != str(quarter) or row.metric.startswith(("rag.", "service_grade")):
            continue
        target = target_for(targets, row.metric, row.scope, quarter)
        if target is None:
            continue
        if not usable(row):
            out.append(ResultRow(str(quarter), row.scope, f"rag.{row.metric}",
                                 target.target_value, n=row.n, flag=NOT_APPLICABLE))  # fmt: skip
            continue
        status = judged_status(row, target)
        point = rag_status(float(row.value), target)  # type: ignore[arg-type]
        out.append(
            ResultRow(
                str(quarter),
                row.scope,
                f"rag.{row.metric}",
                target.target_value,
                target.amber_value,
                target.target_value,
                n=row.n,
                flag=None if status == point else point,
                note=status,
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

    source: str = "configured"  # configured | target

    def subscore(self, value: float) -> float:
        """100 (value − zero) / (full − zero), clipped to 0–100."""
        return min(100.0, max(0.0, 100.0 * (value - self.zero) / (self.full - self.zero)))

    def from_target(self, target: Target, amber_points: float) -> KpiScoring:
        """The line through (target, 100) and (amber threshold, amber_points).

        zero = target + (amber − target) · 100 / (100 − amber_points). A target whose amber
        threshold equals it gives no slope: the configured line is kept.
        """
        if target.amber_value == target.target_value:
            return self
        zero = target.target_value + (target.amber_value - target.target_value) * 100.0 / (
            100.0 - amber_points
        )
        return KpiScoring(self.metric, self.group, self.weight, zero, target.target_value, "target")


@dataclass(frozen=True)
class GradingConfig:
    """The [grading] settings, validated."""

    groups: dict[str, float]
    grades: tuple[tuple[str, float], ...]  # (letter, lowest score), best first
    kpis: tuple[KpiScoring, ...]
    anchors: str = "targets"  # targets | configured
    amber_points: float = 60.0

    def scorings(
        self, targets: Sequence[Target], scope: str, quarter: Quarter
    ) -> tuple[KpiScoring, ...]:
        """Each KPI's line in the scope: from its target when anchors = targets and it has one."""
        if self.anchors != "targets":
            return self.kpis
        out = []
        for kpi in self.kpis:
            target = target_for(targets, kpi.metric, scope, quarter)
            out.append(kpi if target is None else kpi.from_target(target, self.amber_points))
        return tuple(out)

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
    anchors = str(raw.get("anchors", "targets"))
    if anchors not in ("targets", "configured"):
        raise ConfigError(
            f"settings [grading] anchors: must be 'targets' or 'configured', got {anchors!r}"
        )
    amber_points = float(raw.get("amber_points", 60.0))
    if not 0 <= amber_points < 100:
        raise ConfigError(
            f"settings [grading] amber_points: must lie in [0, 100), got {amber_points}"
        )
    return GradingConfig(groups, grades, tuple(kpis), anchors, amber_points)


def _weighted(pairs: Sequence[tuple[float, float]]) -> float:
    """Σ w x / Σ w over (x, w) pairs."""
    return sum(x * w for x, w in pairs) / sum(w for _, w in pairs)


def grade_scope(
    quarter: Quarter,
    scope: str,
    values: Mapping[str, float | None],
    config: GradingConfig,
    scorings: Sequence[KpiScoring] | None = None,
) -> list[ResultRow]:
    """service_grade, service_grade.group.<g> and service_grade.kpi.<kpi> rows of one scope.

    A sub-score row stores its line: lower_bound = the value scoring 0, upper_bound = the
    value scoring 100, flag = where the line comes from (target | configured).
    """
    label = str(quarter)
    rows = []
    by_group: dict[str, list[tuple[float, float]]] = {}
    for kpi in config.kpis if scorings is None else scorings:
        value = values.get(kpi.metric)
        if value is None or math.isnan(value):
            continue
        subscore = kpi.subscore(value)
        by_group.setdefault(kpi.group, []).append((subscore, kpi.weight))
        line = f"linear: {kpi.zero:g} → 0, {kpi.full:g} → 100 ({kpi.source})"
        rows.append(ResultRow(label, scope, f"service_grade.kpi.{kpi.metric}", subscore,
                              kpi.zero, kpi.full, flag=kpi.source, note=line))  # fmt: skip
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
    quarter: Quarter,
    rows: Sequence[ResultRow],
    config: GradingConfig,
    targets: Sequence[Target] = (),
) -> list[ResultRow]:
    """The grade rows of every scope that has rows in the quarter (low-base KPIs left out)."""
    values: dict[str, dict[str, float | None]] = {}
    for row in rows:
        if row.quarter == str(quarter):
            judged = usable(row) and row.flag != LOW_BASE
            values.setdefault(row.scope, {})[row.metric] = row.value if judged else None
    out = []
    for scope, metrics in values.items():
        scorings = config.scorings(targets, scope, quarter)
        out += grade_scope(quarter, scope, metrics, config, scorings)
    return out


def grading_results(
    quarter: Quarter, rows: Sequence[ResultRow], targets: Sequence[Target], settings: Settings
) -> list[ResultRow]:
    """rag.<metric> rows against the KPI targets and the service grade rows, from the KPI rows."""
    return rag_rows(quarter, rows, targets) + service_grade_rows(
        quarter, rows, grading_config(settings), targets
    )
