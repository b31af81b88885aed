"""Voice of the customer at volume: tag (combined tagger) and mask N feedback texts.

    .venv/bin/python bench/bench_voc.py                  # 100,000 texts, both cores
    .venv/bin/python bench/bench_voc.py --texts 20000 --workers 1

The texts are the labelled corpus's, each made unique (a day count, an amount, one in ten with
a phone number, one in twenty with an e-mail), so no cache helps. It times the product path,
`etl.operations.voc.tag_and_mask` (what `satisfaction-report voc tag` runs): the lexicon, the
shipped model and both jieba dictionaries are loaded once (`load s`), then chunks of texts are
tagged and masked by `--workers` processes forked from the loaded one. `CPU s` adds this
process's and its workers' CPU time: on this shared machine wall time mostly measures the
neighbours, CPU ms per text does not. Then tagging and masking are timed apart in this process
on 5,000 of the texts. The target is 100,000 texts tagged and masked in under 60 s of wall time.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time

from etl.operations.voc import default_tagger, mask_personal_data, tag_and_mask
from etl.operations.voc.batch import workers_for
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


def phases(sample: list[str]) -> tuple[float, float]:
    """CPU ms per text of tagging and of masking, in this process (loaded beforehand)."""
    tagger = default_tagger()
    started = time.process_time()
    tagger.tag_many(sample)
    tagged = time.process_time()
    for text in sample:
        mask_personal_data(text)
    masked = time.process_time()
    return (tagged - started) * 1000 / len(sample), (masked - tagged) * 1000 / len(sample)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    sample = texts(args.texts)
    load_before = os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    tag_and_mask(["预热"], workers=1)
    loaded, cpu_loaded = time.perf_counter(), time.process_time()
    done = tag_and_mask(sample, workers=args.workers)
    wall = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu_started + children.ru_utime + children.ru_stime
    load_after = os.getloadavg()[0]
    tag_ms, mask_ms = phases(sample[: min(5_000, len(sample))])
    assert len(done) == len(sample)
    print(
        f"load average (1 min): {load_before:.2f} at start, {load_after:.2f} at end; "
        f"workers: {workers_for(len(sample), args.workers)}"
    )
    print(
        "| texts | load s | tag+mask s | wall s | texts/s | CPU s | CPU ms/text "
        "| tag CPU ms | mask CPU ms | target |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    limit = TARGET_S * args.texts / 100_000
    print(
        f"| {args.texts:,} | {loaded - started:.1f} | {wall - (loaded - started):.1f} "
        f"| {wall:.1f} | {args.texts / wall:,.0f} | {cpu:.1f} | {cpu * 1000 / args.texts:.2f} "
        f"| {tag_ms:.2f} | {mask_ms:.2f} "
        f"| < {limit:.0f} s: {'met' if wall < limit else 'missed'} |"
    )
    print(
        f"(load s: lexicon, model and dictionaries, once; CPU s: this process and its "
        f"workers, load ({cpu_loaded - cpu_started:.1f} CPU s) included; tag/mask CPU ms: "
        f"one process over {min(5_000, len(sample)):,} texts)"
    )


if __name__ == "__main__":
    main()
