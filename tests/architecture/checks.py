"""Static checks of `etl`: layering, SQL placement, sizes (ast only: nothing is imported)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# What each stage may import from `etl` (its own package is always allowed). `pipeline`
# and `cli` wire everything; `None` = no limit.
ALLOWED: dict[str, frozenset[str] | None] = {
    "core": frozenset(),
    "warehouse": frozenset({"core"}),
    "ingest": frozenset({"core", "warehouse"}),
    "contract": frozenset({"core", "warehouse"}),
    "survey": frozenset({"core"}),
    "operations": frozenset({"core"}),
    "targets": frozenset({"core"}),
    "report": frozenset({"core"}),
    "publish": frozenset({"core", "warehouse"}),
    "delivery": frozenset({"core", "warehouse", "publish.files", "report.i18n"}),
    "demo": frozenset({"core", "warehouse"}),
    "pipeline": None,
    "cli": None,
    "__init__": frozenset(),
}
# Stages that see frames, never an engine.
PURE = frozenset({"core", "survey", "operations", "targets", "report"})
NEVER_IN_ETL = ("airflow",)
SQL = re.compile(
    r"^\s*(select\b.+\bfrom\b|insert\s+into\b|update\s+\w+\s+set\b|delete\s+from\b"
    r"|create\s+(table|index|view|unique)\b|drop\s+(table|index|view)\b|alter\s+table\b"
    r"|with\s+\w+\s+as\s*\()",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class Finding:
    """One broken rule, where it is broken."""

    path: str
    line: int
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}"


def stage_of(module: str) -> str:
    """`etl.report.sections.summary` → `report`; `etl.pipeline` → `pipeline`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(root: Path, path: Path) -> str:
    relative = path.relative_to(root.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1] if len(parts) > 1 else [*parts[:-1], "__init__"]
    return ".".join(parts) if parts != ["etl", "__init__"] else "etl.__init__"


def imports(tree: ast.AST, module: str) -> Iterator[tuple[int, str]]:
    """Every module a file imports, at any depth (imports inside functions count too)."""
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield node.lineno, base
            for alias in node.names:  # `from etl import report` imports etl.report
                if base == "etl":
                    yield node.lineno, f"etl.{alias.name}"


def _allowed(stage: str, target: str) -> bool:
    rule = ALLOWED.get(stage, frozenset())
    if rule is None or target == "etl":
        return True
    target_stage = stage_of(target)
    if target_stage == stage:
        return True
    dotted = target.removeprefix("etl.")
    return any(dotted == allowed or dotted.startswith(allowed + ".") for allowed in rule) or (
        target_stage in rule
    )


def layering(root: Path) -> list[Finding]:
    """Imports that cross the stage rules of docs (architecture.md)."""
    found: list[Finding] = []
    for path in sorted(root.rglob("*.py")):
        module = module_name(root, path)
        stage = stage_of(module)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, target in imports(tree, module):
            where = str(path.relative_to(root.parent))
            top = target.split(".")[0]
            if top in NEVER_IN_ETL:
                found.append(Finding(where, line, f"etl never imports {top}"))
            if stage in PURE and (top == "sqlalchemy" or target.startswith("etl.warehouse")):
                found.append(Finding(where, line, f"{stage} is pure and imports {target}"))
            elif (
                target.startswith("etl.")
                and stage_of(target) in ALLOWED  # `from etl import __version__` is the root
                and not _allowed(stage, target)
            ):
                found.append(Finding(where, line, f"{stage} may not import {target}"))
    return found


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            ids.add(id(body[0].value))
    return ids


def sql_literals(root: Path) -> list[Finding]:
    """SQL written as a Python string (or f-string) instead of a file under `sql/`."""
    found: list[Finding] = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        # The literal parts of an f-string are judged with the f-string, not alone.
        docstrings |= {
            id(part)
            for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr)
            for part in node.values
        }
        where = str(path.relative_to(root.parent))
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                text = "".join(
                    part.value if isinstance(part, ast.Constant) else "x" for part in node.values
                )
                if SQL.search(text):
                    found.append(Finding(where, node.lineno, "f-string SQL"))
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and SQL.search(node.value)
            ):
                found.append(Finding(where, node.lineno, "SQL statement in a Python string"))
    return sorted(set(found), key=lambda f: (f.path, f.line))


def sizes(root: Path, max_module: int = 500, max_function: int = 60) -> list[Finding]:
    """Modules over `max_module` lines and functions over `max_function` lines."""
    found: list[Finding] = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(root.parent))
        lines = len(text.splitlines())
        if lines > max_module:
            found.append(Finding(where, 1, f"module has {lines} lines (> {max_module})"))
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > max_function:
                    found.append(Finding(where, node.lineno, f"{node.name} has {length} lines"))
    return found
