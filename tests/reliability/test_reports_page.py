"""The Reports page under hostile requests: long names, a forged Host header (no server needed)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "satisfaction_reports.py"


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    spec = importlib.util.spec_from_file_location("satisfaction_reports_under_test", PLUGIN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    (tmp_path / "2026-Q3").mkdir()
    (tmp_path / "2026-Q3" / "company.zh-CN.pdf").write_bytes(b"%PDF-1.7\n%%EOF\n")
    monkeypatch.setattr(module, "reports_root", lambda: tmp_path)
    return module


def _logged_in(plugin: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    async def allowed(request: Any, page: bool) -> None:
        return None

    monkeypatch.setattr(plugin, "_authorize", allowed)


@pytest.mark.parametrize(
    "relative",
    ["2026-Q3/" + "报" * 90 + ".pdf", "x" * 256 + ".pdf", "2026-Q3/" + "a" * 4000 + "/b.pdf"],
    ids=["cjk-270-bytes", "ascii-260-bytes", "4000-byte-folder"],
)
def test_a_file_name_over_255_bytes_is_refused_not_a_500(
    plugin: ModuleType, monkeypatch: pytest.MonkeyPatch, relative: str
) -> None:
    _logged_in(plugin, monkeypatch)
    client = TestClient(plugin.app, raise_server_exceptions=False)
    response = client.get(f"/files/{relative}")
    assert response.status_code in {403, 404}
    assert "/tmp" not in response.text
    assert client.get("/files/2026-Q3/company.zh-CN.pdf").status_code == 200


def test_the_login_redirect_never_points_at_the_host_a_client_names(
    plugin: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def nobody(request: Any) -> None:
        return None

    manager = SimpleNamespace(get_url_login=lambda next_url: f"/auth/login?next={next_url}")
    monkeypatch.setattr(plugin, "_user", nobody)
    monkeypatch.setattr("airflow.api_fastapi.app.get_auth_manager", lambda: manager)
    client = TestClient(plugin.app)
    response = client.get("/?q=1", headers={"Host": "evil.example"}, follow_redirects=False)
    assert response.status_code == 307
    assert "evil.example" not in response.headers["location"]
    assert response.headers["location"] == "/auth/login?next=/?q=1"


@pytest.mark.parametrize(
    ("relative", "status", "media"),
    [
        ("2026-Q3/results.2026-Q3.xlsx", 200,
         "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("2026-Q3/other.xlsx", 403, None),
        ("2026-Q3/.results.2026-Q3.xlsx.part", 403, None),
    ],
)  # fmt: skip
def test_the_analysts_workbook_is_served_and_nothing_else_of_its_kind(
    plugin: ModuleType, monkeypatch: pytest.MonkeyPatch, relative: str, status: int,
    media: str | None, tmp_path: Path,
) -> None:  # fmt: skip
    _logged_in(plugin, monkeypatch)
    for name in ("results.2026-Q3.xlsx", "other.xlsx", ".results.2026-Q3.xlsx.part"):
        (tmp_path / "2026-Q3" / name).write_bytes(b"PK\x03\x04")
    response = TestClient(plugin.app, raise_server_exceptions=False).get(f"/files/{relative}")
    assert response.status_code == status
    if media:
        assert response.headers["content-type"] == media


# A link inside the reports folder that points out of it, and traversals: refused, never served.
ESCAPES = [
    ("2026-Q3/secret.pdf", "symlink to a PDF outside the folder"),
    ("2026-Q3/passwd.pdf", "symlink to /etc/passwd named .pdf"),
    ("linked/anything.pdf", "symlinked folder outside"),
    ("2026-Q3/../../outside/secret.pdf", "dot-dot traversal"),
    ("%2e%2e/outside/secret.pdf", "encoded traversal"),
]


@pytest.mark.parametrize(("relative", "why"), ESCAPES, ids=[why for _, why in ESCAPES])
def test_symlinks_and_traversals_out_of_the_reports_folder_are_refused(
    plugin: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, relative: str, why: str
) -> None:
    outside = tmp_path.parent / f"outside-{tmp_path.name}"
    outside.mkdir()
    (outside / "secret.pdf").write_bytes(b"%PDF-1.7 secret\n%%EOF\n")
    (outside / "anything.pdf").write_bytes(b"%PDF-1.7 secret\n%%EOF\n")
    (tmp_path / "2026-Q3" / "secret.pdf").symlink_to(outside / "secret.pdf")
    (tmp_path / "2026-Q3" / "passwd.pdf").symlink_to("/etc/passwd")
    (tmp_path / "linked").symlink_to(outside, target_is_directory=True)
    relative = relative.replace("outside", outside.name)
    _logged_in(plugin, monkeypatch)
    client = TestClient(plugin.app, raise_server_exceptions=False)
    for route in ("files", "view"):
        response = client.get(f"/{route}/{relative}")
        assert response.status_code in {403, 404}, (route, why, response.status_code)
        assert b"secret" not in response.content and b"root:" not in response.content
