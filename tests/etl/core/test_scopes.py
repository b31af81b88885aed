"""Scopes: choosing the scopes of a run, naming them in each language."""

from __future__ import annotations

import pytest

from etl.core.errors import ParamError, PermanentError
from etl.core.scopes import COMPANY, Scope, UnknownScopeError, select_scopes

AVAILABLE = [
    Scope(COMPANY, "company", "全公司", "Company"),
    Scope("BJ", "branch", "北京分公司", "Beijing Branch"),
    Scope("SC", "branch", "四川分公司", "Sichuan Branch"),
]


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        (None, ["company", "BJ", "SC"]),  # none named: every scope
        ([], ["company", "BJ", "SC"]),
        (["SC"], ["SC"]),
        (["SC", "company"], ["SC", "company"]),  # the order asked for
        (["BJ", "BJ", "SC"], ["BJ", "SC"]),  # a code named twice is one scope
    ],
)
def test_select_scopes(requested: list[str] | None, expected: list[str]) -> None:
    assert [scope.code for scope in select_scopes(AVAILABLE, requested)] == expected


@pytest.mark.parametrize(
    ("requested", "unknown"),
    [(["XX"], "['XX']"), (["BJ", "sc", "ZZ"], "['sc', 'ZZ']")],
)
def test_an_unknown_scope_is_named_with_the_known_ones(requested: list[str], unknown: str) -> None:
    with pytest.raises(UnknownScopeError) as raised:
        select_scopes(AVAILABLE, requested)
    message = str(raised.value)
    assert f"unknown scope(s) {unknown}" in message
    assert "known: company, BJ, SC" in message


def test_an_unknown_scope_is_a_param_error_no_retry_can_fix() -> None:
    assert issubclass(UnknownScopeError, ParamError)
    assert issubclass(UnknownScopeError, PermanentError)


@pytest.mark.parametrize(("language", "name"), [("zh-CN", "四川分公司"), ("en", "Sichuan Branch")])
def test_a_scope_is_named_in_the_report_language(language: str, name: str) -> None:
    assert AVAILABLE[2].name(language) == name
