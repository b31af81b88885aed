"""The demo world: a deterministic mid-size Chinese life insurer with planted signals."""

from etl.demo.build import build, describe
from etl.demo.catalogue import SCALES, DemoPlan, DemoSize

__all__ = ["SCALES", "DemoPlan", "DemoSize", "build", "describe"]
