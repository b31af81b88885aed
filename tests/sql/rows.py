"""Given rows for KPI and linkage tests: a tiny reference set and row builders with defaults."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

BRANCHES = ("BJ", "SC", "ZJ")  # ZJ never gets a policy: its KPIs are all "not applicable"
CHANNELS = ("AGENT", "TELE")
PRODUCT_LINES = ("LIFE", "HEALTH")


def insert(engine: Engine, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows (dicts with the same keys) into a table with bound parameters."""
    if not rows:
        return
    # Core quotes the identifiers: no SQL text is assembled from strings.
    target = sa.table(table, *(sa.column(column) for column in rows[0]))
    with engine.begin() as conn:
        conn.execute(sa.insert(target), [dict(row) for row in rows])


def reference(engine: Engine) -> None:
    """Branches BJ, SC, ZJ; channels AGENT, TELE; product lines LIFE, HEALTH."""
    insert(
        engine,
        "branches",
        [
            {"branch_code": b, "name_zh": b, "name_en": b, "region_zh": "-", "region_en": "-"}
            for b in BRANCHES
        ],
    )
    insert(engine, "channels", [{"channel_code": c, "name_zh": c, "name_en": c} for c in CHANNELS])
    insert(
        engine,
        "product_lines",
        [{"product_line_code": p, "name_zh": p, "name_en": p} for p in PRODUCT_LINES],
    )


# Policies default to the segments of their branch, so segment scopes are easy to predict:
# BJ → AGENT / LIFE, SC → TELE / HEALTH.
SEGMENTS = {"BJ": ("AGENT", "LIFE"), "SC": ("TELE", "HEALTH"), "ZJ": ("AGENT", "LIFE")}


def policy(
    policy_id: int,
    branch: str = "BJ",
    *,
    issued_on: str = "2020-01-01",
    premium: float = 1000.0,
    mode: str = "regular",
    lapsed_on: str | None = None,
    surrendered_on: str | None = None,
    matured_on: str | None = None,
    surrender_paid: float | None = None,
) -> dict[str, Any]:
    channel, product = SEGMENTS[branch]
    status = (
        "surrendered"
        if surrendered_on
        else "lapsed"
        if lapsed_on
        else "matured"
        if matured_on
        else "in_force"
    )
    return {
        "policy_id": policy_id,
        "policy_no": f"P{policy_id:06d}",
        "customer_id": policy_id,
        "branch_code": branch,
        "channel_code": channel,
        "product_line_code": product,
        "issued_on": issued_on,
        "premium_cny": premium,
        "premium_mode": mode,
        "status": status,
        "lapsed_on": lapsed_on,
        "surrendered_on": surrendered_on,
        "matured_on": matured_on,
        "surrender_paid_cny": surrender_paid,
    }


def payment(
    payment_id: int,
    policy_id: int,
    installment_no: int,
    due_on: str,
    paid_on: str | None,
    amount: float = 1000.0,
) -> dict[str, Any]:
    return {
        "payment_id": payment_id,
        "policy_id": policy_id,
        "installment_no": installment_no,
        "due_on": due_on,
        "paid_on": paid_on,
        "amount_cny": amount,
    }


def claim(
    claim_id: int,
    policy_id: int,
    reported_on: str,
    *,
    registered_on: str | None = None,
    closed_on: str | None = None,
    outcome: str | None = None,
) -> dict[str, Any]:
    """A claim; paid claims are paid on their closing day."""
    return {
        "claim_id": claim_id,
        "policy_id": policy_id,
        "reported_on": reported_on,
        "registered_on": registered_on or reported_on,
        "closed_on": closed_on,
        "paid_on": closed_on if outcome == "paid" else None,
        "outcome": outcome,
        "claimed_cny": 100.0,
        "paid_cny": 90.0 if outcome == "paid" else None,
    }


def complaint(
    complaint_id: int,
    received_on: str,
    due_on: str,
    *,
    branch: str = "BJ",
    policy_id: int | None = None,
    channel: str | None = None,
    resolved_on: str | None = None,
    is_complex: int = 0,
    outcome: str | None = None,
) -> dict[str, Any]:
    return {
        "complaint_id": complaint_id,
        "policy_id": policy_id,
        "branch_code": branch,
        "channel_code": channel,
        "received_on": received_on,
        "due_on": due_on,
        "resolved_on": resolved_on,
        "category": "理赔纠纷",
        "dimension": "claims",
        "is_complex": is_complex,
        "outcome": outcome or ("upheld" if resolved_on else None),
    }


def wave(engine: Engine, wave_id: str, start: str, end: str) -> None:
    insert(
        engine,
        "survey_waves",
        [
            {
                "wave_id": wave_id,
                "quarter": wave_id,
                "fielded_from": start,
                "fielded_to": end,
                "item_bank_version": "test",
                "invited_count": 10,
            }
        ],
    )


def response(
    response_id: int, wave_id: str, policy_id: int | None, responded_on: str, branch: str = "BJ"
) -> dict[str, Any]:
    channel, product = SEGMENTS[branch]
    return {
        "response_id": response_id,
        "wave_id": wave_id,
        "policy_id": policy_id,
        "branch_code": branch,
        "channel_code": channel,
        "product_line_code": product,
        "responded_on": responded_on,
        "comment_text": None,
    }
