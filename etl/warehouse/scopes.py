"""Scopes as the warehouse knows them: the company, its branches, channel and product segments."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.core.scopes import COMPANY, Scope
from etl.warehouse.sqlfiles import read_query


def available_scopes(
    engine: Engine, company_zh: str = "全公司", company_en: str = "Company"
) -> list[Scope]:
    """The company scope, then every branch in the warehouse."""
    branches = read_query(engine, "branches")
    return [Scope(COMPANY, "company", company_zh, company_en)] + [
        Scope(row.branch_code, "branch", row.name_zh, row.name_en) for row in branches.itertuples()
    ]


def demo_brand(engine: Engine) -> str | None:
    """The brand the demo generator recorded, or None for any other warehouse."""
    if not sa.inspect(engine).has_table("demo_warehouse"):
        return None
    marks = read_query(engine, "demo/demo_brand")
    return None if marks.empty else str(marks["brand"].iloc[0])


def segment_scopes(engine: Engine) -> list[Scope]:
    """Channel and product-line segments (channel.<code>, product.<code>) with their names."""
    channels = read_query(engine, "channels")
    products = read_query(engine, "product_lines")
    return [
        Scope(f"channel.{r.channel_code}", "channel", r.name_zh, r.name_en)
        for r in channels.itertuples()
    ] + [
        Scope(f"product.{r.product_line_code}", "product", r.name_zh, r.name_en)
        for r in products.itertuples()
    ]
