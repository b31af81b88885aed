"""Benchmark: scoring, raking and every survey index for all scopes of one quarter.

    .venv/bin/python bench/bench_survey.py            # 100k, 300k and 1M responses
    .venv/bin/python bench/bench_survey.py 1000000    # one size
    .venv/bin/python bench/bench_survey.py --by-design  # unused touchpoints skipped
    .venv/bin/python bench/bench_survey.py --items 30 1000000   # the issue's 30 items

Each size runs in a fresh child process, so its peak RSS is its own. The data are a
synthetic quarter shaped like the demo (the packaged item bank plus one value-added item,
37 items, or `--items N` of them; 12 branches × 4 channels × 5 product lines); generating
them is not timed, holding them is counted in the peak memory. Prints one table row per
size.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

SIZES = (100_000, 300_000, 1_000_000)
BRANCHES = ["BJ", "SH", "GD", "JS", "ZJ", "SD", "SC", "HB", "HA", "FJ", "LN", "SN"]
CHANNELS = ["AGENT", "BANCA", "TELE", "ONLINE"]
PRODUCTS = ["LIFE", "HEALTH", "ACCIDENT", "ANNUITY", "PAR"]
# Share of respondents who used each touchpoint. The case is 1M responses × 30
# items = 30M answers, so by default everyone answers everything; --by-design skips items
# of unused touchpoints as real surveys do.
USAGE_BY_DESIGN = {
    "presale": 0.45,
    "purchase": 0.45,
    "policy_service": 1.0,
    "claims": 0.45,
    "complaints": 0.12,
    "value_added": 0.55,
}


def bench_item_bank(items: int | None = None):
    """The packaged item bank plus one value-added item (37 items), or `items` of them.

    A smaller bank keeps every dimension and every item of the PLS core model (expectations,
    quality, value, overall, complaint, loyalty, NPS): items are taken off the end of the
    service dimension with the most items (the first such in the bank's order), one at a
    time, so each touchpoint keeps at least one item.
    """
    import tomllib

    from etl.core.config import DEFAULTS_DIR, SERVICE_DIMENSIONS, parse_item_bank

    raw = tomllib.loads((DEFAULTS_DIR / "item_bank.toml").read_text(encoding="utf-8"))
    raw["items"].append(
        {
            "code": "VA3",
            "dimension": "value_added",
            "zh": "法律咨询服务有帮助",
            "en": "Legal advice was helpful",
        }
    )
    if items is not None:
        kept = raw["items"]
        while len(kept) > items:
            sizes = {d: sum(i["dimension"] == d for i in kept) for d in SERVICE_DIMENSIONS}
            largest = max(SERVICE_DIMENSIONS, key=lambda d: sizes[d])
            if sizes[largest] < 2:
                raise SystemExit(f"--items {items}: fewer items than the dimensions need")
            last = max(i for i, item in enumerate(kept) if item["dimension"] == largest)
            kept = kept[:last] + kept[last + 1 :]
        raw["items"] = kept
    return parse_item_bank(raw, f"bench item bank ({len(raw['items'])} items)")


def synthetic_quarter(
    n: int, by_design: bool, seed: int = 7, items: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Long answers, respondents and policy-book cells for one quarter of n responses."""
    bank = bench_item_bank(items)
    rng = np.random.default_rng(seed)
    respondents = pd.DataFrame(
        {
            "response_id": np.arange(1, n + 1, dtype=np.int32),  # a quarter's ids fit 32 bits
            "branch_code": pd.Categorical(rng.choice(BRANCHES, n)),
            "channel_code": pd.Categorical(rng.choice(CHANNELS, n, p=[0.35, 0.25, 0.15, 0.25])),
            "product_line_code": pd.Categorical(rng.choice(PRODUCTS, n)),
        }
    )
    theta = rng.normal(0, 1, n)
    usage = USAGE_BY_DESIGN if by_design else dict.fromkeys(USAGE_BY_DESIGN, 1.0)
    used = {d: rng.uniform(size=n) < share for d, share in usage.items()}
    # Built as arrays with the item code as a category (one byte per answer), the compact
    # form the warehouse reader should hand over: no per-answer Python string objects.
    ids, positions, scores = [], [], []
    for position, item in enumerate(bank.items):
        mask = used.get(item.dimension, np.ones(n, bool))
        span = item.scale_max - item.scale_min
        raw = item.scale_min + span * (0.7 + 0.12 * theta + rng.normal(0, 0.12, n))
        values = np.clip(np.round(raw), item.scale_min, item.scale_max).astype(np.int8)
        ids.append(respondents["response_id"].to_numpy()[mask])
        positions.append(np.full(int(mask.sum()), position, dtype=np.int8))
        scores.append(values[mask])
    answers = pd.DataFrame(
        {
            "response_id": np.concatenate(ids),
            "item_code": pd.Categorical.from_codes(
                np.concatenate(positions), categories=[item.code for item in bank.items]
            ),
            "score": np.concatenate(scores),
        }
    )
    del ids, positions, scores
    cells = (
        pd.MultiIndex.from_product(
            [BRANCHES, CHANNELS, PRODUCTS],
            names=["branch_code", "channel_code", "product_line_code"],
        )
        .to_frame(index=False)
        .assign(
            policies_in_force=rng.integers(
                1_000, 20_000, len(BRANCHES) * len(CHANNELS) * len(PRODUCTS)
            )
        )
    )
    return answers, respondents, cells


def run_one(n: int, by_design: bool, items: int | None = None) -> dict[str, float]:
    """Time the compute stage for one size (in this process)."""
    from etl.core.config import load_settings
    from etl.core.scopes import Scope
    from etl.survey.calibration import weight_respondents
    from etl.survey.figures import survey_results
    from etl.survey.scoring import score

    bank, settings = bench_item_bank(items), load_settings()
    answers, respondents, cells = synthetic_quarter(n, by_design, items=items)
    scopes = [Scope("company", "company", "全公司", "Company")] + [
        Scope(b, "branch", b, b) for b in BRANCHES
    ]
    timings: dict[str, float] = {}
    cpu_started = time.process_time()
    started = time.perf_counter()
    survey = score(answers, bank, respondents)
    timings["score_s"] = time.perf_counter() - started
    mark = time.perf_counter()
    weights, report = weight_respondents(survey, cells, settings)
    timings["rake_s"] = time.perf_counter() - mark
    mark, cpu_mark = time.perf_counter(), time.process_time()
    rows = survey_results("2026-Q3", survey, weights, scopes, bank, settings)
    timings["indices_s"] = time.perf_counter() - mark
    timings["indices_cpu_s"] = time.process_time() - cpu_mark
    timings["total_s"] = time.perf_counter() - started
    # CPU seconds of this process (all its threads): on a shared, loaded machine the wall
    # time says as much about the neighbours as about this code.
    timings["cpu_s"] = time.process_time() - cpu_started
    timings["answer_rows"] = float(len(answers))
    timings["result_rows"] = float(len(rows))
    timings["raking_converged"] = float(report.converged)
    timings["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return timings


def main(argv: list[str]) -> int:
    by_design = "--by-design" in argv
    argv = [a for a in argv if a != "--by-design"]
    items = None
    if "--items" in argv:
        at = argv.index("--items")
        items = int(argv[at + 1])
        argv = argv[:at] + argv[at + 2 :]
    if argv and argv[0] == "--child":
        print(json.dumps(run_one(int(argv[1]), by_design, items)))
        return 0
    sizes = [int(a) for a in argv] or list(SIZES)
    bank = bench_item_bank(items)
    per_dimension = pd.Series([item.dimension for item in bank.items]).value_counts(sort=False)
    answered = "touchpoints missing by design" if by_design else "every item answered"
    print(f"{len(bank.items)} items; {answered}")
    print("items per dimension: " + ", ".join(f"{d} {c}" for d, c in per_dimension.items()))
    header = (
        f"{'responses':>10} {'answers':>11} {'score s':>8} {'rake s':>7} {'indices s':>9} "
        f"{'total s':>8} {'CPU s':>7} {'indices CPU s':>13} {'answers/s':>11} {'peak RSS MB':>12}"
    )
    print(header)
    print("-" * len(header))
    for n in sizes:
        command = [sys.executable, __file__, "--child", str(n)]
        command += (["--by-design"] if by_design else []) + (
            ["--items", str(items)] if items is not None else []
        )
        child = subprocess.run(command, capture_output=True, text=True, check=True)
        t = json.loads(child.stdout.strip().splitlines()[-1])
        print(
            f"{n:>10,} {int(t['answer_rows']):>11,} {t['score_s']:>8.2f} {t['rake_s']:>7.2f} "
            f"{t['indices_s']:>9.2f} {t['total_s']:>8.2f} {t['cpu_s']:>7.2f} "
            f"{t['indices_cpu_s']:>13.2f} "
            f"{t['answer_rows'] / t['total_s']:>11,.0f} {t['peak_rss_mb']:>12,.0f}"
        )
    load = os.getloadavg()
    print("targets at 1,000,000 responses: total < 8 s on 2 cores, peak RSS < 1,229 MB")
    python = f"Python {platform.python_version()} ({os.path.realpath(sys._base_executable)})"
    print(f"{os.cpu_count()} CPUs; load average {' '.join(f'{x:.2f}' for x in load)}; {python}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    sys.exit(main(sys.argv[1:]))
