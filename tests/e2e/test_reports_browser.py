"""The "Reports" page of the Airflow UI, end to end: `airflow api-server` and headless Chromium."""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from etl import publish
from etl.core.results import ResultRow
from etl.report.index import render_index
from etl.report.pdf import render_pdf
from etl.warehouse import apply_schema, connect, upsert_results
from tests.e2e.smtp import free_port, valid_pdf

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
]
USER, PASSWORD = "analyst", "quarterly-Report-2026"
OPERATOR = "cx-operator"  # may trigger runs (role op); same password
QUARTER = "2026-Q3"
DAG_ID = "quarterly_satisfaction_report"
IMAGES = REPO / "docs" / "images"
RUN_ID = "manual__2026-10-08T02:00:00+00:00"


def build_reports(root: Path) -> Path:
    """A reports folder as the DAG leaves it: PDFs with revisions, manifest and index."""
    db = root / "warehouse.db"
    db.touch()
    engine = connect(f"sqlite:///{db}")
    apply_schema(engine)
    upsert_results(
        engine,
        QUARTER,
        [
            ResultRow(QUARTER, "company", "csi", 78.44, n=1200),
            ResultRow(QUARTER, "SC", "csi", 70.1),
        ],
        RUN_ID,
        ["company", "SC"],
    )
    reports = root / "reports"
    for scope, csi in (("company", "78.4"), ("SC", "70.1"), ("company", "78.9")):
        publish.publish_revision(
            engine,
            reports / QUARTER / f"{scope}.zh-CN.pdf",
            quarter=QUARTER,
            scope=scope,
            language="zh-CN",
            html_for=lambda revision, run, scope=scope, csi=csi: (
                f'<html lang="zh-CN"><body><h1>{scope} CSI {csi}</h1></body></html>'
            ),
            render_pdf=render_pdf,
            run_id=RUN_ID,
        )
    names = {
        "company": {"zh": "全公司", "en": "Company"},
        "SC": {"zh": "四川分公司", "en": "Sichuan"},
    }
    publish.publish_quarter(engine, reports, QUARTER, RUN_ID, render_index, names)
    # What a killed render leaves behind: must never be served.
    (reports / QUARTER / ".SC.zh-CN.pdf.k1ll3d.part").write_bytes(b"%PDF-1.7 half a file")
    return reports


def wait_until_up(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"api-server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/api/v2/monitor/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"api-server not up in 180 s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`airflow api-server` with the plugin, the simple auth manager and a known user."""
    root = tmp_path_factory.mktemp("reports_site")
    reports = build_reports(root)
    (root / "settings.toml").write_text(f'[paths]\nreports = "{reports}"\n', encoding="utf-8")
    (root / "passwords.json").write_text(
        json.dumps({USER: PASSWORD, OPERATOR: PASSWORD}), encoding="utf-8"
    )
    env = os.environ | {
        "AIRFLOW_HOME": str(root / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
        ),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:viewer,{OPERATOR}:op",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(root / "passwords.json"),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "SATISFACTION_CONFIG": str(root / "settings.toml"),
    }
    subprocess.run(
        [AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True, timeout=300
    )
    # The run whose Reports tab the UI shows: the DAG in the metadata DB, one (queued) run.
    for command in (
        ["dags", "reserialize"],
        ["dags", "trigger", DAG_ID, "--run-id", RUN_ID, "-c", json.dumps({"quarter": QUARTER})],
    ):
        done = subprocess.run([AIRFLOW, *command], env=env, capture_output=True, timeout=300)
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    port = free_port()
    log = root / "api-server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [AIRFLOW, "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as one below
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, log)
        yield {"base": base, "reports": reports, "port": port}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def log_in(page: Page, base: str, start: str) -> None:
    """Open a reports URL, get sent to Airflow's login form, sign in, come back."""
    page.goto(base + start)
    page.wait_for_url("**/auth/login**", timeout=30_000)
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + start, timeout=30_000)


@pytest.fixture(scope="module")
def logged_in(browser: Browser, server: dict[str, Any]) -> Iterator[BrowserContext]:
    context = browser.new_context()
    log_in(context.new_page(), server["base"], "/reports/")
    yield context
    context.close()


def fetch_in_page(page: Page, url: str) -> tuple[int, str, bytes]:
    """GET from inside the page (the browser's own cookies): status, type, bytes."""
    status, kind, payload = page.evaluate(
        """async (url) => {
            const response = await fetch(url);
            const bytes = new Uint8Array(await response.arrayBuffer());
            let text = "";
            for (const byte of bytes) text += String.fromCharCode(byte);
            return [response.status, response.headers.get("content-type"), btoa(text)];
        }""",
        url,
    )
    return status, kind, base64.b64decode(payload)


def test_log_in_open_reports_follow_a_link_and_receive_the_pdf(
    logged_in: BrowserContext, server: dict[str, Any]
) -> None:
    page = logged_in.new_page()
    page.goto(server["base"] + "/reports/")
    assert "2026-Q3" in page.inner_text("body") and "全公司" in page.inner_text("body")
    links = {
        link.inner_text(): link.get_attribute("href")
        for link in page.query_selector_all("a.report")
    }
    assert links["zh-CN · v2"] == "/reports/view/2026-Q3/company.zh-CN.pdf"

    with page.expect_response(lambda response: "/reports/files/" in response.url) as navigation:
        page.click("a.report >> nth=0")
    response = navigation.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="company.zh-CN.pdf"'
    assert_pdf_shown(page)
    # PDF.js drew the PDF; read the same file's bytes through the page.
    status, kind, data = fetch_in_page(page, response.url)
    assert (status, kind) == (200, "application/pdf")
    assert valid_pdf(data) == 1
    assert data == (server["reports"] / QUARTER / "company.zh-CN.pdf").read_bytes()


def test_the_reports_menu_item_opens_the_page_inside_the_airflow_ui(
    logged_in: BrowserContext, server: dict[str, Any]
) -> None:
    page = logged_in.new_page()
    page.goto(server["base"] + "/")
    page.click("a[aria-label=Reports]", timeout=30_000)
    page.wait_for_url("**/plugin/satisfaction-reports**")
    frame = page.frame_locator("iframe")
    assert frame.locator("a.report").first.get_attribute("href", timeout=30_000) == (
        "/reports/view/2026-Q3/company.zh-CN.pdf"
    )


def test_a_run_s_reports_tab_lists_what_that_run_published(
    logged_in: BrowserContext, server: dict[str, Any]
) -> None:
    page = logged_in.new_page()
    page.goto(f"{server['base']}/reports/runs/quarterly_satisfaction_report/{RUN_ID}")
    assert page.locator("a.report").count() == 2
    assert f"{QUARTER} · company, SC" in page.inner_text("p.run")
    page.goto(f"{server['base']}/reports/runs/quarterly_satisfaction_report/other_run")
    assert page.locator("a.report").count() == 0
    assert "published no reports" in page.inner_text("body")


def raw_get(port: int, path: str, token: str | None) -> tuple[int, bytes]:
    """A request with the path exactly as written (no client-side `..` normalisation)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": f"_token={token}"} if token else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


@pytest.fixture(scope="module")
def token(logged_in: BrowserContext) -> str:
    """The JWT the UI holds in its `_token` cookie after the browser login."""
    return next(c["value"] for c in logged_in.cookies() if c["name"] == "_token")


@pytest.mark.parametrize(
    "path",
    [
        "/reports/files/../../etc/passwd",
        "/reports/files/../../../../../../etc/passwd",
        "/reports/files/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/reports/files/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/reports/files/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/reports/files/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
        "/reports/files/2026-Q3/..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/reports/files/%2Fetc%2Fpasswd",
        "/reports/files//etc/passwd",
        "/reports/files/2026-Q3/.SC.zh-CN.pdf.k1ll3d.part",
        "/reports/files/.publish.lock",
        "/reports/files/index.html",
    ],
)
def test_anything_but_a_report_under_the_folder_is_refused(
    server: dict[str, Any], token: str, path: str
) -> None:
    status, body = raw_get(server["port"], path, token)
    assert status == 403, body
    assert b"root:" not in body and b"%PDF" not in body


def test_unauthenticated_requests_are_refused(browser: Browser, server: dict[str, Any]) -> None:
    status, body = raw_get(server["port"], "/reports/files/2026-Q3/company.zh-CN.pdf", None)
    assert status == 401 and b"%PDF" not in body
    status, _ = raw_get(
        server["port"], "/reports/files/2026-Q3/company.zh-CN.pdf", "forged.jwt.value"
    )
    assert status == 401
    stranger = browser.new_context()
    page = stranger.new_page()
    page.goto(server["base"] + "/reports/")
    assert "/auth/login" in page.url  # sent to Airflow's login, not shown the list
    stranger.close()


def test_a_logged_in_user_gets_the_manifest_and_the_archived_revision(
    server: dict[str, Any], token: str
) -> None:
    status, body = raw_get(server["port"], "/reports/files/2026-Q3/manifest.json", token)
    assert status == 200 and json.loads(body)["quarter"] == QUARTER
    status, body = raw_get(
        server["port"], "/reports/files/2026-Q3/archive/company.zh-CN.v1.pdf", token
    )
    assert status == 200 and valid_pdf(body) == 1
    status, _ = raw_get(server["port"], "/reports/files/2026-Q3/BJ.zh-CN.pdf", token)
    assert status == 404


def assert_pdf_shown(page: Page) -> None:
    """The viewer drew every page of the PDF (PDF.js marks the body when done)."""
    page.wait_for_selector("body[data-state]", timeout=60_000)
    assert page.get_attribute("body", "data-state") == "shown", page.inner_text("#status")
    assert int(page.get_attribute("body", "data-pages") or 0) >= 1
    assert page.locator("#pages canvas").count() >= 1


def open_report_inside_the_ui(page: Page, screenshot: str) -> None:
    """Click the first report link in the plugin frame; the PDF must show in that frame."""
    frame_element = page.wait_for_selector("iframe", timeout=30_000)
    frame = frame_element.content_frame()
    assert frame is not None
    frame.wait_for_selector("a.report", timeout=30_000)
    with page.expect_response(lambda response: "/reports/files/" in response.url) as pdf:
        frame.click("a.report >> nth=0")
    assert pdf.value.status == 200 and pdf.value.headers["content-type"] == "application/pdf"
    assert_pdf_shown(frame)  # type: ignore[arg-type]  # a Frame has the same calls
    assert "blocked" not in frame.inner_text("body").lower()
    download = frame.get_attribute("a#download", "href") or ""
    assert download.endswith("company.zh-CN.pdf?download=1")
    IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(IMAGES / screenshot))


@pytest.fixture
def ui_page(logged_in: BrowserContext) -> Iterator[Page]:
    page = logged_in.new_page()
    page.set_viewport_size({"width": 1400, "height": 900})
    yield page
    page.close()


def test_a_pdf_opens_from_the_reports_menu_page_inside_the_airflow_ui(
    ui_page: Page, server: dict[str, Any]
) -> None:
    ui_page.goto(server["base"] + "/")
    ui_page.click("a[aria-label=Reports]", timeout=30_000)
    ui_page.wait_for_url("**/plugin/satisfaction-reports**")
    frame = ui_page.frame_locator("iframe")
    frame.locator("details.revisions").first.wait_for(timeout=30_000)
    ui_page.screenshot(path=str(IMAGES / "airflow-reports-page.png"))
    body = frame.locator("body").inner_text()
    assert "v1" in body and "v2" in body  # the archived revision is listed too
    open_report_inside_the_ui(ui_page, "airflow-reports-menu-pdf.png")


def test_a_pdf_opens_from_a_run_s_reports_tab_inside_the_airflow_ui(
    ui_page: Page, server: dict[str, Any]
) -> None:
    ui_page.goto(f"{server['base']}/dags/{DAG_ID}/runs/{RUN_ID}")
    # The run's own Reports tab (not the nav menu's Reports, which renders first).
    ui_page.locator("a[href*='satisfaction-run-reports']").first.click(timeout=60_000)
    ui_page.wait_for_url("**/plugin/satisfaction-run-reports**")
    open_report_inside_the_ui(ui_page, "airflow-run-tab-pdf.png")


def test_the_download_link_sends_the_pdf_as_an_attachment(
    server: dict[str, Any], token: str
) -> None:
    path = "/reports/files/2026-Q3/company.zh-CN.pdf?download=1"
    connection = http.client.HTTPConnection("127.0.0.1", server["port"], timeout=30)
    connection.request("GET", path, headers={"Cookie": f"_token={token}"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status == 200 and valid_pdf(body) == 1
    assert response.getheader("content-disposition") == ('attachment; filename="company.zh-CN.pdf"')


def test_the_trigger_form_shows_the_params_for_people_and_submits_its_defaults(
    browser: Browser, server: dict[str, Any]
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(server["base"] + f"/dags/{DAG_ID}")
    page.wait_for_url("**/auth/login**", timeout=30_000)
    page.fill("input[name=username]", OPERATOR)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.get_by_role("button", name="Trigger").first.click(timeout=60_000)
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("报告内容 What to report").click(timeout=30_000)  # a closed section
    dialog.get_by_text("报告范围 Scopes").wait_for(timeout=30_000)
    text = dialog.inner_text()
    for title in ("季度 Quarter", "报告范围 Scopes", "报告语言 Language", "发送 Delivery"):
        assert title in text, title
    assert "留空 = 全部" in text and "empty = all" in text  # help in both languages
    dialog.locator("#element_scopes input").first.click()
    page.get_by_role("option").first.wait_for(timeout=10_000)
    options = page.get_by_role("option").all_inner_texts()
    assert "SC · 四川分公司 Sichuan Branch" in options and len(options) == 13
    page.screenshot(path=str(IMAGES / "airflow-trigger-form.png"))
    dialog.locator("h2, [data-part=title]").first.click()  # closes the option list, not the dialog
    runs_before = len(list_runs(server, context))
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/dagRuns" in r.url
    ) as created:
        dialog.get_by_role("button", name="Trigger").last.click()
    assert created.value.status == 200, created.value.text()
    assert created.value.json()["conf"]["scopes"] is None
    assert len(list_runs(server, context)) == runs_before + 1
    context.close()


def list_runs(server: dict[str, Any], context: BrowserContext) -> list[dict[str, Any]]:
    token = next(c["value"] for c in context.cookies() if c["name"] == "_token")
    request = urllib.request.Request(
        f"{server['base']}/api/v2/dags/{DAG_ID}/dagRuns",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())["dag_runs"]
