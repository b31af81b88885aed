"""Quarters computed oldest first, each one's warehouse reads done ahead in a second process.

The first run on a new warehouse computes every earlier fielded quarter before the one it
reports (etl.pipeline.compute.compute_quarter). Each quarter needs the results and actions of
the quarters before it, so they are computed one after another; but about a third of a
quarter's time is reading its warehouse rows, which depend on no other quarter. Those reads
run in a second thread, a quarter ahead, while the main thread computes the quarter before:
the database works on the reads (SQLite and psycopg2 release the GIL while a query runs)
beside the computation, and never more than one quarter's rows are held ahead.

A thread, not a process: inside an Airflow task a spawned process re-runs the task's main
script, the Airflow CLI, which refuses to start there (the supervisor hides the metadata
database from tasks); the pool broke and the task failed with `BrokenProcessPool`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from etl.core import Quarter, Settings
from etl.pipeline.compute import compute_one_quarter, read_warehouse_inputs
from etl.warehouse import connect

log = logging.getLogger(__name__)


def read_ahead(warehouse_url: str, quarter_text: str, settings: Settings) -> dict[str, Any]:
    """One quarter's warehouse inputs (runs in the reader thread, on its own engine)."""
    engine = connect(warehouse_url)
    try:
        return read_warehouse_inputs(engine, Quarter.parse(quarter_text), settings)
    finally:
        engine.dispose()


def _ready(future: Future[dict[str, Any]], quarter: str) -> dict[str, Any] | None:
    """The rows read ahead, or None so the quarter reads them itself and fails in its own
    words, in the task's own thread."""
    try:
        return future.result()
    except Exception as exc:
        log.warning("reading %s ahead failed (%s); reading it in this process", quarter, exc)
        return None


def compute_in_order(
    warehouse_url: str,
    quarters: Sequence[str],
    run_id: str,
    settings: Settings,
    results_url: str | None,
) -> list[str]:
    """Compute `quarters` oldest first (the last is the run's); returns its scope codes."""
    if len(quarters) == 1:
        return compute_one_quarter(warehouse_url, quarters[0], run_id, settings, results_url)
    codes: list[str] = []
    with ThreadPoolExecutor(1, thread_name_prefix="read-ahead") as reader:
        ahead = reader.submit(read_ahead, warehouse_url, quarters[0], settings)
        for position, quarter in enumerate(quarters):
            rows = _ready(ahead, quarter)
            if position + 1 < len(quarters):
                ahead = reader.submit(read_ahead, warehouse_url, quarters[position + 1], settings)
                log.info("computing %s first: the history of later quarters needs it", quarter)
            codes = compute_one_quarter(
                warehouse_url, quarter, run_id, settings, results_url, read_ahead=rows
            )
    return codes
