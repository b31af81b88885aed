"""Representative quotes: typical of a weak dimension's complaints, specific, masked.

For each weak dimension, the negative texts (then the mixed ones) are scored:

- typical: how close the text's character n-grams are to the centre of all the dimension's
  complaints (cosine similarity to the mean TF-IDF vector), so a quote speaks for many;
- specific: what an analyst can act on — figures and durations (三个月, 6 weeks, 跑了三趟),
  several clauses, enough words — while a bare "太差了" scores low.

The best three distinct texts (no two nearly the same) are quoted, masked by
`mask_personal_data` and cut to QUOTE_CHARS.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from etl.operations.voc.privacy import mask_personal_data
from etl.operations.voc.rules import language_of

QUOTES_PER_DIMENSION = 3
QUOTE_SCAN_CHARS = 2_000
QUOTE_CHARS = 240
SHORT = {"zh-CN": 8, "en": 25}  # characters: below this a text says too little to quote
FULL = {"zh-CN": 28, "en": 70}  # characters: above this length adds nothing to specificity
NEAR_DUPLICATE = 0.75  # cosine similarity above which two quotes say the same
DETAIL = re.compile(
    r"(?<!\d)\d{1,6}(?!\d)|[一二两三四五六七八九十几半]+(?:个)?(?:多)?(?:天|周|个月|月|年|次|趟|遍|小时|分钟|万|千|百)"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|sixty)\b"
)
CLAUSE = re.compile(r"[,.;!?，。；！？]")


@dataclass(frozen=True)
class Quote:
    """A quote chosen for a dimension."""

    dimension: str
    sentiment: str
    source: str
    text: str


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


def specificity(text: str) -> float:
    """0 (says nothing concrete) … about 1.6 (long enough, several clauses, figures)."""
    length = len(text.strip())
    language = language_of(text)
    if length < SHORT[language]:
        return 0.05
    details = len(DETAIL.findall(text))
    clauses = len(CLAUSE.findall(text.rstrip("。.!！?？"))) + 1
    return (
        min(length, FULL[language]) / FULL[language]
        + 0.2 * min(details, 3)
        + 0.1 * min(clauses - 1, 2)
    )


def typicality(vectors: Any, groups: Sequence[str]) -> np.ndarray:
    """Cosine similarity of each (L2-normalised) vector to the centre of its own group
    (Chinese and English texts share few n-grams, so each language has its own centre)."""
    typical = np.zeros(vectors.shape[0])
    labels = np.asarray(groups)
    for group in set(groups):
        rows = np.flatnonzero(labels == group)
        centre = np.asarray(vectors[rows].mean(axis=0)).ravel()
        norm = np.linalg.norm(centre)
        if norm:
            similarity = vectors[rows] @ (centre / norm)
            top = similarity.max()
            typical[rows] = similarity / top if top > 0 else similarity  # 1 = most typical
    return typical


def ranked(bodies: Sequence[str]) -> list[tuple[str, float, np.ndarray]]:
    """(body, score, vector) best first: typicality × (0.3 + specificity)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 2), sublinear_tf=True)
    vectors = vectoriser.fit_transform(bodies)
    typical = typicality(vectors, [language_of(body) for body in bodies])
    scored = [
        (body, float(typical[i]) * (0.3 + specificity(body)), vectors[i].toarray().ravel())
        for i, body in enumerate(bodies)
    ]
    return sorted(scored, key=lambda item: (-item[1], item[0]))


def distinct_best(bodies: Sequence[str], limit: int) -> list[str]:
    """The best-ranked bodies, skipping any nearly the same as one already chosen."""
    if not bodies:
        return []
    chosen: list[tuple[str, np.ndarray]] = []
    for body, _score, vector in ranked(bodies):
        if all(float(vector @ other) < NEAR_DUPLICATE for _, other in chosen):
            chosen.append((body, vector))
        if len(chosen) == limit:
            break
    return [body for body, _ in chosen]


def pick_quotes(
    tagged: pd.DataFrame, dimensions: Sequence[str], known_names: Sequence[str] = ()
) -> list[Quote]:
    """QUOTES_PER_DIMENSION masked quotes for each of `dimensions`, in that order; negative
    texts first, then mixed ones; a text is quoted once even when it concerns two of them."""
    quotes: list[Quote] = []
    for dimension in dimensions:
        rows = tagged[tagged["dimension"] == dimension]
        taken = 0
        for sentiment in ("negative", "mixed"):
            pool = rows[rows["sentiment"] == sentiment]
            bodies = [b for b in dict.fromkeys(pool["body"].astype(str)) if b.strip()]
            sources = dict(zip(pool["body"].astype(str), pool["source"].astype(str), strict=True))
            quoted = {q.text for q in quotes}
            for body in distinct_best(bodies, QUOTES_PER_DIMENSION + len(quoted)):
                text = quote_text(body, known_names)
                if taken == QUOTES_PER_DIMENSION or text in quoted:
                    continue
                quotes.append(Quote(dimension, sentiment, sources[body], text))
                taken += 1
    return quotes
