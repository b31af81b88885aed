"""`satisfaction-report`: build the demo, check a warehouse, run and deliver a quarter, open it."""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from etl.core import ConfigError, Quarter, QuarterError, last_complete_quarter, load_settings

ERRORS_USERS_CAN_FIX: tuple[type[Exception], ...] = (QuarterError, ConfigError)


def _user_errors() -> tuple[type[Exception], ...]:
    """Error types whose message is the whole story: printed without a traceback."""
    from etl.core import UnknownScopeError, UserError
    from etl.report import RenderError
    from etl.report.i18n import LanguageError
    from etl.survey import IndexInputError, RakingError, SurveyDataError
    from etl.warehouse import WarehouseError

    return (
        UserError,
        *ERRORS_USERS_CAN_FIX,
        UnknownScopeError,
        WarehouseError,
        SurveyDataError,
        RenderError,
        LanguageError,
        IndexInputError,
        RakingError,
    )


def _default_through() -> Quarter:
    settings = load_settings()
    return last_complete_quarter(dt.datetime.now(dt.UTC), settings.timezone)


def _demo_sources_digest() -> str:
    """sha256 over the schema files and the generator, so --reuse notices code changes."""
    from etl import demo
    from etl.warehouse import SCHEMA_DIR, SQL_DIR, STORE_SCHEMA_DIR, bulk

    digest = hashlib.sha256()
    for path in [
        *sorted(SCHEMA_DIR.glob("*.sql")),
        *sorted(STORE_SCHEMA_DIR.glob("*.sql")),
        *sorted((SQL_DIR / "demo").glob("*.sql")),
        *sorted(Path(demo.__file__).parent.glob("*.py")),
        Path(bulk.__file__),
    ]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cmd_demo(args: argparse.Namespace) -> int:
    """Build the demo warehouse (SQLite file by default, or any empty database by URL)."""
    from etl import demo
    from etl.warehouse import connect, new_sqlite_file

    settings = load_settings()
    through = Quarter.parse(args.through, field="--through") if args.through else _default_through()
    plan = demo.DemoPlan(
        through=through, quarters=args.quarters, seed=args.seed, size=demo.SCALES[args.scale]
    )
    fingerprint = {
        "through": str(plan.through),
        "quarters": plan.quarters,
        "seed": plan.seed,
        "scale": args.scale,
        # A changed schema or generator makes a different warehouse: rebuild, never reuse.
        "sources": _demo_sources_digest(),
    }
    started = time.perf_counter()
    if args.warehouse:
        new_sqlite_file(args.warehouse)
        rows = demo.build(connect(args.warehouse), plan)
        print(f"demo warehouse written to {args.warehouse}: {demo.describe(rows)}")
        return 0
    target = settings.path("warehouse")
    sidecar = target.with_suffix(target.suffix + ".json")
    if (
        args.reuse
        and target.exists()
        and sidecar.exists()
        and json.loads(sidecar.read_text()) == fingerprint
    ):
        print(f"demo warehouse {target} is up to date ({plan.through}, seed {plan.seed}); reused")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build beside the target and rename: a failed build never leaves half a warehouse.
    building = target.with_suffix(target.suffix + ".building")
    building.unlink(missing_ok=True)
    building.touch()
    try:
        rows = demo.build(connect(f"sqlite:///{building}"), plan)
        os.replace(building, target)
    except BaseException:
        building.unlink(missing_ok=True)
        raise
    sidecar.write_text(json.dumps(fingerprint))
    print(
        f"demo warehouse {target} ({plan.first}–{plan.through}, seed {plan.seed}) built in "
        f"{time.perf_counter() - started:.1f} s: {demo.describe(rows)}"
    )
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Compute and render a quarter in this process, as the DAG would."""
    from etl import pipeline

    settings = load_settings()
    url = args.warehouse or settings.warehouse_url
    results_url = args.results or settings.results_url
    run_id = args.run_id or f"cli__{args.quarter or 'latest'}"
    spec = pipeline.resolve_run(
        quarter_param=args.quarter,
        scopes_param=args.scope,
        language=args.language,
        run_after=dt.datetime.now(dt.UTC),
        warehouse_url=url,
        run_id=run_id,
        settings=settings,
    )
    for path in pipeline.run(spec, url, results_url):
        print(path)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Check the warehouse against the data contract: one line per failed rule and a summary."""
    from etl import pipeline

    settings = load_settings()
    quarter = Quarter.parse(args.quarter, field="--quarter") if args.quarter else _default_through()
    report = pipeline.contract_report(args.warehouse or settings.warehouse_url, str(quarter))
    for line in report.lines():
        print(line)
    return report.exit_code


def cmd_open(args: argparse.Namespace) -> int:
    """Print the PDF's path, or open it with the desktop's viewer."""
    from etl.pipeline import report_path

    settings = load_settings()
    quarter = (
        Quarter.parse(args.quarter, field="--quarter")
        if args.quarter
        else _latest_quarter(settings.path("reports"))
    )
    path = report_path(settings.path("reports"), str(quarter), args.scope, args.language)
    if not path.exists():
        available = (
            sorted(p.name for p in path.parent.glob("*.pdf")) if path.parent.exists() else []
        )
        print(
            f"error: no report {path}; available for {quarter}: {available or 'none'}",
            file=sys.stderr,
        )
        return 2
    opener = shutil.which("xdg-open")
    if args.print or not opener or not os.environ.get("DISPLAY"):
        print(path)
        return 0
    subprocess.run([opener, str(path)], check=False)
    return 0


def _print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def cmd_ingest(args: argparse.Namespace) -> int:
    """Load survey exports, feedback and mystery-shop files; print what each file gave."""
    from etl.ingest.export import write_quarantine_csv
    from etl.pipeline.ingest import ingest_paths, ingest_table

    settings = load_settings()
    paths = [Path(p) for p in args.paths] if args.paths else [settings.path("inbox")]
    report = ingest_paths(
        args.warehouse or settings.warehouse_url,
        paths,
        settings,
        mapping=Path(args.mapping) if args.mapping else None,
        run_id=args.run_id,
    )
    _print_table(ingest_table(report))
    for outcome in report.outcomes:
        if outcome.status == "rejected":
            print(f"error: {outcome.path}: rejected: {outcome.reason}", file=sys.stderr)
        for example in outcome.examples:
            print(f"quarantined: {example}", file=sys.stderr)
        if outcome.rows_quarantined > len(outcome.examples):
            more = outcome.rows_quarantined - len(outcome.examples)
            print(
                f"… and {more} more quarantined rows of {outcome.path.name} "
                "(--quarantine-csv FILE writes them all)",
                file=sys.stderr,
            )
    if args.quarantine_csv and len(report.quarantine):
        write_quarantine_csv(report.quarantine, Path(args.quarantine_csv))
    if report.rejected:
        return 2
    return 1 if report.quarantined and not args.allow_quarantine else 0


def _latest_quarter(reports: Path) -> Quarter:
    quarters = sorted(Quarter.parse(p.name) for p in reports.glob("*-Q*") if p.is_dir())
    if not quarters:
        raise QuarterError(f"no quarters under {reports}; run `satisfaction-report run` first")
    return quarters[-1]


def _mapping_help() -> str:
    from etl.ingest.mapping import MAPPING_HELP

    return MAPPING_HELP + "\nWorked examples per format: docs/ingest.md\n"


def _ingest_parser(commands) -> None:
    ingest = commands.add_parser(
        "ingest",
        help="load survey exports, feedback and mystery-shop files",
        description="Load files (or every file of an inbox folder, moving each to its "
        "archive/ or rejected/ folder) into the warehouse. Exit 0: every row loaded; 1: rows "
        "were quarantined (0 with --allow-quarantine); 2: a file was rejected.",
        epilog=_mapping_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ingest.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or inbox folders (default: the configured inbox)",
    )
    ingest.add_argument("--mapping", help="TOML mapping file (keys below)")
    ingest.add_argument(
        "--warehouse", help="SQLAlchemy URL (default: SATISFACTION_WAREHOUSE_URL or the demo file)"
    )
    ingest.add_argument(
        "--allow-quarantine", action="store_true", help="exit 0 even when rows were quarantined"
    )
    ingest.add_argument(
        "--quarantine-csv",
        metavar="FILE",
        help="write every quarantined row (file, row, column, rule) to a CSV",
    )
    ingest.add_argument("--run-id", help="recorded with each file (default: none)")
    ingest.set_defaults(func=cmd_ingest)


def cmd_actions(args: argparse.Namespace) -> int:
    """List, show, update or close improvement actions in the results store."""
    from etl.pipeline import actions
    from etl.targets.workflow import ActionChange, parse_day

    settings = load_settings()
    store = args.results or settings.results_url or settings.warehouse_url
    on = parse_day(args.on, "--on") if args.on else dt.datetime.now(dt.UTC).date()
    if args.verb == "list":
        rows = actions.list_actions(store, on, settings, args.scope, args.status)
        _print_table(actions.actions_table(rows))
        return 0
    if args.verb == "show":
        print("\n".join(actions.action_lines(*actions.show_action(store, args.action_id))))
        return 0
    status = args.status if args.verb == "update" else args.as_
    change = ActionChange(
        action_id=args.action_id, changed_on=on, changed_by=args.by, note=args.note or "",
        status=status, department=getattr(args, "department", None),
        owner=getattr(args, "owner", None),
        due_on=parse_day(args.due, "--due") if getattr(args, "due", None) else None,
        target_value=getattr(args, "target", None),
    )  # fmt: skip
    state = actions.change_action(store, change)
    print(f"{args.action_id}: {state['changes'] or 'note added'}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write the analyst's workbook of a computed quarter and print its path."""
    from etl.pipeline.export import export_quarter

    settings = load_settings()
    quarter = Quarter.parse(args.quarter, field="--quarter") if args.quarter else _default_through()
    print(
        export_quarter(
            args.warehouse or settings.warehouse_url, str(quarter), settings.path("reports"),
            args.results or settings.results_url, args.output,
        )
    )  # fmt: skip
    return 0


def _actions_parser(commands) -> None:
    verbs = commands.add_parser(
        "actions", help="list, show, update or close improvement actions (the plan's workflow)"
    ).add_subparsers(dest="verb", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--results", help="results store URL (default: SATISFACTION_RESULTS_URL or the warehouse)"
    )
    common.add_argument("--on", help="the day of the change or listing, YYYY-MM-DD (default today)")
    listing = verbs.add_parser("list", parents=[common], help="every action, overdue ones flagged")
    listing.add_argument("--scope", help="company or a branch code")
    listing.add_argument("--status", choices=["open", "in_progress", "done", "dropped"])
    verbs.add_parser("show", parents=[common], help="one action and its history").add_argument(
        "action_id"
    )
    person = argparse.ArgumentParser(add_help=False, parents=[common])
    person.add_argument("action_id")
    person.add_argument("--by", default=os.environ.get("USER", "unknown"), help="who changes it")
    person.add_argument("--note", help="why (required to close)")
    update = verbs.add_parser("update", parents=[person], help="accept, edit or reassign")
    update.add_argument("--status", choices=["open", "in_progress"], help="in_progress = accept")
    update.add_argument("--owner", help="reassign to this owner")
    update.add_argument("--department", help="move to this department")
    update.add_argument("--due", help="new deadline, YYYY-MM-DD")
    update.add_argument("--target", type=float, help="new measurable target value")
    close = verbs.add_parser("close", parents=[person], help="close as done or dropped")
    close.add_argument("--as", dest="as_", choices=["done", "dropped"], default="done")
    for sub in verbs.choices.values():
        sub.set_defaults(func=cmd_actions)


def _add_run(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    run = commands.add_parser("run", help="compute and render a quarter without the scheduler")
    run.add_argument("--quarter", help="e.g. 2026-Q3 (default: last complete quarter)")
    run.add_argument(
        "--scope", action="append", help="company or a branch code; repeat; default all"
    )
    run.add_argument("--language", default="zh-CN", choices=["zh-CN", "en"])
    run.add_argument(
        "--warehouse", help="SQLAlchemy URL (default: SATISFACTION_WAREHOUSE_URL or the demo file)"
    )
    run.add_argument(
        "--results",
        help="SQLAlchemy URL of the results store (default: SATISFACTION_RESULTS_URL or the "
        "warehouse's database)",
    )
    run.add_argument("--run-id", help="recorded with the results (default cli__<quarter>)")
    run.set_defaults(func=cmd_run)


def _add_voc_and_deliver(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from etl.operations.voc.tagfile import add_voc_parser
    from etl.pipeline.delivering import add_deliver_parser

    add_voc_parser(commands)
    add_deliver_parser(commands)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="satisfaction-report", description=__doc__)
    top.add_argument("-v", "--verbose", action="store_true", help="log progress")
    commands = top.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="build the deterministic demo warehouse")
    demo.add_argument(
        "--through", help="last quarter of history, e.g. 2026-Q3 (default: last complete)"
    )
    demo.add_argument(
        "--quarters", type=int, default=12, help="quarters of survey history (default 12)"
    )
    demo.add_argument("--seed", type=int, default=20260101)
    demo.add_argument(
        "--scale",
        choices=["demo", "small", "bench", "wide"],
        default="demo",
        help="demo (default), small (tests), bench (1M responses) or wide (128 scopes)",
    )
    demo.add_argument(
        "--warehouse", help="SQLAlchemy URL of an empty database (default: the SQLite file)"
    )
    demo.add_argument(
        "--reuse", action="store_true", help="keep an existing SQLite demo built with the same plan"
    )
    demo.set_defaults(func=cmd_demo)

    _add_run(commands)

    _ingest_parser(commands)
    _actions_parser(commands)
    export = commands.add_parser(
        "export", help="write reports/<quarter>/results.<quarter>.xlsx for analysts"
    )
    export.add_argument("--quarter", help="e.g. 2026-Q3 (default: last complete quarter)")
    export.add_argument("--output", help="where to write the .xlsx (default: the reports folder)")
    export.add_argument("--warehouse", help="SQLAlchemy URL (default: the demo file)")
    export.add_argument("--results", help="results store URL (default: the warehouse's database)")
    export.set_defaults(func=cmd_export)
    _add_voc_and_deliver(commands)
    check = commands.add_parser(
        "check",
        help="check the warehouse against the data contract (exit 0 clean, 1 warnings, 2 errors)",
    )
    check.add_argument("--quarter", help="e.g. 2026-Q3 (default: last complete quarter)")
    check.add_argument(
        "--warehouse", help="SQLAlchemy URL (default: SATISFACTION_WAREHOUSE_URL or the demo file)"
    )
    check.set_defaults(func=cmd_check)

    open_ = commands.add_parser("open", help="print or open a report's PDF")
    open_.add_argument("--quarter", help="default: the latest quarter with reports")
    open_.add_argument("--scope", default="company")
    open_.add_argument("--language", default="zh-CN", choices=["zh-CN", "en"])
    open_.add_argument("--print", action="store_true", help="print the path only")
    open_.set_defaults(func=cmd_open)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args))
    except _user_errors() as exc:
        print(f"error: {_redacted(str(exc))}", file=sys.stderr)
        return 2
    except _environment_errors() as exc:
        # A fault outside the program (the database, the disk, a malformed URL): one line
        # that says what and where, never a traceback with paths and SQL; the password hidden.
        print(f"error: {_environment_message(exc)}", file=sys.stderr)
        return 1


_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]*:)[^@\s]*@")


def _redacted(text: str) -> str:
    """Any `scheme://user:password@host` in a message with the password hidden."""
    return _PASSWORD_IN_URL.sub(r"\1***@", text)


def _environment_errors() -> tuple[type[Exception], ...]:
    import sqlalchemy.exc

    return (sqlalchemy.exc.SQLAlchemyError, OSError)


def _environment_message(exc: BaseException) -> str:
    import sqlalchemy.exc

    if isinstance(exc, sqlalchemy.exc.ArgumentError):
        text = f"malformed warehouse URL or setting: {exc}"
    elif isinstance(exc, sqlalchemy.exc.SQLAlchemyError):
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        text = f"warehouse fault ({type(exc).__name__}): {reason[0] if reason else exc}"
    elif isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        text = f"{exc.strerror or exc}{where}"
        if exc.errno == errno.ENOSPC:
            text += " (the disk is full; nothing partial was left behind: free space, run again)"
    else:
        text = str(exc)
    return _redacted(text)


if __name__ == "__main__":
    sys.exit(main())
