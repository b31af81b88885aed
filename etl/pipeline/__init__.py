"""The one face the DAG and the CLI call: resolve, compute, render, publish, deliver, alert."""

from etl.pipeline import tasks
from etl.pipeline.checks import check_inputs, contract_report
from etl.pipeline.compute import (
    QuarterFigures,
    QuarterInputs,
    compute_figures,
    compute_one_quarter,
    compute_quarter,
    read_inputs,
)
from etl.pipeline.resources import ConnectionFields, Resources, resources_from
from etl.pipeline.runs import RunSpec, branded, render_scope, report_path, resolve_run, run

__all__ = [
    "ConnectionFields",
    "QuarterFigures",
    "QuarterInputs",
    "Resources",
    "RunSpec",
    "branded",
    "check_inputs",
    "compute_figures",
    "compute_one_quarter",
    "compute_quarter",
    "contract_report",
    "read_inputs",
    "render_scope",
    "report_path",
    "resolve_run",
    "resources_from",
    "run",
    "tasks",
]
