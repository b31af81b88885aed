"""The contract's rules: documented, each severity settable per installation, bad settings named."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etl.contract import RULES, Severity, rule, severities
from etl.core.config import ConfigError
from etl.warehouse import SOURCE_RELATIONS, SOURCES_DIR

DOC = Path(__file__).resolve().parents[3] / "docs" / "data-contract.md"


def test_every_rule_is_documented_with_its_severity() -> None:
    text = DOC.read_text(encoding="utf-8")
    for contract_rule in RULES:
        row = f"| `{contract_rule.key}` | {contract_rule.severity.value} |"
        assert row in text, row


def test_every_relation_has_a_source_view_and_rules() -> None:
    assert sorted(p.stem for p in SOURCES_DIR.glob("*.sql")) == sorted(SOURCE_RELATIONS)
    assert {r.relation for r in RULES} == set(SOURCE_RELATIONS)


def test_rule_keys_are_unique() -> None:
    assert len({r.key for r in RULES}) == len(RULES)


def test_a_rule_the_contract_lacks_is_a_bug_not_a_skip() -> None:
    with pytest.raises(KeyError, match=r"claims\.no_such_rule is not a rule"):
        rule("claims", "no_such_rule")


@pytest.mark.parametrize(
    ("overrides", "key", "expected"),
    [
        ({}, "claims.fresh", Severity.ERROR),
        ({"claims.fresh": "warning"}, "claims.fresh", Severity.WARNING),
        ({"kpi_targets.min_rows": "error"}, "kpi_targets.min_rows", Severity.ERROR),
        ({"mystery_shop_visits.fresh": "off"}, "mystery_shop_visits.fresh", None),
    ],
)
def test_severity_overrides(overrides: dict[str, str], key: str, expected: Severity | None) -> None:
    assert severities(overrides)[key] is expected


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"claims.fast": "off"}, "'claims.fast', which is not a rule"),
        ({"claims.fresh": "fatal"}, "contract.severity.claims.fresh = 'fatal'"),
    ],
)
def test_bad_overrides_name_the_key(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        severities(overrides)
