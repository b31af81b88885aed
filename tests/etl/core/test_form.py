"""The manual-run form: recent quarters, configured scopes with names, defaults that make a run."""

from __future__ import annotations

import datetime as dt

import pytest

from etl.core import ConfigError
from etl.core.config import configured_scopes, load_settings
from etl.core.form import recent_quarters, scope_choices, trigger_form

SHANGHAI = "Asia/Shanghai"


@pytest.mark.parametrize(
    ("now", "first", "last"),
    [
        # 1 Oct 06:00 Shanghai is still 30 Sep in UTC: the local calendar decides.
        (dt.datetime(2026, 9, 30, 22, 0, tzinfo=dt.UTC), "2026-Q3", "2024-Q4"),
        (dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.UTC), "2026-Q3", "2024-Q4"),
        (dt.datetime(2027, 1, 15, 0, 0, tzinfo=dt.UTC), "2026-Q4", "2025-Q1"),
    ],
)
def test_recent_quarters_start_at_the_last_complete_one(
    now: dt.datetime, first: str, last: str
) -> None:
    quarters = recent_quarters(now, SHANGHAI)
    assert (quarters[0], quarters[-1], len(quarters)) == (first, last, 8)


def test_scopes_are_the_configured_ones_shown_with_both_names() -> None:
    codes, shown = scope_choices(load_settings())
    assert codes[0] == "company" and "SC" in codes and len(codes) == 13
    assert shown["company"] == "company · 全公司 Company"
    assert shown["SC"] == "SC · 四川分公司 Sichuan Branch"


def test_defaults_make_a_run_of_the_last_quarter_for_every_scope() -> None:
    form = trigger_form(load_settings(), dt.datetime(2026, 12, 7, tzinfo=dt.UTC))
    defaults = {name: field.default for name, field in form.items()}
    assert defaults == {
        "quarter": None, "scopes": None, "language": "zh-CN",
        "deliver": True, "resend": False, "reason": None,
    }  # fmt: skip
    assert form["scopes"].schema["items"]["enum"] == form["scopes"].schema["examples"]
    assert {field.schema["section"] for field in form.values()} == {
        "报告内容 What to report",
        "发送 Delivery",
    }


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([], "settings `scopes` is empty"),
        (
            [{"code": "BJ", "zh": "北京"}],
            "settings scopes #1: needs a non-empty `code`, `zh` and `en`",
        ),
        ([{"code": "BJ", "zh": "北京", "en": "Beijing"}] * 2, "scope code 'BJ' appears twice"),
        (["BJ"], "settings scopes #1"),
    ],
)
def test_a_bad_scope_list_is_named(entries: list[object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("`", "`")):
        configured_scopes(entries)


def test_the_company_comes_first_whatever_the_order_in_the_file() -> None:
    scopes = configured_scopes(
        [
            {"code": "SC", "zh": "四川", "en": "Sichuan"},
            {"code": "company", "zh": "全公司", "en": "Co"},
        ]
    )
    assert [(s.code, s.kind) for s in scopes] == [("company", "company"), ("SC", "branch")]
