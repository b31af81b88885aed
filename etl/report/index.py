"""The reports index page (reports/index.html and the Airflow Reports page)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jinja2

from etl.core.config import TEMPLATES_DIR
from etl.report.i18n import format_number, translations


def index_rows(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per scope of a quarter: names, headline figures, current files, every revision."""
    names = manifest.get("scope_names", {})
    headline = manifest.get("headline", {})
    scopes: dict[str, dict[str, Any]] = {}
    for entry in manifest.get("files", []):
        scope = entry["scope"]
        row = scopes.setdefault(
            scope,
            {
                "scope": scope,
                "name_zh": names.get(scope, {}).get("zh", scope),
                "name_en": names.get(scope, {}).get("en", scope),
                "figures": headline.get(scope, {}),
                "files": [],
                "revisions": [],
            },
        )
        row["revisions"].append(entry)
        if entry.get("current"):
            row["files"].append(entry)
    ordered = sorted(scopes.values(), key=lambda row: (row["scope"] != "company", row["scope"]))
    for row in ordered:
        row["files"].sort(key=lambda entry: entry["language"] != "zh-CN")
        row["revisions"].sort(
            key=lambda entry: (entry["language"] != "zh-CN", -int(entry.get("revision", 1)))
        )
    return [row for row in ordered if row["files"]]


def csat_boxes(manifest: Mapping[str, Any]) -> tuple[int, int]:
    """The scale points the quarter's CSAT counted (stored with the figure; 9–10 by default)."""
    for figures in manifest.get("headline", {}).values():
        if figures.get("csat_boxes"):
            low, high = figures["csat_boxes"]
            return int(low), int(high)
    return 9, 10


def run_summary(manifests: list[Mapping[str, Any]], run_id: str) -> list[dict[str, Any]]:
    """What one run made: per quarter, the scopes and revisions whose files it wrote."""
    made = []
    for manifest in manifests:
        files = [f for f in manifest.get("files", []) if f.get("run_id") == run_id]
        if run_id in manifest.get("runs", []):
            scopes = sorted({f["scope"] for f in files}, key=lambda s: (s != "company", s))
            made.append({"quarter": manifest["quarter"], "scopes": scopes, "files": files})
    return made


def _index_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR / "archive"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Bilingual page: `_` gives each label in Chinese from the catalog, `en` its English
    # (the msgid); digits and separators read the same in both languages.
    env.install_gettext_translations(translations("zh-CN"), newstyle=True)  # type: ignore[attr-defined]
    env.globals["en"] = translations("en").gettext
    env.filters["figure"] = lambda value, digits=1: format_number(value, "zh-CN", digits)
    return env


def _on_disk(quarter: str, path: str) -> str:
    return f"{quarter}/{path}"


def render_index(
    manifests: list[Mapping[str, Any]],
    link_for: Callable[[str, str], str] = _on_disk,
    title_note: str = "",
    download_for: Callable[[str, str], str] = _on_disk,
    run: Mapping[str, Any] | None = None,
) -> str:
    """The bilingual reports index: quarters (newest first) × scopes, figures, revisions.

    `link_for` opens a file (the PDF itself on disk; the plugin's viewer inside Airflow),
    `download_for` downloads it; `run` names the run whose Reports tab this is.
    """
    quarters = [
        {
            "quarter": manifest["quarter"],
            "rows": index_rows(manifest),
            "runs": manifest["runs"],
            "export": manifest.get("export"),
            "stale": manifest.get("stale") or [],
            "csat_boxes": csat_boxes(manifest),
        }
        for manifest in manifests
    ]
    return (
        _index_environment()
        .get_template("index.html.j2")
        .render(
            quarters=quarters,
            link_for=link_for,
            download_for=download_for,
            title_note=title_note,
            run=run,
        )
    )


def render_viewer(title: str, file_url: str, download_url: str, pdfjs_url: str | None) -> str:
    """A page that shows one PDF with PDF.js (works inside Airflow's sandboxed plugin frame)."""
    return (
        _index_environment()
        .get_template("viewer.html.j2")
        .render(title=title, file_url=file_url, download_url=download_url, pdfjs_url=pdfjs_url)
    )
