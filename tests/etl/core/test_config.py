"""Settings and the item bank: defaults, overrides, paths, and errors that name the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from etl.core.config import (
    SERVICE_DIMENSIONS,
    ConfigError,
    load_item_bank,
    load_settings,
    parse_item_bank,
)


@pytest.fixture(autouse=True)
def fresh_caches() -> Any:
    """load_settings and load_item_bank are cached per process: each test reads afresh."""
    load_settings.cache_clear()
    load_item_bank.cache_clear()
    yield
    load_settings.cache_clear()
    load_item_bank.cache_clear()


def test_defaults_are_complete() -> None:
    settings = load_settings()
    assert settings.timezone == "Asia/Shanghai"
    assert settings.csi_method == "weighted"
    assert set(settings.csi_weights) == set(SERVICE_DIMENSIONS)
    assert sum(settings.csi_weights.values()) == pytest.approx(1.0)
    assert settings.suppression["suppress_below"] == 30


def test_an_override_file_is_merged_over_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    override = tmp_path / "site.toml"
    override.write_text('[suppression]\nsuppress_below = 50\n[csi]\nmethod = "pls"\n')
    monkeypatch.setenv("SATISFACTION_CONFIG", str(override))
    settings = load_settings()
    assert settings.suppression["suppress_below"] == 50  # overridden
    assert settings.suppression["low_base_below"] == 60  # kept from the defaults
    assert settings.csi_method == "pls"
    assert settings.csi_weights["claims"] == pytest.approx(0.30)  # a sibling key kept


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[csi]\nmethod = "magic"\n', "csi.method = 'magic'"),
        ("[csi.weights]\nfees = 0.2\n", "unknown dimensions ['fees']"),
        ("[csi\n", "is not valid TOML"),
    ],
)
def test_a_bad_override_names_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    override = tmp_path / "site.toml"
    override.write_text(text)
    monkeypatch.setenv("SATISFACTION_CONFIG", str(override))
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_settings()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 300.0),  # the default: five minutes
        ("[delivery]\nlease_seconds = 20\n", 20.0),
        ("[delivery]\nlease_seconds = 5\n", "delivery.lease_seconds = 5: expected seconds"),
        ("[delivery]\nlease_seconds = 3600\n", "delivery.lease_seconds = 3600: expected"),
        ('[delivery]\nlease_seconds = "60"\n', "delivery.lease_seconds = '60': expected"),
    ],
)
def test_the_delivery_lease_is_seconds_from_10_to_600(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: float | str
) -> None:
    override = tmp_path / "site.toml"
    override.write_text(text)
    monkeypatch.setenv("SATISFACTION_CONFIG", str(override))
    settings = load_settings()
    if isinstance(expected, float):
        assert settings.delivery_lease_seconds == expected
    else:
        with pytest.raises(ConfigError, match=f"^{expected}"):
            _ = settings.delivery_lease_seconds


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("satisfaction_render", 4)),
        ('[render]\npool = "renders"\npool_slots = 6\n', ("renders", 6)),
        ("[render]\npool_slots = 0\n", "pool_slots = 0: expected a whole number >= 1"),
        ('[render]\npool_slots = "4"\n', "pool_slots = '4': expected a whole number >= 1"),
        ('[render]\npool = " "\n', "pool = ' ': expected a pool name"),
    ],
)
def test_the_render_pool_is_configured_or_named_as_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: object
) -> None:
    override = tmp_path / "site.toml"
    override.write_text(text)
    monkeypatch.setenv("SATISFACTION_CONFIG", str(override))
    if isinstance(expected, tuple):
        pool = load_settings().render_pool
        assert (pool.name, pool.slots) == expected
    else:
        with pytest.raises(ConfigError, match=f"settings \\[render\\] {expected}"):
            _ = load_settings().render_pool


def test_a_missing_override_file_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SATISFACTION_CONFIG", "/nowhere/site.toml")
    with pytest.raises(ConfigError, match=r"/nowhere/site\.toml does not exist"):
        load_settings()


@pytest.mark.parametrize(
    ("configured", "relative_to_home"),
    [("reports", True), ("/srv/shared/reports", False), ("~/reports", False)],
)
def test_paths_resolve_against_the_project_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, configured: str, relative_to_home: bool
) -> None:
    override = tmp_path / "site.toml"
    override.write_text(f'[paths]\nreports = "{configured}"\n')
    monkeypatch.setenv("SATISFACTION_CONFIG", str(override))
    monkeypatch.setenv("SATISFACTION_HOME", str(tmp_path / "home"))
    path = load_settings().path("reports")
    assert path.is_absolute()
    assert path.is_relative_to(tmp_path / "home") is relative_to_home


def test_the_warehouse_url_defaults_to_the_demo_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SATISFACTION_HOME", str(tmp_path))
    monkeypatch.delenv("SATISFACTION_WAREHOUSE_URL", raising=False)
    assert load_settings().warehouse_url == f"sqlite:///{tmp_path}/var/warehouse.db"
    monkeypatch.setenv("SATISFACTION_WAREHOUSE_URL", "postgresql://cx@db/warehouse")
    assert load_settings().warehouse_url == "postgresql://cx@db/warehouse"


def item(**overrides: Any) -> dict[str, Any]:
    return {"code": "Q1", "dimension": "claims", "zh": "理赔", "en": "Claims"} | overrides


OUTCOMES = [item(code="OV", dimension="overall"), item(code="NP", dimension="nps", scale_min=0)]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([item(code=None), *OUTCOMES], r"item #1 \(no code\): every item needs a `code`"),
        ([item(), item(), *OUTCOMES], r"item #2 \(Q1\): item code Q1 appears twice"),
        ([item(dimension="fees"), *OUTCOMES], r"item #1 \(Q1\): dimension 'fees' is unknown"),
        ([item(scale_min=5, scale_max=5), *OUTCOMES], r"scale_max 5 must exceed scale_min 5"),
        ([item(), OUTCOMES[0]], r"the item bank has no `nps` item"),
    ],
)
def test_a_malformed_item_bank_names_the_file_and_item(
    items: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ConfigError, match=r"bank\.toml: .*" + message.split(": ", 1)[-1]):
        parse_item_bank({"items": items}, "bank.toml")


def test_an_item_bank_is_read_from_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bank = tmp_path / "bank.toml"
    bank.write_text(
        'version = "site-1"\n'
        '[[items]]\ncode = "OV"\ndimension = "overall"\n'
        '[[items]]\ncode = "NP"\ndimension = "nps"\nscale_min = 0\n'
        '[[items]]\ncode = "C1"\ndimension = "claims"\nreverse = true\n'
    )
    monkeypatch.setenv("SATISFACTION_ITEM_BANK", str(bank))
    loaded = load_item_bank()
    assert loaded.version == "site-1"
    assert [(i.code, i.scale_min, i.scale_max, i.is_reverse) for i in loaded.items] == [
        ("OV", 1, 10, False), ("NP", 0, 10, False), ("C1", 1, 10, True)]  # fmt: skip
