"""Personal data planted in customer comments never reaches a results row, a PDF or an e-mail."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from etl.pipeline import compute_quarter
from etl.pipeline.runs import render_scope
from etl.warehouse import connect, read_findings, read_results

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
