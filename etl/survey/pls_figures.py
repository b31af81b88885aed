"""The company's PLS path model (ACSI style) as result rows, and the PLS index as the CSI."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from etl.core.config import SERVICE_DIMENSIONS, Settings
from etl.core.results import ResultRow
from etl.core.scopes import COMPANY
from etl.survey import pls
from etl.survey.scoring import ScoredSurvey


@dataclass(frozen=True)
class PlsModel:
    """The path model as specified for the quarter: blocks of items, paths, what was left out."""

    blocks: dict[str, list[str]]
    paths: list[tuple[str, str]]
    scheme: str
    note: str


def pls_model(frame: pd.DataFrame, survey: ScoredSurvey, settings: Settings) -> PlsModel:
    """Dimensions rated by enough respondents → satisfaction → loyalty; the rest named."""
    csi = settings.raw["csi"]
    coverage = float(csi.get("pls_min_coverage", 0.5))
    dimensions = [d for d in SERVICE_DIMENSIONS if frame[d].notna().mean() >= coverage]
    left_out = [d for d in SERVICE_DIMENSIONS if d not in dimensions]
    blocks = {d: survey.item_columns[d] for d in dimensions}
    blocks["sat"] = survey.item_columns["overall"]
    blocks["loy"] = [*survey.item_columns.get("nps", []), *survey.item_columns.get("loyalty", [])]
    scheme = str(csi.get("pls_scheme", "path"))
    note = f"PLS ({scheme} scheme, mode A) on respondents who rated {', '.join(dimensions)}"
    if left_out:
        note += f"; left out (rated by < {coverage:.0%}): {', '.join(left_out)}"
    paths = [(d, "sat") for d in dimensions] + [("sat", "loy")]
    return PlsModel(blocks, paths, scheme, note)


def pls_rows(
    quarter: str, frame: pd.DataFrame, survey: ScoredSurvey, settings: Settings, bootstrap: bool
) -> list[ResultRow]:
    """ACSI-style PLS path model at company level: dimensions → satisfaction → loyalty.

    Estimated on respondents who rated every dimension in the model (listwise within the
    model, counted); dimensions rated by fewer than `pls_min_coverage` of respondents are
    left out of the model and named. Items enter on their 0–100 scale, which leaves the
    index unchanged (it is invariant to a linear rescaling of the items and bounds).
    """
    csi = settings.raw["csi"]
    model = pls_model(frame, survey, settings)
    data = frame[[c for block in model.blocks.values() for c in block]]
    try:
        result = pls.fit(data, model.blocks, model.paths, scheme=model.scheme)
        index = result.index("sat", 0.0, 100.0)
        lower = upper = intervals = None
        if bootstrap:
            boot = pls.bootstrap(
                data,
                model.blocks,
                model.paths,
                scheme=model.scheme,
                n_boot=int(csi.get("pls_bootstrap", 200)),
                seed=int(csi.get("pls_seed", 20260101)),
                index_latent="sat",
                scale_min=0.0,
                scale_max=100.0,
            )
            lower, upper, intervals = boot.index_lower, boot.index_upper, boot.path_intervals
    except ValueError as exc:  # specification, convergence or index errors, each named
        note = f"{model.note}: {exc}"
        return [
            ResultRow(quarter, COMPANY, "csi.pls", None, n=len(frame), flag="suppressed", note=note)
        ]
    note = f"{model.note}; n used {result.n_used}, dropped {result.n_dropped}; GoF {result.gof:.3f}"
    n = result.n_used
    return [
        ResultRow(quarter, COMPANY, "csi.pls", index, lower, upper, n=n, note=note),
        ResultRow(quarter, COMPANY, "pls.r_squared.sat", float(result.r_squared["sat"]), n=n),
        ResultRow(quarter, COMPANY, "pls.gof", float(result.gof), n=n),
        *path_rows(quarter, model, result, intervals),
        *block_rows(quarter, model, result),
    ]


def path_rows(
    quarter: str, model: PlsModel, result: pls.PLSResult, intervals: pd.DataFrame | None
) -> list[ResultRow]:
    """Each path coefficient, with its bootstrap interval when there is one."""
    rows = []
    for source, target in model.paths:
        bounds = (None, None)
        if intervals is not None:
            match = intervals[(intervals["from"] == source) & (intervals["to"] == target)]
            bounds = (float(match["lower"].iloc[0]), float(match["upper"].iloc[0]))
        rows.append(
            ResultRow(
                quarter,
                COMPANY,
                f"pls.path.{source}.{target}",
                float(result.path_coefficients.loc[source, target]),
                *bounds,
                n=result.n_used,
            )
        )
    return rows


def block_rows(quarter: str, model: PlsModel, result: pls.PLSResult) -> list[ResultRow]:
    """Average variance extracted and composite reliability of each latent."""
    rows = []
    for latent in model.blocks:
        rows.append(
            ResultRow(
                quarter, COMPANY, f"pls.ave.{latent}", float(result.ave[latent]), n=result.n_used
            )
        )
        rows.append(
            ResultRow(
                quarter,
                COMPANY,
                f"pls.composite_reliability.{latent}",
                float(result.composite_reliability[latent]),
                n=result.n_used,
            )
        )
    return rows


def pls_as_csi(weighted: ResultRow, rows: list[ResultRow]) -> ResultRow:
    pls_row = next(r for r in rows if (r.scope, r.metric) == (COMPANY, "csi.pls"))
    if pls_row.value is None:
        return weighted
    return ResultRow(
        weighted.quarter,
        COMPANY,
        "csi",
        pls_row.value,
        pls_row.lower_bound,
        pls_row.upper_bound,
        pls_row.n,
        float(pls_row.n or 0),
        None,
        "method pls: " + (pls_row.note or ""),
    )
