"""The warehouse side of a pure stage, for tests that check SQL and Python together."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy.engine import Engine

from etl.core.periods import Quarter
from etl.core.results import ResultRow
from etl.operations import kpis
from etl.survey import linkage
from etl.targets import grading
from etl.warehouse import read_query, segment_scopes


def kpi_rows(
    engine: Engine,
    quarter: Quarter,
    scopes: Sequence[str],
    conventions: kpis.KpiConventions | None = None,
) -> list[ResultRow]:
    """Every KPI as the pipeline computes it: the family queries, then the pure stage."""
    families = {
        name: read_query(engine, name, params)
        for name, params in kpis.family_params(quarter, conventions).items()
    }
    segments = [scope.code for scope in segment_scopes(engine)]
    return kpis.kpi_results(families, quarter, scopes, segments, conventions)


def targets(engine: Engine) -> list[grading.Target]:
    """The warehouse's KPI targets, validated."""
    return grading.parse_targets(read_query(engine, "kpi_targets"))


def linked(
    engine: Engine, quarter: Quarter, respondents: pd.DataFrame, weights: pd.Series
) -> pd.DataFrame:
    """Respondents joined to their claim cycle band and complaint history."""
    params = linkage.linkage_params(quarter)
    return linkage.linked_frame(
        read_query(engine, "linkage_claim_cycle_band", params),
        read_query(engine, "linkage_complaint", params),
        respondents,
        weights,
    )
