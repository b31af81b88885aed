"""The garbage collector's pace while a report is drawn and laid out."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# A report makes millions of short-lived objects (matplotlib artists, WeasyPrint boxes and
# styles). At CPython's default thresholds (700, 10, 10) the collector ran about 1,000
# young and 5 full collections per company report, each full one walking the whole heap
# (350,000 objects after the imports): a fifth of the report's CPU time. While a report
# renders, young collections wait for 50,000 new objects and full ones do not happen; one
# full collection afterwards frees whatever cycles the report left.
RENDER_THRESHOLDS = (50_000, 20, 100)

_depth = 0


@contextmanager
def rendering() -> Iterator[None]:
    """Collect garbage rarely inside, fully once on leaving; nested uses act as one."""
    global _depth
    if _depth:
        _depth += 1
        try:
            yield
        finally:
            _depth -= 1
        return
    before = gc.get_threshold()
    _depth = 1
    gc.set_threshold(*RENDER_THRESHOLDS)
    try:
        yield
    finally:
        _depth = 0
        gc.set_threshold(*before)
        gc.collect()
