"""Personal data planted in customer comments never reaches a results row, a PDF or an e-mail."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from etl.pipeline import compute_quarter
from etl.pipeline.reports import render_scope
from etl.warehouse import connect, read_findings, read_results
from tests.e2e.site import private_demo

SECRETS = {
    "card": "6222 0212 3456 7890 128",
    "id": "11010519491231002X",
    "passport": "E12345678",
    "wechat": "abc_123456",
    "policy": "PSC0000000039",
    "mobile": "13800138000",
    "address": "人民南路四段12号",
    "staff name": "李建国",
    "known name": "赵𠀀",
}
PLANTED = (
    "理赔员李建国让我把银行卡6222 0212 3456 7890 128、身份证11010519491231002X和护照E12345678"
    "发到微信abc_123456，保单号PSC0000000039的理赔太慢，电话13800138000一直没人回，"
    "赵𠀀也是，地址成都市武侯区人民南路四段12号"
)


@pytest.fixture(scope="module")
def planted(small_demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The small demo with the quarter's commonest claims complaint full of personal data."""
    copy = tmp_path_factory.mktemp("pii") / "warehouse.db"
    shutil.copy(small_demo_url.removeprefix("sqlite:///"), copy)
    url = f"sqlite:///{copy}"
    engine = connect(url)
    with engine.begin() as conn:
        start = conn.execute(sa.text("select max(feedback_id) from feedback_texts")).scalar()
        rows = [
            {"id": int(start) + n, "branch": branch, "body": PLANTED}
            for n, branch in enumerate(["SC", "BJ"] * 60, start=1)
        ]
        conn.execute(
            sa.text(
                "insert into feedback_texts (feedback_id, source, received_on, branch_code, body)"
                " values (:id, 'survey_comment', '2026-08-03', :branch, :body)"
            ),
            rows,
        )
        conn.execute(sa.text("insert into person_names (full_name) values ('赵𠀀')"))
    compute_quarter(url, "2026-Q3", "pii-run")
    return url


def test_no_personal_data_in_stored_quotes_or_results(planted: str) -> None:
    engine = connect(planted)
    stored = " ".join(
        str(row.get("quote_text", ""))
        for scope in ("company", "SC", "BJ")
        for row in read_findings(engine, "2026-Q3", scope).get("quotes", [])
    )
    assert "[银行卡号]" in stored  # the planted complaint is quoted, masked
    results = read_results(engine, ["2026-Q3"]).astype(str).to_string()
    for kind, secret in SECRETS.items():
        assert secret not in stored, kind
        assert secret not in results, kind


def test_no_personal_data_in_the_pdfs(planted: str, tmp_path: Path) -> None:
    for scope in ("company", "SC"):
        path = render_scope(planted, "2026-Q3", scope, "zh-CN", str(tmp_path), "pii-run")
        reader = PdfReader(io.BytesIO(Path(path).read_bytes()))
        text = "".join(page.extract_text() or "" for page in reader.pages)
        compact = "".join(text.split())
        assert "[银行卡号]" in compact or "［银行卡号］" in compact
        for kind, secret in SECRETS.items():
            assert "".join(secret.split()) not in compact, (scope, kind)


# Personal data the demo's own comments carry (etl/demo/catalogue.py COMMENTS): a run of the
# demo must show none of it in any report or e-mail.
DEMO_SECRETS = {
    "phone": "13812345678",
    "id": "11010519491231002X",
    "bank card": "6222021234567890128",
    "e-mail": "zhang.wei@example.com",
}


def _compact(text: str) -> str:
    """Without whitespace or the separators people put in numbers (138 1234 5678, 6222-0212)."""
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-·").lower()


def test_no_demo_personal_data_in_any_pdf_or_outbox_message(
    small_demo_url: str, tmp_path: Path
) -> None:
    import email
    import subprocess

    from etl.core import load_settings
    from etl.pipeline import Resources, tasks

    config = tmp_path / "settings.toml"
    config.write_text(
        f'[paths]\nreports = "{tmp_path / "reports"}"\noutbox = "{tmp_path / "outbox"}"\n'
    )
    # Its own copy: this test stores results, revisions and deliveries, and the session's
    # small demo must stay as built for every later test (a scheduler test found v1 there).
    warehouse = private_demo(small_demo_url, tmp_path)
    resources = Resources(warehouse_url=warehouse, smtp=None, settings=load_settings(str(config)))
    pdfs: list[Path] = []
    for language in ("zh-CN", "en"):
        run = tasks.RunFacts(f"pii-demo-{language}", "manual", None, None)
        spec = tasks.resolve({"quarter": "2026-Q3", "language": language}, run, resources)
        for scope in tasks.compute(spec, resources):
            pdfs += [Path(p) for p in tasks.render(scope, spec, {"deliver": False}, resources)]
        tasks.publish(spec, resources)
        tasks.deliver(spec, {"deliver": True}, resources)
    messages = sorted((tmp_path / "outbox").rglob("*.eml"))
    assert len(pdfs) >= 4 and messages  # every scope in both languages, and their e-mails
    seen = []
    for pdf in pdfs:
        seen.append(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout)  # fmt: skip
    for path in messages:
        message = email.message_from_bytes(path.read_bytes())
        for part in message.walk():
            payload = part.get_payload(decode=True)
            if payload and part.get_content_maintype() == "text":
                seen.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
        seen.append(str(message["Subject"] or ""))
    joined = _compact("\n".join(seen))
    assert "[手机号]" in joined or "［手机号］" in joined  # the demo's phone numbers were quoted
    for kind, secret in DEMO_SECRETS.items():
        assert _compact(secret) not in joined, kind
