"""Strengths and weaknesses only where the interval clears the reference, on an adequate base."""

from __future__ import annotations

import pytest

from etl.core.results import ResultRow
from etl.survey.highlights import highlight_rows, scope_highlights


def _dim(scope: str, code: str, value: float, half: float = 1.0, flag: str | None = None):
    return ResultRow("2026-Q3", scope, f"dimension.{code}", value, value - half, value + half,
                     n=400, flag=flag)  # fmt: skip


@pytest.mark.parametrize(
    ("rows", "reference", "expected"),
    [
        # company: against the mean of its dimensions (70.0); intervals ±1
        ([("a", 74.0, 1.0), ("b", 70.5, 1.0), ("c", 70.0, 1.0), ("d", 65.5, 1.0)],
         None, {"a": "strength", "b": "neither", "c": "neither", "d": "weakness"}),
        # branch: vs the company; a wide interval crossing the company is neither
        ([("a", 74.0, 5.0), ("b", 61.0, 1.0), ("c", 78.0, 2.0)],
         {"a": 70.0, "b": 70.0, "c": 74.8},
         {"a": "neither", "b": "weakness", "c": "strength"}),
        # at most three each, largest gaps first (mean 68.5)
        ([("a", 80.0, 1.0), ("b", 79.0, 1.0), ("c", 78.0, 1.0), ("d", 77.0, 1.0),
          ("e", 60.0, 1.0), ("f", 59.0, 1.0), ("g", 58.0, 1.0), ("h", 57.0, 1.0)],
         None, {"a": "strength", "b": "strength", "c": "strength", "d": "neither",
                "e": "neither", "f": "weakness", "g": "weakness", "h": "weakness"}),
    ],
)  # fmt: skip
def test_scope_highlights(
    rows: list[tuple[str, float, float]],
    reference: dict[str, float] | None,
    expected: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    codes = [code for code, _v, _h in rows]
    monkeypatch.setattr("etl.survey.highlights.SERVICE_DIMENSIONS", tuple(codes))
    stored = {f"dimension.{c}": _dim("BJ", c, v, h) for c, v, h in rows}
    out = {r.metric.removeprefix("highlight."): r.note for r in
           scope_highlights("2026-Q3", "BJ", stored, reference)}  # fmt: skip
    assert out == expected


def test_low_base_and_suppressed_are_never_highlights() -> None:
    rows = [
        _dim("company", "claims", 70.0),
        _dim("company", "presale", 70.0),
        _dim("SN", "claims", 50.0, flag="low_base"),  # 20 points below, but on 40 respondents
        _dim("SN", "presale", 90.0, flag="suppressed"),
    ]
    out = {(r.scope, r.metric): r for r in highlight_rows("2026-Q3", rows)}
    low = out[("SN", "highlight.claims")]
    assert (low.note, low.flag, low.value) == ("neither", "low_base", -20.0)
    assert out[("SN", "highlight.presale")].note == "neither"
