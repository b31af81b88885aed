"""A full disk while a report is written: no partial PDF is ever visible.

The write really fails in the kernel: a child process runs under a file-size limit
(RLIMIT_FSIZE, SIGXFSZ ignored), so writing past it raises OSError mid-file exactly where a
full disk raises ENOSPC. Every report, manifest and outbox file goes through
`atomic_write_bytes` (hidden `.part` file, fsync, rename).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

WRITE_UNDER_A_LIMIT = """
import resource, signal, sys
from pathlib import Path
from etl.publish.files import atomic_write_bytes
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
try:
    atomic_write_bytes(Path(sys.argv[1]), b"%PDF-1.7 new revision " + b"x" * 1_000_000)
except OSError as exc:
    print(f"error: {exc.strerror}")
    sys.exit(2)
"""

EARLIER = b"%PDF-1.7 earlier revision\n%%EOF\n"


@pytest.mark.parametrize("earlier", [True, False], ids=["replacing-a-report", "first-report"])
def test_a_write_that_fails_mid_file_leaves_no_partial_pdf(tmp_path: Path, earlier: bool) -> None:
    target = tmp_path / "2026-Q3" / "company.zh-CN.pdf"
    if earlier:
        target.parent.mkdir()
        target.write_bytes(EARLIER)
    child = subprocess.run(
        [sys.executable, "-c", WRITE_UNDER_A_LIMIT, str(target)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert child.returncode == 2, child.stderr
    assert child.stdout.startswith("error: File too large")
    assert "Traceback" not in child.stderr
    assert sorted(p.name for p in target.parent.iterdir()) == (
        ["company.zh-CN.pdf"] if earlier else []
    )
    if earlier:
        assert target.read_bytes() == EARLIER
