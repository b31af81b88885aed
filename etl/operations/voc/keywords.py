"""Voice of the customer: tag feedback texts by dimension and sentiment, mask personal data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from etl.core.config import SERVICE_DIMENSIONS, Settings
from etl.core.periods import Quarter
from etl.core.results import ResultRow
from etl.core.scopes import COMPANY
from etl.operations.voc.privacy import mask_personal_data

# Lexicons (zh-CN and en). A text concerns every dimension whose keywords it contains.
DIMENSION_KEYWORDS: dict[str, tuple[str, ...]] = {
    "presale": (
        "代理人",
        "销售",
        "推荐",
        "讲解",
        "条款",
        "误导",
        "agent",
        "adviser",
        "advice",
        "mis-sold",
        "recommend",
    ),
    "purchase": (
        "投保",
        "核保",
        "购买",
        "填了",
        "线上",
        "purchase",
        "underwriting",
        "application",
        "sign up",
    ),
    "policy_service": (
        "保单",
        "缴费",
        "受益人",
        "变更",
        "保全",
        "柜台",
        "policy",
        "premium",
        "beneficiary",
        "renewal",
    ),
    "claims": ("理赔", "赔款", "报案", "到账", "理赔员", "claim", "payout", "payment"),
    "complaints": ("投诉", "客服电话", "答复", "不了了之", "complain", "complaint", "hotline"),
    "value_added": (
        "增值服务",
        "健康管理",
        "体检",
        "救援",
        "生日",
        "关怀",
        "法律咨询",
        "health check",
        "assistance",
        "birthday",
    ),
}
POSITIVE = (
    "满意",
    "很快",
    "及时",
    "专业",
    "方便",
    "贴心",
    "耐心",
    "合适",
    "诚恳",
    "解决了",
    "一目了然",
    "satisf",
    "quick",
    "helpful",
    "easy",
    "friendly",
    "great",
    "fast",
)
NEGATIVE = (
    "太慢",
    "慢",
    "繁琐",
    "麻烦",
    "没人",
    "拖",
    "不了了之",
    "难",
    "没讲清楚",
    "不一样",
    "用不上",
    "找不到",
    "反复",
    "一直没有",
    "太多",
    "slow",
    "never",
    "difficult",
    "confusing",
    "rude",
    "useless",
    "waited",
)
NEGATIONS = ("不", "没", "未", "not ", "no ")

# Text limits at the boundary: a comment is tagged on its first TAG_CHARS characters, and a
# quote is masked on its first QUOTE_SCAN_CHARS and printed as at most QUOTE_CHARS (one 10 MB
# comment once made the render run for hours).
TAG_CHARS = 5_000
QUOTE_SCAN_CHARS = 2_000
QUOTE_CHARS = 240


@dataclass(frozen=True)
class TaggedText:
    """One feedback text with its dimensions and sentiment."""

    dimensions: tuple[str, ...]
    sentiment: str  # "positive" | "negative" | "neutral"
    score: int


def quote_text(body: str, known_names: Sequence[str] = ()) -> str:
    """A comment as a report may quote it: personal data masked, then cut to QUOTE_CHARS."""
    masked = mask_personal_data(body[:QUOTE_SCAN_CHARS], known_names)
    masked = " ".join(masked.split())
    if len(body) > QUOTE_SCAN_CHARS or len(masked) > QUOTE_CHARS:
        cut = masked[: QUOTE_CHARS - 1]
        if "[" in cut[-12:] and "]" not in cut[cut.rfind("[") :]:
            cut = cut[: cut.rfind("[")]  # never half a mask label
        return cut.rstrip() + "…"
    return masked


def _count(text: str, words: Sequence[str]) -> int:
    """Occurrences of lexicon words; a word right after a negation counts for the other side."""
    return sum(text.count(word) for word in words)


def tag(text: str) -> TaggedText:
    """Dimensions a text concerns and its sentiment, by lexicon (zh-CN and en)."""
    lowered = text[:TAG_CHARS].lower()
    dimensions = tuple(
        d for d, words in DIMENSION_KEYWORDS.items() if any(w in lowered for w in words)
    )
    negated_positive = sum(lowered.count(neg + pos) for neg in NEGATIONS for pos in POSITIVE)
    positive = _count(lowered, POSITIVE) - negated_positive
    negative = _count(lowered, NEGATIVE) + negated_positive
    score = positive - negative
    sentiment = "positive" if score > 0 else "negative" if score < 0 else "neutral"
    return TaggedText(dimensions, sentiment, score)


def tag_frame(texts: pd.DataFrame) -> pd.DataFrame:
    """One row per (text, dimension) with sentiment; untagged texts get dimension 'other'."""
    rows = []
    for record in texts.itertuples(index=False):
        tagged = tag(record.body)
        for dimension in tagged.dimensions or ("other",):
            rows.append(
                {
                    "feedback_id": record.feedback_id,
                    "branch_code": record.branch_code,
                    "source": record.source,
                    "received_on": str(record.received_on),
                    "body": record.body,
                    "dimension": dimension,
                    "sentiment": tagged.sentiment,
                    "score": tagged.score,
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "feedback_id",
            "branch_code",
            "source",
            "received_on",
            "body",
            "dimension",
            "sentiment",
            "score",
        ],
    )


def _themes(tagged: pd.DataFrame) -> pd.DataFrame:
    """Counts per dimension and sentiment (a text about two dimensions counts in both)."""
    if tagged.empty:
        return pd.DataFrame(columns=["dimension", "texts", "negative", "positive"])
    grouped = tagged.groupby("dimension")
    return pd.DataFrame(
        {
            "texts": grouped["feedback_id"].nunique(),
            "negative": grouped.apply(
                lambda g: g.loc[g["sentiment"] == "negative", "feedback_id"].nunique(),
                include_groups=False,
            ),
            "positive": grouped.apply(
                lambda g: g.loc[g["sentiment"] == "positive", "feedback_id"].nunique(),
                include_groups=False,
            ),
        }
    ).reset_index()


def representative_quotes(
    tagged: pd.DataFrame, limit: int = 4, known_names: Sequence[str] = ()
) -> list[dict[str, str]]:
    """A few masked quotes: for the most-mentioned themes, the most common text of the
    theme's dominant sentiment (the most frequent wording speaks for the most customers)."""
    quotes: list[dict[str, str]] = []
    themes = _themes(tagged[tagged["dimension"] != "other"]).sort_values(
        ["texts", "dimension"], ascending=[False, True]
    )
    for theme in themes.itertuples(index=False):
        sentiment = "negative" if theme.negative >= theme.positive else "positive"
        pool = tagged[(tagged["dimension"] == theme.dimension) & (tagged["sentiment"] == sentiment)]
        if pool.empty:
            continue
        common = (
            pool.groupby("body")["feedback_id"]
            .agg(["count", "min"])
            .sort_values(["count", "min"], ascending=[False, True])
        )
        quotes.append(
            {
                "dimension": theme.dimension,
                "sentiment": sentiment,
                "text": quote_text(common.index[0], known_names),
                "source": str(pool.iloc[0]["source"]),
            }
        )
        if len(quotes) >= limit:
            break
    return quotes


def feedback_params(quarter: Quarter) -> dict[str, str]:
    """Bound parameters of the feedback query: this quarter and the one before (for change)."""
    return {
        "quarter_start": quarter.previous().start.isoformat(),
        "quarter_end": quarter.end.isoformat(),
    }


@dataclass(frozen=True)
class VocTheme:
    """One dimension's feedback in a scope: texts by sentiment, and the quarter before."""

    scope: str
    dimension: str
    texts: int
    negative: int
    positive: int
    previous: int

    @property
    def change(self) -> int:
        return self.texts - self.previous


@dataclass(frozen=True)
class VocQuote:
    """A masked representative quote of a scope, in report order."""

    scope: str
    position: int
    dimension: str
    sentiment: str
    source: str
    text: str


@dataclass(frozen=True)
class VocFindings:
    """Result rows (text counts, quote suppression) plus the themes and quotes as records."""

    rows: tuple[ResultRow, ...]
    themes: tuple[VocTheme, ...]
    quotes: tuple[VocQuote, ...]


def scope_themes(scope: str, now: pd.DataFrame, before: pd.DataFrame) -> list[VocTheme]:
    """The themes of every dimension (and "other") for a scope's tagged texts."""
    themes_now = _themes(now).set_index("dimension")
    themes_before = _themes(before).set_index("dimension")
    return [
        VocTheme(
            scope,
            dimension,
            int(themes_now["texts"].get(dimension, 0)),
            int(themes_now["negative"].get(dimension, 0)),
            int(themes_now["positive"].get(dimension, 0)),
            int(themes_before["texts"].get(dimension, 0)),
        )
        for dimension in (*SERVICE_DIMENSIONS, "other")
    ]


def voc_results(
    texts: pd.DataFrame,
    quarter: Quarter,
    scopes: Sequence[str],
    respondents_by_scope: dict[str, int],
    settings: Settings,
    known_names: Sequence[str] = (),
) -> VocFindings:
    """Theme counts, negative shares, change vs last quarter and masked quotes per scope.

    `texts` holds the feedback of the quarter and the one before (see `feedback_params`).
    """
    tagged = tag_frame(texts)
    current_start = quarter.start.isoformat()
    this_quarter = tagged[tagged["received_on"] >= current_start]
    last_quarter = tagged[tagged["received_on"] < current_start]
    minimum = settings.suppression["min_verbatim_respondents"]
    rows: list[ResultRow] = []
    themes: list[VocTheme] = []
    quotes: list[VocQuote] = []
    q = str(quarter)
    for scope in scopes:
        now = (
            this_quarter if scope == COMPANY else this_quarter[this_quarter["branch_code"] == scope]
        )
        before = (
            last_quarter if scope == COMPANY else last_quarter[last_quarter["branch_code"] == scope]
        )
        count = int(now["feedback_id"].nunique())
        rows.append(ResultRow(q, scope, "voc.texts", float(count), n=count))
        scope_rows = scope_themes(scope, now, before)
        themes += scope_rows
        rows += [
            ResultRow(q, scope, f"voc.theme.{t.dimension}", float(t.texts), n=t.texts)
            for t in scope_rows
        ]
        respondents = respondents_by_scope.get(scope, 0)
        if respondents < minimum:
            note = f"verbatims shown only for scopes with ≥ {minimum} respondents"
            rows.append(
                ResultRow(q, scope, "voc.quotes", None, n=respondents, flag="suppressed", note=note)
            )
            continue
        picked = representative_quotes(now, known_names=known_names)
        quotes += [
            VocQuote(scope, position, quote["dimension"], quote["sentiment"], quote["source"],
                     quote["text"])
            for position, quote in enumerate(picked, start=1)
        ]  # fmt: skip
        rows.append(ResultRow(q, scope, "voc.quotes", float(len(picked)), n=len(picked)))
    return VocFindings(tuple(rows), tuple(themes), tuple(quotes))
