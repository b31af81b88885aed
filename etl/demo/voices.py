"""Simulating what customers say: survey responses, comments, online feedback, mystery shops."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.core.config import ItemBank
from etl.demo.book import PolicyChunk, iso_dates, quarter_of
from etl.demo.catalogue import (
    CHANNELS,
    CHECKLIST,
    COMMENTS,
    DECLINING_CHANNEL,
    IMPROVING_DIMENSION,
    SERVICE_BASE,
    SLOW_CLAIMS_BRANCH,
    DemoPlan,
)
from etl.warehouse import BulkWriter

# Complainants are followed up after their case closes: most of them answer.
COMPLAINANTS_ANSWERING = 0.6


def simulate_respondents(
    rng: np.random.Generator,
    chunk: PolicyChunk,
    plan: DemoPlan,
    count: int,
    claims: pd.DataFrame,
    complaints: pd.DataFrame,
) -> pd.DataFrame:
    """Who answers: claimants and complainants after their case closed, and a general sample."""
    claim_share = min(0.3, len(claims) / max(count, 1) * 0.5)
    complaint_share = min(0.08, len(complaints) / max(count, 1) * COMPLAINANTS_ANSWERING)
    n_claim = min(len(claims), int(count * claim_share))
    n_complaint = min(len(complaints), int(count * complaint_share))
    picked_claims = pick_cases(rng, claims, n_claim)
    picked_complaints = pick_cases(rng, complaints, n_complaint)
    candidate_rows, answered = general_sample(rng, chunk, plan, count - n_claim - n_complaint)
    complainant_claim_days, claimant_complained, lag = case_links(
        rng, chunk, picked_complaints, n_claim, n_complaint
    )
    frame = pd.DataFrame(
        {
            "row": np.concatenate(
                [
                    picked_claims["row"].to_numpy(),
                    picked_complaints["row"].to_numpy(),
                    candidate_rows,
                ]
            ),
            "responded": np.concatenate(
                [
                    picked_claims["closed"].to_numpy().astype("datetime64[D]") + lag[:n_claim],
                    picked_complaints["received"].to_numpy().astype("datetime64[D]")
                    + lag[n_claim:]
                    + np.timedelta64(10, "D"),
                    answered,
                ]
            ),
            "cycle_days": np.concatenate(
                [
                    picked_claims["cycle_days"].to_numpy(),
                    complainant_claim_days,
                    np.full(len(candidate_rows), -1),
                ]
            ),
            "denied": np.concatenate(
                [
                    (picked_claims["outcome"] == "denied").to_numpy(),
                    np.zeros(n_complaint + len(candidate_rows), bool),
                ]
            ),
            "complained": np.concatenate(
                [
                    claimant_complained,
                    np.ones(n_complaint, bool),
                    np.zeros(len(candidate_rows), bool),
                ]
            ),
        }
    )
    return frame[frame["responded"] < plan.window_end].reset_index(drop=True)


def pick_cases(rng: np.random.Generator, cases: pd.DataFrame, n: int) -> pd.DataFrame:
    """`n` of the chunk's claims or complaints, drawn without replacement."""
    return cases.iloc[rng.choice(len(cases), n, replace=False)] if n else cases.iloc[:0]


def general_sample(
    rng: np.random.Generator, chunk: PolicyChunk, plan: DemoPlan, n_general: int
) -> tuple[np.ndarray, np.ndarray]:
    """General sample: the same size every wave, drawn from policies in force on a day of the
    wave's quarter; it over-represents online customers, so raking has work to do."""
    oversample = {c[0]: c[4] for c in CHANNELS}
    per_wave = n_general // plan.quarters
    wave_rows, wave_days = [], []
    for offset in range(plan.quarters):
        start = np.datetime64(plan.first.shift(offset).start, "D")
        candidates = per_wave * 12 + 10
        answered = start + rng.integers(0, 90, candidates).astype("timedelta64[D]")
        picked = rng.integers(0, len(chunk.policy_id), candidates)
        life_end = chunk.end_of_life[picked]
        in_force = (chunk.issued[picked] + np.timedelta64(20, "D") <= answered) & (
            np.isnat(life_end) | (answered < life_end)
        )
        sampled = (
            rng.uniform(size=candidates) < np.vectorize(oversample.get)(chunk.channel[picked]) / 1.8
        )
        accept = in_force & sampled & (answered < plan.window_end)
        wave_rows.append(picked[accept][:per_wave])
        wave_days.append(answered[accept][:per_wave])
    return np.concatenate(wave_rows), np.concatenate(wave_days)


def case_links(
    rng: np.random.Generator,
    chunk: PolicyChunk,
    picked_complaints: pd.DataFrame,
    n_claim: int,
    n_complaint: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Claim days of complainants, complaints of claimants, and each case's response lag."""
    # A third of complaints are claim disputes, so many complainants also rated a claim
    # (slow in the slow branch), and some claimants complained too.
    complainant_rows = picked_complaints["row"].to_numpy()
    slow_branch = chunk.branch[complainant_rows] == SLOW_CLAIMS_BRANCH
    complainant_claim_days = np.where(
        rng.uniform(size=n_complaint) < 0.4,
        np.maximum(
            1, np.round(np.where(slow_branch, 32.0, 8.0) * rng.lognormal(0.0, 0.55, n_complaint))
        ),
        -1,
    ).astype(int)
    claimant_complained = rng.uniform(size=n_claim) < 0.08
    lag = rng.integers(3, 25, size=n_claim + n_complaint).astype("timedelta64[D]")
    return complainant_claim_days, claimant_complained, lag


@dataclass(frozen=True)
class SurveyDraw:
    """One chunk's respondents before their answers: who rated what, and the means they lean to."""

    rows: np.ndarray
    responded: np.ndarray
    q_index: np.ndarray
    branch: np.ndarray
    channel: np.ndarray
    theta: np.ndarray  # each respondent's general disposition
    answered: dict[str, np.ndarray]  # dimension → rated it (used the touchpoint)
    dimension_mean: dict[str, np.ndarray]


def survey_draw(
    rng: np.random.Generator, chunk: PolicyChunk, plan: DemoPlan, respondents: pd.DataFrame
) -> SurveyDraw:
    """Dispositions, touchpoints used and per-dimension means, with the planted signals."""
    n = len(respondents)
    rows = respondents["row"].to_numpy()
    responded = respondents["responded"].to_numpy().astype("datetime64[D]")
    q_index = quarter_of(responded, plan.first)
    branch, channel = chunk.branch[rows], chunk.channel[rows]
    theta = rng.normal(0.0, 1.0, n)
    branch_effect = {
        b[0]: e
        for b, e in zip(
            plan.branches,
            np.random.default_rng(plan.seed + 7).normal(0, 0.25, len(plan.branches)),
            strict=True,
        )
    }
    base_shift = np.vectorize(branch_effect.get)(branch)
    decline_quarters = np.clip(q_index - (plan.quarters - 7), 0, 6)
    channel_shift = np.where(channel == DECLINING_CHANNEL, -0.16 * decline_quarters, 0.0)
    channel_shift += np.where(channel == "ONLINE", 0.25, 0.0)
    improving_quarters = np.clip(q_index - (plan.quarters - 7), 0, 6)
    new_business = (responded - chunk.issued[rows]).astype(int) < 365
    has_claim = respondents["cycle_days"].to_numpy() >= 0
    answered = {
        "presale": new_business,
        "purchase": new_business,
        "policy_service": np.ones(n, bool),
        "claims": has_claim,
        "complaints": respondents["complained"].to_numpy(),
        "value_added": rng.uniform(size=n) < 0.55,
    }
    cycle_days = respondents["cycle_days"].to_numpy()
    claims_effect = np.where(has_claim, np.clip(-0.05 * (cycle_days - 10), -2.2, 0.4), 0.0)
    claims_effect -= np.where(respondents["denied"].to_numpy(), 1.6, 0.0)
    extra = {"claims": claims_effect, IMPROVING_DIMENSION: 0.22 * improving_quarters}
    dimension_mean = {
        dimension: base + base_shift + channel_shift + extra.get(dimension, 0.0)
        for dimension, base in SERVICE_BASE.items()
    }
    return SurveyDraw(rows, responded, q_index, branch, channel, theta, answered, dimension_mean)


# How much each touchpoint weighs in the overall experience that drives the outcome items.
EXPERIENCE_WEIGHTS = {
    "presale": 0.8,
    "purchase": 0.8,
    "policy_service": 1.0,
    "claims": 2.2,
    "complaints": 1.5,
    "value_added": 0.6,
}


def item_answers(
    rng: np.random.Generator, bank: ItemBank, draw: SurveyDraw
) -> dict[str, np.ndarray]:
    """Every item's scores: dimension items where the touchpoint was used, then the outcomes."""
    n = len(draw.theta)
    answers: dict[str, np.ndarray] = {}
    for item in bank.items:
        if item.dimension in draw.dimension_mean:
            raw = draw.dimension_mean[item.dimension] + 0.9 * draw.theta + rng.normal(0, 1.0, n)
            score = np.clip(np.round(raw), 1, 10)
            if item.is_reverse:
                score = 11 - score
            answers[item.code] = np.where(draw.answered[item.dimension], score, np.nan)
    present_weight = np.zeros(n)
    experience = np.zeros(n)
    for dimension, weight in EXPERIENCE_WEIGHTS.items():
        mask = draw.answered[dimension]
        experience += np.where(mask, weight * draw.dimension_mean[dimension], 0.0)
        present_weight += np.where(mask, weight, 0.0)
    experience /= present_weight
    theta = draw.theta
    outcome = {
        "overall": lambda: np.clip(
            np.round(experience + 0.2 + 0.9 * theta + rng.normal(0, 0.8, n)), 1, 10
        ),
        "nps": lambda: np.clip(
            np.round(1.15 * (experience + 0.9 * theta) - 1.4 + rng.normal(0, 1.1, n)), 0, 10
        ),
        "loyalty": lambda: np.clip(
            np.round(experience + 0.5 + 0.8 * theta + rng.normal(0, 1.0, n)), 1, 10
        ),
    }
    for item in bank.items:
        if item.dimension in outcome:
            answers[item.code] = outcome[item.dimension]()
    answers |= core_answers(bank, experience, theta)
    return answers


def core_answers(
    bank: ItemBank, experience: np.ndarray, theta: np.ndarray
) -> dict[str, np.ndarray]:
    """The ACSI core items every respondent answers (expectations, quality, value, complaint).

    Drawn from a generator of their own, seeded from the wave's draws, so adding them left
    every other simulated figure of the demo as it was.
    """
    n = len(theta)
    rng = np.random.default_rng([n, int(abs(float(np.sum(theta))) * 1e6) % 2**32])
    expectation = 7.6 + 0.3 * theta + rng.normal(0, 0.9, n)
    quality = 0.75 * experience + 0.25 * expectation + 0.8 * theta
    value = 0.8 * quality - 0.4 + rng.normal(0, 0.7, n)
    complained = rng.random(n) < 1 / (1 + np.exp(1.2 * (quality - 4.5)))

    def scale(raw: np.ndarray) -> np.ndarray:
        return np.clip(np.round(raw + rng.normal(0, 0.8, n)), 1, 10)

    draws = {
        "expectations": lambda: scale(expectation),
        "quality": lambda: scale(quality),
        "value": lambda: scale(value),
        "complaint": lambda: complained.astype(float),
    }
    return {item.code: draws[item.dimension]() for item in bank.items if item.dimension in draws}


def write_survey(
    sink: BulkWriter,
    chunk: PolicyChunk,
    plan: DemoPlan,
    draw: SurveyDraw,
    answers: dict[str, np.ndarray],
    comments: list[str | None],
    first_id: int,
) -> None:
    """Responses, answers (long) and the comments as feedback texts."""
    n = len(draw.theta)
    rows, responded = draw.rows, draw.responded
    response_id = np.arange(first_id, first_id + n, dtype=np.int64)
    sink.write(
        "survey_responses",
        pd.DataFrame(
            {
                "response_id": response_id,
                "wave_id": [str(plan.first.shift(int(i))) for i in draw.q_index],
                "policy_id": chunk.policy_id[rows],
                "branch_code": draw.branch,
                "channel_code": draw.channel,
                "product_line_code": chunk.product[rows],
                "responded_on": iso_dates(responded),
                "comment_text": comments,
            }
        ),
    )
    long = pd.DataFrame(answers, index=response_id).rename_axis("response_id").reset_index()
    long = long.melt(id_vars="response_id", var_name="item_code", value_name="score").dropna(
        subset=["score"]
    )
    long["score"] = long["score"].astype(int)
    sink.write("survey_answers", long.sort_values(["response_id", "item_code"], kind="stable"))
    with_comment = [i for i, c in enumerate(comments) if c]
    sink.write(
        "feedback_texts",
        pd.DataFrame(
            {
                "feedback_id": response_id[with_comment],
                "source": "survey_comment",
                "received_on": iso_dates(responded[with_comment]),
                "branch_code": draw.branch[with_comment],
                "policy_id": chunk.policy_id[rows][with_comment],
                "body": [comments[i] for i in with_comment],
            }
        ),
    )


def simulate_survey(
    rng: np.random.Generator,
    chunk: PolicyChunk,
    plan: DemoPlan,
    respondents: pd.DataFrame,
    first_id: int,
    bank: ItemBank,
    sink: BulkWriter,
) -> int:
    """One chunk's survey: answers and comments written; returns the number of responses."""
    if respondents.empty:
        return 0
    draw = survey_draw(rng, chunk, plan, respondents)
    answers = item_answers(rng, bank, draw)
    comments = simulate_comments(rng, answers, draw.answered, len(draw.theta))
    write_survey(sink, chunk, plan, draw, answers, comments, first_id)
    return len(draw.theta)


def simulate_comments(
    rng: np.random.Generator,
    answers: dict[str, np.ndarray],
    answered: dict[str, np.ndarray],
    n: int,
) -> list[str | None]:
    """An open comment from one respondent in four, about their best or worst dimension."""
    out: list[str | None] = [None] * n
    writes = np.flatnonzero(rng.uniform(size=n) < 0.25)
    picks = rng.uniform(size=n)
    codes_by_dimension = {
        "presale": "PS1",
        "purchase": "PU2",
        "policy_service": "PO4",
        "claims": "CL2",
        "complaints": "CP3",
        "value_added": "VA1",
    }
    for i in writes:
        rated = {d: answers[c][i] for d, c in codes_by_dimension.items() if answered[d][i]}
        if not rated:
            continue
        worst = min(rated, key=rated.get)
        best = max(rated, key=rated.get)
        dimension, tone = (worst, "neg") if rated[worst] <= 6 else (best, "pos")
        options = COMMENTS[(dimension, tone)]
        out[i] = options[int(picks[i] * len(options))]
    return out


def simulate_mystery_shop(rng: np.random.Generator, plan: DemoPlan, sink: BulkWriter) -> None:
    visits, results = [], []
    visit_id = 1
    for offset in range(plan.quarters):
        quarter = plan.first.shift(offset)
        for code, *_rest in plan.branches:
            pass_rate = 0.80 if code == SLOW_CLAIMS_BRANCH else 0.88
            for _ in range(4):
                day = quarter.start + dt.timedelta(days=int(rng.integers(0, 85)))
                channel = str(rng.choice(["AGENT", "BANCA"]))
                visits.append((visit_id, code, channel, day.isoformat(), "新单咨询"))
                for item in CHECKLIST:
                    results.append((visit_id, item, int(rng.uniform() < pass_rate)))
                visit_id += 1
    sink.write(
        "mystery_shop_visits",
        pd.DataFrame(
            visits, columns=["visit_id", "branch_code", "channel_code", "visited_on", "scenario"]
        ),
    )
    sink.write(
        "mystery_shop_results",
        pd.DataFrame(results, columns=["visit_id", "checklist_item", "is_passed"]),
    )


def simulate_online_feedback(
    rng: np.random.Generator, plan: DemoPlan, sink: BulkWriter, first_id: int
) -> None:
    """Online customer-service messages and social-media mentions, a few hundred a quarter."""
    keys, units = list(COMMENTS), plan.branches
    rows = []
    for offset in range(plan.quarters):
        quarter = plan.first.shift(offset)
        for k in range(150):
            dimension, tone = keys[int(rng.integers(0, len(keys)))]
            branch = units[int(rng.integers(0, len(units)))][0]
            if dimension == "claims" and branch == SLOW_CLAIMS_BRANCH:
                tone = "neg"
            options = COMMENTS[(dimension, tone)]
            day = quarter.start + dt.timedelta(days=int(rng.integers(0, 88)))
            source = "online_message" if k % 3 else "social_media"
            rows.append(
                (
                    first_id + len(rows),
                    source,
                    day.isoformat(),
                    branch,
                    None,
                    options[int(rng.integers(0, len(options)))],
                )
            )
    sink.write(
        "feedback_texts",
        pd.DataFrame(
            rows,
            columns=["feedback_id", "source", "received_on", "branch_code", "policy_id", "body"],
        ),
    )
