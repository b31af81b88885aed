"""
### Quarterly customer-service satisfaction assessment (保险行业客户服务满意度评估)

At 06:00 Asia/Shanghai on each quarter's first day, for the quarter just ended: check the
warehouse against the data contract (an error stops the run), compute every
index and KPI from the warehouse (`satisfaction_warehouse`, else the demo file), render one
PDF per scope into `reports/<quarter>/`, publish the manifest and index, e-mail each PDF via
`smtp_default` (else the outbox folder). Manual runs take `quarter`, `scopes`, `language`,
`deliver`, `resend`, `reason`: unchanged data send nothing, corrected data make revision v2 …
(docs/operations.md). The work is done by `etl.pipeline`; this file only wires it.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import (
    Asset,
    AssetOrTimeSchedule,
    BaseNotifier,
    Context,
    CronTriggerTimetable,
    Param,
    dag,
    get_current_context,
    task,
)

from etl.core.config import load_settings
from etl.core.form import trigger_form

WAREHOUSE_CONN_ID = "satisfaction_warehouse"
RESULTS_CONN_ID = "satisfaction_results"
# Emitted when the inbox loaded new rows; a run is scheduled by it as well as by the quarter.
SURVEY_DATA = Asset("satisfaction_survey_data", uri="satisfaction://warehouse/survey-data")
SMTP_CONN_ID = "smtp_default"
TIMEZONE = "Asia/Shanghai"


def _resources() -> object:
    """etl's resources from the connections' plain fields (inside a task, never at parse time)."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    from etl.pipeline import ConnectionFields, resources_from

    def fields(conn_id: str) -> ConnectionFields | None:
        try:
            c = BaseHook.get_connection(conn_id)
        except AirflowNotFoundException:
            return None  # the embedded default: the demo warehouse, the outbox folder
        return ConnectionFields(
            c.conn_type, c.host, c.login, c.password, c.port, c.schema, c.extra_dejson
        )

    return resources_from(
        fields(WAREHOUSE_CONN_ID), fields(SMTP_CONN_ID), results=fields(RESULTS_CONN_ID)
    )


def _run(step: str, *args: object, **options: object) -> object:
    """`etl.pipeline.tasks.<step>(*args, resources)`; errors no retry can fix fail at once."""
    from airflow.sdk.exceptions import AirflowFailException

    from etl.core.errors import PermanentError
    from etl.pipeline import tasks

    try:
        return getattr(tasks, step)(*args, _resources(), **options)
    except PermanentError as exc:
        raise AirflowFailException(str(exc)) from exc


class OperatorAlert(BaseNotifier):
    """E-mails the operators when a task fails: which task and quarter, and what to do.

    `retrying=True` (on_retry_callback): the failure looked transient and Airflow retries it.
    """

    def __init__(self, retrying: bool = False) -> None:
        super().__init__()
        self.retrying = retrying

    def notify(self, context: Context) -> None:
        import functools

        from etl.pipeline.alerts import advice_for
        from etl.pipeline.tasks import FailedTask, quarter_for_alert

        ti, run, error = context["ti"], context["dag_run"], context.get("exception")
        spec = functools.partial(ti.xcom_pull, task_ids="resolve_run")
        _run("alert", FailedTask(
            ti.dag_id, run.run_id, quarter_for_alert(spec, context.get("params")), ti.task_id,
            getattr(ti, "map_index", None), getattr(ti, "try_number", None),
            str(error or "see the task log"), getattr(ti, "log_url", ""),
            advice_for(error, will_retry=self.retrying),
        ))  # fmt: skip


def _params() -> dict[str, Param]:
    """The trigger form: choices from the settings files and the clock, never the warehouse."""
    form = trigger_form(load_settings(), dt.datetime.now(dt.UTC))
    return {
        name: Param(f.default, description=f.description, **f.schema) for name, f in form.items()
    }


PARAMS = _params()
# Renders take a slot each of this pool (`[render] pool`), which caps them across the workers;
# the set-up creates it (README "Sizing the workers").
RENDER_POOL = load_settings().render_pool.name


MINUTES_10 = dt.timedelta(minutes=10)
ONE_HOUR = dt.timedelta(hours=1)


@dag(
    dag_id="quarterly_satisfaction_report",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 6 1 1,4,7,10 *", timezone=TIMEZONE), assets=SURVEY_DATA
    ),
    start_date=pendulum.datetime(2024, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["customer-experience", "quarterly", "report"],
    default_args={
        "owner": "customer-experience",
        "retries": 0,
        # Every task has a timeout: a hung render or SMTP session fails (and alerts) instead
        # of holding a worker slot for ever; each task below sets its own.
        "execution_timeout": ONE_HOUR,
        "on_failure_callback": [OperatorAlert()],
        "on_retry_callback": [OperatorAlert(retrying=True)],
    },
    params=PARAMS,
)
def quarterly_satisfaction_report() -> None:
    @task(retries=2, retry_delay=dt.timedelta(minutes=1), outlets=[SURVEY_DATA],
          execution_timeout=ONE_HOUR)  # fmt: skip
    def ingest_inbox() -> dict[str, object]:
        """Survey exports and feedback files in the inbox into the warehouse (rows that break
        a rule are quarantined). Nothing new: skipped, so no survey-data event is emitted."""
        from airflow.sdk.exceptions import AirflowSkipException

        summary = _run("ingest", get_current_context()["dag_run"].run_id)
        if not summary["loaded_rows"]:  # type: ignore[index]
            raise AirflowSkipException(f"nothing new in the inbox: {summary}")
        return summary  # type: ignore[return-value]

    @task(retries=2, retry_delay=dt.timedelta(minutes=1), trigger_rule="none_failed",
          execution_timeout=MINUTES_10)  # fmt: skip
    def resolve_run() -> dict[str, object]:
        """Validate the Params and the scopes against the warehouse; fix the quarter."""
        from etl.pipeline.tasks import RunFacts

        ctx = get_current_context()
        run = ctx["dag_run"]
        kind = str(getattr(run.run_type, "value", run.run_type))
        facts = RunFacts(run.run_id, kind, run.run_after, run.start_date)
        return _run("resolve", ctx["params"], facts)

    @task(retries=0, execution_timeout=dt.timedelta(hours=1))
    def check_inputs(spec: dict[str, object]) -> dict[str, object]:
        """The data contract for the quarter: an error fails fast, before anything is computed."""
        return _run("check", spec)

    @task(retries=3, retry_delay=dt.timedelta(minutes=2), retry_exponential_backoff=True,
          execution_timeout=dt.timedelta(hours=2))  # fmt: skip
    def compute_indices(spec: dict[str, object]) -> list[str]:
        """Survey indices and KPIs for every scope, stored in the results table."""
        return _run("compute", spec)

    @task(retries=2, retry_delay=dt.timedelta(minutes=1), map_index_template="{{ scope_code }}",
          execution_timeout=dt.timedelta(minutes=30), pool=RENDER_POOL, pool_slots=1)  # fmt: skip
    def render_report(scope: str, spec: dict[str, object]) -> list[str]:
        """One scope's PDF in the run's language and in any language its recipients read."""
        ctx = get_current_context()
        ctx["scope_code"] = scope  # type: ignore[typeddict-unknown-key]
        # `airflow dags test` (make demo) runs mapped tasks one at a time: the first renders
        # every scope in a process pool ([render] processes), the others find theirs done.
        serial = getattr(ctx["dag_run"], "triggering_user_name", None) == "dag_test"
        return _run("render", scope, spec, ctx["params"], serial=serial)

    @task(retries=2, retry_delay=dt.timedelta(minutes=1), execution_timeout=MINUTES_10)
    def publish_reports(spec: dict[str, object]) -> str:
        """reports/<quarter>/manifest.json and reports/index.html; sweeps interrupted writes."""
        return _run("publish", spec)

    @task(retries=3, retry_delay=dt.timedelta(minutes=5), retry_exponential_backoff=True,
          max_retry_delay=dt.timedelta(hours=1), execution_timeout=ONE_HOUR)  # fmt: skip
    def deliver_reports(spec: dict[str, object]) -> dict[str, object]:
        """E-mail each scope's PDF once per recipient; fails (and retries) until all arrive."""
        return _run("deliver", spec, get_current_context()["params"])

    spec = resolve_run()
    ingest_inbox() >> spec
    scopes = compute_indices(spec)
    check_inputs(spec) >> scopes
    rendered = render_report.partial(spec=spec).expand(scope=scopes)
    rendered >> publish_reports(spec) >> deliver_reports(spec)


quarterly_satisfaction_report()
