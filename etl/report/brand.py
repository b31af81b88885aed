"""Brands: colours, fonts and logo of the insurer a report is made for."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup

from etl.core.config import TEMPLATES_DIR, ConfigError
from etl.report import charts
from etl.report.i18n import translations

_HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


_FONT_LIST = re.compile(r"^[A-Za-z0-9 ,'\"-]+$")


BRAND_KEYS = (
    "name_zh",
    "name_en",
    "short_zh",
    "short_en",
    "logo",
    "confidentiality_zh",
    "confidentiality_en",
    "font_family",
)


BRAND_COLOURS = ("primary", "primary_light", "accent", "text", "muted", "good", "warning", "bad")


@dataclass(frozen=True)
class Brand:
    """Brand settings read from report_templates/brands/<name>/brand.toml."""

    name: str
    folder: Path
    raw: dict[str, Any]

    def _pick(self, key: str, language: str) -> str:
        return str(self.raw[f"{key}_zh" if language == "zh-CN" else f"{key}_en"])

    def company_name(self, language: str) -> str:
        return self._pick("name", language)

    def short_name(self, language: str) -> str:
        return self._pick("short", language)

    def confidentiality(self, language: str) -> str:
        return self._pick("confidentiality", language)

    @property
    def logo_url(self) -> str:
        return (self.folder / self.raw["logo"]).as_uri()

    @property
    def colours(self) -> dict[str, Any]:
        return dict(self.raw["colours"])

    def css(self) -> str:
        """Brand values as CSS custom properties (the stylesheet itself never changes)."""
        lines = [
            f"  --{key.replace('_', '-')}: {value};"
            for key, value in self.colours.items()
            if isinstance(value, str)
        ]
        return (
            ":root {\n"
            + "\n".join(lines)
            + "\n}\nhtml { font-family: "
            + self.raw["font_family"]
            + "; }"
        )

    def chart_style(self) -> charts.ChartStyle:
        colours = self.colours
        return charts.ChartStyle(
            palette=tuple(colours["palette"]),
            font_families=charts.font_families(self.raw["font_family"]),
            text=colours["text"],
            muted=colours["muted"],
            reference=colours["muted"],
            target=colours["bad"],
            highlight=colours["accent"],
        )


def load_brand(name: str) -> Brand:
    """A brand folder under report_templates/brands/, checked key by key.

    Brand values reach the stylesheet, so colours must be hex colours and the font list
    plain family names: a brand file cannot smuggle CSS into the report.
    """
    folder = TEMPLATES_DIR / "brands" / name
    path = folder / "brand.toml"
    if not re.fullmatch(r"[a-z0-9_-]+", name) or not path.exists():
        raise ConfigError(
            f"report.brand = {name!r}: {path} does not exist (brands are folders under "
            f"{TEMPLATES_DIR / 'brands'})"
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"brand file {path} is not valid TOML: {exc}") from exc
    missing = [key for key in BRAND_KEYS if not isinstance(raw.get(key), str)]
    missing += [f"colours.{key}" for key in BRAND_COLOURS if key not in raw.get("colours", {})]
    if missing:
        raise ConfigError(f"brand file {path}: missing or non-text keys {missing}")
    colours = raw["colours"]
    for key, value in colours.items():
        values = value if isinstance(value, list) else [value]
        bad = [v for v in values if not isinstance(v, str) or not _HEX_COLOUR.match(v)]
        if bad:
            raise ConfigError(f"brand file {path}: colours.{key} = {bad}: expected #RRGGBB")
    if len(colours.get("palette", [])) < 6:
        raise ConfigError(f"brand file {path}: colours.palette needs at least 6 colours")
    if not _FONT_LIST.match(raw["font_family"]):
        raise ConfigError(
            f"brand file {path}: font_family {raw['font_family']!r} may hold only family "
            "names, quotes, commas and spaces"
        )
    logo = (folder / raw["logo"]).resolve()
    if not logo.is_relative_to(folder.resolve()) or not logo.is_file():
        raise ConfigError(f"brand file {path}: logo {raw['logo']!r} is not a file in {folder}")
    return Brand(name=name, folder=folder, raw=raw)


def css_string(text: str) -> str:
    """A CSS string literal (quotes and backslashes escaped, no line breaks)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_footer_css(language: str) -> Markup:
    """`@page` footer "第 x 页 / 共 y 页" (or "Page x of y") from the catalog's pattern."""
    _ = translations(language).gettext
    pattern = _("Page {page} of {pages}")
    before, rest = pattern.split("{page}", 1)
    middle, after = rest.split("{pages}", 1)
    parts = (css_string(before), "counter(page)", css_string(middle), "counter(pages)")
    content = " ".join((*parts, css_string(after)))
    return Markup(
        "@page { @bottom-center { content: "
        + content
        + "; } }\n@page cover { @bottom-center { content: none; } }"
    )
