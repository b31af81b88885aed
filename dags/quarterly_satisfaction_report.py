"""
### Quarterly customer-service satisfaction assessment (保险行业客户服务满意度评估)

Runs at 06:00 Asia/Shanghai on the first day of each quarter and reports the quarter
that has just ended. Reads survey results and operational data from the warehouse
(Airflow connection `satisfaction_warehouse`; the embedded demo SQLite file when the
connection is not defined), stores every index and KPI in the results table, renders
one PDF per scope (company, each branch) into `reports/<quarter>/`, publishes
`reports/<quarter>/manifest.json` and `reports/index.html`, and e-mails each scope's
PDF to its distribution list (`etl/defaults/recipients.toml`, or the file named by
`SATISFACTION_RECIPIENTS`) through the connection `smtp_default` — or, when that
connection is not defined, writes the messages as .eml files to the outbox folder.

**Manual runs** (Trigger DAG w/ config): `quarter` like `2026-Q3` (default: the last
complete quarter before the run date), `scopes` (default: all), `language`
(`zh-CN` or `en`), `deliver`, `resend`, `reason`.

- Unchanged data: the rerun reproduces the same PDFs (same revision) and sends nothing.
- Corrected data: the report becomes the next revision (v2, v3 …) with `reason` and
  date on its cover; the earlier file stays in `reports/<quarter>/archive/`. Recipients
  who already had an earlier revision get the new one only when `resend` is true.
- `resend`: send again to recipients who already received the report, once per run.

A failed task (after its retries) e-mails the operators listed in the distribution list.
The "Reports" tab of each run and the "Reports" menu open the PDFs.

The work is done by the `etl` package; this file only wires it.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import (
    BaseNotifier,
    Context,
    CronTriggerTimetable,
    Param,
    dag,
    get_current_context,
    task,
)

from etl.core.periods import QUARTER_PATTERN

WAREHOUSE_CONN_ID = "satisfaction_warehouse"
SMTP_CONN_ID = "smtp_default"
TIMEZONE = "Asia/Shanghai"


def _warehouse_url() -> str:
    """The warehouse's SQLAlchemy URL from the Airflow connection, else the demo file.

    Resolved inside each task (never at parse time) and never passed through XCom,
    because it may carry a password.
    """
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    from etl.core.config import load_settings
    from etl.warehouse import url_from_connection

    try:
        conn = BaseHook.get_connection(WAREHOUSE_CONN_ID)
    except AirflowNotFoundException:
        return load_settings().warehouse_url
    url = url_from_connection(
        conn.conn_type, conn.host, conn.login, conn.password, conn.port, conn.schema
    )
    return url.render_as_string(hide_password=False)


def _transport() -> object:
    """SMTP through the connection `smtp_default`, else the outbox folder (embedded default)."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    from etl.core.config import load_settings
    from etl.delivery.send import OutboxTransport, SmtpTransport, smtp_settings_from_connection

    try:
        conn = BaseHook.get_connection(SMTP_CONN_ID)
    except AirflowNotFoundException:
        return OutboxTransport(load_settings().path("outbox"))
    return SmtpTransport(
        smtp_settings_from_connection(
            conn.host, conn.port, conn.login, conn.password, conn.extra_dejson
        )
    )


def _sender(transport: object) -> str | None:
    """The connection's `from_email` extra, when set, overrides the distribution list's."""
    settings = getattr(transport, "settings", None)
    return getattr(settings, "from_address", None)


class OperatorAlert(BaseNotifier):
    """E-mails the operators when a task has failed for good, naming the task and quarter."""

    def notify(self, context: Context) -> None:
        import smtplib

        from etl.core.config import load_settings
        from etl.delivery.send import OutboxTransport, load_distribution, render_alert, send_alert

        ti = context["ti"]
        dag_run = context["dag_run"]
        quarter = _quarter_of(context)
        subject = (
            f"[失败 FAILED] {ti.dag_id} {quarter}: task {ti.task_id} failed (run {dag_run.run_id})"
        )
        text = render_alert(
            dag_id=ti.dag_id,
            run_id=dag_run.run_id,
            quarter=quarter,
            task_id=ti.task_id,
            map_index=getattr(ti, "map_index", None),
            try_number=getattr(ti, "try_number", None),
            error=str(context.get("exception") or "see the task log"),
            log_url=getattr(ti, "log_url", ""),
        )
        distribution = load_distribution()
        transport = _transport()
        try:
            sent = send_alert(distribution, transport, subject, text, _sender(transport))
        except (smtplib.SMTPException, OSError) as exc:
            # The mail server may be the very thing that failed: keep the alert in the outbox.
            where = getattr(transport, "description", SMTP_CONN_ID)
            self.log.error("alert via %s failed (%s); writing it to the outbox", where, exc)
            outbox = OutboxTransport(load_settings().path("outbox"))
            sent = send_alert(distribution, outbox, subject, text)
        self.log.info("failure alert for %s/%s sent to %s", quarter, ti.task_id, sent)


def _quarter_of(context: Context) -> str:
    """The run's quarter: resolved by resolve_run if it got that far, else the Param."""
    try:
        spec = context["ti"].xcom_pull(task_ids="resolve_run")
    except Exception:  # the alert must go out whatever XCom says
        spec = None
    if isinstance(spec, dict) and spec.get("quarter"):
        return str(spec["quarter"])
    param = (context.get("params") or {}).get("quarter")
    return str(param) if param else "last complete quarter (not resolved)"


@dag(
    dag_id="quarterly_satisfaction_report",
    schedule=CronTriggerTimetable("0 6 1 1,4,7,10 *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2024, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["customer-experience", "quarterly", "report"],
    default_args={
        "owner": "customer-experience",
        "retries": 0,
        "on_failure_callback": [OperatorAlert()],
    },
    params={
        "quarter": Param(
            None,
            type=["null", "string"],
            pattern=QUARTER_PATTERN,
            description="Quarter to report, e.g. 2026-Q3; empty = last complete quarter.",
        ),
        "scopes": Param(
            [],
            type="array",
            items={"type": "string"},
            description="Scopes to render: company and/or branch codes; empty = all.",
        ),
        "language": Param("zh-CN", enum=["zh-CN", "en"], description="Report language."),
        "deliver": Param(
            True,
            type="boolean",
            description="E-mail each scope's PDF to its distribution list; a rerun over "
            "unchanged data sends nothing new.",
        ),
        "resend": Param(
            False,
            type="boolean",
            description="Send again to recipients who already received this quarter's report "
            "(the same file, or the new revision after a data correction), once per run.",
        ),
        "reason": Param(
            "",
            type="string",
            description="Why this rerun: printed on the cover of a new revision (v2, v3 …).",
        ),
    },
)
def quarterly_satisfaction_report() -> None:
    @task(retries=2, retry_delay=dt.timedelta(minutes=1))
    def resolve_run() -> dict[str, object]:
        """Validate the Params and the scopes against the warehouse; fix the quarter."""
        from airflow.sdk.exceptions import AirflowFailException

        from etl.core.periods import QuarterError
        from etl.core.scopes import UnknownScopeError
        from etl.pipeline import resolve_run as resolve
        from etl.report.pdf import RenderError

        context = get_current_context()
        params = context["params"]
        dag_run = context["dag_run"]
        try:
            spec = resolve(
                quarter_param=params.get("quarter"),
                scopes_param=params.get("scopes"),
                language=params["language"],
                run_after=dag_run.run_after,
                warehouse_url=_warehouse_url(),
                run_id=dag_run.run_id,
            )
        except (QuarterError, UnknownScopeError, RenderError) as exc:
            # A wrong Param does not heal by waiting: fail now; an unreachable warehouse
            # (WarehouseError) is retried.
            raise AirflowFailException(str(exc)) from exc
        return spec.as_dict()

    @task(retries=3, retry_delay=dt.timedelta(minutes=2), retry_exponential_backoff=True)
    def compute_indices(spec: dict[str, object]) -> list[str]:
        """Survey indices and KPIs for every scope, stored in the results table."""
        from etl.pipeline import compute_quarter

        compute_quarter(_warehouse_url(), str(spec["quarter"]), str(spec["run_id"]))
        return list(spec["scopes"])  # type: ignore[call-overload]

    @task(retries=2, retry_delay=dt.timedelta(minutes=1), map_index_template="{{ scope_code }}")
    def render_report(scope: str, spec: dict[str, object]) -> list[str]:
        """One scope's PDF in the run's language and in any language its recipients read."""
        import logging

        from etl.core.config import ConfigError
        from etl.delivery.send import load_distribution
        from etl.pipeline import render_scope

        context = get_current_context()
        context["scope_code"] = scope  # type: ignore[typeddict-unknown-key]
        params = context["params"]
        languages = [str(spec["language"])]
        if params.get("deliver"):
            try:
                languages += load_distribution().languages_for(scope)
            except ConfigError as exc:
                # Rendering must not wait on the mailing list; deliver_reports reports it.
                logging.getLogger(__name__).warning(
                    "distribution list unusable, rendering %s only: %s", languages, exc
                )
        return [
            render_scope(
                _warehouse_url(),
                str(spec["quarter"]),
                scope,
                language,
                str(spec["reports_dir"]),
                str(spec["run_id"]),
                reason=params.get("reason") or None,
            )
            for language in dict.fromkeys(languages)
        ]

    @task(retries=2, retry_delay=dt.timedelta(minutes=1))
    def publish_reports(spec: dict[str, object]) -> str:
        """reports/<quarter>/manifest.json and reports/index.html; sweeps interrupted writes."""
        from etl.publish.archive import publish_quarter
        from etl.warehouse import available_scopes, connect

        engine = connect(_warehouse_url())
        names = {s.code: {"zh": s.name_zh, "en": s.name_en} for s in available_scopes(engine)}
        path = publish_quarter(
            engine, str(spec["reports_dir"]), str(spec["quarter"]), str(spec["run_id"]), names
        )
        return str(path)

    @task(
        retries=3,
        retry_delay=dt.timedelta(minutes=5),
        retry_exponential_backoff=True,
        max_retry_delay=dt.timedelta(hours=1),
    )
    def deliver_reports(spec: dict[str, object]) -> dict[str, object]:
        """E-mail each scope's PDF once per recipient; fails (and retries) until all arrive."""
        from airflow.sdk.exceptions import AirflowFailException

        from etl.core.config import ConfigError
        from etl.delivery.send import deliver_quarter, load_distribution
        from etl.publish.archive import publish_quarter
        from etl.warehouse import available_scopes, connect

        params = get_current_context()["params"]
        if not params.get("deliver"):
            return {"quarter": spec["quarter"], "skipped": "deliver=false"}
        try:
            distribution = load_distribution()
        except ConfigError as exc:
            # A broken list does not heal by waiting: fail now, without the retries.
            raise AirflowFailException(str(exc)) from exc
        engine = connect(_warehouse_url())
        available = available_scopes(engine)
        names = {s.code: {"zh": s.name_zh, "en": s.name_en} for s in available}
        transport = _transport()
        try:
            report = deliver_quarter(
                engine,
                str(spec["reports_dir"]),
                str(spec["quarter"]),
                [s for s in available if s.code in spec["scopes"]],  # type: ignore[operator]
                {s.code for s in available},
                distribution,
                transport,
                str(spec["run_id"]),
                resend=bool(params.get("resend")),
                sender=_sender(transport),
            )
        finally:
            # The manifest shows every recipient's status, also when delivery failed.
            publish_quarter(
                engine, str(spec["reports_dir"]), str(spec["quarter"]), str(spec["run_id"]), names
            )
        return report.as_dict()

    spec = resolve_run()
    scopes = compute_indices(spec)
    rendered = render_report.partial(spec=spec).expand(scope=scopes)
    published = publish_reports(spec)
    rendered >> published >> deliver_reports(spec)


quarterly_satisfaction_report()
