"""The one face the DAG and the CLI call: resolve, compute, render, publish, deliver, alert.

Names are loaded on first use (PEP 562): a render worker (etl.pipeline.batch) that
unpickles its job from etl.pipeline.reports imports the report stage, not the checks,
compute and delivery stages it never runs (a third of its start-up).
"""

from importlib import import_module
from typing import Any

_WHERE = {
    "tasks": "etl.pipeline.tasks",
    "check_inputs": "etl.pipeline.checks",
    "contract_report": "etl.pipeline.checks",
    "QuarterFigures": "etl.pipeline.compute",
    "QuarterInputs": "etl.pipeline.compute",
    "compute_figures": "etl.pipeline.compute",
    "compute_one_quarter": "etl.pipeline.compute",
    "compute_quarter": "etl.pipeline.compute",
    "read_inputs": "etl.pipeline.compute",
    "ConnectionFields": "etl.pipeline.resources",
    "Resources": "etl.pipeline.resources",
    "resources_from": "etl.pipeline.resources",
    "ScopeRender": "etl.pipeline.reports",
    "branded": "etl.pipeline.reports",
    "render_scope": "etl.pipeline.reports",
    "report_path": "etl.pipeline.reports",
    "RunSpec": "etl.pipeline.runs",
    "resolve_run": "etl.pipeline.runs",
    "run": "etl.pipeline.runs",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'etl.pipeline' has no attribute {name!r}")
    if name == "tasks":
        return import_module(_WHERE[name])
    return getattr(import_module(_WHERE[name]), name)
