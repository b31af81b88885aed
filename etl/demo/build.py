"""The deterministic demo warehouse of a mid-size Chinese life insurer, with planted signals.

Planted signals (so the report has something true to say):
- 四川分公司 (SC) pays claims slowly, and its claimants rate the claims dimension low;
- the 电销 (TELE) channel's satisfaction drifts down over the last six quarters;
- the complaints dimension improves after an improvement action raised six quarters ago.

Everything is generated per chunk of policies and streamed to the database, so the
`--scale` sizes (millions of rows) never sit in memory at once.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.core.config import ItemBank, load_item_bank
from etl.core.periods import Quarter
from etl.warehouse import apply_schema

log = logging.getLogger(__name__)

BRANCHES = [
    # code, name_zh, name_en, region_zh, region_en, relative size
    ("BJ", "北京分公司", "Beijing Branch", "华北", "North China", 1.3),
    ("SH", "上海分公司", "Shanghai Branch", "华东", "East China", 1.3),
    ("GD", "广东分公司", "Guangdong Branch", "华南", "South China", 1.5),
    ("JS", "江苏分公司", "Jiangsu Branch", "华东", "East China", 1.2),
    ("ZJ", "浙江分公司", "Zhejiang Branch", "华东", "East China", 1.1),
    ("SD", "山东分公司", "Shandong Branch", "华北", "North China", 1.0),
    ("SC", "四川分公司", "Sichuan Branch", "西南", "Southwest China", 0.9),
    ("HB", "湖北分公司", "Hubei Branch", "华中", "Central China", 0.8),
    ("HA", "河南分公司", "Henan Branch", "华中", "Central China", 0.8),
    ("FJ", "福建分公司", "Fujian Branch", "华东", "East China", 0.7),
    ("LN", "辽宁分公司", "Liaoning Branch", "东北", "Northeast China", 0.6),
    ("SN", "陕西分公司", "Shaanxi Branch", "西北", "Northwest China", 0.5),
]
CHANNELS = [
    # code, name_zh, name_en, share of the policy book, over-sampling in the survey
    ("AGENT", "个险代理人", "Individual agents", 0.45, 0.8),
    ("BANCA", "银保", "Bancassurance", 0.25, 0.9),
    ("TELE", "电销", "Telesales", 0.12, 1.1),
    ("ONLINE", "互联网", "Online", 0.18, 1.8),
]
PRODUCT_LINES = [
    # code, name_zh, name_en, share, regular-premium share, mean premium CNY
    ("LIFE", "寿险", "Life", 0.28, 0.95, 9000.0),
    ("HEALTH", "健康险", "Health", 0.30, 0.90, 4200.0),
    ("ACCIDENT", "意外险", "Accident", 0.17, 0.0, 380.0),
    ("ANNUITY", "年金险", "Annuity", 0.13, 0.80, 30000.0),
    ("PAR", "分红险", "Participating", 0.12, 0.85, 15000.0),
]
SLOW_CLAIMS_BRANCH = "SC"
DECLINING_CHANNEL = "TELE"
IMPROVING_DIMENSION = "complaints"
SERVICE_BASE = {  # mean item score on a 1–10 scale before effects
    "presale": 7.9,
    "purchase": 8.0,
    "policy_service": 7.6,
    "claims": 7.7,
    "complaints": 6.0,
    "value_added": 7.1,
}
COMPLAINT_CATEGORIES = [
    # category, dimension, share
    ("销售误导", "presale", 0.22),
    ("理赔纠纷", "claims", 0.34),
    ("保全服务", "policy_service", 0.20),
    ("投保流程", "purchase", 0.10),
    ("服务态度", "complaints", 0.09),
    ("增值服务", "value_added", 0.05),
]
CHECKLIST = [
    "主动问候并表明身份",
    "了解客户需求",
    "说明保险责任",
    "明确提示免责条款",
    "说明犹豫期权利",
    "说明退保损失",
    "不夸大收益",
    "材料清单完整",
    "告知办理时限",
    "礼貌结束并致谢",
]
COMMENTS = {
    ("claims", "neg"): [
        "理赔等了一个多月才到账，中间没人主动告知进度。",
        "理赔材料要求反复补交，流程太繁琐了。",
        "报案后很久才有人联系，理赔速度太慢。",
    ],
    ("claims", "pos"): [
        "理赔很快，三天就到账了，非常满意。",
        "理赔员很专业，进度通知也很及时。",
    ],
    ("complaints", "neg"): [
        "投诉之后一直没有答复，问题拖了很久。",
        "客服电话很难打通，投诉处理不了了之。",
    ],
    ("complaints", "pos"): ["投诉处理及时，工作人员态度诚恳，问题解决了。"],
    ("presale", "neg"): ["销售时没讲清楚免责条款，和当初说的不一样。"],
    ("presale", "pos"): ["代理人讲解很耐心，产品推荐得很合适。"],
    ("purchase", "neg"): ["线上投保页面步骤太多，填了好几遍信息。"],
    ("purchase", "pos"): ["手机上几分钟就投保成功了，很方便。"],
    ("policy_service", "neg"): ["变更受益人要跑好几趟柜台，太麻烦。电话 13812345678 一直没人回。"],
    ("policy_service", "pos"): ["缴费提醒很及时，保单信息在APP上一目了然。"],
    ("value_added", "neg"): ["增值服务基本用不上，宣传的健康管理找不到入口。"],
    ("value_added", "pos"): ["生日时收到了祝福和体检券，感觉很贴心。"],
}


@dataclass(frozen=True)
class DemoSize:
    """How much history the generator writes."""

    policies: int = 60_000
    claims: int = 18_000
    complaints: int = 3_600
    responses: int = 30_000
    chunk_policies: int = 250_000


SCALES = {
    "demo": DemoSize(),
    "small": DemoSize(policies=6_000, claims=1_800, complaints=360, responses=3_600),
    "bench": DemoSize(
        policies=10_000_000, claims=2_000_000, complaints=200_000, responses=1_000_000
    ),
}


@dataclass(frozen=True)
class DemoPlan:
    """What to generate: the last quarter, how many quarters of history, seed and size."""

    through: Quarter
    quarters: int = 12
    seed: int = 20260101
    size: DemoSize = DemoSize()

    @property
    def first(self) -> Quarter:
        return self.through.shift(-(self.quarters - 1))

    @property
    def window_start(self) -> np.datetime64:
        # Policies are issued up to three years before the first reported quarter, so the
        # first quarters already have 13- and 25-month persistency cohorts.
        return np.datetime64(self.first.shift(-12).start, "D")

    @property
    def window_end(self) -> np.datetime64:
        return np.datetime64(self.through.end, "D")


class Sink:
    """Writes generated rows: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.rows_written: dict[str, int] = {}

    def write(self, table: str, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        self.rows_written[table] = self.rows_written.get(table, 0) + len(frame)
        if self.engine.dialect.name == "postgresql":
            self._copy(table, frame)
            return
        columns = ", ".join(frame.columns)
        marks = ", ".join("?" for _ in frame.columns)
        records = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
        raw = self.engine.raw_connection()
        try:
            raw.cursor().executemany(f"insert into {table} ({columns}) values ({marks})", records)
            raw.commit()
        finally:
            raw.close()

    def _copy(self, table: str, frame: pd.DataFrame) -> None:
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False, na_rep="\\N", sep="\t")
        buffer.seek(0)
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.copy_expert(
                f"copy {table} ({', '.join(frame.columns)}) from stdin with (format text)",
                buffer,
            )
            raw.commit()
        finally:
            raw.close()


def _iso(days: np.ndarray) -> np.ndarray:
    """datetime64[D] → ISO strings, NaT → None (both databases accept ISO dates)."""
    text = np.datetime_as_string(days, unit="D").astype(object)
    text[np.isnat(days)] = None
    return text


def _quarter_index(days: np.ndarray, first: Quarter) -> np.ndarray:
    """Quarter number of each date relative to `first` (0 = first quarter)."""
    years = days.astype("datetime64[Y]").astype(int) + 1970
    months = days.astype("datetime64[M]").astype(int) % 12
    return (years * 4 + months // 3) - (first.year * 4 + first.number - 1)


def _choice(
    rng: np.random.Generator, codes: Sequence[str], weights: Sequence[float], n: int
) -> np.ndarray:
    probabilities = np.asarray(weights, dtype=float)
    return rng.choice(
        np.asarray(codes, dtype=object), size=n, p=probabilities / probabilities.sum()
    )


def _reference_rows(sink: Sink) -> None:
    sink.write(
        "branches",
        pd.DataFrame(
            [row[:5] for row in BRANCHES],
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


@dataclass
class _Chunk:
    """One chunk of generated policies and the columns later steps reuse."""

    policy_id: np.ndarray
    branch: np.ndarray
    channel: np.ndarray
    product: np.ndarray
    issued: np.ndarray
    regular: np.ndarray
    premium: np.ndarray
    end_of_life: np.ndarray  # first date the policy is no longer in force (NaT if still in force)


def _policies(
    rng: np.random.Generator, plan: DemoPlan, first_id: int, count: int, sink: Sink
) -> _Chunk:
    branch = _choice(rng, [b[0] for b in BRANCHES], [b[5] for b in BRANCHES], count)
    channel = _choice(rng, [c[0] for c in CHANNELS], [c[3] for c in CHANNELS], count)
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
    policy_id = np.arange(first_id, first_id + count, dtype=np.int64)
    surrender_paid = np.where(
        surrenders & ~np.isnat(surrendered_on), np.round(premium * 0.6, 2), np.nan
    )
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
                "issued_on": _iso(issued),
                "premium_cny": premium,
                "premium_mode": np.where(regular, "regular", "single"),
                "status": status,
                "lapsed_on": _iso(lapsed_on),
                "surrendered_on": _iso(surrendered_on),
                "matured_on": _iso(matured_on),
                "surrender_paid_cny": surrender_paid,
            }
        ),
    )
    chunk = _Chunk(policy_id, branch, channel, product, issued, regular, premium, end_of_life)
    _payments(chunk, plan, sink)
    return chunk


def _payments(chunk: _Chunk, plan: DemoPlan, sink: Sink) -> None:
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
                    "due_on": _iso(due[keep]),
                    "paid_on": _iso(paid),
                    "amount_cny": chunk.premium[keep],
                }
            )
        )
    if frames:
        sink.write("premium_payments", pd.concat(frames, ignore_index=True))


def _pick_in_force(
    rng: np.random.Generator, chunk: _Chunk, plan: DemoPlan, count: int
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


def _claims(
    rng: np.random.Generator, chunk: _Chunk, plan: DemoPlan, count: int, first_id: int, sink: Sink
) -> pd.DataFrame:
    rows, reported = _pick_in_force(rng, chunk, plan, count)
    rows, reported = rows[:count], reported[:count]
    n = len(rows)
    slow = chunk.branch[rows] == SLOW_CLAIMS_BRANCH
    median_days = np.where(slow, 32.0, 8.0)
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
            "reported_on": _iso(reported),
            "registered_on": _iso(registered),
            "closed_on": _iso(closed),
            "paid_on": _iso(paid_on),
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


def _complaints(
    rng: np.random.Generator, chunk: _Chunk, plan: DemoPlan, count: int, first_id: int, sink: Sink
) -> pd.DataFrame:
    rows, received = _pick_in_force(rng, chunk, plan, count * 2)
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
    quarter_index = _quarter_index(received, plan.first)
    # Handling gets quicker after the action raised six quarters before the last one.
    improving = np.clip(quarter_index - (plan.quarters - 7), 0, 6)
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
                "received_on": _iso(received),
                "due_on": _iso(due),
                "resolved_on": _iso(resolved),
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


def _respondents(
    rng: np.random.Generator,
    chunk: _Chunk,
    plan: DemoPlan,
    count: int,
    claims: pd.DataFrame,
    complaints: pd.DataFrame,
) -> pd.DataFrame:
    """Who answers: claimants and complainants after their case closed, and a general sample."""
    claim_share = min(0.3, len(claims) / max(count, 1) * 0.5)
    complaint_share = min(0.08, len(complaints) / max(count, 1) * 0.5)
    n_claim = min(len(claims), int(count * claim_share))
    n_complaint = min(len(complaints), int(count * complaint_share))
    picked_claims = (
        claims.iloc[rng.choice(len(claims), n_claim, replace=False)] if n_claim else claims.iloc[:0]
    )
    picked_complaints = (
        complaints.iloc[rng.choice(len(complaints), n_complaint, replace=False)]
        if n_complaint
        else complaints.iloc[:0]
    )
    # General sample: the same size every wave, drawn from policies in force on a day of the
    # wave's quarter; it over-represents online customers, so raking has work to do.
    oversample = {c[0]: c[4] for c in CHANNELS}
    n_general = count - n_claim - n_complaint
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
    candidate_rows, answered = np.concatenate(wave_rows), np.concatenate(wave_days)
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


def _survey(
    rng: np.random.Generator,
    chunk: _Chunk,
    plan: DemoPlan,
    respondents: pd.DataFrame,
    first_id: int,
    bank: ItemBank,
    sink: Sink,
) -> int:
    n = len(respondents)
    if n == 0:
        return 0
    rows = respondents["row"].to_numpy()
    responded = respondents["responded"].to_numpy().astype("datetime64[D]")
    q_index = _quarter_index(responded, plan.first)
    branch, channel = chunk.branch[rows], chunk.channel[rows]
    theta = rng.normal(0.0, 1.0, n)
    branch_effect = {
        b[0]: e
        for b, e in zip(
            BRANCHES,
            np.random.default_rng(plan.seed + 7).normal(0, 0.25, len(BRANCHES)),
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
    complained = respondents["complained"].to_numpy()
    uses_value_added = rng.uniform(size=n) < 0.55
    answered = {
        "presale": new_business,
        "purchase": new_business,
        "policy_service": np.ones(n, bool),
        "claims": has_claim,
        "complaints": complained,
        "value_added": uses_value_added,
    }
    cycle_days = respondents["cycle_days"].to_numpy()
    claims_effect = np.where(has_claim, np.clip(-0.05 * (cycle_days - 10), -2.2, 0.4), 0.0)
    claims_effect -= np.where(respondents["denied"].to_numpy(), 1.6, 0.0)
    dimension_mean: dict[str, np.ndarray] = {}
    for dimension, base in SERVICE_BASE.items():
        mean = base + base_shift + channel_shift
        if dimension == "claims":
            mean = mean + claims_effect
        if dimension == IMPROVING_DIMENSION:
            mean = mean + 0.22 * improving_quarters
        dimension_mean[dimension] = mean

    answers: dict[str, np.ndarray] = {}
    for item in bank.items:
        if item.dimension in dimension_mean:
            raw = dimension_mean[item.dimension] + 0.9 * theta + rng.normal(0, 1.0, n)
            score = np.clip(np.round(raw), 1, 10)
            if item.is_reverse:
                score = 11 - score
            answers[item.code] = np.where(answered[item.dimension], score, np.nan)
    present_weight = np.zeros(n)
    experience = np.zeros(n)
    for dimension, weight in {
        "presale": 0.8,
        "purchase": 0.8,
        "policy_service": 1.0,
        "claims": 2.2,
        "complaints": 1.5,
        "value_added": 0.6,
    }.items():
        mask = answered[dimension]
        experience += np.where(mask, weight * dimension_mean[dimension], 0.0)
        present_weight += np.where(mask, weight, 0.0)
    experience /= present_weight
    for item in bank.items:
        if item.dimension == "overall":
            answers[item.code] = np.clip(
                np.round(experience + 0.2 + 0.9 * theta + rng.normal(0, 0.8, n)), 1, 10
            )
        elif item.dimension == "nps":
            answers[item.code] = np.clip(
                np.round(1.15 * (experience + 0.9 * theta) - 1.4 + rng.normal(0, 1.1, n)), 0, 10
            )
        elif item.dimension == "loyalty":
            answers[item.code] = np.clip(
                np.round(experience + 0.5 + 0.8 * theta + rng.normal(0, 1.0, n)), 1, 10
            )

    response_id = np.arange(first_id, first_id + n, dtype=np.int64)
    comments = _comments(rng, answers, answered, n)
    sink.write(
        "survey_responses",
        pd.DataFrame(
            {
                "response_id": response_id,
                "wave_id": [str(plan.first.shift(int(i))) for i in q_index],
                "policy_id": chunk.policy_id[rows],
                "branch_code": branch,
                "channel_code": channel,
                "product_line_code": chunk.product[rows],
                "responded_on": _iso(responded),
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
                "received_on": _iso(responded[with_comment]),
                "branch_code": branch[with_comment],
                "policy_id": chunk.policy_id[rows][with_comment],
                "body": [comments[i] for i in with_comment],
            }
        ),
    )
    return n


def _comments(
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


def _mystery_shop(rng: np.random.Generator, plan: DemoPlan, sink: Sink) -> None:
    visits, results = [], []
    visit_id = 1
    for offset in range(plan.quarters):
        quarter = plan.first.shift(offset)
        for code, *_rest in BRANCHES:
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


def _online_feedback(rng: np.random.Generator, plan: DemoPlan, sink: Sink, first_id: int) -> None:
    """Online customer-service messages and social-media mentions, a few hundred a quarter."""
    keys = list(COMMENTS)
    rows = []
    for offset in range(plan.quarters):
        quarter = plan.first.shift(offset)
        for k in range(150):
            dimension, tone = keys[int(rng.integers(0, len(keys)))]
            branch = BRANCHES[int(rng.integers(0, len(BRANCHES)))][0]
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


def _targets_and_actions(plan: DemoPlan, sink: Sink) -> None:
    valid_from = str(plan.first)
    targets = [
        # metric, target, amber threshold, higher is better
        # Set by the board a little above where the company stands, so the scorecard shows
        # a realistic mix of green, amber and red.
        ("csi", 72.0, 70.0, 1),
        ("nps", 0.0, -10.0, 1),
        ("csat", 28.0, 24.0, 1),
        ("claim_cycle_days_mean", 10.0, 15.0, 0),
        ("claim_paid_ratio", 0.90, 0.85, 1),
        ("complaint_on_time_rate", 0.95, 0.90, 1),
        ("complaint_resolution_rate", 0.90, 0.80, 1),
        ("complaints_per_10k_policies", 100.0, 120.0, 0),
        ("persistency_13_count", 0.90, 0.85, 1),
        ("persistency_25_count", 0.85, 0.80, 1),
        ("surrender_rate", 0.015, 0.025, 0),
        ("mystery_shop_compliance", 0.90, 0.85, 1),
    ]
    sink.write(
        "kpi_targets",
        pd.DataFrame(
            [
                (metric, "company", valid_from, target, amber, better)
                for metric, target, amber, better in targets
            ],
            columns=[
                "metric",
                "scope",
                "valid_from",
                "target_value",
                "amber_value",
                "is_higher_better",
            ],
        ),
    )
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
    sink = Sink(engine)
    rng = np.random.default_rng(plan.seed)
    _reference_rows(sink)
    sink.write("survey_items", _item_rows(bank))
    sink.write("survey_waves", _wave_rows(plan, bank))
    size = plan.size
    next_policy = next_claim = next_complaint = next_response = 1
    for chunk_policies in _chunk_sizes(size.policies, size.chunk_policies):
        share = chunk_policies / size.policies
        chunk = _policies(rng, plan, next_policy, chunk_policies, sink)
        next_policy += chunk_policies
        claims = _claims(rng, chunk, plan, round(size.claims * share), next_claim, sink)
        next_claim += round(size.claims * share)
        complaints = _complaints(
            rng, chunk, plan, round(size.complaints * share), next_complaint, sink
        )
        next_complaint += round(size.complaints * share)
        respondents = _respondents(
            rng, chunk, plan, round(size.responses * share), claims, complaints
        )
        next_response += _survey(rng, chunk, plan, respondents, next_response, bank, sink)
        log.info("demo: %s policies written", next_policy - 1)
    _mystery_shop(rng, plan, sink)
    _online_feedback(rng, plan, sink, first_id=10_000_000_000)
    _targets_and_actions(plan, sink)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(sa.text("analyze"))
    return dict(sink.rows_written)


def _chunk_sizes(total: int, chunk: int) -> Iterator[int]:
    while total > 0:
        yield min(chunk, total)
        total -= chunk


def _refuse_non_empty(engine: Engine) -> None:
    with engine.connect() as conn:
        existing = conn.execute(sa.text("select count(*) from policies")).scalar_one()
    if existing:
        raise RuntimeError(
            f"warehouse already holds {existing} policies: the demo generator writes into an "
            "empty warehouse only (use --replace for a SQLite file, or a fresh database)"
        )


def describe(rows: dict[str, Any]) -> str:
    """A one-line summary of what was written."""
    return ", ".join(f"{table} {count:,}" for table, count in rows.items())
