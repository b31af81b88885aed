"""No demo brand on real data: the configured brand, else the demo's on the demo warehouse
only, else the neutral brand and a warning."""

from __future__ import annotations

import copy
import dataclasses
import logging

import pytest
from sqlalchemy.engine import Engine

from etl.core import Settings, load_settings
from etl.pipeline import branded
from etl.warehouse import connect


def _with_brand(brand: str) -> Settings:
    settings = load_settings()
    raw = copy.deepcopy(settings.raw)
    raw["report"]["brand"] = brand
    return dataclasses.replace(settings, raw=raw)


def brand_of(settings: Settings) -> str:
    return str(settings.raw["report"]["brand"])


def test_the_demo_warehouse_gets_the_demo_brand(small_demo_url: str) -> None:
    assert brand_of(branded(load_settings(), connect(small_demo_url))) == "chengyuan"


def test_any_other_warehouse_gets_the_neutral_brand_and_a_warning(
    warehouse: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert brand_of(branded(load_settings(), warehouse)) == "neutral"
    assert "report.brand is not configured" in caplog.text


@pytest.mark.parametrize("configured", ["hengtai", "chengyuan"])
def test_a_configured_brand_is_kept(warehouse: Engine, configured: str) -> None:
    assert brand_of(branded(_with_brand(configured), warehouse)) == configured
