"""The deterministic demo warehouse of a mid-size Chinese life insurer, with planted signals.

Planted signals (so the report has something true to say):
- 四川分公司 (SC) pays claims slowly, and its claimants rate the claims dimension low;
- the 电销 (TELE) channel's satisfaction drifts down over the last six quarters;
- the complaints dimension improves after an improvement action raised six quarters ago.

Everything is generated per chunk of policies and streamed to the database, so the
`--scale` sizes (millions of rows) never sit in memory at once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import Engine

from etl.core.config import ItemBank, load_item_bank
from etl.demo.book import simulate_claims, simulate_complaints, simulate_policies
from etl.demo.catalogue import BRANCHES, CHANNELS, KPI_TARGETS, PRODUCT_LINES, DemoPlan
from etl.demo.voices import (
    simulate_mystery_shop,
    simulate_online_feedback,
    simulate_respondents,
    simulate_survey,
)
from etl.warehouse import BulkWriter, apply_schema, policy_count, refresh_statistics, statement

log = logging.getLogger(__name__)
# The demo insurer's brand (report_templates/brands/chengyuan): printed on the demo's data only.
DEMO_BRAND = "chengyuan"


def write_reference_rows(
    sink: BulkWriter, branches: Sequence[tuple[str, str, str, str, str, float]] = BRANCHES
) -> None:
    """Branches, channels and product lines of the demo insurer (also the benches' reference)."""
    sink.write(
        "branches",
        pd.DataFrame(
            [row[:5] for row in branches],
            columns=["branch_code", "name_zh", "name_en", "region_zh", "region_en"],
        ),
    )
    sink.write(
        "channels",
        pd.DataFrame([row[:3] for row in CHANNELS], columns=["channel_code", "name_zh", "name_en"]),
    )
    sink.write(
        "product_lines",
        pd.DataFrame(
            [row[:3] for row in PRODUCT_LINES], columns=["product_line_code", "name_zh", "name_en"]
        ),
    )


def _item_rows(bank: ItemBank) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (
                bank.version,
                i.code,
                i.dimension,
                i.text_zh,
                i.text_en,
                i.scale_min,
                i.scale_max,
                int(i.is_reverse),
            )
            for i in bank.items
        ],
        columns=[
            "item_bank_version",
            "item_code",
            "dimension",
            "text_zh",
            "text_en",
            "scale_min",
            "scale_max",
            "is_reverse",
        ],
    )


def _wave_rows(plan: DemoPlan, bank: ItemBank) -> pd.DataFrame:
    per_quarter = plan.size.responses // plan.quarters
    rows = []
    for offset in range(plan.quarters):
        quarter = plan.first.shift(offset)
        rows.append(
            (
                str(quarter),
                str(quarter),
                quarter.start.isoformat(),
                quarter.last_day.isoformat(),
                bank.version,
                int(per_quarter * 2.6),
            )
        )
    return pd.DataFrame(
        rows,
        columns=[
            "wave_id",
            "quarter",
            "fielded_from",
            "fielded_to",
            "item_bank_version",
            "invited_count",
        ],
    )


def write_targets(plan: DemoPlan, sink: BulkWriter) -> None:
    """The board's KPI targets, valid from the first quarter of history."""
    rows = [
        (metric, "company", str(plan.first), target, amber, better)
        for metric, target, amber, better in KPI_TARGETS
    ]
    columns = ["metric", "scope", "valid_from", "target_value", "amber_value", "is_higher_better"]
    sink.write("kpi_targets", pd.DataFrame(rows, columns=columns))


def write_planted_action(plan: DemoPlan, sink: BulkWriter) -> None:
    """The complaints action raised six quarters ago, which the data then show working."""
    raised = plan.through.shift(-6)
    sink.write(
        "improvement_actions",
        pd.DataFrame(
            [
                (
                    f"{raised}-company-complaints",
                    str(raised),
                    "company",
                    "complaints",
                    "投诉处理时效不足，客户投诉与纠纷处理满意度偏低",
                    "投诉维度得分低于其他维度；投诉办理及时率低于95%目标",
                    "客户服务部",
                    "客服总监",
                    raised.next().last_day.isoformat(),
                    "complaint_on_time_rate",
                    0.95,
                    "done",
                )
            ],
            columns=[
                "action_id",
                "quarter_raised",
                "scope",
                "subject",
                "issue",
                "evidence",
                "department",
                "owner",
                "due_on",
                "target_metric",
                "target_value",
                "status",
            ],
        ),
    )


def build(engine: Engine, plan: DemoPlan, bank: ItemBank | None = None) -> dict[str, int]:
    """Create the schema and fill it for `plan`; returns rows written per table."""
    bank = bank or load_item_bank()
    apply_schema(engine)
    _refuse_non_empty(engine)
    sink = BulkWriter(engine)
    rng = np.random.default_rng(plan.seed)
    write_reference_rows(sink, plan.branches)
    sink.write("survey_items", _item_rows(bank))
    sink.write("survey_waves", _wave_rows(plan, bank))
    size = plan.size
    next_policy = next_claim = next_complaint = next_response = 1
    for chunk_policies in _chunk_sizes(size.policies, size.chunk_policies):
        share = chunk_policies / size.policies
        chunk = simulate_policies(rng, plan, next_policy, chunk_policies, sink)
        next_policy += chunk_policies
        claims = simulate_claims(rng, chunk, plan, round(size.claims * share), next_claim, sink)
        next_claim += round(size.claims * share)
        complaints = simulate_complaints(
            rng, chunk, plan, round(size.complaints * share), next_complaint, sink
        )
        next_complaint += round(size.complaints * share)
        respondents = simulate_respondents(
            rng, chunk, plan, round(size.responses * share), claims, complaints
        )
        next_response += simulate_survey(rng, chunk, plan, respondents, next_response, bank, sink)
        log.info("demo: %s policies written", next_policy - 1)
    simulate_mystery_shop(rng, plan, sink)
    simulate_online_feedback(rng, plan, sink, first_id=10_000_000_000)
    write_targets(plan, sink)
    write_planted_action(plan, sink)
    mark_demo(engine, plan, sink)
    refresh_statistics(engine)
    return dict(sink.rows_written)


def mark_demo(engine: Engine, plan: DemoPlan, sink: BulkWriter) -> None:
    """Record that this warehouse is the demo's: only it gets the demo insurer's brand."""
    with engine.begin() as conn:
        conn.execute(statement("demo/marker"))
    sink.write(
        "demo_warehouse",
        pd.DataFrame(
            [{"brand": DEMO_BRAND, "seed": plan.seed, "through_quarter": str(plan.through)}]
        ),
    )


def _chunk_sizes(total: int, chunk: int) -> Iterator[int]:
    while total > 0:
        yield min(chunk, total)
        total -= chunk


def _refuse_non_empty(engine: Engine) -> None:
    existing = policy_count(engine)
    if existing:
        raise RuntimeError(
            f"warehouse already holds {existing} policies: the demo generator writes into an "
            "empty warehouse only (use --replace for a SQLite file, or a fresh database)"
        )


def describe(rows: dict[str, Any]) -> str:
    """A one-line summary of what was written."""
    return ", ".join(f"{table} {count:,}" for table, count in rows.items())
