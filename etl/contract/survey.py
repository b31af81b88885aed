"""Survey rules judged in memory: scales, plausibility and coverage of the quarter's answers.

The warehouse returns the wave's answers counted per (item, score) — a few hundred rows
however large the wave — and a pandera schema judges them against the item bank file.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from etl.contract.findings import Found
from etl.core.config import SERVICE_DIMENSIONS, ItemBank

RELATION = "survey_answers"


@dataclass(frozen=True)
class SurveyLimits:
    """How much data an estimate needs (from the settings)."""

    min_answers: int  # suppress_below: fewer answers estimate nothing
    csi_min_dimensions: int


DISTRIBUTION = pa.DataFrameSchema(
    {
        "item_code": pa.Column(str),
        "score": pa.Column(int, coerce=True),
        "answers": pa.Column(int, pa.Check.ge(1), coerce=True),
    },
    strict=False,
)


def with_scales(distribution: pd.DataFrame, bank: ItemBank) -> pd.DataFrame:
    """The distribution with each item's scale and dimension (NaN for unknown items)."""
    frame = DISTRIBUTION.validate(distribution)
    items = pd.DataFrame(
        [(i.code, i.dimension, i.scale_min, i.scale_max) for i in bank.items],
        columns=["item_code", "dimension", "scale_min", "scale_max"],
    )
    return frame.merge(items, on="item_code", how="left")


def _scale_schema() -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        checks=[
            pa.Check(lambda d: d["scale_min"].notna(), name="item_code.in_item_bank"),
            pa.Check(
                lambda d: (
                    d["scale_min"].isna() | d["score"].between(d["scale_min"], d["scale_max"])
                ),
                name="score.within_scale",
            ),
        ]
    )


def failed_rows(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The rows each scale check fails, by check name (pandera's lazy validation)."""
    try:
        _scale_schema().validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        return {
            str(check): frame.loc[sorted(set(group["index"].dropna().astype(int)))]
            for check, group in cases.groupby("check")
        }
    return {}


def scale_findings(frame: pd.DataFrame) -> list[Found]:
    """Unknown items and scores outside their item's scale, counted in answers."""
    found = []
    for rule, rows in failed_rows(frame).items():
        per_item = rows.groupby("item_code")["answers"].sum()
        detail = ", ".join(
            f"{code}: {int(n)}"
            + (
                ""
                if rule == "item_code.in_item_bank"
                else f" outside {_scale(rows[rows.item_code == code].iloc[0])}"
            )
            for code, n in per_item.items()
        )
        found.append(Found(RELATION, rule, int(per_item.sum()), tuple(per_item.index[:5]), detail))
    return found


def _scale(row: pd.Series) -> str:
    return f"{int(row.scale_min)}–{int(row.scale_max)}"


def plausibility_findings(frame: pd.DataFrame, limits: SurveyLimits) -> list[Found]:
    """Items answered only in the lower half of their scale: another scale's answers.

    A 10-point item whose answers all lie in 1–5 was almost surely asked on a 5-point
    scale; scored as 10-point it would read as deep dissatisfaction (CSAT 0 %). Judged only
    on items with enough answers and a scale of five points or more.
    """
    known = frame[frame["scale_min"].notna()]
    implausible = []
    for code, rows in known.groupby("item_code"):
        low, high = rows["scale_min"].iloc[0], rows["scale_max"].iloc[0]
        if rows["answers"].sum() < limits.min_answers or high - low < 4:
            continue
        if rows["score"].max() <= low + (high - low) / 2:
            used = f"{int(rows['score'].min())}–{int(rows['score'].max())}"
            implausible.append((code, int(rows["answers"].sum()), used, _scale(rows.iloc[0])))
    if not implausible:
        return []
    shown = [f"{code} answered only {used} on its {scale} scale"
             for code, _, used, scale in implausible[:3]]  # fmt: skip
    more = len(implausible) - len(shown)
    detail = "; ".join(shown) + (f"; and {more} more item(s)" if more else "")
    return [
        Found(
            RELATION,
            "score.plausible_for_scale",
            sum(n for _, n, _, _ in implausible),
            tuple(code for code, *_ in implausible[:5]),
            detail,
        )
    ]


def coverage_findings(frame: pd.DataFrame, bank: ItemBank, limits: SurveyLimits) -> list[Found]:
    """The CSI needs enough dimensions with data; CSAT and NPS need their items answered.

    A dimension's base is the answers to its best-answered item within scale; a CSI from one
    claims item is no CSI, and the report must say so rather than print it.
    """
    valid = frame[
        frame["scale_min"].notna() & frame["score"].between(frame.scale_min, frame.scale_max)
    ]
    base = (
        valid.groupby("item_code")["answers"]
        .sum()
        .groupby(valid.groupby("item_code")["dimension"].first())
        .max()
    )
    in_bank = [d for d in SERVICE_DIMENSIONS if bank.codes(d)]
    covered = [d for d in in_bank if base.get(d, 0) >= limits.min_answers]
    found = []
    if len(covered) < limits.csi_min_dimensions:
        found.append(
            Found(
                RELATION,
                "coverage.csi",
                len(in_bank) - len(covered),
                tuple(d for d in in_bank if d not in covered)[:5],
                f"{len(covered)} of {len(in_bank)} service dimensions have ≥ {limits.min_answers} "
                f"answers ({', '.join(covered) or 'none'}); the CSI needs "
                f"{limits.csi_min_dimensions}",
            )
        )
    for dimension in ("overall", "nps"):
        if bank.codes(dimension) and base.get(dimension, 0) < limits.min_answers:
            found.append(
                Found(
                    RELATION,
                    f"coverage.{dimension}",
                    int(base.get(dimension, 0)),
                    tuple(bank.codes(dimension))[:5],
                    f"{int(base.get(dimension, 0))} answers, fewer than {limits.min_answers}",
                )
            )
    return found


def survey_findings(
    distribution: pd.DataFrame, bank: ItemBank, limits: SurveyLimits
) -> list[Found]:
    """Every in-memory survey rule for the quarter's wave (nothing when nobody answered)."""
    if distribution.empty:
        return []
    frame = with_scales(distribution, bank)
    return [
        *scale_findings(frame),
        *plausibility_findings(frame, limits),
        *coverage_findings(frame, bank, limits),
    ]
