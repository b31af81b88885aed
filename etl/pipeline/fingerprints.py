"""Fingerprints of what a report and a quarter are made from, so unchanged work is not redone.

A rerun over unchanged data used to compute the quarter again and render every report's HTML
(charts included) only to find its fingerprint unchanged. These digests are taken from the
inputs themselves: stored rows (order-free, the run id left out: a rerun that stores the same
figures under a new run id changes nothing), settings, the item bank, every template and asset,
the code of `etl/` and `sql/`, and the versions of the libraries that shape a report. Anything
not covered must not influence a report or a figure; a change to anything covered only costs
the work it would have cost before (the report's own HTML fingerprint still decides its
revision), so a false "changed" is slow but never wrong.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

import etl
from etl.core import ItemBank, Scope, Settings
from etl.core.config import TEMPLATES_DIR
from etl.warehouse import SQL_DIR

# Columns that say which run wrote a row, not what the row says.
RUN_COLUMNS = frozenset({"run_id"})

# Libraries whose version can change a report's HTML, charts or PDF, or a computed figure.
LIBRARIES = ("weasyprint", "pydyf", "jinja2", "babel", "matplotlib", "pandas", "numpy", "scipy")


def frame_digest(frame: pd.DataFrame | None) -> str:
    """sha256 of a frame's rows as a multiset (row order and run ids do not count)."""
    if frame is None:
        return "none"
    kept = frame.drop(columns=[c for c in frame.columns if c in RUN_COLUMNS])
    kept = kept[sorted(kept.columns)]
    digest = hashlib.sha256(repr([(c, str(t)) for c, t in kept.dtypes.items()]).encode())
    rows = pd.util.hash_pandas_object(kept, index=False).to_numpy(copy=True)
    rows.sort()
    digest.update(rows.tobytes())
    return digest.hexdigest()


def value_digest(value: Any) -> str:
    """sha256 of plain values (dicts, lists, dataclasses) as sorted JSON, run ids left out."""
    return hashlib.sha256(
        json.dumps(_plain(value), sort_keys=True, default=str, ensure_ascii=False).encode()
    ).hexdigest()


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items() if k not in RUN_COLUMNS}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_plain(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, set | frozenset) else items
    return value


@cache
def code_version() -> str:
    """sha256 of the package, its SQL, the templates and assets, and the library versions.

    Cached per process: a task or a pool worker reads the files once.
    """
    package = Path(etl.__file__).parent
    digest = hashlib.sha256(etl.__version__.encode())
    for root, pattern in ((package, "*.py"), (SQL_DIR, "*.sql"), (TEMPLATES_DIR, "*")):
        for path in sorted(root.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(f"{root.name}/{path.relative_to(root).as_posix()}".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in LIBRARIES:
        try:
            digest.update(f"{name}=={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} absent".encode())
    return digest.hexdigest()


def combined(parts: Iterable[tuple[str, str]]) -> str:
    """One sha256 over named part digests (names keep two parts from trading places)."""
    digest = hashlib.sha256()
    for name, part in parts:
        digest.update(f"{name}={part};".encode())
    return digest.hexdigest()


def report_sources_sha256(
    key: Mapping[str, str],
    results: str,
    findings: Mapping[str, Any],
    scopes: list[Scope],
    settings: Settings,
    bank: ItemBank,
) -> str:
    """Everything a report's HTML is built from, without building it.

    `key`: quarter, scope and language. `results`: frame_digest of the stored results of the
    trailing quarters the report reads (all scopes: the company report ranks the branches).
    """
    return combined(
        [
            ("report", value_digest(dict(key))),
            ("results", results),
            ("findings", value_digest(findings)),
            ("scopes", value_digest(scopes)),
            ("settings", value_digest(settings.raw)),
            ("item_bank", value_digest(bank)),
            ("code", code_version()),
        ]
    )


def quarter_inputs_sha256(inputs: Any, settings: Settings, bank: ItemBank) -> str:
    """Everything a quarter's computation reads (a QuarterInputs), with settings and code."""
    parts = [("settings", value_digest(settings.raw)), ("item_bank", value_digest(bank)),
             ("code", code_version())]  # fmt: skip
    for field in fields(inputs):
        value = getattr(inputs, field.name)
        if isinstance(value, pd.DataFrame) or value is None:
            parts.append((field.name, frame_digest(value)))
        elif isinstance(value, Mapping) and all(
            isinstance(v, pd.DataFrame) for v in value.values()
        ):
            parts += [(f"{field.name}.{k}", frame_digest(v)) for k, v in sorted(value.items())]
        else:
            parts.append((field.name, value_digest(value)))
    return combined(parts)
