"""Operational figures: KPIs from the warehouse's aggregates, the voice of the customer (pure)."""

from etl.operations.kpis import (
    KPI_METRICS,
    KPIS,
    KpiConventions,
    family_params,
    kpi_conventions,
    kpi_results,
    kpi_trend,
)
from etl.operations.voc import VocFindings, feedback_params, voc_results

__all__ = [
    "KPIS",
    "KPI_METRICS",
    "KpiConventions",
    "VocFindings",
    "family_params",
    "feedback_params",
    "kpi_conventions",
    "kpi_results",
    "kpi_trend",
    "voc_results",
]
