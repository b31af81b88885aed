"""Report scopes: the company and each branch, with their names in both languages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from etl.core.errors import ParamError

COMPANY = "company"


class UnknownScopeError(ParamError):
    """A requested scope that the warehouse does not know."""

    param = "scopes"


@dataclass(frozen=True)
class Scope:
    """A unit a report is about: the company or a branch."""

    code: str
    kind: str  # "company" | "branch"
    name_zh: str
    name_en: str

    def name(self, language: str) -> str:
        return self.name_zh if language == "zh-CN" else self.name_en


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


SEGMENT_PREFIXES = ("channel.", "product.")


def branch_segment(branch: str, segment: str) -> str:
    """A branch's own channel or product line: `SC.channel.TELE` for SC × `channel.TELE`."""
    return f"{branch}.{segment}"


def is_branch_segment(scope: str) -> bool:
    """Whether a scope code is a branch × channel or branch × product-line cell."""
    head, _dot, tail = scope.partition(".")
    return bool(head) and head != COMPANY and tail.startswith(SEGMENT_PREFIXES)


def is_segment(scope: str) -> bool:
    """A company-wide channel or product line, or a branch's own (no branch-level figures)."""
    return scope.startswith(SEGMENT_PREFIXES) or is_branch_segment(scope)
