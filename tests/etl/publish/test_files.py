"""Report files: interrupted writes swept, live writers' temps spared."""

from __future__ import annotations

import os
import time
from pathlib import Path

from etl import publish
from tests.etl.publish.helpers import (
    QUARTER,
)


def test_stale_temp_files_are_swept_and_young_ones_of_other_writers_spared(
    tmp_path: Path,
) -> None:
    folder = tmp_path / QUARTER
    folder.mkdir()
    mine = folder / ".company.en.pdf.abc123.part"
    other_young = folder / ".SC.en.pdf.def456.part"
    other_old = folder / ".BJ.en.pdf.ghi789.part"
    for path in (mine, other_young, other_old):
        path.write_bytes(b"%PDF-1.7 half")
    an_hour_ago = time.time() - 3600
    os.utime(other_old, (an_hour_ago, an_hour_ago))

    assert publish.remove_stale_parts(folder, prefix=".company.en.pdf.", older_than=None) == [mine]
    assert publish.remove_stale_parts(folder) == [other_old]
    assert other_young.exists()
