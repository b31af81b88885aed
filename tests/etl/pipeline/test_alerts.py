"""The alert's advice follows the kind of error: a Param, a file, the data, or a passing fault."""

from __future__ import annotations

import pytest

from etl.core import ConfigError, QuarterError, UnknownScopeError, WarehouseError
from etl.pipeline.alerts import advice_for
from etl.report.i18n import LanguageError
from etl.survey import SurveyDataError


class AirflowFailLike(Exception):
    """What the DAG raises: Airflow's exception with etl's error as its cause."""


def wrapped(error: Exception) -> Exception:
    try:
        raise AirflowFailLike(str(error)) from error
    except AirflowFailLike as outer:
        return outer


@pytest.mark.parametrize(
    ("error", "kind", "says"),
    [
        (UnknownScopeError("scopes=['XX']"), "param", "again in Airflow with scopes corrected"),
        (QuarterError("quarter '2026-Q5'"), "param", "with quarter corrected"),
        (LanguageError("language='fr'"), "param", "with language corrected"),
        (ConfigError("recipients.toml [scopes.BJ]"), "config", "fix the file, then clear"),
        (SurveyDataError("survey_answers: response_id 7"), "data", "correct the data in the"),
        (WarehouseError("unreachable"), "warehouse", "connection satisfaction_warehouse"),
        (RuntimeError("something else"), "other", "Read the log, fix the cause"),
        (None, "other", "clear the task"),
    ],
)  # fmt: skip
def test_the_advice_names_the_fix(error: Exception | None, kind: str, says: str) -> None:
    for seen in (error, wrapped(error) if error else None):
        advice = advice_for(seen)
        assert advice.kind == kind
        assert says in advice.en and advice.zh


def test_a_param_error_never_advises_clearing_the_task() -> None:
    advice = advice_for(wrapped(UnknownScopeError("scopes=['XX']")))
    assert "clearing this task would only repeat the same error" in advice.en
    assert "重新触发" in advice.zh


def test_a_failure_that_will_be_retried_says_so() -> None:
    advice = advice_for(WarehouseError("unreachable"), will_retry=True)
    assert advice.kind == "retrying"
    assert "retries the task by itself" in advice.en and "自动重试" in advice.zh
