"""The collector's pace while a report renders: rare inside, restored and collected after."""

from __future__ import annotations

import gc
import weakref

from etl.report.heap import RENDER_THRESHOLDS, rendering


def test_thresholds_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with rendering():
        assert gc.get_threshold() == RENDER_THRESHOLDS
        with rendering():  # render_scope inside a batch: one render as far as the collector goes
            assert gc.get_threshold() == RENDER_THRESHOLDS
        assert gc.get_threshold() == RENDER_THRESHOLDS
    assert gc.get_threshold() == before


def test_restored_when_the_render_fails() -> None:
    before = gc.get_threshold()
    try:
        with rendering():
            raise ValueError("the renderer failed")
    except ValueError:
        pass
    assert gc.get_threshold() == before


def test_cycles_left_by_a_render_are_freed_on_leaving() -> None:
    class Box:
        parent: Box | None = None

    collected: list[str] = []
    with rendering():
        box = Box()
        box.parent = box  # a cycle, as layout boxes and their parents make
        weakref.finalize(box, collected.append, "freed")
        del box
    assert collected == ["freed"]


def test_what_outlives_a_render_is_no_longer_walked_by_the_collector() -> None:
    with rendering():
        pass
    assert gc.get_freeze_count() > 0
