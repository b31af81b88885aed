"""The DAG's task bodies, one function each: plain values in, paths and small dicts out."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etl.delivery import (
    OutboxTransport,
    deliver_quarter,
    load_distribution,
    render_alert,
    send_alert,
)
from etl.pipeline.alerts import Advice, advice_for
from etl.pipeline.batch import batch_plan, render_batch
from etl.pipeline.checks import check_inputs
from etl.pipeline.compute import compute_quarter
from etl.pipeline.export import export_quarter
from etl.pipeline.reports import ScopeRender
from etl.pipeline.resources import Resources
from etl.pipeline.runs import resolve_run
from etl.publish import publish_quarter
from etl.report import render_index
from etl.warehouse import available_scopes, connect

log = logging.getLogger(__name__)


def resolve(
    params: Mapping[str, Any],
    run: RunFacts,
    resources: Resources,
) -> dict[str, object]:
    """Validate the Params and the scopes against the warehouse; fix the quarter."""
    spec = resolve_run(
        quarter_param=params.get("quarter"),
        scopes_param=params.get("scopes"),
        language=params["language"],
        run_after=run.run_after,
        warehouse_url=resources.warehouse_url,
        run_id=run.run_id,
        settings=resources.settings,
        run_type=run.run_type,
        started=run.started,
    )
    return spec.as_dict()


def ingest(run_id: str, resources: Resources) -> dict[str, object]:
    """Files waiting in the inbox into the warehouse; a small summary for XCom and the log.

    Rows quarantined do not fail the run (the appendix counts them by rule); a rejected
    file does not either: it is registered with its reason and moved to `rejected/`.
    """
    from etl.pipeline.ingest import ingest_inbox

    report = ingest_inbox(resources.warehouse_url, resources.settings, run_id=run_id)
    for outcome in report.outcomes:
        if outcome.status == "rejected":
            log.error("%s rejected: %s", outcome.path.name, outcome.reason)
        for example in outcome.examples:
            log.warning("quarantined: %s", example)
    return {
        "files": len(report.outcomes),
        "loaded_rows": report.loaded_rows,
        "quarantined_rows": sum(o.rows_quarantined for o in report.outcomes),
        "rejected_files": [o.path.name for o in report.outcomes if o.status == "rejected"],
    }


def check(spec: Mapping[str, Any], resources: Resources) -> dict[str, object]:
    """The data contract for the run's quarter: an error fails the task at once (no retry)."""
    report = check_inputs(
        resources.warehouse_url,
        str(spec["quarter"]),
        resources.settings,
        resources.results_url,
        str(spec["run_id"]),
    )
    return {
        "quarter": report.quarter,
        "rules_checked": report.rules_checked,
        "warnings": [failure.line() for failure in report.warnings],
    }


@dataclass(frozen=True)
class RunFacts:
    """What Airflow knows about the run: its id, kind (manual/scheduled) and times."""

    run_id: str
    run_type: str
    run_after: dt.datetime | None
    started: dt.datetime | None


def compute(spec: Mapping[str, Any], resources: Resources) -> list[str]:
    """Survey indices and KPIs for every scope; returns the scopes to render."""
    compute_quarter(
        resources.warehouse_url,
        str(spec["quarter"]),
        str(spec["run_id"]),
        resources.settings,
        resources.results_url,
    )
    return list(spec["scopes"])


def render(
    scope: str,
    spec: Mapping[str, Any],
    params: Mapping[str, Any],
    resources: Resources,
    serial: bool = False,
) -> list[str]:
    """One scope's PDF in each language it is needed in; returns their paths.

    `serial`: the executor runs the mapped tasks one after another (`airflow dags test`); the
    first of them renders every scope in a process pool, and the later tasks find their
    reports done (etl.pipeline.batch).
    """
    job = ScopeRender(
        dict(spec), params.get("reason") or None, bool(params.get("deliver")),
        resources.warehouse_url, resources.results_url, resources.settings,
    )  # fmt: skip
    scopes = [str(code) for code in spec["scopes"]]
    plan = batch_plan(resources.settings, len(scopes), serial)
    # The first task to run (or one whose scope the pool could not render) finds its own
    # report out of date; a later task, or any on a rerun over unchanged data, finds it
    # current and starts no pool.
    if plan.batch and not job.current(scope):
        pending = [code for code in scopes if code == scope or not job.current(code)]
        log.info("render %s: %s of %s scopes to render (%s)", scope, len(pending), len(scopes),
                 plan.why)  # fmt: skip
        if len(pending) > 1:
            render_batch(pending, job, min(plan.processes, len(pending)))
    return job(scope)


def _scope_names(resources: Resources) -> dict[str, dict[str, str]]:
    scopes = available_scopes(connect(resources.warehouse_url))
    return {s.code: {"zh": s.name_zh, "en": s.name_en} for s in scopes}


def publish(spec: Mapping[str, Any], resources: Resources) -> str:
    """The analyst's workbook, reports/<quarter>/manifest.json and reports/index.html (which
    links the workbook); sweeps interrupted writes."""
    export_quarter(
        resources.warehouse_url, str(spec["quarter"]), str(spec["reports_dir"]),
        resources.results_url,
    )  # fmt: skip
    return publish_manifest(spec, resources)


def publish_manifest(spec: Mapping[str, Any], resources: Resources) -> str:
    """reports/<quarter>/manifest.json and reports/index.html, with every delivery status."""
    path = publish_quarter(
        connect(resources.results_url),
        str(spec["reports_dir"]),
        str(spec["quarter"]),
        str(spec["run_id"]),
        render_index,
        _scope_names(resources),
    )
    return str(path)


def deliver(
    spec: Mapping[str, Any], params: Mapping[str, Any], resources: Resources
) -> dict[str, object]:
    """E-mail each scope's PDF once per recipient; the manifest shows every status after."""
    if not params.get("deliver"):
        return {"quarter": spec["quarter"], "skipped": "deliver=false"}
    if spec.get("delivery_hold"):
        hold_notice(spec, resources)
        return {"quarter": spec["quarter"], "held": spec["delivery_hold"]}
    distribution = load_distribution()  # a broken list is a ConfigError: no retry heals it
    available = available_scopes(connect(resources.warehouse_url))
    try:
        report = deliver_quarter(
            connect(resources.results_url),
            str(spec["reports_dir"]),
            str(spec["quarter"]),
            [s for s in available if s.code in spec["scopes"]],
            {s.code for s in available},
            distribution,
            resources.transport(),
            str(spec["run_id"]),
            resend=bool(params.get("resend")),
            sender=resources.sender(),
            lease_seconds=resources.settings.delivery_lease_seconds,
        )
    finally:
        # The manifest shows every recipient's status, also when delivery failed (the
        # workbook the publish task wrote holds no delivery status: it is not written again).
        publish_manifest(spec, resources)
    return report.as_dict()


def hold_notice(spec: Mapping[str, Any], resources: Resources) -> list[str]:
    """Tell the operators that a late scheduled run held its delivery, and how to release it."""
    hold = str(spec["delivery_hold"])
    release = f"quarter={spec['quarter']}, deliver=true"
    advice = Advice(
        "held",
        "发送已暂缓：报告已生成并发布，但未发送任何邮件。"
        f"确认无误后，请在 Airflow 中以 {release} 手动触发 DAG 发送。",
        f"Delivery held: the reports are rendered and published, nothing was e-mailed. When "
        f"they are right, trigger the DAG in Airflow with {release} to send them.",
    )
    notice = FailedTask(
        "quarterly_satisfaction_report", str(spec["run_id"]), str(spec["quarter"]),
        "deliver_reports", None, None, hold, "", advice,
    )  # fmt: skip
    return alert(notice, resources)


@dataclass(frozen=True)
class FailedTask:
    """What the operators' alert says about a task that failed for good."""

    dag_id: str
    run_id: str
    quarter: str
    task_id: str
    map_index: int | None
    try_number: int | None
    error: str
    log_url: str
    advice: Advice = field(default_factory=advice_for)

    @property
    def subject(self) -> str:
        if self.advice.kind == "held":
            return f"[暂缓 HELD] {self.dag_id} {self.quarter}: delivery held (run {self.run_id})"
        if self.advice.kind == "retrying":
            return (
                f"[重试 RETRYING] {self.dag_id} {self.quarter}: task {self.task_id} failed, "
                f"retrying (run {self.run_id})"
            )
        return (
            f"[失败 FAILED] {self.dag_id} {self.quarter}: task {self.task_id} failed "
            f"(run {self.run_id})"
        )


def quarter_for_alert(resolved: Callable[[], object], params: Mapping[str, Any] | None) -> str:
    """The run's quarter: resolved by resolve_run if it got that far, else the Param.

    `resolved` reads resolve_run's result (XCom); the alert must go out whatever it raises.
    """
    try:
        spec = resolved()
    except Exception:
        spec = None
    if isinstance(spec, Mapping) and spec.get("quarter"):
        return str(spec["quarter"])
    param = (params or {}).get("quarter")
    return str(param) if param else "last complete quarter (not resolved)"


def alert(failure: FailedTask, resources: Resources) -> list[str]:
    """E-mail the operators; when the mail server is what failed, keep the alert in the outbox."""
    text = render_alert(
        dag_id=failure.dag_id,
        run_id=failure.run_id,
        quarter=failure.quarter,
        task_id=failure.task_id,
        map_index=failure.map_index,
        try_number=failure.try_number,
        error=failure.error,
        log_url=failure.log_url,
        advice=failure.advice,
    )
    distribution = load_distribution()
    transport = resources.transport()
    try:
        sent = send_alert(distribution, transport, failure.subject, text, resources.sender())
    except (smtplib.SMTPException, OSError) as exc:
        log.error("alert by e-mail failed (%s); writing it to the outbox", exc)
        sent = send_alert(
            distribution, OutboxTransport(Path(resources.outbox)), failure.subject, text
        )
    log.info("failure alert for %s/%s sent to %s", failure.quarter, failure.task_id, sent)
    return sent
