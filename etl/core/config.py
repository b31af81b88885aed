"""Settings, the item bank and paths: the one place that switches local and production values."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from etl.core.errors import PermanentError
from etl.core.scopes import COMPANY, Scope

# The package folder and the repository root: `sql/` and `report_templates/` sit beside `etl/`.
PACKAGE_DIR = Path(__file__).resolve().parent.parent
REPOSITORY_ROOT = PACKAGE_DIR.parent
DEFAULTS_DIR = PACKAGE_DIR / "defaults"
TEMPLATES_DIR = REPOSITORY_ROOT / "report_templates"
SERVICE_DIMENSIONS = (
    "presale",
    "purchase",
    "policy_service",
    "claims",
    "complaints",
    "value_added",
)
OTHER_DIMENSIONS = ("overall", "nps", "loyalty", *("expectations", "quality", "value", "complaint"))
# The ACSI core constructs every respondent answers (expectations, perceived quality,
# perceived value, satisfaction = `overall`, complaint behaviour, loyalty = `loyalty` + `nps`).
CORE_DIMENSIONS = ("expectations", "quality", "value", "complaint")


class ConfigError(PermanentError, ValueError):
    """A settings or item-bank file that breaks a rule; the message names file and key."""


def project_home() -> Path:
    """Where relative paths resolve: SATISFACTION_HOME, else the repository root."""
    return Path(os.environ.get("SATISFACTION_HOME", REPOSITORY_ROOT))


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc


@dataclass(frozen=True)
class Item:
    """One survey item of the bank."""

    code: str
    dimension: str
    text_zh: str
    text_en: str
    scale_min: int = 1
    scale_max: int = 10
    is_reverse: bool = False


@dataclass(frozen=True)
class ItemBank:
    """A versioned item bank with the dimension names in both languages."""

    version: str
    items: tuple[Item, ...]
    dimension_names: dict[str, dict[str, str]]

    def codes(self, dimension: str) -> list[str]:
        return [item.code for item in self.items if item.dimension == dimension]

    def by_code(self) -> dict[str, Item]:
        return {item.code: item for item in self.items}


def parse_item_bank(raw: dict[str, Any], source: str) -> ItemBank:
    """Validate an item bank; an unknown dimension or bad scale names the item and file."""
    known = set(SERVICE_DIMENSIONS) | set(OTHER_DIMENSIONS)
    items: list[Item] = []
    seen: set[str] = set()
    for position, entry in enumerate(raw.get("items", []), start=1):
        code = entry.get("code")
        where = f"{source}: item #{position} ({code or 'no code'})"
        if not code:
            raise ConfigError(f"{where}: every item needs a `code`")
        if code in seen:
            raise ConfigError(f"{where}: item code {code} appears twice")
        seen.add(code)
        dimension = entry.get("dimension")
        if dimension not in known:
            raise ConfigError(
                f"{where}: dimension {dimension!r} is unknown; expected one of {sorted(known)}"
            )
        scale_min, scale_max = int(entry.get("scale_min", 1)), int(entry.get("scale_max", 10))
        if scale_max <= scale_min:
            raise ConfigError(f"{where}: scale_max {scale_max} must exceed scale_min {scale_min}")
        items.append(
            Item(
                code=code,
                dimension=dimension,
                text_zh=entry.get("zh", code),
                text_en=entry.get("en", code),
                scale_min=scale_min,
                scale_max=scale_max,
                is_reverse=bool(entry.get("reverse", False)),
            )
        )
    for required in ("overall", "nps"):
        if not any(item.dimension == required for item in items):
            raise ConfigError(f"{source}: the item bank has no `{required}` item")
    return ItemBank(
        version=str(raw.get("version", "unversioned")),
        items=tuple(items),
        dimension_names=dict(raw.get("dimensions", {})),
    )


@dataclass(frozen=True)
class RenderPool:
    """The Airflow pool every render task takes one slot of, and how many slots it has."""

    name: str
    slots: int
    description: str = "satisfaction report renders at once, all workers together"


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one run."""

    raw: dict[str, Any] = field(repr=False)
    home: Path

    @property
    def timezone(self) -> str:
        return self.raw["timezone"]

    @property
    def languages(self) -> list[str]:
        return list(self.raw["languages"])

    def path(self, key: str) -> Path:
        """A configured path, made absolute against the project home."""
        value = Path(os.path.expanduser(self.raw["paths"][key]))
        return value if value.is_absolute() else self.home / value

    @property
    def scopes(self) -> list[Scope]:
        """The configured scopes (`scopes` in settings.toml), company first; no warehouse read."""
        return configured_scopes(self.raw.get("scopes", []))

    @property
    def render_pool(self) -> RenderPool:
        """`[render] pool` and `pool_slots`: read when the DAG is parsed and by the set-up."""
        section = self.raw.get("render", {})
        name, slots = section.get("pool", ""), section.get("pool_slots")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"settings [render] pool = {name!r}: expected a pool name")
        if not isinstance(slots, int) or isinstance(slots, bool) or slots < 1:
            raise ConfigError(
                f"settings [render] pool_slots = {slots!r}: expected a whole number >= 1"
            )
        return RenderPool(name.strip(), slots)

    @property
    def hold_delivery_after_days(self) -> int:
        value = self.raw.get("schedule", {}).get("hold_delivery_after_days", 10)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(
                f"schedule.hold_delivery_after_days = {value!r}: expected whole days >= 0"
            )
        return value

    @property
    def delivery_lease_seconds(self) -> float:
        """How long a delivery attempt's lock outlives its last message ([delivery] lease_seconds):
        the wait before another attempt takes over from one that was killed."""
        value = self.raw.get("delivery", {}).get("lease_seconds", 300)
        # At most 10 minutes: a second attempt waits 15 for a killed one's lease to run out.
        if isinstance(value, bool) or not isinstance(value, int | float) or not 10 <= value <= 600:
            raise ConfigError(
                f"delivery.lease_seconds = {value!r}: expected seconds from 10 to 600"
            )
        return float(value)

    @property
    def warehouse_url(self) -> str:
        """SATISFACTION_WAREHOUSE_URL if set, else the embedded demo SQLite file."""
        return os.environ.get("SATISFACTION_WAREHOUSE_URL") or f"sqlite:///{self.path('warehouse')}"

    @property
    def results_url(self) -> str | None:
        """SATISFACTION_RESULTS_URL if set: the results store; None = the warehouse's database."""
        return os.environ.get("SATISFACTION_RESULTS_URL") or None

    @property
    def sources_dir(self) -> Path | None:
        """The insurer's folder of source views (`warehouse.sources`); None = the canonical."""
        folder = self.raw.get("warehouse", {}).get("sources") or ""
        if not folder:
            return None
        value = Path(os.path.expanduser(folder))
        return value if value.is_absolute() else self.home / value

    @property
    def csi_method(self) -> str:
        return self.raw["csi"]["method"]

    @property
    def csi_weights(self) -> dict[str, float]:
        return {key: float(value) for key, value in self.raw["csi"]["weights"].items()}

    @property
    def csat_top_boxes(self) -> int:
        """How many top scale points count as satisfied in CSAT ([csat] top_boxes: 2 or 3)."""
        return int(self.raw.get("csat", {}).get("top_boxes", 2))

    @property
    def suppression(self) -> dict[str, int]:
        return {key: int(value) for key, value in self.raw["suppression"].items()}

    @property
    def weighting(self) -> dict[str, Any]:
        return dict(self.raw["weighting"])


def configured_scopes(entries: list[Any]) -> list[Scope]:
    """`scopes = [{code, zh, en}, …]` as Scopes; a missing field or a repeated code is named."""
    scopes: list[Scope] = []
    for position, entry in enumerate(entries, start=1):
        where = f"settings scopes #{position}"
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(key), str) and entry[key].strip() for key in ("code", "zh", "en")
        ):
            raise ConfigError(f"{where}: needs a non-empty `code`, `zh` and `en`; got {entry!r}")
        if any(scope.code == entry["code"] for scope in scopes):
            raise ConfigError(f"{where}: scope code {entry['code']!r} appears twice")
        kind = "company" if entry["code"] == COMPANY else "branch"
        scopes.append(Scope(entry["code"], kind, entry["zh"], entry["en"]))
    if not scopes:
        raise ConfigError("settings `scopes` is empty: list the company and every branch")
    return sorted(scopes, key=lambda scope: scope.code != COMPANY)


@cache
def load_settings(override_path: str | None = None) -> Settings:
    """Defaults merged with the file named by SATISFACTION_CONFIG (or `override_path`)."""
    raw = _read_toml(DEFAULTS_DIR / "settings.toml")
    chosen = override_path or os.environ.get("SATISFACTION_CONFIG")
    if chosen:
        raw = _merge(raw, _read_toml(Path(chosen)))
    method = raw["csi"]["method"]
    if method not in {"weighted", "pls"}:
        raise ConfigError(f"csi.method = {method!r}: expected 'weighted' or 'pls'")
    boxes = raw.get("csat", {}).get("top_boxes", 2)
    if boxes not in (2, 3) or isinstance(boxes, bool):
        raise ConfigError(f"settings [csat] top_boxes: must be 2 or 3, got {boxes!r}")
    unknown = set(raw["csi"]["weights"]) - set(SERVICE_DIMENSIONS)
    if unknown:
        raise ConfigError(f"csi.weights names unknown dimensions {sorted(unknown)}")
    return Settings(raw=raw, home=project_home())


@cache
def load_item_bank(path: str | None = None) -> ItemBank:
    """The item bank: `path`, else SATISFACTION_ITEM_BANK, else the packaged default."""
    chosen = Path(
        path or os.environ.get("SATISFACTION_ITEM_BANK") or DEFAULTS_DIR / "item_bank.toml"
    )
    return parse_item_bank(_read_toml(chosen), str(chosen))
