"""Build the worked example: the demo warehouse reshaped as a legacy core system.

    .venv/bin/python examples/legacy_warehouse/build.py sqlite:///var/legacy.db [--through 2026-Q3]

Builds the demo data, copies it into the legacy tables (schema.sql, load_from_demo.sql) and
drops the canonical tables. Point the product at it with the views in sources/: a settings
file (SATISFACTION_CONFIG) with `[warehouse] sources = "examples/legacy_warehouse/sources"`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl import demo
from etl.core.periods import Quarter
from etl.warehouse import connect, statements

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"


def run_file(engine: Engine, name: str) -> None:
    with engine.begin() as conn:
        for statement in statements((HERE / name).read_text(encoding="utf-8")):
            conn.execute(sa.text(statement))


def build_legacy(engine: Engine, plan: demo.DemoPlan) -> None:
    """The demo's rows in the legacy tables, and no canonical input table left."""
    demo.build(engine, plan)
    run_file(engine, "schema.sql")
    run_file(engine, "load_from_demo.sql")
    run_file(engine, "drop_canonical.sql")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", help="SQLAlchemy URL of an empty database")
    parser.add_argument("--through", default="2026-Q3")
    parser.add_argument("--scale", default="demo", choices=sorted(demo.SCALES))
    args = parser.parse_args()
    if args.url.startswith("sqlite:///"):
        Path(args.url.removeprefix("sqlite:///")).touch()
    plan = demo.DemoPlan(through=Quarter.parse(args.through), size=demo.SCALES[args.scale])
    build_legacy(connect(args.url), plan)
    print(f"legacy warehouse written to {args.url}; its views are in {SOURCES}")


if __name__ == "__main__":
    main()
