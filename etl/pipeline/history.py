"""Quarters computed oldest first, each one's warehouse reads done ahead in a second process.

The first run on a new warehouse computes every earlier fielded quarter before the one it
reports (etl.pipeline.compute.compute_quarter). Each quarter needs the results and actions of
the quarters before it, so they are computed one after another; but about a third of a
quarter's time is reading its warehouse rows, which depend on no other quarter. Those reads
run in one spawned process, a quarter ahead, while the main process computes the quarter
before: two cores busy instead of one, and never more than one quarter's rows held ahead.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from etl.core import Quarter, Settings
from etl.pipeline.compute import compute_one_quarter, read_warehouse_inputs
from etl.warehouse import connect

log = logging.getLogger(__name__)


def read_ahead(warehouse_url: str, quarter_text: str, settings: Settings) -> dict[str, Any]:
    """One quarter's warehouse inputs (runs in the reader process)."""
    engine = connect(warehouse_url)
    try:
        return read_warehouse_inputs(engine, Quarter.parse(quarter_text), settings)
    finally:
        engine.dispose()


def _ready(future: Future[dict[str, Any]], quarter: str) -> dict[str, Any] | None:
    """The rows read ahead, or None so the quarter reads them itself and fails in its own
    words (an exception may not survive the trip between processes intact)."""
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
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as reader:
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
