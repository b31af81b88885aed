"""A run's reports rendered in a process pool when the executor runs its tasks one at a time.

`airflow dags test` (what `make demo` runs) and any executor without parallel slots run the
mapped render tasks one after another (in no particular order), so a two-core machine renders
on one core. There the first render task to run finds its own report not yet made from the
current sources, and renders every scope that is not in a pool of `[render] processes` worker
processes; each later mapped task finds its own report current and returns at once
(etl.publish.publish_revision). On a rerun over unchanged data every task finds its report
current: no pool is started. Under Celery or the LocalExecutor each
mapped task renders only its own scope, as before.

Nothing here weakens the archive: each report is still decided, rendered, recorded and
written by publish_revision under the report's lock, so a pool worker and the scope's own
task never render the same report at once, and identical sources give no new revision. A
scope that fails in the pool is logged and left to its own mapped task, which renders it
again and fails (and retries) with its own error.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field

from etl.core import ConfigError, Settings

log = logging.getLogger(__name__)

BATCH_MODES = ("auto", "always", "never")


@dataclass(frozen=True)
class BatchPlan:
    """Whether a render task renders the whole run, and in how many processes."""

    batch: bool
    processes: int
    why: str


@dataclass(frozen=True)
class BatchOutcome:
    """What a batch rendered (paths by scope) and what it left to the scopes' own tasks."""

    rendered: dict[str, list[str]] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def render_processes(settings: Settings) -> int:
    """`[render] processes`: worker processes of a batch render; 0 or absent = CPU count."""
    value = settings.raw.get("render", {}).get("processes", 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ConfigError(
            f"[render] processes = {value!r}: expected a whole number ≥ 0 (0 = one per CPU)"
        )
    return value or os.cpu_count() or 1


def batch_plan(settings: Settings, scopes: int, serial: bool) -> BatchPlan:
    """Pool when the executor runs tasks serially (`[render] batch = "auto"`, the default) or
    always, with at least two processes and two scopes to share them."""
    mode = settings.raw.get("render", {}).get("batch", "auto")
    if mode not in BATCH_MODES:
        raise ConfigError(f"[render] batch = {mode!r}: expected one of {', '.join(BATCH_MODES)}")
    processes = render_processes(settings)
    wanted = mode == "always" or (mode == "auto" and serial)
    if not wanted:
        return BatchPlan(False, 1, f"[render] batch = {mode}; executor serial: {serial}")
    if processes < 2 or scopes < 2:
        return BatchPlan(False, 1, f"{processes} process(es) for {scopes} scope(s)")
    return BatchPlan(True, min(processes, scopes), f"{scopes} scopes")


def _worker_logging() -> None:
    """A pool worker logs what it renders (the task log shows it), not WeasyPrint's steps."""
    logging.basicConfig(level=logging.INFO, format="%(processName)s %(levelname)s %(message)s")
    for noisy in ("weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@contextmanager
def main_script_left_out() -> Iterator[None]:
    """Processes spawned inside start without running the parent's main script.

    Spawn runs the parent's main script again in each new process (as `__mp_main__`), so
    that what it defines can be unpickled there. Here the main script is Airflow's CLI
    (`airflow dags test`): each render worker imported all of Airflow for nothing, 3.4–3.7 s
    and 115 MB on a slow machine, before its first report. A render job and the worker's
    set-up are defined in etl modules, which the worker imports as it unpickles them. The
    script's path is out of sight of spawn while the pool starts its processes, and back
    after.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    # A main run as a module (`python -m x`) is imported by name; spawn skips `x.__main__`.
    if main is None or path is None or getattr(main, "__spec__", None) is not None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def render_batch(
    scopes: Sequence[str], render_one: Callable[[str], list[str]], processes: int
) -> BatchOutcome:
    """`render_one(scope)` for every scope in a pool of fresh processes (spawned, not forked:
    the caller may hold database connections and threads). `render_one` must pickle from an
    importable module: the workers do not run the caller's main script.

    A pool that breaks (a worker killed, or one that cannot start) renders nothing more;
    every scope it has not rendered is left to its own task.
    """
    context = multiprocessing.get_context("spawn")
    outcome = BatchOutcome()
    try:
        with ProcessPoolExecutor(
            processes, mp_context=context, initializer=_worker_logging
        ) as pool:
            # The pool spawns its processes as work is submitted (not for fork).
            with main_script_left_out():
                futures: list[tuple[str, Future[list[str]]]] = [
                    (scope, pool.submit(render_one, scope)) for scope in scopes
                ]
            for scope, future in futures:
                _collect(outcome, scope, future)
    except BrokenProcessPool as exc:
        for scope in scopes:
            if scope not in outcome.rendered:
                outcome.failed.setdefault(scope, f"the render pool broke: {exc}")
        log.warning("batch render pool broke, %s scopes left to their own tasks: %s",
                    len(outcome.failed), exc)  # fmt: skip
    log.info(
        "batch: %s scopes rendered in %s processes, %s left to their own tasks",
        len(outcome.rendered), processes, len(outcome.failed),
    )  # fmt: skip
    return outcome


def _collect(outcome: BatchOutcome, scope: str, future: Future[list[str]]) -> None:
    """One scope's paths, or its failure noted for its own task to render and report."""
    try:
        outcome.rendered[scope] = future.result()
    except BrokenProcessPool:
        raise
    except Exception as exc:  # its own mapped task renders it again and reports it
        outcome.failed[scope] = f"{type(exc).__name__}: {exc}"
        log.warning("batch render of %s failed, left to its own task: %s", scope, exc)
