"""Simulating the policy book: policies, premium payments, claims and complaints."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.core.periods import Quarter
from etl.demo.catalogue import (
    CHANNELS,
    COMPLAINT_CATEGORIES,
    PRODUCT_LINES,
    SLOW_CLAIMS_BRANCH,
    DemoPlan,
)
from etl.warehouse import BulkWriter


def iso_dates(days: np.ndarray) -> np.ndarray:
    """datetime64[D] → ISO strings, NaT → None (both databases accept ISO dates)."""
    text = np.datetime_as_string(days, unit="D").astype(object)
    text[np.isnat(days)] = None
    return text


def quarter_of(days: np.ndarray, first: Quarter) -> np.ndarray:
    """Quarter number of each date relative to `first` (0 = first quarter)."""
    years = days.astype("datetime64[Y]").astype(int) + 1970
    months = days.astype("datetime64[M]").astype(int) % 12
    return (years * 4 + months // 3) - (first.year * 4 + first.number - 1)


def weighted_choice(
    rng: np.random.Generator, codes: Sequence[str], weights: Sequence[float], n: int
) -> np.ndarray:
    probabilities = np.asarray(weights, dtype=float)
    return rng.choice(
        np.asarray(codes, dtype=object), size=n, p=probabilities / probabilities.sum()
    )


@dataclass
class PolicyChunk:
    """One chunk of generated policies and the columns later steps reuse."""

    policy_id: np.ndarray
    branch: np.ndarray
    channel: np.ndarray
    product: np.ndarray
    issued: np.ndarray
    regular: np.ndarray
    premium: np.ndarray
    end_of_life: np.ndarray  # first date the policy is no longer in force (NaT if still in force)


def simulate_policies(
    rng: np.random.Generator, plan: DemoPlan, first_id: int, count: int, sink: BulkWriter
) -> PolicyChunk:
    units = plan.branches
    branch = weighted_choice(rng, [b[0] for b in units], [b[5] for b in units], count)
    channel = weighted_choice(rng, [c[0] for c in CHANNELS], [c[3] for c in CHANNELS], count)
    product_index = rng.choice(
        len(PRODUCT_LINES), size=count, p=np.array([p[3] for p in PRODUCT_LINES])
    )
    product = np.array([p[0] for p in PRODUCT_LINES], dtype=object)[product_index]
    span = int((plan.window_end - plan.window_start).astype(int))
    # Business grows about 15% a year: later issue dates are a little more likely.
    issued = plan.window_start + (span * np.sqrt(rng.uniform(0.15, 1.0, count)) - 1).astype(
        int
    ).astype("timedelta64[D]")
    regular_share = np.array([p[4] for p in PRODUCT_LINES])[product_index]
    regular = rng.uniform(size=count) < regular_share
    mean_premium = np.array([p[5] for p in PRODUCT_LINES])[product_index]
    premium = np.round(mean_premium * rng.lognormal(0.0, 0.45, count), 2)

    life = policy_lifecycle(rng, plan, channel, product, regular, issued, premium)
    policy_id = np.arange(first_id, first_id + count, dtype=np.int64)
    sink.write(
        "policies",
        pd.DataFrame(
            {
                "policy_id": policy_id,
                "policy_no": [f"P{b}{i:010d}" for b, i in zip(branch, policy_id, strict=True)],
                "customer_id": policy_id + 10_000_000_000,
                "branch_code": branch,
                "channel_code": channel,
                "product_line_code": product,
                "issued_on": iso_dates(issued),
                "premium_cny": premium,
                "premium_mode": np.where(regular, "regular", "single"),
                "status": life.status,
                "lapsed_on": iso_dates(life.lapsed_on),
                "surrendered_on": iso_dates(life.surrendered_on),
                "matured_on": iso_dates(life.matured_on),
                "surrender_paid_cny": life.surrender_paid,
            }
        ),
    )
    chunk = PolicyChunk(
        policy_id, branch, channel, product, issued, regular, premium, life.end_of_life
    )
    simulate_payments(chunk, plan, sink)
    return chunk


@dataclass(frozen=True)
class Lifecycle:
    """What happens to each policy of a chunk after issue: lapse, surrender or maturity."""

    lapsed_on: np.ndarray
    surrendered_on: np.ndarray
    matured_on: np.ndarray
    status: np.ndarray
    end_of_life: np.ndarray
    surrender_paid: np.ndarray


def policy_lifecycle(
    rng: np.random.Generator,
    plan: DemoPlan,
    channel: np.ndarray,
    product: np.ndarray,
    regular: np.ndarray,
    issued: np.ndarray,
    premium: np.ndarray,
) -> Lifecycle:
    """Lapses at the 13th or 25th month, surrenders and maturities, none after the last day."""
    count = len(channel)
    # Lapse at the 13th- or 25th-month premium; telesales keeps its customers worst.
    lapse_13 = np.where(channel == "TELE", 0.20, np.where(channel == "ONLINE", 0.13, 0.08))
    u = rng.uniform(size=count)
    lapses_at_13 = regular & (u < lapse_13)
    lapses_at_25 = regular & ~lapses_at_13 & (u < lapse_13 + 0.06)
    lapsed_on = np.full(count, np.datetime64("NaT"), dtype="datetime64[D]")
    lapsed_on[lapses_at_13] = issued[lapses_at_13] + np.timedelta64(365 + 60, "D")
    lapsed_on[lapses_at_25] = issued[lapses_at_25] + np.timedelta64(730 + 60, "D")
    surrender_day = issued + rng.integers(40, 2000, count).astype("timedelta64[D]")
    surrenders = (
        (~lapses_at_13)
        & (~lapses_at_25)
        & (product != "ACCIDENT")
        & (rng.uniform(size=count) < 0.07)
    )
    surrendered_on = np.where(surrenders, surrender_day, np.datetime64("NaT"))
    matured_on = np.where(
        product == "ACCIDENT", issued + np.timedelta64(365, "D"), np.datetime64("NaT")
    )
    # Nothing may have happened after the warehouse's last day.
    for column in (lapsed_on, surrendered_on, matured_on):
        column[column >= plan.window_end] = np.datetime64("NaT")
    status = np.full(count, "in_force", dtype=object)
    status[~np.isnat(matured_on)] = "matured"
    status[~np.isnat(lapsed_on)] = "lapsed"
    status[~np.isnat(surrendered_on)] = "surrendered"
    end_of_life = np.fmin(np.fmin(lapsed_on, surrendered_on), matured_on)
    surrender_paid = np.where(
        surrenders & ~np.isnat(surrendered_on), np.round(premium * 0.6, 2), np.nan
    )
    return Lifecycle(lapsed_on, surrendered_on, matured_on, status, end_of_life, surrender_paid)


def simulate_payments(chunk: PolicyChunk, plan: DemoPlan, sink: BulkWriter) -> None:
    """Annual instalments of regular-premium policies while in force; single premiums once."""
    frames = []
    for installment in (1, 2, 3, 4):
        due = chunk.issued + np.timedelta64(365 * (installment - 1), "D")
        alive = np.isnat(chunk.end_of_life) | (chunk.end_of_life > due)
        keep = (
            (due < plan.window_end)
            & (chunk.regular | (installment == 1))
            & (alive | (installment == 1))
        )
        if not keep.any():
            continue
        # Paid within 30 days of the due date by everyone still in force.
        paid = due[keep] + np.timedelta64(installment * 3 % 17, "D")
        paid = np.where(paid < plan.window_end, paid, np.datetime64("NaT"))
        # A policy lapses when the 60-day grace period of an unpaid instalment runs out.
        lapses = chunk.end_of_life[keep] == due[keep] + np.timedelta64(60, "D")
        paid = np.where(lapses, np.datetime64("NaT"), paid)
        frames.append(
            pd.DataFrame(
                {
                    "payment_id": chunk.policy_id[keep] * 10 + installment,
                    "policy_id": chunk.policy_id[keep],
                    "installment_no": installment,
                    "due_on": iso_dates(due[keep]),
                    "paid_on": iso_dates(paid),
                    "amount_cny": chunk.premium[keep],
                }
            )
        )
    if frames:
        sink.write("premium_payments", pd.concat(frames, ignore_index=True))


def pick_in_force(
    rng: np.random.Generator, chunk: PolicyChunk, plan: DemoPlan, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Random (policy row, event date) pairs: dates uniform over the reported quarters, each
    paired with a policy that is in force on that date (so events follow the size of the book)."""
    first = np.datetime64(plan.first.start, "D")
    span = int((plan.window_end - first).astype(int))
    candidates = count * 4
    day = first + rng.integers(0, span, candidates).astype("timedelta64[D]")
    rows = rng.integers(0, len(chunk.policy_id), candidates)
    life_end = chunk.end_of_life[rows]
    in_force = (chunk.issued[rows] + np.timedelta64(20, "D") <= day) & (
        np.isnat(life_end) | (day < life_end)
    )
    return rows[in_force], day[in_force]


def simulate_claims(
    rng: np.random.Generator,
    chunk: PolicyChunk,
    plan: DemoPlan,
    count: int,
    first_id: int,
    sink: BulkWriter,
) -> pd.DataFrame:
    rows, reported = pick_in_force(rng, chunk, plan, count)
    rows, reported = rows[:count], reported[:count]
    n = len(rows)
    slow = chunk.branch[rows] == SLOW_CLAIMS_BRANCH
    # Most claims are paid within a week; the slow branch takes about three weeks.
    median_days = np.where(slow, 18.0, 5.0)
    cycle = np.maximum(1, np.round(median_days * rng.lognormal(0.0, 0.55, n))).astype(int)
    registered = reported + rng.integers(0, 4, n).astype("timedelta64[D]")
    closed = reported + cycle.astype("timedelta64[D]")
    u = rng.uniform(size=n)
    outcome = np.where(u < 0.04, "withdrawn", np.where(u < 0.13, "denied", "paid")).astype(object)
    still_open = closed >= plan.window_end
    closed = np.where(still_open, np.datetime64("NaT"), closed)
    outcome[still_open] = None
    registered = np.where((outcome == "withdrawn") & (u < 0.02), np.datetime64("NaT"), registered)
    paid_on = np.where(outcome == "paid", closed, np.datetime64("NaT"))
    claimed = np.round(chunk.premium[rows] * rng.uniform(0.3, 6.0, n), 2)
    paid_cny = np.where(outcome == "paid", np.round(claimed * rng.uniform(0.7, 1.0, n), 2), np.nan)
    frame = pd.DataFrame(
        {
            "claim_id": np.arange(first_id, first_id + n, dtype=np.int64),
            "policy_id": chunk.policy_id[rows],
            "reported_on": iso_dates(reported),
            "registered_on": iso_dates(registered),
            "closed_on": iso_dates(closed),
            "paid_on": iso_dates(paid_on),
            "outcome": outcome,
            "claimed_cny": claimed,
            "paid_cny": paid_cny,
        }
    )
    sink.write("claims", frame)
    # For the survey: which rows, when paid, after how many days, and whether denied.
    return pd.DataFrame(
        {"row": rows, "closed": closed, "cycle_days": cycle, "outcome": outcome}
    ).dropna(subset=["outcome"])


def simulate_complaints(
    rng: np.random.Generator,
    chunk: PolicyChunk,
    plan: DemoPlan,
    count: int,
    first_id: int,
    sink: BulkWriter,
) -> pd.DataFrame:
    rows, received = pick_in_force(rng, chunk, plan, count * 2)
    branch = chunk.branch[rows]
    # Slow claims breed complaints: SC keeps every draw, others about half, so SC's
    # complaint rate is about twice its share of the book.
    keep = (branch == SLOW_CLAIMS_BRANCH) | (rng.uniform(size=len(rows)) < 0.55)
    rows, received = rows[keep][:count], received[keep][:count]
    n = len(rows)
    category_index = rng.choice(
        len(COMPLAINT_CATEGORIES), size=n, p=np.array([c[2] for c in COMPLAINT_CATEGORIES])
    )
    is_complex = rng.uniform(size=n) < 0.15
    due = received + np.where(is_complex, 30, 15).astype("timedelta64[D]")
    quarters_in = quarter_of(received, plan.first)
    # Handling gets quicker after the action raised six quarters before the last one.
    improving = np.clip(quarters_in - (plan.quarters - 7), 0, 6)
    late_share = np.clip(0.16 - 0.02 * improving, 0.03, None)
    handling = np.where(
        rng.uniform(size=n) < late_share,
        rng.integers(16, 60, n),
        rng.integers(1, 15, n),
    )
    resolved = received + handling.astype("timedelta64[D]")
    resolved = np.where(resolved >= plan.window_end, np.datetime64("NaT"), resolved)
    outcome = rng.choice(
        np.array(["upheld", "partly_upheld", "not_upheld", "withdrawn"], dtype=object),
        size=n,
        p=[0.35, 0.25, 0.32, 0.08],
    )
    outcome = np.where(np.isnat(resolved), None, outcome)
    sink.write(
        "complaints",
        pd.DataFrame(
            {
                "complaint_id": np.arange(first_id, first_id + n, dtype=np.int64),
                "policy_id": chunk.policy_id[rows],
                "branch_code": chunk.branch[rows],
                "channel_code": chunk.channel[rows],
                "received_on": iso_dates(received),
                "due_on": iso_dates(due),
                "resolved_on": iso_dates(resolved),
                "category": np.array([c[0] for c in COMPLAINT_CATEGORIES], dtype=object)[
                    category_index
                ],
                "dimension": np.array([c[1] for c in COMPLAINT_CATEGORIES], dtype=object)[
                    category_index
                ],
                "is_complex": is_complex.astype(int),
                "outcome": outcome,
            }
        ),
    )
    return pd.DataFrame({"row": rows, "received": received})
