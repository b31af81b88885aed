"""Airflow plugin: a "Reports" page (FastAPI, served by the api-server) listing and serving PDFs.

Mounted at /reports. Only users the Airflow UI already let in (the JWT the UI holds in its
`_token` cookie, or a bearer token) and who may read the quarterly DAG's runs see anything;
only files under the reports folder are served, and only PDFs and manifests.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from airflow.configuration import conf
from airflow.plugins_manager import AirflowPlugin
from fastapi import FastAPI, HTTPException, Request, status
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

log = logging.getLogger(__name__)
NAME_MAX = 255  # bytes in one path component (ext4, xfs, …)
WORKBOOK_NAME = re.compile(r"results\.\d{4}-Q[1-4]\.xlsx")  # the analyst's export
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

DAG_ID = "quarterly_satisfaction_report"
URL_PREFIX = "/reports"
# The api-server may live under a path ([api] base_url); links in the UI must include it.
ROOT_PATH = urlsplit(conf.get("api", "base_url", fallback="") or "/").path.rstrip("/")


def reports_root() -> Path:
    """The reports folder the DAG writes to (etl settings: SATISFACTION_CONFIG / _HOME)."""
    from etl.core.config import load_settings

    return load_settings().path("reports").resolve()


def resolve_report(root: Path, relative: str) -> Path | None:
    """The report file `relative` names under `root`, or None if it is not one we serve.

    Refused: anything that resolves outside the folder (`..`, absolute paths, symlinks
    pointing out), hidden names (the `.part` temp files of an unfinished write, the lock),
    and anything but a PDF, a manifest or a quarter's analyst workbook (results.<q>.xlsx).
    """
    # A name over the file system's limit (255 bytes) is no report; asking the OS about it
    # raised ENAMETOOLONG, an HTTP 500 and a traceback with the absolute path in the log.
    if any(len(part.encode("utf-8", "surrogatepass")) > NAME_MAX for part in relative.split("/")):
        return None
    try:
        candidate = (root / relative).resolve()
    except (OSError, ValueError):  # NUL bytes, loops
        return None
    if not candidate.is_relative_to(root) or candidate == root:
        return None
    if any(part.startswith(".") for part in candidate.relative_to(root).parts):
        return None
    served = candidate.suffix.lower() == ".pdf" or candidate.name == "manifest.json"
    if not served and not WORKBOOK_NAME.fullmatch(candidate.name):
        return None
    return candidate


async def _user(request: Request) -> Any | None:
    """The Airflow user behind the request's token, or None when there is no valid one."""
    from airflow.api_fastapi.core_api.security import bearer_scheme, get_user

    try:
        return await get_user(request, None, await bearer_scheme(request))
    except HTTPException:
        return None


def _may_read_reports(user: Any) -> bool:
    """Whoever may read the quarterly DAG's runs may read its reports."""
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import (
        DagAccessEntity,
        DagDetails,
    )

    return get_auth_manager().is_authorized_dag(
        method="GET", user=user, access_entity=DagAccessEntity.RUN, details=DagDetails(id=DAG_ID)
    )


def _login_redirect(request: Request) -> RedirectResponse:
    from airflow.api_fastapi.app import get_auth_manager

    # `next` is this server's path, never a URL built from the Host header (which a client
    # controls: an open redirect to a look-alike login page).
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(
        get_auth_manager().get_url_login(next_url=here),
        status_code=status.HTTP_307_TEMPORARY_REDIRECT,
    )


async def _authorize(request: Request, page: bool) -> Response | None:
    """None when the request may proceed; else the refusal (a login redirect for pages)."""
    user = await _user(request)
    if user is None:
        if page:
            return _login_redirect(request)
        return Response("not authenticated: log in to Airflow first", status_code=401)
    if not _may_read_reports(user):
        return Response(f"forbidden: no read access to the {DAG_ID} runs", status_code=403)
    return None


def _page(
    request: Request,
    manifests: list[dict[str, Any]],
    note: str,
    run: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The index page; each report opens in the plugin's viewer, which works in the UI frame."""
    from etl.report.index import render_index

    def link_for(quarter: str, path: str) -> str:
        return str(request.url_for("report_viewer", relative=f"{quarter}/{path}").path)

    def download_for(quarter: str, path: str) -> str:
        file = request.url_for("report_file", relative=f"{quarter}/{path}").path
        return f"{file}?download=1"

    html = render_index(
        manifests, link_for=link_for, title_note=note, download_for=download_for, run=run
    )
    return HTMLResponse(html, headers={"Cache-Control": "private, no-cache"})


# PDF.js from Debian's libjs-pdf (installed by `make setup`): browsers will not show a PDF
# inside Airflow's sandboxed plugin frame, PDF.js draws it there on canvases.
PDFJS_DIR = Path("/usr/share/javascript/pdf")

app = FastAPI(title="Satisfaction assessment reports", docs_url=None, redoc_url=None)
if (PDFJS_DIR / "build" / "pdf.js").is_file():
    from fastapi.staticfiles import StaticFiles

    app.mount("/pdfjs", StaticFiles(directory=PDFJS_DIR), name="pdfjs")


@app.get("/", response_class=HTMLResponse)
async def reports_index(request: Request) -> Response:
    """Every quarter × scope with its headline figures and links to the PDFs."""
    from etl.publish import read_manifests

    refusal = await _authorize(request, page=True)
    if refusal is not None:
        return refusal
    return _page(request, read_manifests(reports_root()), "")


@app.get("/runs/{dag_id}/{run_id}", response_class=HTMLResponse)
async def run_reports(request: Request, dag_id: str, run_id: str) -> Response:
    """The reports one DAG run published (the "Reports" tab of a run)."""
    from etl.publish import read_manifests

    refusal = await _authorize(request, page=True)
    if refusal is not None:
        return refusal
    from etl.report.index import run_summary

    manifests = [m for m in read_manifests(reports_root()) if run_id in m.get("runs", [])]
    if not manifests:
        note = (
            f"Run {run_id} of {dag_id} published no reports (it may have failed before "
            "publishing). 本次运行未发布报告。"
        )
        return _page(request, [], note)
    return _page(request, manifests, "", {"run_id": run_id, "made": run_summary(manifests, run_id)})


@app.get("/view/{relative:path}", name="report_viewer", response_class=HTMLResponse)
async def report_viewer(request: Request, relative: str) -> Response:
    """One report in the PDF.js viewer, with a download link (works inside the UI's frame)."""
    from etl.report.index import render_viewer

    refusal = await _authorize(request, page=True)
    if refusal is not None:
        return refusal
    path = resolve_report(reports_root(), relative)
    if path is None or path.suffix.lower() != ".pdf":
        return Response("refused: not a report under the reports folder", status_code=403)
    if not path.is_file():
        return Response(f"no such report: {relative}", status_code=404)
    file_url = request.url_for("report_file", relative=relative).path
    pdfjs = f"{ROOT_PATH}{URL_PREFIX}/pdfjs" if (PDFJS_DIR / "build" / "pdf.js").is_file() else None
    html = render_viewer(relative, file_url, f"{file_url}?download=1", pdfjs)
    return HTMLResponse(html, headers={"Cache-Control": "private, no-cache"})


@app.get("/files/{relative:path}", name="report_file")
async def report_file(request: Request, relative: str, download: bool = False) -> Response:
    """One PDF (inline, or as a download) or manifest from the reports folder; nothing else."""
    refusal = await _authorize(request, page=False)
    if refusal is not None:
        return refusal
    root = reports_root()
    path = resolve_report(root, relative)
    if path is None:
        log.warning("refused report request for %r", relative)
        return Response("refused: not a report under the reports folder", status_code=403)
    try:
        exists = path.is_file()
    except OSError:  # whatever the OS says about the name, the answer is the same
        exists = False
    if not exists:
        return Response("no such report", status_code=404)
    media = MEDIA_TYPES.get(path.suffix.lower(), "application/json")
    return FileResponse(
        path,
        media_type=media,
        filename=path.name,
        content_disposition_type="attachment" if download else "inline",
        headers={"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"},
    )


class SatisfactionReportsPlugin(AirflowPlugin):
    """The Reports page, its menu entry, and a Reports tab on every run of the DAG."""

    name = "satisfaction_reports"
    fastapi_apps: ClassVar[list[dict[str, Any]]] = [
        {"app": app, "url_prefix": URL_PREFIX, "name": "Satisfaction reports"}
    ]
    external_views: ClassVar[list[dict[str, str]]] = [
        {
            "name": "Reports",
            "href": f"{ROOT_PATH}{URL_PREFIX}/",
            "destination": "nav",
            "url_route": "satisfaction-reports",
        },
        {
            "name": "Reports",
            "href": f"{ROOT_PATH}{URL_PREFIX}/runs/{{DAG_ID}}/{{RUN_ID}}",
            "destination": "dag_run",
            "url_route": "satisfaction-run-reports",
        },
    ]
