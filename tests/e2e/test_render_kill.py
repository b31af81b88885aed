"""A render killed mid-file (SIGKILL) leaves no partial PDF in sight, and the rerun completes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from etl import publish
from etl.report.index import render_index
from etl.warehouse import apply_schema, connect, read_query
from tests.e2e.smtp import valid_pdf

pytestmark = pytest.mark.e2e

QUARTER = "2026-Q3"
# The child renders through the same archive code path as the DAG's render task. With
# SLOW_DISK set, syncing the report's temp file stalls (a slow or hung disk), so the kill
# reliably lands while the bytes sit in the hidden temp file, before the rename.
RENDER_SCRIPT = """
import datetime as dt, os, sys, time
from pathlib import Path
from etl.publish import publish_revision
from etl.report.pdf import render_pdf
from etl.warehouse import connect

url, destination, content, run_id = sys.argv[1:5]
if os.environ.get("SLOW_DISK"):
    real_fsync = os.fsync
    def slow_fsync(fd):
        if Path(os.readlink(f"/proc/self/fd/{fd}")).name.startswith("." + Path(destination).name):
            time.sleep(60)
        real_fsync(fd)
    os.fsync = slow_fsync
body = content

def html_for(revision, shown_run_id):
    label = (revision or {}).get("label", "v1")
    return f'<html lang="zh-CN"><body><h1>{label}</h1>{body}</body></html>'

publish_revision(connect(url), Path(destination), quarter="2026-Q3", scope="company",
                 language="zh-CN", html_for=html_for, render_pdf=render_pdf, run_id=run_id,
                 today=dt.date(2026, 10, 1))
"""


def render(
    url: str, destination: Path, content: str, run_id: str, slow_disk: bool = False
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", RENDER_SCRIPT, url, str(destination), content, run_id],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=os.environ | ({"SLOW_DISK": "1"} if slow_disk else {}),
    )


def kill_mid_file(process: subprocess.Popen[bytes], folder: Path, name: str) -> Path:
    """SIGKILL the render once its temp file holds bytes; returns the temp file."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        parts = list(folder.glob(f".{name}.*.part")) if folder.exists() else []
        if parts and parts[0].stat().st_size > 0:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
            return parts[0]
        if process.poll() is not None:
            errors = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"the render ended before it could be killed: {errors[-2000:]}")
        time.sleep(0.005)
    process.kill()
    pytest.fail("no temp file appeared within 60 s")


@pytest.fixture
def warehouse_url(tmp_path: Path) -> str:
    path = tmp_path / "warehouse.db"
    path.touch()
    url = f"sqlite:///{path}"
    apply_schema(connect(url))
    return url


def revisions(url: str) -> list[int]:
    rows = read_query(connect(url), "delivery_revisions", {"quarter": QUARTER})
    return [int(value) for value in rows["revision"]]


def test_a_killed_first_render_leaves_no_pdf_and_the_rerun_completes(
    warehouse_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "reports" / QUARTER
    destination = folder / "company.zh-CN.pdf"

    process = render(warehouse_url, destination, "<p>79.0</p>", "r1", slow_disk=True)
    part = kill_mid_file(process, folder, destination.name)

    assert process.returncode == -signal.SIGKILL
    assert part.exists() and publish.is_partial(part) and part.stat().st_size > 0
    assert not destination.exists()  # readers never see half a file under the real name
    assert revisions(warehouse_url) == []

    rerun = render(warehouse_url, destination, "<p>79.0</p>", "r2")
    assert rerun.wait(timeout=120) == 0, rerun.stderr.read() if rerun.stderr else ""
    assert valid_pdf(destination.read_bytes()) >= 1
    assert not part.exists()  # the rerun swept its own leftover
    assert revisions(warehouse_url) == [1]


def test_a_killed_revision_keeps_the_previous_pdf_and_the_manifest_ignores_the_temp(
    warehouse_url: str, tmp_path: Path
) -> None:
    reports = tmp_path / "reports"
    folder = reports / QUARTER
    destination = folder / "company.zh-CN.pdf"
    first = render(warehouse_url, destination, "<p>78.4</p>", "r1")
    assert first.wait(timeout=120) == 0
    v1 = destination.read_bytes()

    process = render(warehouse_url, destination, "<p>79.0</p>", "r2", slow_disk=True)  # becomes v2
    part = kill_mid_file(process, folder, destination.name)

    assert destination.read_bytes() == v1  # still the complete v1
    assert revisions(warehouse_url) == [1]
    manifest_path = publish.publish_quarter(
        connect(warehouse_url), reports, QUARTER, "r2", render_index
    )
    manifest = json.loads(manifest_path.read_text("utf-8"))
    assert [entry["path"] for entry in manifest["files"]] == ["company.zh-CN.pdf"]
    assert ".part" not in manifest_path.read_text("utf-8")
    assert ".part" not in (reports / "index.html").read_text("utf-8")
    assert part.exists()  # young: the publish sweep spares what a live writer may own

    rerun = render(warehouse_url, destination, "<p>79.0</p>", "r3")
    assert rerun.wait(timeout=120) == 0
    assert not part.exists()
    assert revisions(warehouse_url) == [1, 2]
    assert (folder / "archive" / "company.zh-CN.v1.pdf").read_bytes() == v1
    assert valid_pdf(destination.read_bytes()) >= 1
    assert sorted(p.name for p in folder.iterdir()) == [
        "archive",
        "company.zh-CN.pdf",
        "manifest.json",
    ]
