"""Shared vocabulary, no I/O: quarters, scopes, settings, metric catalogue, result rows, errors."""

from etl.core.config import (
    SERVICE_DIMENSIONS,
    ConfigError,
    ItemBank,
    Settings,
    load_item_bank,
    load_settings,
)
from etl.core.errors import ParamError, PermanentError, UserError, WarehouseError
from etl.core.metrics import INDICES, KPIS, SPECS, MetricSpec
from etl.core.periods import QUARTER_PATTERN, Quarter, QuarterError, last_complete_quarter
from etl.core.results import RESULT_COLUMNS, ResultRow
from etl.core.scopes import COMPANY, Scope, UnknownScopeError, select_scopes

__all__ = [
    "COMPANY",
    "INDICES",
    "KPIS",
    "QUARTER_PATTERN",
    "RESULT_COLUMNS",
    "SERVICE_DIMENSIONS",
    "SPECS",
    "ConfigError",
    "ItemBank",
    "MetricSpec",
    "ParamError",
    "PermanentError",
    "Quarter",
    "QuarterError",
    "ResultRow",
    "Scope",
    "Settings",
    "UnknownScopeError",
    "UserError",
    "WarehouseError",
    "last_complete_quarter",
    "load_item_bank",
    "load_settings",
    "select_scopes",
]
