"""The data contract of every input relation and its checks (docs/data-contract.md).

Errors stop a run before anything is computed, rendered or sent; warnings are logged,
written to the run's manifest and printed in the report's methodology appendix.
"""

from etl.contract.checks import ContractSettings, check_warehouse, quarter_params
from etl.contract.findings import ContractError, ContractReport, Failure, Found, Severity
from etl.contract.rules import RULES, RULES_BY_KEY, Rule, rule, severities

__all__ = [
    "RULES",
    "RULES_BY_KEY",
    "ContractError",
    "ContractReport",
    "ContractSettings",
    "Failure",
    "Found",
    "Rule",
    "Severity",
    "check_warehouse",
    "quarter_params",
    "rule",
    "severities",
]
