"""Voice of the customer at volume: tag (combined tagger) and mask N feedback texts.

    .venv/bin/python bench/bench_voc.py                  # 100,000 texts, both cores
    .venv/bin/python bench/bench_voc.py --texts 20000 --workers 1

The texts are the labelled corpus's, each made unique (a day count, an amount, one in ten with
a phone number, one in twenty with an e-mail), so no cache helps. Work is split over
`--workers` processes (the machine has two cores); each loads the lexicon and the shipped model
once (its load time is the `load s` column). Prints one table row per phase; the target is
100,000 texts tagged and masked in under 60 s of wall time.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor

from etl.operations.voc import default_tagger, mask_personal_data
from etl.operations.voc.model import read_corpus

TARGET_S = 60.0


def texts(n: int, seed: int = 20260101) -> list[str]:
    corpus = [item.text for item in read_corpus()]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text = corpus[i % len(corpus)]
        extra = f" 第{rng.randint(2, 90)}天，金额{rng.randint(100, 99999)}元"
        if i % 10 == 0:
            extra += f"，电话1{rng.randint(3, 9)}{rng.randint(100000000, 999999999)}"
        if i % 20 == 0:
            extra += f"，邮箱user{i}@example.com"
        out.append(text + extra)
    return out


def work(chunk: list[str]) -> tuple[float, float, float, int]:
    """(load s, tag s, mask s, texts) for one worker's share."""
    started = time.perf_counter()
    tagger = default_tagger()
    tagger.tag("预热")
    mask_personal_data("预热 13800138000")
    loaded = time.perf_counter()
    tagger.tag_many(chunk)
    tagged = time.perf_counter()
    for text in chunk:
        mask_personal_data(text)
    masked = time.perf_counter()
    return loaded - started, tagged - loaded, masked - tagged, len(chunk)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    sample = texts(args.texts)
    chunks = [sample[i :: args.workers] for i in range(args.workers)]
    load1 = os.getloadavg()[0]
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        parts = list(pool.map(work, chunks))
    wall = time.perf_counter() - started
    load = max(p[0] for p in parts)
    tag = max(p[1] for p in parts)
    mask = max(p[2] for p in parts)
    print(f"load average (1 min) at start: {load1:.2f}; workers: {args.workers}")
    print("| texts | load s | tag s | mask s | wall s | texts/s | target |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    verdict = "met" if wall < TARGET_S * args.texts / 100_000 else "missed"
    print(
        f"| {args.texts:,} | {load:.1f} | {tag:.1f} | {mask:.1f} | {wall:.1f} "
        f"| {args.texts / wall:,.0f} | < {TARGET_S * args.texts / 100_000:.0f} s: {verdict} |"
    )


if __name__ == "__main__":
    main()
