"""`satisfaction-report deliver`: e-mail a quarter's already-rendered reports without Airflow.

The same path as the DAG's deliver task (`tasks.deliver`): the quarter's delivery lock, the
claimed state machine of `deliver_quarter`, the manifest published after. So a CLI delivery
running beside a DAG run, or beside another CLI delivery, sends each message exactly once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from etl.core import ConfigError, Quarter, UserError, load_settings, select_scopes
from etl.delivery import DeliveryError
from etl.pipeline import tasks
from etl.pipeline.resources import ConnectionFields, Resources
from etl.pipeline.runs import RunSpec
from etl.warehouse import available_scopes, check_reachable, connect

SMTP_ENV = "AIRFLOW_CONN_SMTP_DEFAULT"  # the same connection URI the DAG's smtp_default reads


def smtp_connection(uri: str | None) -> ConnectionFields | None:
    """The fields of an Airflow SMTP connection URI; None (no URI) means the outbox folder.

    Errors name the variable and the rule, never the URI itself (it may carry a password).
    """
    if not uri:
        return None
    parts = urlsplit(uri)
    if parts.scheme not in {"smtp", "smtps", "email"} or not parts.hostname:
        raise ConfigError(
            f"{SMTP_ENV} is not an SMTP connection URI; expected "
            "smtp://[user:password@]host[:port][?disable_ssl=true&disable_tls=true]"
        )
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"{SMTP_ENV}: the port is not a number from 0 to 65535") from None
    return ConnectionFields(
        conn_type="smtp",
        host=unquote(parts.hostname),
        login=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        port=port,
        extra=dict(parse_qsl(parts.query)),
    )


def rendered_scopes(reports_dir: Path, quarter: str, scopes: Sequence[str]) -> list[str]:
    """The scopes with at least one rendered PDF of the quarter in the reports folder."""
    folder = reports_dir / quarter
    return [code for code in scopes if any(folder.glob(f"{code}.*.pdf"))]


def deliver_rendered(
    quarter_text: str,
    scopes_param: Sequence[str] | None,
    resources: Resources,
    run_id: str,
    resend: bool = False,
) -> Mapping[str, object]:
    """Deliver the quarter's rendered reports of the scopes (all when none are named).

    Bad input (a malformed quarter, an unknown scope, a quarter with nothing rendered)
    raises a UserError before anything is written; an incomplete delivery a DeliveryError.
    """
    quarter = str(Quarter.parse(quarter_text, field="--quarter"))
    engine = connect(resources.warehouse_url)
    check_reachable(engine)
    scopes = [s.code for s in select_scopes(available_scopes(engine), list(scopes_param or []))]
    reports_dir = resources.settings.path("reports")
    if not rendered_scopes(reports_dir, quarter, scopes):
        raise UserError(
            f"--quarter {quarter}: no rendered report of {', '.join(scopes)} in "
            f"{reports_dir / quarter}; render them first "
            f"(`satisfaction-report run --quarter {quarter}`)"
        )
    spec = RunSpec(
        quarter=quarter,
        scopes=scopes,
        language="zh-CN",  # unused by delivery: each recipient gets their list's language
        reports_dir=str(reports_dir),
        run_id=run_id,
    )
    return tasks.deliver(spec.as_dict(), {"deliver": True, "resend": resend}, resources)


def cmd_deliver(args: argparse.Namespace) -> int:
    """Exit 0 when everyone has the report, 1 when someone does not (listed), 2 on bad input."""
    settings = load_settings()
    resources = Resources(
        warehouse_url=args.warehouse or settings.warehouse_url,
        smtp=smtp_connection(os.environ.get(SMTP_ENV)),
        settings=settings,
        store_url=args.results or settings.results_url,
    )
    run_id = args.run_id or f"cli__deliver__{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}"
    try:
        outcome = deliver_rendered(args.quarter, args.scope, resources, run_id, args.resend)
    except DeliveryError as exc:
        # Recipients without their report (each named), or another attempt holds the lock.
        print(f"error: {exc}", file=sys.stderr)
        return 1
    counts = outcome.get("counts") or {}
    said = ", ".join(f"{n} {status}" for status, n in dict(counts).items() if n)
    print(f"{outcome['quarter']} via {outcome['channel']}: {said or 'nothing to deliver'}")
    return 0


def add_deliver_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    deliver = commands.add_parser(
        "deliver",
        help="e-mail a quarter's rendered reports (exactly once per file and person)",
        description="E-mail the rendered reports of a quarter to the distribution list, as "
        "the DAG's deliver task does: through the mail server of "
        f"{SMTP_ENV} (an Airflow connection URI), else to the outbox folder. Already "
        "delivered messages are not sent again; concurrent deliveries of one quarter wait "
        "for each other. Exit 0: everyone has the report; 1: someone does not (each named); "
        "2: bad input.",
    )
    deliver.add_argument("--quarter", required=True, help="e.g. 2026-Q3")
    deliver.add_argument(
        "--scope", action="append", help="company or a branch code; repeat; default all"
    )
    deliver.add_argument(
        "--resend",
        action="store_true",
        help="also to people who have it (again, or a new revision held for them)",
    )
    deliver.add_argument(
        "--warehouse", help="SQLAlchemy URL (default: SATISFACTION_WAREHOUSE_URL or the demo file)"
    )
    deliver.add_argument(
        "--results", help="results store URL (default: SATISFACTION_RESULTS_URL or the warehouse)"
    )
    deliver.add_argument("--run-id", help="recorded in the delivery log (default cli__deliver__…)")
    deliver.set_defaults(func=cmd_deliver)
