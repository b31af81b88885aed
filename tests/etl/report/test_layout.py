"""Report layout read back from WeasyPrint: no near-empty page, no always-empty column, and a
branch report's channel and product tables are the branch's own results rows."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from etl.core.config import load_item_bank, load_settings
from etl.core.periods import Quarter
from etl.pipeline import branded
from etl.report.context import build_context
from etl.report.i18n import number_filters
from etl.report.layout import EmptyColumn, PageFill, empty_columns, page_fills
from etl.report.pdf import layout, render_html
from etl.report.results import Findings
from etl.warehouse import available_scopes, connect, read_findings, segment_scopes
from tests.etl.report.history import history_results, with_history

QUARTER = Quarter(2026, 3)
RENDERS = (("company", "zh-CN"), ("company", "en"), ("SC", "zh-CN"), ("SC", "en"))


@pytest.fixture(scope="module")
def warehouse_url(demo_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A private copy of the default-size demo (as `make demo` builds it: branches big enough
    for their figures to be shown) with eight quarters computed, so trends have history."""
    return with_history(demo_url, tmp_path_factory, "layout")


@pytest.fixture(scope="module")
def results(warehouse_url: str) -> pd.DataFrame:
    return history_results(warehouse_url)


@pytest.fixture(scope="module")
def contexts(warehouse_url: str, results: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    engine = connect(warehouse_url)
    scopes = {scope.code: scope for scope in available_scopes(engine)}
    named = available_scopes(engine) + segment_scopes(engine)
    settings = branded(load_settings(), engine)
    return {
        (code, language): build_context(
            QUARTER,
            scopes[code],
            language,
            results,
            load_item_bank(),
            settings,
            "test-run",
            scopes=named,
            findings=Findings.from_store(read_findings(engine, str(QUARTER), code)),
        )
        for code, language in RENDERS
    }


def html_of(contexts: dict[tuple[str, str], dict[str, Any]], code: str, language: str) -> str:
    return render_html("assessment/report.html.j2", contexts[(code, language)], language)


@pytest.mark.parametrize(("code", "language"), RENDERS)
def test_no_page_under_a_third_full_but_cover_contents_and_chapter_ends(
    contexts: dict[tuple[str, str], dict[str, Any]], code: str, language: str
) -> None:
    fills = page_fills(layout(html_of(contexts, code, language)))
    assert fills[0].kind == "cover" and fills[1].kind == "contents"
    near_empty = [(page.number, round(page.fill, 2)) for page in fills if page.near_empty]
    assert near_empty == [], f"{code}.{language}: pages under a third full {near_empty}"


@pytest.mark.parametrize(("code", "language"), RENDERS)
def test_no_table_column_is_always_empty(
    contexts: dict[tuple[str, str], dict[str, Any]], code: str, language: str
) -> None:
    assert empty_columns(html_of(contexts, code, language)) == []


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        (
            "<table class='t'><thead><tr><th>a</th><th>b</th></tr></thead>"
            "<tbody><tr><td>1</td><td>—</td></tr><tr><td>2</td><td></td></tr></tbody></table>",
            [EmptyColumn("t", "b")],
        ),
        (
            "<table class='t'><thead><tr><th>a</th><th>b</th></tr></thead>"
            "<tbody><tr><td>1</td><td>—</td></tr><tr><td>2</td><td>3</td></tr></tbody></table>",
            [],
        ),
    ],
)
def test_empty_column_check_finds_an_all_dash_column(html: str, expected: list) -> None:
    assert empty_columns(html) == expected


def test_page_fill_check_flags_a_near_empty_middle_page() -> None:
    html = (
        "<section class='cover'><h1>c</h1></section>"
        "<section class='chapter'><h2>one</h2><p>text</p>"
        "<div style='break-before: page'>three lines</div>"
        "<div style='break-before: page; height: 200mm; background: #ccc'></div></section>"
        "<section class='chapter' style='break-before: page'><h2>two</h2>"
        "<div style='height: 245mm; background: #ccc'></div>"
        "<p>one spilled line</p></section>"
    )
    fills = page_fills(layout(html))
    kinds = ["cover", "body", "body", "chapter_end", "body", "chapter_end"]
    assert [page.kind for page in fills] == kinds
    assert [page.number for page in fills if page.near_empty] == [2, 3, 6]  # 6: a spill
    assert fills[3] == PageFill(4, fills[3].fill, "chapter_end") and fills[3].fill > 0.7


@pytest.mark.parametrize("language", ["zh-CN", "en"])
@pytest.mark.parametrize("table", ["channels", "products"])
def test_branch_segment_tables_are_the_branch_own_results(
    contexts: dict[tuple[str, str], dict[str, Any]], results: pd.DataFrame, table: str,
    language: str,
) -> None:  # fmt: skip
    """Every figure of SC's channel and product-line tables is an SC.<segment> results row."""
    rows = contexts[("SC", language)]["segments"][table]
    assert rows, f"SC has no {table} table"
    stored = results[results["quarter"] == str(QUARTER)]
    fmt = number_filters(language)
    for row in rows:
        assert row["code"].startswith(f"SC.{'channel' if table == 'channels' else 'product'}.")
        own = stored[stored["scope"] == row["code"]].set_index("metric")
        assert row["respondents"] == fmt["number"](own.loc["respondents", "value"], 0)
        for metric in ("csi", "nps"):
            value, flag = own.loc[metric, "value"], own.loc[metric, "flag"]
            shown = pd.notna(value) and flag not in ("suppressed",)
            assert row[metric] == (fmt["number"](value, 1) if shown else "—"), (row, metric)
        company_wide = stored[stored["scope"] == row["code"].removeprefix("SC.")]
        company_n = company_wide.set_index("metric").loc["respondents", "value"]
        assert own.loc["respondents", "value"] < company_n  # not the company's figures
    html = html_of(contexts, "SC", language)
    for row in rows:
        assert f">{row['respondents']}<" in html


def test_branch_lineage_counts_are_the_branch_own(
    contexts: dict[tuple[str, str], dict[str, Any]], results: pd.DataFrame
) -> None:
    stored = results[(results["quarter"] == str(QUARTER))].set_index(["scope", "metric"])
    lineage = {
        row["source"]: row["rows"] for row in contexts[("SC", "en")]["methodology"]["lineage"]
    }
    company = {
        row["source"]: row["rows"] for row in contexts[("company", "en")]["methodology"]["lineage"]
    }
    fmt = number_filters("en")
    assert lineage["survey_responses"] == fmt["number"](
        stored.loc[("SC", "lineage.survey_responses.rows"), "value"], 0
    )
    assert lineage["survey_responses"] != company["survey_responses"]
