"""Fit the combined model on the whole labelled corpus and ship it.

    .venv/bin/python -m etl.operations.voc.train

Writes `etl/defaults/voc/model.joblib` (deterministic: the same corpus, lexicon and library
versions give the same model). Run it after changing the corpus or the packaged lexicon; a test
fails while the shipped model was fitted on another corpus or lexicon.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from etl.operations.voc.lexicon import DEFAULT_LEXICON_DIR, load_lexicon
from etl.operations.voc.model import (
    CORPUS_PATH,
    MODEL_PATH,
    corpus_digest,
    fit,
    read_corpus,
    save,
)


def main(argv: Sequence[str] | None = None) -> int:
    lexicon = load_lexicon(DEFAULT_LEXICON_DIR)
    corpus = read_corpus(CORPUS_PATH)
    model = fit(corpus, lexicon, corpus_digest(CORPUS_PATH))
    save(model, MODEL_PATH)
    size = MODEL_PATH.stat().st_size
    print(
        f"wrote {MODEL_PATH} ({size:,} bytes): {len(corpus)} texts, "
        f"corpus {model.corpus_digest}, lexicon {model.lexicon_digest}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
