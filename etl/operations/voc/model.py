"""The learned half of the tagger: character n-grams plus the rules' reading, logistic regression.

One classifier per dimension (does the comment concern it?) and one for sentiment (four
classes). Each sees the comment's character 1–3-grams (TF-IDF; they carry Chinese and English
alike, and survive typos) next to the rule features (sentiment weights, negations, contrast,
irony, cue counts), so the model decides and the rules inform it. Training is deterministic
(fixed solver, no randomness) and takes about a second on the labelled corpus; the fitted
model is shipped as `etl/defaults/voc/model.joblib`, built by `python -m etl.operations.voc.train`.
"""

from __future__ import annotations

import csv
import hashlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from etl.core.config import REPOSITORY_ROOT, SERVICE_DIMENSIONS
from etl.operations.voc.lexicon import DEFAULT_LEXICON_DIR, Lexicon
from etl.operations.voc.rules import RuleReading, normalise, read

SENTIMENT_CLASSES = ("positive", "negative", "neutral", "mixed")
CORPUS_PATH = REPOSITORY_ROOT / "tests" / "data" / "voc" / "corpus.csv"
MODEL_PATH = DEFAULT_LEXICON_DIR / "model.joblib"
DIMENSION_THRESHOLD = 0.45
RULE_FEATURE_SCALE = 0.5


@dataclass(frozen=True)
class LabelledText:
    """One text of the corpus with its hand labels."""

    id: str
    lang: str
    source: str
    text: str
    dimensions: tuple[str, ...]
    sentiment: str


def read_corpus(path: Path = CORPUS_PATH) -> list[LabelledText]:
    """The labelled corpus (id, lang, source, text, dimensions joined by |, sentiment)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            LabelledText(
                row["id"],
                row["lang"],
                row["source"],
                row["text"],
                tuple(d for d in row["dimensions"].split("|") if d),
                row["sentiment"],
            )
            for row in csv.DictReader(handle)
        ]


def corpus_digest(path: Path = CORPUS_PATH) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@dataclass
class VocModel:
    """The fitted vectoriser and classifiers, and what they were fitted on."""

    vectoriser: object
    dimension_models: dict[str, object]
    sentiment_model: object
    corpus_digest: str
    lexicon_digest: str
    rule_scale: float = RULE_FEATURE_SCALE  # 0: the n-grams alone (for the evaluation)

    def matrix(self, texts: Sequence[str], readings: Sequence[RuleReading], lexicon: Lexicon):
        grams = self.vectoriser.transform([normalise(t, lexicon) for t in texts])  # type: ignore[attr-defined]
        rules = np.asarray([r.features() for r in readings], dtype=float) * self.rule_scale
        return sparse.hstack([grams, sparse.csr_matrix(rules)], format="csr")

    def predict(
        self, texts: Sequence[str], readings: Sequence[RuleReading], lexicon: Lexicon
    ) -> tuple[list[tuple[str, ...]], list[str]]:
        """Dimensions and sentiment of each text."""
        if not texts:
            return [], []
        features = self.matrix(texts, readings, lexicon)
        chosen = {
            dimension: model.predict_proba(features)[:, 1] >= DIMENSION_THRESHOLD  # type: ignore[attr-defined]
            for dimension, model in self.dimension_models.items()
        }
        dimensions = [
            tuple(d for d in SERVICE_DIMENSIONS if d in chosen and chosen[d][i])
            for i in range(len(texts))
        ]
        sentiments = [str(s) for s in self.sentiment_model.predict(features)]  # type: ignore[attr-defined]
        return dimensions, sentiments


def _classifier(balanced: bool):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=2.0, max_iter=3000, solver="liblinear" if not balanced else "lbfgs",
        class_weight="balanced" if balanced else None,
    )  # fmt: skip


def fit(
    corpus: Sequence[LabelledText],
    lexicon: Lexicon,
    corpus_id: str = "",
    readings: Sequence[RuleReading] | None = None,
    rule_scale: float = RULE_FEATURE_SCALE,
) -> VocModel:
    """Fit the vectoriser and the classifiers on `corpus` (deterministic)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [item.text for item in corpus]
    readings = readings if readings is not None else [read(t, lexicon) for t in texts]
    vectoriser = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(1, 3), min_df=2, sublinear_tf=True
    )
    vectoriser.fit([normalise(t, lexicon) for t in texts])
    model = VocModel(vectoriser, {}, None, corpus_id, lexicon.digest, rule_scale)
    features = model.matrix(texts, readings, lexicon)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for dimension in SERVICE_DIMENSIONS:
            labels = np.asarray([dimension in item.dimensions for item in corpus])
            model.dimension_models[dimension] = _classifier(True).fit(features, labels)
        model.sentiment_model = _classifier(True).fit(
            features, np.asarray([item.sentiment for item in corpus])
        )
    return model


def save(model: VocModel, path: Path = MODEL_PATH) -> None:
    import joblib

    joblib.dump(model, path, compress=3)


def load(path: Path = MODEL_PATH) -> VocModel | None:
    """The shipped model, or None when it is missing or was built by another library version."""
    if not path.exists():
        return None
    import joblib

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = joblib.load(path)
    except Exception:
        return None
    return model if isinstance(model, VocModel) else None
