"""The reports index page (reports/index.html and the Airflow Reports page)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jinja2

from etl.core.config import TEMPLATES_DIR
from etl.report.i18n import format_number, translations


def index_rows(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per scope of a quarter: names, headline figures and its current files."""
    names = manifest.get("scope_names", {})
    headline = manifest.get("headline", {})
    scopes: dict[str, dict[str, Any]] = {}
    for entry in manifest.get("files", []):
        if not entry.get("current"):
            continue
        scope = entry["scope"]
        row = scopes.setdefault(
            scope,
            {
                "scope": scope,
                "name_zh": names.get(scope, {}).get("zh", scope),
                "name_en": names.get(scope, {}).get("en", scope),
                "figures": headline.get(scope, {}),
                "files": [],
            },
        )
        row["files"].append(entry)
    ordered = sorted(scopes.values(), key=lambda row: (row["scope"] != "company", row["scope"]))
    for row in ordered:
        row["files"].sort(key=lambda entry: entry["language"] != "zh-CN")
    return ordered


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


def render_index(
    manifests: list[Mapping[str, Any]],
    link_for: Callable[[str, str], str] = lambda quarter, path: f"{quarter}/{path}",
    title_note: str = "",
) -> str:
    """The bilingual reports index: quarters (newest first) × scopes, links and figures."""
    quarters = [
        {"quarter": manifest["quarter"], "rows": index_rows(manifest), "runs": manifest["runs"]}
        for manifest in manifests
    ]
    return (
        _index_environment()
        .get_template("index.html.j2")
        .render(quarters=quarters, link_for=link_for, title_note=title_note)
    )
