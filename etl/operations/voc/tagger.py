"""The tagger a run uses: the combined model when it is shipped, the rules otherwise.

`default_tagger()` reads the lexicon (packaged, or SATISFACTION_VOC_LEXICON / `--lexicon`) and
the shipped model. When the lexicon is not the one the model was fitted with (an analyst edited
it) and the labelled corpus is at hand, the model is refitted for it in-process (deterministic,
a few seconds); without the corpus the rules alone tag. `Tagger.method` names what was used,
and the report's appendix says it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from etl.operations.voc.lexicon import Lexicon, lexicon_dir, load_lexicon
from etl.operations.voc.model import (
    CORPUS_PATH,
    MODEL_PATH,
    VocModel,
    corpus_digest,
    fit,
    load,
    read_corpus,
)
from etl.operations.voc.rules import read

# A comment is tagged on its first TAG_CHARS characters (one 10 MB comment once made a run
# take hours).
TAG_CHARS = 5_000
METHOD_COMBINED = "combined"
METHOD_REFITTED = "combined (refitted for an edited lexicon)"
METHOD_RULES = "rules"


@dataclass(frozen=True)
class TaggedText:
    """One feedback text with its dimensions and sentiment (score: the rules' balance)."""

    dimensions: tuple[str, ...]
    sentiment: str  # "positive" | "negative" | "neutral" | "mixed"
    score: float


@dataclass(frozen=True)
class Tagger:
    """A lexicon and, when there is one, the model combined with it."""

    lexicon: Lexicon
    model: VocModel | None
    method: str

    def tag_many(self, texts: Sequence[str]) -> list[TaggedText]:
        """Dimensions and sentiment of each text, in order."""
        cut = [str(text)[:TAG_CHARS] for text in texts]
        readings = [read(text, self.lexicon) for text in cut]
        if self.model is None:
            return [TaggedText(r.dimensions, r.sentiment, r.score) for r in readings]
        dimensions, sentiments = self.model.predict(cut, readings, self.lexicon)
        return [
            TaggedText(found, feel, reading.score)
            for found, feel, reading in zip(dimensions, sentiments, readings, strict=True)
        ]

    def tag(self, text: str) -> TaggedText:
        return self.tag_many([text])[0]


def build_tagger(
    lexicon: Lexicon, model_path: Path = MODEL_PATH, corpus_path: Path = CORPUS_PATH
) -> Tagger:
    """The best tagger for `lexicon`: shipped model, refitted model, or the rules."""
    if os.environ.get("SATISFACTION_VOC_TAGGER", "") == METHOD_RULES:
        return Tagger(lexicon, None, METHOD_RULES)
    model = load(model_path)
    if model is not None and model.lexicon_digest == lexicon.digest:
        return Tagger(lexicon, model, METHOD_COMBINED)
    if corpus_path.exists():
        refitted = fit(read_corpus(corpus_path), lexicon, corpus_digest(corpus_path))
        return Tagger(lexicon, refitted, METHOD_COMBINED if model is None else METHOD_REFITTED)
    return Tagger(lexicon, None, METHOD_RULES)


@cache
def _tagger_for(directory: Path, rules_only: str) -> Tagger:
    return build_tagger(load_lexicon(directory))


def default_tagger(lexicon: str | os.PathLike[str] | None = None) -> Tagger:
    """The tagger of this process for `lexicon` (else SATISFACTION_VOC_LEXICON, else packaged)."""
    return _tagger_for(lexicon_dir(lexicon), os.environ.get("SATISFACTION_VOC_TAGGER", ""))


def tag(text: str) -> TaggedText:
    """One text tagged by the default tagger."""
    return default_tagger().tag(text)
