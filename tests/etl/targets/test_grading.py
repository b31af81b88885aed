"""KPI targets (scope before company, latest valid_from), red/amber/green, and the service grade."""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from etl.core.config import ConfigError, Settings, load_settings
from etl.core.errors import WarehouseError
from etl.core.periods import Quarter
from etl.core.results import ResultRow
from etl.targets import grading
from tests.sql import rows as given
from tests.sql import run

Q = Quarter(2026, 3)


def _target(
    metric: str = "claim_paid_ratio",
    scope: str = "company",
    valid_from: str = "2025-Q1",
    target: float = 0.90,
    amber: float = 0.85,
    higher: int = 1,
) -> dict[str, Any]:
    return {
        "metric": metric,
        "scope": scope,
        "valid_from": valid_from,
        "target_value": target,
        "amber_value": amber,
        "is_higher_better": higher,
    }


HIGHER = grading.Target("claim_paid_ratio", "company", Q, 0.90, 0.85, True)
LOWER = grading.Target("claim_cycle_days_mean", "company", Q, 10.0, 15.0, False)


@pytest.mark.parametrize(
    ("value", "target", "status"),
    [
        (0.95, HIGHER, "green"),
        (0.90, HIGHER, "green"),  # meets the target exactly
        (0.8999, HIGHER, "amber"),
        (0.85, HIGHER, "amber"),  # meets the amber threshold exactly
        (0.8499, HIGHER, "red"),
        (8.0, LOWER, "green"),
        (10.0, LOWER, "green"),
        (10.01, LOWER, "amber"),
        (15.0, LOWER, "amber"),
        (15.01, LOWER, "red"),
    ],
)
def test_rag_status(value: float, target: grading.Target, status: str) -> None:
    assert grading.rag_status(value, target) == status


TARGETS = grading.parse_targets(
    pd.DataFrame(
        [
            _target(valid_from="2024-Q1", target=0.80, amber=0.70),
            _target(valid_from="2026-Q1", target=0.90, amber=0.85),
            _target(valid_from="2026-Q4", target=0.99, amber=0.95),  # not valid yet in 2026-Q3
            _target(scope="SC", valid_from="2025-Q2", target=0.70, amber=0.60),
            _target(scope="BJ", valid_from="2026-Q4", target=0.99, amber=0.98),  # future only
        ]
    )
)


@pytest.mark.parametrize(
    ("scope", "quarter", "expected"),
    [
        ("company", Q, 0.90),  # latest valid_from ≤ 2026-Q3 is 2026-Q1
        ("company", Quarter(2026, 4), 0.99),
        ("company", Quarter(2025, 4), 0.80),
        ("SC", Q, 0.70),  # the scope's own target wins over a newer company one
        ("BJ", Q, 0.90),  # its own starts later: the company's applies
        ("channel.TELE", Q, 0.90),
        ("company", Quarter(2023, 4), None),  # before any target
    ],
)
def test_target_for(scope: str, quarter: Quarter, expected: float | None) -> None:
    target = grading.target_for(TARGETS, "claim_paid_ratio", scope, quarter)
    assert (target.target_value if target else None) == expected
    assert grading.target_for(TARGETS, "csi", scope, quarter) is None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (_target(valid_from="2026-01-01"), "valid_from='2026-01-01' is not a quarter"),
        (_target(target=0.90, amber=0.95), "amber_value 0.95 must be at or below target_value"),
        (
            _target(metric="claim_cycle_days_mean", target=10.0, amber=8.0, higher=0),
            "amber_value 8.0 must be at or above target_value 10.0",
        ),
    ],
)
def test_parse_targets_names_the_bad_row(row: dict[str, Any], message: str) -> None:
    with pytest.raises(WarehouseError, match="kpi_targets row") as error:
        grading.parse_targets(pd.DataFrame([row]))
    assert message in str(error.value)


def _row(scope: str, metric: str, value: float | None, n: int = 100) -> ResultRow:
    return ResultRow(str(Q), scope, metric, value, n=n)


def test_rag_rows_against_warehouse_targets(warehouse: Engine) -> None:
    given.insert(
        warehouse,
        "kpi_targets",
        [
            _target(valid_from="2025-Q1"),
            _target(scope="SC", valid_from="2025-Q1", target=0.80, amber=0.75),
            _target("claim_cycle_days_mean", valid_from="2025-Q1", target=10, amber=15, higher=0),
        ],
    )
    rows = [
        _row("company", "claim_paid_ratio", 0.91),  # ≥ 0.90 → green
        _row("SC", "claim_paid_ratio", 0.78),  # own target 0.80, amber 0.75 → amber
        _row("BJ", "claim_paid_ratio", 0.80),  # company's: below amber 0.85 → red
        _row("ZJ", "claim_paid_ratio", None, n=0),  # not applicable: no status
        _row("SC", "claim_cycle_days_mean", 36.0),  # > 15 → red
        _row("SC", "surrender_rate", 0.01),  # no target: no rag row
        ResultRow("2026-Q2", "SC", "claim_paid_ratio", 0.5),  # another quarter: ignored
    ]
    rag = {(r.scope, r.metric): r for r in grading.rag_rows(Q, rows, run.targets(warehouse))}
    assert sorted(rag) == sorted(
        [
            ("company", "rag.claim_paid_ratio"),
            ("SC", "rag.claim_paid_ratio"),
            ("BJ", "rag.claim_paid_ratio"),
            ("ZJ", "rag.claim_paid_ratio"),
            ("SC", "rag.claim_cycle_days_mean"),
        ]
    )
    assert [
        (rag[key].value, rag[key].note, rag[key].flag)
        for key in [
            ("company", "rag.claim_paid_ratio"),
            ("SC", "rag.claim_paid_ratio"),
            ("BJ", "rag.claim_paid_ratio"),
            ("ZJ", "rag.claim_paid_ratio"),
            ("SC", "rag.claim_cycle_days_mean"),
        ]
    ] == [
        (0.90, "green", None),
        (0.80, "amber", None),
        (0.90, "red", None),
        (0.90, None, "not_applicable"),
        (10.0, "red", None),
    ]


# --- service grade ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zero", "full", "value", "expected"),
    [
        (30.0, 5.0, 12.5, 70.0),  # lower is better: 100 (12.5 − 30)/(5 − 30) = 70
        (30.0, 5.0, 4.0, 100.0),  # better than full: clipped
        (30.0, 5.0, 45.0, 0.0),  # worse than zero: clipped
        (0.80, 0.98, 0.935, 75.0),  # 100 (0.935 − 0.80)/0.18 = 75
        (50.0, 90.0, 50.0, 0.0),
    ],
)
def test_subscore_is_linear_and_clipped(
    zero: float, full: float, value: float, expected: float
) -> None:
    scoring = grading.KpiScoring("kpi", "claims", 1.0, zero, full)
    assert scoring.subscore(value) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("score", "letter"),
    [
        (100.0, "AAA"),
        (95.0, "AAA"),
        (94.99, "AA"),
        (85.0, "A"),
        (80.0, "BBB"),
        (70.0, "B"),
        (60.0, "CC"),
        (55.0, "C"),
        (54.99, "D"),
        (0.0, "D"),
    ],
)
def test_grade_letters(score: float, letter: str) -> None:
    assert grading.grading_config(load_settings()).letter(score) == letter


def _settings(grading_raw: dict[str, Any]) -> Settings:
    base = load_settings()
    raw = copy.deepcopy(base.raw)
    raw["grading"] = grading_raw
    return Settings(raw=raw, home=base.home)


SIMPLE = {
    "groups": {"service": 0.30, "claims": 0.45, "complaints": 0.25},
    "grades": {
        "AAA": 95,
        "AA": 90,
        "A": 85,
        "BBB": 80,
        "BB": 75,
        "B": 70,
        "CCC": 65,
        "CC": 60,
        "C": 55,
    },
    "kpis": {
        "csi": {"group": "service", "weight": 1.0, "zero": 50.0, "full": 90.0},
        "claim_cycle_days_mean": {"group": "claims", "weight": 0.6, "zero": 30.0, "full": 5.0},
        "claim_paid_ratio": {"group": "claims", "weight": 0.4, "zero": 0.70, "full": 0.95},
        "complaint_on_time_rate": {"group": "complaints", "weight": 1.0, "zero": 0.8, "full": 1.0},
    },
}


@pytest.mark.parametrize(
    ("values", "score", "letter", "used"),
    [
        # csi 86 → 100·36/40 = 90; cycle 7.5 → 100·22.5/25 = 90; paid 0.95 → 100;
        # on-time 0.98 → 90. claims 0.6·90 + 0.4·100 = 94.
        # composite 0.30·90 + 0.45·94 + 0.25·90 = 27 + 42.3 + 22.5 = 91.8 → AA
        (
            {
                "csi": 86.0,
                "claim_cycle_days_mean": 7.5,
                "claim_paid_ratio": 0.95,
                "complaint_on_time_rate": 0.98,
            },
            91.8,
            "AA",
            4,
        ),
        # No survey in the scope (a channel): service group missing, weights renormalised
        # over claims and complaints: (0.45·94 + 0.25·90)/0.70 = 64.8/0.70 = 92.571… → AA
        (
            {
                "claim_cycle_days_mean": 7.5,
                "claim_paid_ratio": 0.95,
                "complaint_on_time_rate": 0.98,
                "csi": None,
            },
            64.8 / 0.70,
            "AA",
            3,
        ),
        # Slow claims: cycle 36 → 0; paid ratio missing → claims 0; csi 70 → 50; on-time 0.9
        # → 50. 0.30·50 + 0.45·0 + 0.25·50 = 27.5 → D
        (
            {"csi": 70.0, "claim_cycle_days_mean": 36.0, "complaint_on_time_rate": 0.90},
            27.5,
            "D",
            3,
        ),
    ],
)
def test_grade_scope(values: dict[str, float | None], score: float, letter: str, used: int) -> None:
    config = grading.grading_config(_settings(SIMPLE))
    rows = {r.metric: r for r in grading.grade_scope(Q, "company", values, config)}
    grade = rows["service_grade"]
    assert grade.value == pytest.approx(score)
    assert (grade.note, grade.flag, grade.n) == (letter, "internal_estimate", used)
    assert rows["service_grade.kpi.complaint_on_time_rate"].note == (
        "linear: 0.8 → 0, 1 → 100 (configured)"
    )


def test_grade_without_any_kpi_is_not_applicable() -> None:
    config = grading.grading_config(_settings(SIMPLE))
    rows = grading.grade_scope(Q, "ZJ", {"claim_paid_ratio": None}, config)
    assert [(r.metric, r.value, r.flag, r.note) for r in rows] == [
        ("service_grade", None, "not_applicable", None)
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"groups": {"service": 0.0}}, "need positive weights"),
        (
            {"kpis": {"csi": {"group": "sales", "weight": 1, "zero": 0, "full": 1}}},
            "group 'sales' is not in [grading] groups",
        ),
        (
            {"kpis": {"csi": {"group": "service", "weight": 1, "zero": 5, "full": 5}}},
            "zero and full must differ",
        ),
        ({"kpis": {"csi": {"group": "service", "weight": 1, "zero": 5}}}, "missing ['full']"),
        ({"kpis": {}}, "no KPI is configured"),
    ],
)
def test_grading_config_errors_name_the_key(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as error:
        grading.grading_config(_settings(SIMPLE | change))
    assert message in str(error.value)
    assert "settings [grading" in str(error.value)


def test_default_settings_grade_every_configured_kpi() -> None:
    config = grading.grading_config(load_settings())
    assert set(config.groups) == {"service", "claims", "complaints"}
    assert sum(config.groups.values()) == pytest.approx(1.0)
    for group in config.groups:
        weights = [k.weight for k in config.kpis if k.group == group]
        assert sum(weights) == pytest.approx(1.0), group


def test_suppressed_figures_get_no_status_and_stay_out_of_the_grade() -> None:
    # A CSI from fewer than 30 respondents is hidden in the report: no red/green gives it away.
    csi = grading.Target("csi", "company", Q, 80.0, 75.0, True)
    hidden = ResultRow(str(Q), "SN", "csi", 62.0, n=12, flag="suppressed")
    (rag,) = grading.rag_rows(Q, [hidden], [csi])
    assert (rag.value, rag.note, rag.flag) == (80.0, None, "not_applicable")
    config = grading.grading_config(_settings(SIMPLE))
    paid = ResultRow(str(Q), "SN", "claim_paid_ratio", 0.95, n=50)
    rows = {r.metric: r for r in grading.service_grade_rows(Q, [hidden, paid], config)}
    # Only the paid ratio counts: 0.95 → 100 in claims, the only group with a value.
    assert rows["service_grade"].value == pytest.approx(100.0)
    assert "service_grade.kpi.csi" not in rows


def test_grading_results_on_the_warehouse(warehouse: Engine) -> None:
    given.insert(warehouse, "kpi_targets", [_target(valid_from="2026-Q3")])
    rows = [_row("company", "claim_paid_ratio", 0.95), _row("BJ", "claim_paid_ratio", 0.80)]
    out = {
        (r.scope, r.metric): r
        for r in grading.grading_results(Q, rows, run.targets(warehouse), load_settings())
    }
    assert out[("company", "rag.claim_paid_ratio")].note == "green"
    assert out[("BJ", "rag.claim_paid_ratio")].note == "red"
    # Anchors from the target (0.90 → 100, amber 0.85 → 60): zero = 0.90 − 0.05·2.5 = 0.775;
    # BJ 100 (0.80 − 0.775)/0.125 = 20. The only KPI → the composite.
    assert out[("company", "service_grade")].value == pytest.approx(100.0)
    assert out[("BJ", "service_grade")].value == pytest.approx(20.0)
    assert out[("BJ", "service_grade")].note == "D"
    sub = out[("BJ", "service_grade.kpi.claim_paid_ratio")]
    assert (sub.lower_bound, sub.upper_bound, sub.flag) == (
        pytest.approx(0.775),
        pytest.approx(0.90),
        "target",
    )


@pytest.mark.parametrize(
    ("target", "amber", "points", "zero"),
    [
        (100.0, 120.0, 60.0, 150.0),  # complaints per 10k, lower is better
        (0.90, 0.85, 60.0, 0.775),
        (72.0, 70.0, 60.0, 67.0),  # CSI
        (10.0, 15.0, 50.0, 20.0),  # amber scores 50: zero twice as far
    ],
)
def test_anchors_from_target(target: float, amber: float, points: float, zero: float) -> None:
    higher = amber < target
    line = grading.KpiScoring("kpi", "service", 1.0, 0.0, 1.0).from_target(
        grading.Target("kpi", "company", Q, target, amber, higher), points
    )
    assert (line.zero, line.full, line.source) == (pytest.approx(zero), target, "target")
    assert line.subscore(target) == pytest.approx(100.0)
    assert line.subscore(amber) == pytest.approx(points)


def test_target_anchors_spread_complaints_that_hand_anchors_flatten() -> None:
    # The audit's case: per-10k values 80–172 against 30 → 0, 2 → 100 all score 0.
    config = grading.grading_config(load_settings())
    target = grading.Target("complaints_per_10k_policies", "company", Q, 100.0, 120.0, False)
    values = [80.0, 100.0, 118.0, 135.0, 172.0]
    by_hand = next(k for k in config.kpis if k.metric == "complaints_per_10k_policies")
    assert {by_hand.subscore(v) for v in values} == {0.0}
    derived = config.scorings([target], "BJ", Q)
    line = next(k for k in derived if k.metric == "complaints_per_10k_policies")
    assert [round(line.subscore(v), 6) for v in values] == [100.0, 100.0, 64.0, 30.0, 0.0]


@pytest.mark.parametrize(
    ("value", "lower", "upper", "flag", "status", "point"),
    [
        (69.9, 68.3, 71.5, None, "within_margin", "red"),  # the audit's SC CSI vs 72/70
        (71.0, 70.5, 71.5, None, "amber", None),  # inside the amber band, clear of both edges
        (73.0, 72.0, 74.0, None, "within_margin", "green"),  # touches the target: closed
        (75.0, 72.5, 77.5, None, "green", None),
        (65.0, 63.0, 67.0, "low_base", "red", None),  # an interval decides, low base or not
        (65.0, None, None, "low_base", "low_base", "red"),  # a census KPI on a low base
    ],
)
def test_status_within_margin_and_low_base(
    value: float,
    lower: float | None,
    upper: float | None,
    flag: str | None,
    status: str,
    point: str | None,
) -> None:
    csi = grading.Target("csi", "company", Q, 72.0, 70.0, True)
    row = ResultRow(str(Q), "SC", "csi", value, lower, upper, n=400, flag=flag)
    (rag,) = grading.rag_rows(Q, [row], [csi])
    assert (rag.note, rag.flag) == (status, point)
    assert (rag.lower_bound, rag.upper_bound) == (70.0, 72.0)


def test_low_base_kpis_stay_out_of_the_grade() -> None:
    config = grading.grading_config(_settings(SIMPLE))
    paid = ResultRow(str(Q), "SN", "claim_paid_ratio", 0.95, n=4, flag="low_base")
    rows = {r.metric: r for r in grading.service_grade_rows(Q, [paid], config)}
    assert rows["service_grade"].value is None
