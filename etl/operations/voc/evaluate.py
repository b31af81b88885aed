"""How well the tagger reads the labelled corpus: P/R/F1 per dimension, sentiment confusion.

    .venv/bin/python -m etl.operations.voc.evaluate        (or: satisfaction-report voc evaluate)

The rules are scored on the whole corpus: they learn nothing from it, but their lexicon was
written by people who had read it, so their figure is optimistic. The model learns, so it is
scored by stratified 5-fold cross-validation (every text tagged by a model that never saw it),
once on character n-grams alone and once combined with the rules' features.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from etl.core.config import SERVICE_DIMENSIONS
from etl.operations.voc.lexicon import Lexicon, lexicon_dir, load_lexicon
from etl.operations.voc.model import (
    CORPUS_PATH,
    RULE_FEATURE_SCALE,
    SENTIMENT_CLASSES,
    LabelledText,
    corpus_digest,
    fit,
    read_corpus,
)
from etl.operations.voc.rules import RuleReading, read

FOLDS = 5
SEED = 20260101


@dataclass(frozen=True)
class Scores:
    """Per-dimension P/R/F1, macro-F1, the sentiment confusion matrix and accuracy."""

    method: str
    per_dimension: dict[str, tuple[float, float, float, int]]
    macro_f1: float
    confusion: np.ndarray
    accuracy: float


def score(
    method: str,
    corpus: Sequence[LabelledText],
    dimensions: Sequence[Sequence[str]],
    sentiments: Sequence[str],
) -> Scores:
    """Scores of predicted `dimensions` and `sentiments` against the corpus labels."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    per: dict[str, tuple[float, float, float, int]] = {}
    for dimension in SERVICE_DIMENSIONS:
        truth = [dimension in item.dimensions for item in corpus]
        guess = [dimension in found for found in dimensions]
        p, r, f, _ = precision_recall_fscore_support(
            truth, guess, average="binary", zero_division=0
        )
        per[dimension] = (float(p), float(r), float(f), sum(truth))
    labels = [item.sentiment for item in corpus]
    return Scores(
        method,
        per,
        float(np.mean([f for _, _, f, _ in per.values()])),
        confusion_matrix(labels, list(sentiments), labels=list(SENTIMENT_CLASSES)),
        float(accuracy_score(labels, list(sentiments))),
    )


def cross_validated(
    corpus: Sequence[LabelledText],
    lexicon: Lexicon,
    readings: Sequence[RuleReading],
    rule_scale: float = RULE_FEATURE_SCALE,
) -> tuple[list[tuple[str, ...]], list[str]]:
    """Every text tagged by the combined model fitted on the other folds."""
    from sklearn.model_selection import StratifiedKFold

    dimensions: list[tuple[str, ...]] = [()] * len(corpus)
    sentiments = [""] * len(corpus)
    strata = [f"{item.sentiment}-{item.lang}" for item in corpus]
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    for train, test in folds.split(np.zeros(len(corpus)), strata):
        model = fit(
            [corpus[i] for i in train],
            lexicon,
            readings=[readings[i] for i in train],
            rule_scale=rule_scale,
        )
        found, feel = model.predict(
            [corpus[i].text for i in test], [readings[i] for i in test], lexicon
        )
        for position, index in enumerate(test):
            dimensions[index] = found[position]
            sentiments[index] = feel[position]
    return dimensions, sentiments


def evaluate(corpus_path: Path = CORPUS_PATH, lexicon: Lexicon | None = None) -> list[Scores]:
    """Rules on the whole corpus; the n-gram model alone and the combined tagger, both
    cross-validated (the model alone shows what is learned without the hand-written lexicon)."""
    lexicon = lexicon or load_lexicon(lexicon_dir())
    corpus = read_corpus(corpus_path)
    readings = [read(item.text, lexicon) for item in corpus]
    rules = score(
        "rules", corpus, [r.dimensions for r in readings], [r.sentiment for r in readings]
    )
    alone = score(
        f"model alone (character n-grams, no lexicon; {FOLDS}-fold cross-validated)",
        corpus,
        *cross_validated(corpus, lexicon, readings, rule_scale=0.0),
    )
    combined = score(
        f"combined (rules + model, {FOLDS}-fold cross-validated)",
        corpus,
        *cross_validated(corpus, lexicon, readings),
    )
    return [rules, alone, combined]


def render(scores: Scores) -> str:
    """A plain-text table of one method's scores."""
    lines = [f"== {scores.method}", f"{'dimension':<16}{'P':>7}{'R':>7}{'F1':>7}{'n':>6}"]
    for dimension, (p, r, f, n) in scores.per_dimension.items():
        lines.append(f"{dimension:<16}{p:>7.3f}{r:>7.3f}{f:>7.3f}{n:>6}")
    lines.append(f"{'macro-F1':<16}{'':>14}{scores.macro_f1:>7.3f}")
    lines.append("sentiment confusion (rows: label, columns: predicted)")
    lines.append(f"{'':<10}" + "".join(f"{c:>10}" for c in SENTIMENT_CLASSES))
    for label, row in zip(SENTIMENT_CLASSES, scores.confusion, strict=True):
        lines.append(f"{label:<10}" + "".join(f"{int(v):>10}" for v in row))
    lines.append(f"sentiment accuracy {scores.accuracy:.3f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    corpus = read_corpus(CORPUS_PATH)
    print(
        f"corpus {CORPUS_PATH.name}: {len(corpus)} texts "
        f"(digest {corpus_digest()}), lexicon {lexicon_dir()}"
    )
    for scores in evaluate():
        print(render(scores))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
