"""The analyst's export: reports/<quarter>/results.<quarter>.xlsx, written atomically."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from etl.core import Quarter, UserError
from etl.pipeline.fingerprints import code_version
from etl.publish.files import atomic_write_bytes
from etl.report.export import results_workbook
from etl.warehouse import (
    available_scopes,
    connect,
    read_actions,
    read_query,
    read_results,
    segment_scopes,
)

# The inputs' digest as the workbook stores it (dc:identifier in docProps/core.xml).
IDENTIFIER = re.compile(r"<dc:identifier>(sha256:[0-9a-f]{64})</dc:identifier>")


def export_name(quarter: str) -> str:
    """The workbook's file name inside the quarter's folder."""
    return f"results.{quarter}.xlsx"


def export_quarter(
    warehouse_url: str,
    quarter_text: str,
    reports_dir: str | Path,
    results_url: str | None = None,
    output: str | Path | None = None,
) -> Path:
    """Write the quarter's workbook (default reports/<quarter>/results.<quarter>.xlsx)."""
    quarter = Quarter.parse(quarter_text, field="--quarter")
    engine = connect(warehouse_url)
    store = connect(results_url or warehouse_url)
    results = read_results(store, [str(quarter)])
    if results.empty:
        raise UserError(
            f"quarter {quarter} has no stored results to export; compute it first "
            f"(`satisfaction-report run --quarter {quarter}`)"
        )
    actions = read_actions(store)
    actions = actions[actions["quarter_raised"] <= str(quarter)]
    themes = read_query(store, "store/voc_themes_of_quarter", {"quarter": str(quarter)})
    names = {
        scope.code: {"zh": scope.name_zh, "en": scope.name_en}
        for scope in [*available_scopes(engine), *segment_scopes(engine)]
    }
    target = (
        Path(output) if output else Path(reports_dir) / str(quarter) / export_name(str(quarter))
    )
    if target.is_dir():
        raise UserError(f"--output {target} is a folder; give the path of the .xlsx file")
    digest = inputs_digest(results, actions, themes, names)
    if stored_identifier(target) == digest:
        return target  # the workbook on disk was made from these very inputs by this code
    workbook = results_workbook(quarter, results, actions, themes, names, identifier=digest)
    return atomic_write_bytes(target, workbook)


def inputs_digest(
    results: pd.DataFrame,
    actions: pd.DataFrame,
    themes: pd.DataFrame,
    names: Mapping[str, Mapping[str, str]],
) -> str:
    """sha256 of everything the workbook shows (run ids included) and of the code."""
    digest = hashlib.sha256(code_version().encode())
    for frame in (results, actions, themes):
        digest.update(repr(list(frame.columns)).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    digest.update(json.dumps(names, sort_keys=True, ensure_ascii=False).encode())
    return f"sha256:{digest.hexdigest()}"


def stored_identifier(path: Path) -> str | None:
    """The identifier in an existing workbook's document properties (None: none, or not a
    readable workbook, which is then written anew)."""
    try:
        with zipfile.ZipFile(path) as book:
            core = book.read("docProps/core.xml").decode("utf-8")
    except (OSError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return None
    found = IDENTIFIER.search(core)
    return found.group(1) if found else None
