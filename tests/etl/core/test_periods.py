"""Quarter arithmetic: parsing, boundaries, time zone and the scheduled/manual quarter rule."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from etl.core.periods import Quarter, QuarterError, last_complete_quarter, report_quarter

UTC = dt.UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-Q1", dt.date(2026, 1, 1), dt.date(2026, 4, 1)),
        ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 10, 1)),
        ("2026-Q4", dt.date(2026, 10, 1), dt.date(2027, 1, 1)),  # end rolls into next year
        ("2024-Q1", dt.date(2024, 1, 1), dt.date(2024, 4, 1)),
    ],
)
def test_quarter_bounds_are_half_open(text: str, start: dt.date, end: dt.date) -> None:
    quarter = Quarter.parse(text)
    assert (quarter.start, quarter.end, str(quarter)) == (start, end, text)
    assert quarter.last_day == end - dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "steps", "expected"),
    [
        ("2026-Q1", -1, "2025-Q4"),
        ("2026-Q4", 1, "2027-Q1"),
        ("2026-Q3", -4, "2025-Q3"),
        ("2026-Q3", -7, "2024-Q4"),
        ("2026-Q2", 0, "2026-Q2"),
    ],
)
def test_shift(text: str, steps: int, expected: str) -> None:
    assert str(Quarter.parse(text).shift(steps)) == expected


def test_trailing_is_oldest_first_and_ends_with_itself() -> None:
    quarters = [str(q) for q in Quarter.parse("2026-Q3").trailing(8)]
    assert quarters == [
        "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "bad", ["2026-Q5", "2026-Q0", "2026Q3", "26-Q3", "2026-q3", "", "2026-Q3x"]
)
def test_malformed_quarter_names_the_field_and_pattern(bad: str) -> None:
    with pytest.raises(QuarterError, match=r"quarter=.*expected YYYY-QN"):
        Quarter.parse(bad)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # The scheduled run: 06:00 Shanghai on 1 Oct is 22:00 UTC on 30 Sep → still Q3.
        (dt.datetime(2026, 10, 1, 6, 0, tzinfo=SHANGHAI), "2026-Q3"),
        (dt.datetime(2026, 9, 30, 22, 0, tzinfo=UTC), "2026-Q3"),
        # One minute before midnight Shanghai on 30 Sep: Q3 is not complete yet.
        (dt.datetime(2026, 9, 30, 15, 59, tzinfo=UTC), "2026-Q2"),
        # New Year: 06:00 Shanghai on 1 Jan reports Q4 of the previous year.
        (dt.datetime(2027, 1, 1, 6, 0, tzinfo=SHANGHAI), "2026-Q4"),
        # A manual run in the middle of a quarter reports the last complete one.
        (dt.datetime(2026, 11, 25, 9, 30, tzinfo=UTC), "2026-Q3"),
    ],
)
def test_last_complete_quarter_uses_the_company_calendar(
    moment: dt.datetime, expected: str
) -> None:
    assert str(last_complete_quarter(moment, "Asia/Shanghai")) == expected


def test_naive_run_date_is_refused() -> None:
    with pytest.raises(QuarterError, match="time-zone aware"):
        last_complete_quarter(dt.datetime(2026, 10, 1, 6, 0))


@pytest.mark.parametrize(
    ("param", "run_after", "expected"),
    [
        ("2025-Q2", dt.datetime(2026, 10, 1, 6, tzinfo=SHANGHAI), "2025-Q2"),  # Param wins
        (None, dt.datetime(2026, 10, 1, 6, tzinfo=SHANGHAI), "2026-Q3"),  # scheduled
        ("", dt.datetime(2026, 11, 25, tzinfo=UTC), "2026-Q3"),  # manual, empty Param
        ("2026-Q1", None, "2026-Q1"),  # no run date needed when the Param is given
    ],
)
def test_report_quarter(param: str | None, run_after: dt.datetime | None, expected: str) -> None:
    assert str(report_quarter(param, run_after)) == expected


@pytest.mark.parametrize(
    ("param", "run_after", "message"),
    [
        ("2030-Q1", dt.datetime(2026, 12, 7, tzinfo=UTC), "is in the future"),
        ("2026-Q4", dt.datetime(2026, 12, 7, tzinfo=UTC), "is still in progress"),
        # 06:00 Shanghai on 1 October is 30 September in UTC: Q3 has ended in the company.
        ("2026-Q4", dt.datetime(2026, 9, 30, 22, tzinfo=UTC), "is still in progress"),
        ("2099-Q4", None, "only a quarter that has ended"),
    ],
)
def test_unfinished_and_future_quarters_are_refused(
    param: str, run_after: dt.datetime | None, message: str
) -> None:
    with pytest.raises(QuarterError, match=message):
        report_quarter(param, run_after)
    assert str(report_quarter("2026-Q3", dt.datetime(2026, 9, 30, 22, tzinfo=UTC))) == "2026-Q3"


def test_report_quarter_without_param_or_date_is_an_error() -> None:
    with pytest.raises(QuarterError, match="no `quarter` Param and no run date"):
        report_quarter(None, None)
