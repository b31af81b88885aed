"""
### Quarterly customer-service satisfaction assessment (保险行业客户服务满意度评估)

Runs at 06:00 Asia/Shanghai on the first day of each quarter and reports the quarter
that has just ended. Reads survey results and operational data from the warehouse
(Airflow connection `satisfaction_warehouse`; the embedded demo SQLite file when the
connection is not defined), stores every index and KPI in the results table, and
renders one PDF per scope (company, each branch) into `reports/<quarter>/`.

**Manual runs** (Trigger DAG w/ config): `quarter` like `2026-Q3` (default: the last
complete quarter before the run date), `scopes` (default: all), `language`
(`zh-CN` or `en`), `deliver`, `resend`, `reason`.

The work is done by the `etl` package; this file only wires it.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, dag, get_current_context, task

from etl.periods import QUARTER_PATTERN

WAREHOUSE_CONN_ID = "satisfaction_warehouse"
TIMEZONE = "Asia/Shanghai"


def _warehouse_url() -> str:
    """The warehouse's SQLAlchemy URL from the Airflow connection, else the demo file.

    Resolved inside each task (never at parse time) and never passed through XCom,
    because it may carry a password.
    """
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    from etl.config import load_settings
    from etl.warehouse import url_from_connection

    try:
        conn = BaseHook.get_connection(WAREHOUSE_CONN_ID)
    except AirflowNotFoundException:
        return load_settings().warehouse_url
    url = url_from_connection(
        conn.conn_type, conn.host, conn.login, conn.password, conn.port, conn.schema
    )
    return url.render_as_string(hide_password=False)


@dag(
    dag_id="quarterly_satisfaction_report",
    schedule=CronTriggerTimetable("0 6 1 1,4,7,10 *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2024, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["customer-experience", "quarterly", "report"],
    default_args={"owner": "customer-experience", "retries": 0},
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
        "deliver": Param(True, type="boolean", description="E-mail the reports."),
        "resend": Param(False, type="boolean", description="Send again what was already sent."),
        "reason": Param("", type="string", description="Why this run was triggered (rerun note)."),
    },
)
def quarterly_satisfaction_report() -> None:
    @task(retries=2, retry_delay=dt.timedelta(minutes=1))
    def resolve_run() -> dict[str, object]:
        """Validate the Params and the scopes against the warehouse; fix the quarter."""
        from etl.pipeline import resolve_run as resolve

        context = get_current_context()
        params = context["params"]
        dag_run = context["dag_run"]
        spec = resolve(
            quarter_param=params.get("quarter"),
            scopes_param=params.get("scopes"),
            language=params["language"],
            run_after=dag_run.run_after,
            warehouse_url=_warehouse_url(),
            run_id=dag_run.run_id,
        )
        return spec.as_dict()

    @task(retries=3, retry_delay=dt.timedelta(minutes=2), retry_exponential_backoff=True)
    def compute_indices(spec: dict[str, object]) -> list[str]:
        """Survey indices and KPIs for every scope, stored in the results table."""
        from etl.pipeline import compute_quarter

        compute_quarter(_warehouse_url(), str(spec["quarter"]), str(spec["run_id"]))
        return list(spec["scopes"])  # type: ignore[call-overload]

    @task(retries=2, retry_delay=dt.timedelta(minutes=1), map_index_template="{{ scope_code }}")
    def render_report(scope: str, spec: dict[str, object]) -> str:
        """One scope's PDF; returns its path."""
        from etl.pipeline import render_scope

        get_current_context()["scope_code"] = scope  # type: ignore[typeddict-unknown-key]
        return render_scope(
            _warehouse_url(),
            str(spec["quarter"]),
            scope,
            str(spec["language"]),
            str(spec["reports_dir"]),
            str(spec["run_id"]),
        )

    spec = resolve_run()
    scopes = compute_indices(spec)
    render_report.partial(spec=spec).expand(scope=scopes)


quarterly_satisfaction_report()
