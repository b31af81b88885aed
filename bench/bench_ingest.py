"""Benchmark: a 1,000,000-row long CSV (response × item) ingested into PostgreSQL and SQLite.

    .venv/bin/python bench/bench_ingest.py                 # 1,000,000 rows, both databases
    .venv/bin/python bench/bench_ingest.py --rows 200000   # another size
    .venv/bin/python bench/bench_ingest.py --only sqlite

Each run is a fresh child process (its peak RSS is its own, `ru_maxrss`) ingesting one
generated file into a fresh warehouse that holds the reference tables: the whole path of
`satisfaction-report ingest` — read, decode, map, check every row, quarantine, bulk load
(COPY on PostgreSQL) and register, in one transaction. Generating the file is not timed.
Targets: under 60 s and under 1 GB peak per database. "CPU s" is the ingesting process's
own CPU time (not the database server's): on a shared, loaded machine it shows what the
wall time would be on an idle one.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

BRANCHES = ["BJ", "SH", "GD", "JS", "ZJ", "SD", "SC", "HB", "HA", "FJ", "LN", "SN"]
CHANNELS = ["AGENT", "BANCA", "TELE", "ONLINE"]
PRODUCTS = ["LIFE", "HEALTH", "ACCIDENT", "ANNUITY", "PAR"]
ADMIN_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


def write_long_csv(path: Path, rows: int, seed: int = 7) -> int:
    """rows ≈ responses × 29 items; a few hundred rows break a rule (quarantined)."""
    from etl.core import load_item_bank

    bank = load_item_bank()
    items = [item.code for item in bank.items]
    responses = -(-rows // len(items))
    rng = np.random.default_rng(seed)
    ids = np.repeat([f"B{n:07d}" for n in range(responses)], len(items))[:rows]
    per = np.arange(responses)
    frame = pd.DataFrame(
        {
            "response_id": ids,
            "submitted_at": np.repeat(
                pd.Timestamp("2026-07-01") + pd.to_timedelta(per % 85, unit="D"), len(items)
            )[:rows].strftime("%Y-%m-%d 10:00:00"),
            "branch": np.repeat(np.array(BRANCHES)[per % 12], len(items))[:rows],
            "channel": np.repeat(np.array(CHANNELS)[per % 4], len(items))[:rows],
            "product_line": np.repeat(np.array(PRODUCTS)[per % 5], len(items))[:rows],
            "item_code": np.tile(items, responses)[:rows],
            "score": "",
        }
    )
    # Scores inside each item's own scale (0–1, 0–10, 1–10 …), the upper half mostly.
    low = np.tile([item.scale_min for item in bank.items], responses)[:rows]
    high = np.tile([item.scale_max for item in bank.items], responses)[:rows]
    scores = np.maximum(low, high - rng.integers(0, 6, rows))
    frame["score"] = scores.astype(str)
    bad = rng.choice(rows, size=max(rows // 5000, 1), replace=False)
    frame.loc[bad, "score"] = (high[bad] + 1).astype(str)  # out of scale: quarantined
    frame.to_csv(path, index=False)
    return len(frame)


def _prepare(url: str) -> None:
    """A fresh warehouse with the schema and the demo's reference tables."""
    from etl.demo.build import write_reference_rows
    from etl.warehouse import BulkWriter, apply_schema, connect

    engine = connect(url)
    apply_schema(engine)
    write_reference_rows(BulkWriter(engine))


def child(url: str, path: str) -> None:
    """Runs in its own process: ingest the file, print seconds, peak RSS and counts."""
    from etl.core import load_item_bank, load_settings
    from etl.ingest import IngestRun, Mapping, ingest_file
    from etl.warehouse import connect

    run = IngestRun(connect(url), Mapping(format="long"), load_settings(), load_item_bank())
    started, cpu = time.perf_counter(), time.process_time()
    outcome = ingest_file(run, Path(path))
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu": cpu,
                "peak_mb": peak,
                "status": outcome.status,
                "rows_in": outcome.rows_in,
                "loaded": outcome.rows_loaded,
                "quarantined": outcome.rows_quarantined,
            }
        )
    )


def _database(kind: str, folder: Path) -> tuple[str, callable]:
    if kind == "sqlite":
        path = folder / f"bench_{uuid.uuid4().hex[:8]}.db"
        path.touch()
        return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    import sqlalchemy as sa

    name = f"satisfaction_ingest_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'create database "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))

    return admin.url.set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "long.csv"
        rows = write_long_csv(path, args.rows)
        size = path.stat().st_size / 1e6
        print(f"{rows:,} rows, {size:.0f} MB long CSV\n")
        print(
            "| database | rows in | loaded | quarantined | wall s | CPU s | rows/s | peak RSS MB |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for kind in [args.only] if args.only else ["postgresql", "sqlite"]:
            url, cleanup = _database(kind, folder)
            try:
                _prepare(url)
                out = subprocess.run(
                    [sys.executable, __file__, "--child", url, str(path)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                r = json.loads(out.stdout.strip().splitlines()[-1])
                print(
                    f"| {kind} | {r['rows_in']:,} | {r['loaded']:,} | {r['quarantined']:,} | "
                    f"{r['seconds']:.1f} | {r['cpu']:.1f} | {r['rows_in'] / r['seconds']:,.0f} | "
                    f"{r['peak_mb']:,.0f} |"
                )
            finally:
                cleanup()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
