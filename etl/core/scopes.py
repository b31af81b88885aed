"""Report scopes: the company and each branch, with their names in both languages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from etl.warehouse.store import read_query

COMPANY = "company"


class UnknownScopeError(ValueError):
    """A requested scope that the warehouse does not know."""


@dataclass(frozen=True)
class Scope:
    """A unit a report is about: the company or a branch."""

    code: str
    kind: str  # "company" | "branch"
    name_zh: str
    name_en: str

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh-CN" else self.name_en


def available_scopes(
    engine: Engine, company_zh: str = "全公司", company_en: str = "Company"
) -> list[Scope]:
    """The company scope, then every branch in the warehouse."""
    branches = read_query(engine, "branches")
    return [Scope(COMPANY, "company", company_zh, company_en)] + [
        Scope(row.branch_code, "branch", row.name_zh, row.name_en) for row in branches.itertuples()
    ]


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


def select_scopes(available: Sequence[Scope], requested: Sequence[str] | None) -> list[Scope]:
    """The requested scopes (all when none are named); an unknown code is refused by name."""
    if not requested:
        return list(available)
    by_code = {scope.code: scope for scope in available}
    unknown = [code for code in requested if code not in by_code]
    if unknown:
        raise UnknownScopeError(
            f"scopes={list(requested)}: unknown scope(s) {unknown}; known: {', '.join(by_code)}"
        )
    return [by_code[code] for code in dict.fromkeys(requested)]
