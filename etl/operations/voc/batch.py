"""Many comments tagged and masked at once: the model run once over the batch, cores shared.

`tag_and_mask` loads the tagger (lexicon, shipped model, both jieba dictionaries) once in the
calling process. A batch of PARALLEL_MIN texts or more is then cut into chunks that worker
processes forked from it tag and mask (a forked worker starts with everything loaded, so no
core pays the load twice); each chunk runs the model once over all its texts (one TF-IDF
transform, one prediction per classifier). Smaller batches, and platforms without `fork`, run
in the calling process. The result is the same either way, in input order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from etl.operations.voc.privacy import mask_personal_data, warm_up
from etl.operations.voc.tagger import TaggedText, default_tagger

PARALLEL_MIN = 4_000  # below this, starting workers costs more than it saves
CHUNK = 2_000  # texts per task: small enough to keep both cores busy to the end


@dataclass(frozen=True)
class TaggedComment:
    """One comment's tags and its text with personal data masked."""

    tagged: TaggedText
    masked_text: str


def _chunk(lexicon: str | None, texts: Sequence[str]) -> list[TaggedComment]:
    tagged = default_tagger(lexicon).tag_many(texts)
    return [
        TaggedComment(found, mask_personal_data(text))
        for found, text in zip(tagged, texts, strict=True)
    ]


def workers_for(count: int, workers: int | None = None) -> int:
    """How many processes a batch of `count` texts uses (1: the calling process alone)."""
    if "fork" not in multiprocessing.get_all_start_methods() or count < PARALLEL_MIN:
        return 1
    return max(1, workers if workers is not None else (os.cpu_count() or 1))


def tag_and_mask(
    texts: Sequence[str],
    lexicon: str | os.PathLike[str] | None = None,
    workers: int | None = None,
) -> list[TaggedComment]:
    """Every text tagged and masked, in order (`workers`: processes, default one per core)."""
    chosen = None if lexicon is None else os.fspath(lexicon)
    tagger = default_tagger(chosen)
    tagger.tag("预热")  # loads the rules' segmenter and the model before any fork
    warm_up()
    processes = workers_for(len(texts), workers)
    if processes == 1:
        return _chunk(chosen, texts)
    chunks = [texts[start : start + CHUNK] for start in range(0, len(texts), CHUNK)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
        parts = pool.map(_chunk, [chosen] * len(chunks), chunks)
        return [comment for part in parts for comment in part]
