"""The garbage collector's pace while a report is drawn and laid out."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

# A report makes millions of short-lived objects (matplotlib artists, WeasyPrint boxes and
# styles). At CPython's default thresholds (700, 10, 10) the collector ran about 1,000
# young and 5 full collections per company report, each full one walking the whole heap
# (350,000 objects after the imports): a fifth of the report's CPU time. While a report
# renders, a young collection waits for a million new objects (a company report makes
# fewer, so none runs; 50,000 and 200,000 measured 0.1 and 0.3 CPU s slower, for 15 MB less
# peak memory), and full ones do not happen; one full collection afterwards frees whatever
# cycles the report left. After the first report the objects still alive (modules, fonts,
# the stylesheet, caches) are moved out of the collector's sight (gc.freeze), so each later
# collection walks only what a report made: 0.15 CPU s instead of 0.3.
RENDER_THRESHOLDS = (1_000_000, 20, 100)

_depth = 0
_frozen = False


@contextmanager
def rendering() -> Iterator[None]:
    """Collect garbage rarely inside, fully once on leaving; nested uses act as one."""
    global _depth, _frozen
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
        if not _frozen:
            gc.freeze()
            _frozen = True
