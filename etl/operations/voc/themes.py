"""Voice of the customer per scope: themes by dimension, negative share and its change, quotes.

Each text of the quarter (and of the quarter before, for the change) is tagged once. A theme is
a dimension's texts in a scope, split by sentiment (negative, mixed, neutral, positive). The
change of a theme's negative share against last quarter is tested (two-proportion z-test) and,
as everywhere in the report, called significant only after Benjamini–Hochberg correction over
the scope's themes. Quotes: three per weak dimension (the most complained-about ones), chosen
for being typical of the dimension's complaints and specific (figures, durations, what
happened) rather than short, always masked, and only for scopes with enough respondents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from etl.core.config import SERVICE_DIMENSIONS, Settings
from etl.core.periods import Quarter
from etl.core.results import ResultRow
from etl.core.scopes import COMPANY
from etl.operations.voc.quotes import pick_quotes
from etl.operations.voc.tagger import Tagger, default_tagger

THEMES = (*SERVICE_DIMENSIONS, "other")
SENTIMENTS = ("negative", "mixed", "neutral", "positive")
WEAK_DIMENSIONS = 3  # quotes are shown for at most this many weak dimensions per scope
MIN_NEGATIVE_FOR_QUOTES = 3  # a dimension with fewer negative texts is not called weak
ALPHA = 0.05
TAGGED_COLUMNS = [
    "feedback_id",
    "branch_code",
    "source",
    "received_on",
    "body",
    "dimension",
    "sentiment",
    "score",
]


def tag_frame(texts: pd.DataFrame, tagger: Tagger | None = None) -> pd.DataFrame:
    """One row per (text, dimension) with sentiment; untagged texts get dimension 'other'."""
    if texts.empty:
        return pd.DataFrame(columns=TAGGED_COLUMNS)
    tagger = tagger or default_tagger()
    bodies = [str(body) for body in texts["body"]]
    unique = list(dict.fromkeys(bodies))  # the same wording is tagged once
    tagged = dict(zip(unique, tagger.tag_many(unique), strict=True))
    rows = []
    for record, body in zip(texts.itertuples(index=False), bodies, strict=True):
        found = tagged[body]
        for dimension in found.dimensions or ("other",):
            rows.append(
                (record.feedback_id, record.branch_code, record.source, str(record.received_on),
                 body, dimension, found.sentiment, found.score)
            )  # fmt: skip
    return pd.DataFrame(rows, columns=TAGGED_COLUMNS)


@dataclass(frozen=True)
class VocTheme:
    """One dimension's feedback in a scope: texts by sentiment, and the quarter before."""

    scope: str
    dimension: str
    texts: int
    negative: int
    positive: int
    previous: int
    neutral: int = 0
    mixed: int = 0
    previous_negative: int = 0

    @property
    def change(self) -> int:
        return self.texts - self.previous

    @property
    def negative_share(self) -> float | None:
        return self.negative / self.texts if self.texts else None

    @property
    def previous_share(self) -> float | None:
        return self.previous_negative / self.previous if self.previous else None


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
    """Result rows (counts, shares, changes, quote suppression) plus themes and quotes."""

    rows: tuple[ResultRow, ...]
    themes: tuple[VocTheme, ...]
    quotes: tuple[VocQuote, ...]


def _counts(tagged: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Distinct texts per (dimension, sentiment) and per (dimension, "all")."""
    if tagged.empty:
        return {}
    by = tagged.groupby(["dimension", "sentiment"])["feedback_id"].nunique()
    out = {(str(d), str(s)): int(n) for (d, s), n in by.items()}
    for dimension, n in tagged.groupby("dimension")["feedback_id"].nunique().items():
        out[(str(dimension), "all")] = int(n)
    return out


def scope_themes(scope: str, now: pd.DataFrame, before: pd.DataFrame) -> list[VocTheme]:
    """The themes of every dimension (and "other") for a scope's tagged texts."""
    current, earlier = _counts(now), _counts(before)
    return [
        VocTheme(
            scope,
            dimension,
            texts=current.get((dimension, "all"), 0),
            negative=current.get((dimension, "negative"), 0),
            positive=current.get((dimension, "positive"), 0),
            previous=earlier.get((dimension, "all"), 0),
            neutral=current.get((dimension, "neutral"), 0),
            mixed=current.get((dimension, "mixed"), 0),
            previous_negative=earlier.get((dimension, "negative"), 0),
        )
        for dimension in THEMES
    ]


def share_p_value(theme: VocTheme) -> float | None:
    """Two-sided p of the change in negative share (two-proportion z-test), None if untestable."""
    if not theme.texts or not theme.previous:
        return None
    pooled = (theme.negative + theme.previous_negative) / (theme.texts + theme.previous)
    if pooled in (0.0, 1.0):
        return 1.0
    from statsmodels.stats.proportion import proportions_ztest

    _, p = proportions_ztest(
        [theme.negative, theme.previous_negative], [theme.texts, theme.previous]
    )
    return float(p)


def change_rows(q: str, scope: str, themes: Sequence[VocTheme]) -> list[ResultRow]:
    """`voc.theme.<d>.negative_share.change_prev`: the difference, flagged up/down only when
    significant after Benjamini–Hochberg over the scope's testable themes."""
    from statsmodels.stats.multitest import multipletests

    tested = [(t, p) for t in themes if (p := share_p_value(t)) is not None]
    adjusted = multipletests([p for _, p in tested], method="fdr_bh")[1] if tested else []
    significant = {t.dimension: (p, q_) for (t, p), q_ in zip(tested, adjusted, strict=True)}
    rows = []
    for theme in themes:
        metric = f"voc.theme.{theme.dimension}.negative_share.change_prev"
        if theme.dimension not in significant or theme.texts == 0:
            rows.append(ResultRow(q, scope, metric, None, n=theme.texts, flag="not_comparable",
                                  note="no texts of this theme last quarter"))  # fmt: skip
            continue
        p, q_value = significant[theme.dimension]
        difference = (theme.negative_share or 0.0) - (theme.previous_share or 0.0)
        flag = ("up" if difference > 0 else "down") if q_value < ALPHA else None
        rows += [
            ResultRow(q, scope, metric, difference, n=theme.texts, flag=flag,
                      note=f"p = {p:.3g}, BH q = {q_value:.3g}"),
            ResultRow(q, scope, f"{metric}.p_value", p, n=theme.texts),
            ResultRow(q, scope, f"{metric}.p_adjusted", q_value, n=theme.texts,
                      flag="significant" if q_value < ALPHA else None),
        ]  # fmt: skip
    return rows


def theme_rows(q: str, scope: str, themes: Sequence[VocTheme]) -> list[ResultRow]:
    """Counts per theme and sentiment, the negative share, and its change vs last quarter."""
    rows = []
    for t in themes:
        base = f"voc.theme.{t.dimension}"
        rows.append(ResultRow(q, scope, base, float(t.texts), n=t.texts))
        for sentiment in SENTIMENTS:
            value = getattr(t, sentiment)
            rows.append(ResultRow(q, scope, f"{base}.{sentiment}", float(value), n=t.texts))
        rows.append(ResultRow(q, scope, f"{base}.negative_share", t.negative_share, n=t.texts))
    return rows + change_rows(q, scope, themes)


def weak_dimensions(themes: Sequence[VocTheme]) -> list[str]:
    """The dimensions customers complain about most: at least MIN_NEGATIVE_FOR_QUOTES negative
    texts and a negative share at or above the scope's, most negative texts first."""
    rated = [t for t in themes if t.dimension in SERVICE_DIMENSIONS and t.texts]
    total = sum(t.texts for t in rated)
    overall = sum(t.negative for t in rated) / total if total else 0.0
    weak = [
        t
        for t in rated
        if t.negative >= MIN_NEGATIVE_FOR_QUOTES and (t.negative_share or 0.0) >= overall
    ]
    weak.sort(key=lambda t: (-t.negative, -(t.negative_share or 0.0), t.dimension))
    return [t.dimension for t in weak[:WEAK_DIMENSIONS]]


def feedback_params(quarter: Quarter) -> dict[str, str]:
    """Bound parameters of the feedback query: this quarter and the one before (for change)."""
    return {
        "quarter_start": quarter.previous().start.isoformat(),
        "quarter_end": quarter.end.isoformat(),
    }


def _in_scope(tagged: pd.DataFrame, scope: str) -> pd.DataFrame:
    return tagged if scope == COMPANY else tagged[tagged["branch_code"] == scope]


def voc_results(
    texts: pd.DataFrame,
    quarter: Quarter,
    scopes: Sequence[str],
    respondents_by_scope: dict[str, int],
    settings: Settings,
    known_names: Sequence[str] = (),
    tagger: Tagger | None = None,
) -> VocFindings:
    """Themes, negative shares and their change, and masked quotes per scope.

    `texts` holds the feedback of the quarter and the one before (see `feedback_params`).
    """
    tagger = tagger or default_tagger()
    tagged = tag_frame(texts, tagger)
    current_start = quarter.start.isoformat()
    this_quarter = tagged[tagged["received_on"] >= current_start]
    last_quarter = tagged[tagged["received_on"] < current_start]
    minimum = settings.suppression["min_verbatim_respondents"]
    q = str(quarter)
    rows: list[ResultRow] = []
    themes: list[VocTheme] = []
    quotes: list[VocQuote] = []
    for scope in scopes:
        now = _in_scope(this_quarter, scope)
        count = int(now["feedback_id"].nunique())
        rows.append(ResultRow(q, scope, "voc.texts", float(count), n=count))
        rows.append(ResultRow(q, scope, "voc.tagger", None, n=count, note=tagger.method))
        scope_rows = scope_themes(scope, now, _in_scope(last_quarter, scope))
        themes += scope_rows
        rows += theme_rows(q, scope, scope_rows)
        respondents = respondents_by_scope.get(scope, 0)
        if respondents < minimum:
            note = f"verbatims shown only for scopes with ≥ {minimum} respondents"
            rows.append(
                ResultRow(q, scope, "voc.quotes", None, n=respondents, flag="suppressed", note=note)
            )
            continue
        picked = pick_quotes(now, weak_dimensions(scope_rows), known_names)
        quotes += [
            VocQuote(scope, position, quote.dimension, quote.sentiment, quote.source, quote.text)
            for position, quote in enumerate(picked, start=1)
        ]
        rows.append(ResultRow(q, scope, "voc.quotes", float(len(picked)), n=len(picked)))
    return VocFindings(tuple(rows), tuple(themes), tuple(quotes))
