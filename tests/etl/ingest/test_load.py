"""Ingest end to end on a warehouse: hostile exports, quarantine, registry, one transaction.

For every file: rows in = rows loaded + rows quarantined, and each quarantined row names its
rule (checked by `accounted`).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from etl.ingest.export import write_quarantine_csv
from etl.ingest.mapping import parse_mapping
from etl.warehouse import ingest as store
from etl.warehouse import read_query
from tests.etl.ingest.conftest import ingest, policy_numbers
from tests.etl.ingest.exports import long_csv, qualtrics_csv, wjx_csv, wjx_xlsx

ITEMS = ("PS1", "CL1", "SAT1", "NPS")
COMMENTED = parse_mapping({"columns": {"comment": "Q30"}}, "mapping.toml")

# survey_respondents also says which respondents are in the raking population (as of the
# day after the wave's quarter).
RESPONDENTS_2026Q4 = {"wave_id": "2026-Q4", "as_of": "2027-01-01"}


def count(engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(sa.table(table))).scalar())


def accounted(engine, outcome) -> pd.DataFrame:
    """Rows in = loaded + quarantined; every quarantined row names a rule. The entries."""
    entries = store.quarantine_of(engine, outcome.sha256)
    assert outcome.rows_in == outcome.rows_loaded + outcome.rows_quarantined
    assert entries["row_number"].nunique() == outcome.rows_quarantined
    assert (entries["rule"] != "").all() and (entries["message"] != "").all()
    return entries


def response(number: int, **cells: str) -> dict[str, str]:
    row = {
        "StartDate": "2026-10-09 09:00:00",
        "EndDate": f"2026-10-{10 + number % 18:02d} 10:00:00",
        "Progress": "100",
        "Duration (in seconds)": str(300 + number),
        "Finished": "True",
        "RecordedDate": "2026-10-10 10:00:00",
        "ResponseId": f"R_2YPOQ602ER{number:05d}",
        "Q5_1": str(1 + number % 10),
        "Q5_2": str(1 + (number * 3) % 10),
        "Q5_3": "8",
        "Q5_4": str(number % 11),
        "branch": "SC" if number % 2 else "四川分公司",
        "channel": "AGENT",
        "product_line": "寿险",
        "policy_no": "",
        "Q30": "服务不错",
    }
    return row | cells


HOSTILE = {
    1: {"Q30": '=HYPERLINK("http://evil","click")'},
    2: {"Q30": "<script>alert('x')</script><b>理赔</b>太慢"},
    3: {"Q30": "长" * 10_000_000},
    4: {"Q5_1": "10分", "Q5_2": "十"},
    5: {"Q5_1": "11"},
    6: {"branch": "火星分公司"},
    7: {"ResponseId": "R_2YPOQ602ER00000"},
    8: {"Finished": "False", "Progress": "60"},
    9: {"EndDate": "not a date"},
    10: {"Q5_1": "", "Q5_2": "", "Q5_3": "", "Q5_4": ""},
}


def qualtrics_file(tmp_path: Path, name: str, numbers, hostile=HOSTILE) -> Path:
    path = tmp_path / name
    path.write_bytes(qualtrics_csv([response(n, **hostile.get(n, {})) for n in numbers]))
    return path


def test_a_hostile_qualtrics_export_loads_what_is_sound(warehouse_copy, tmp_path) -> None:
    before = count(warehouse_copy, "survey_responses")
    outcome = ingest(warehouse_copy, qualtrics_file(tmp_path, "q.csv", range(40)), COMMENTED)
    entries = accounted(warehouse_copy, outcome)
    assert (outcome.status, outcome.rows_in, outcome.rows_quarantined) == ("loaded", 40, 6)
    assert dict(zip(entries["row_number"], entries["rule"], strict=True)) == {
        9: "out_of_scale",
        10: "unknown_branch",
        11: "duplicate_response_id",
        12: "incomplete_response",
        13: "bad_time",
        14: "no_answers",
    }
    assert count(warehouse_copy, "survey_responses") == before + 34
    comments = set(
        read_query(
            warehouse_copy,
            "feedback_texts",
            {"quarter_start": "2026-10-01", "quarter_end": "2027-01-01"},
        )["body"]
    )
    assert HOSTILE[1]["Q30"] in comments  # stored literally, never evaluated
    assert HOSTILE[2]["Q30"] in comments  # markup is text
    assert "长" * 10_000 in comments and "长" * 10_001 not in comments
    assert outcome.cells_truncated == 1


def test_scores_written_as_text_or_chinese_numerals_load(warehouse_copy, tmp_path) -> None:
    ingest(warehouse_copy, qualtrics_file(tmp_path, "q.csv", [4]))
    answers = read_query(
        warehouse_copy, "survey_answers", {"wave_id": "2026-Q4", "include_flagged": 1}
    )
    assert sorted(answers["score"]) == [4, 8, 10, 10]


def test_the_same_file_again_loads_nothing_new(warehouse_copy, tmp_path) -> None:
    path = qualtrics_file(tmp_path, "q.csv", range(20))
    first = ingest(warehouse_copy, path)
    rows = count(warehouse_copy, "survey_answers")
    again = ingest(warehouse_copy, path)
    assert (first.status, again.status) == ("loaded", "already_loaded")
    assert count(warehouse_copy, "survey_answers") == rows


def test_a_response_id_seen_in_an_earlier_file_is_a_duplicate(warehouse_copy, tmp_path) -> None:
    ingest(warehouse_copy, qualtrics_file(tmp_path, "first.csv", range(20, 30), {}))
    later = ingest(warehouse_copy, qualtrics_file(tmp_path, "later.csv", range(25, 35), {}))
    entries = accounted(warehouse_copy, later)
    assert later.rows_quarantined == 5
    assert set(entries["rule"]) == {"duplicate_response_id"}
    assert entries["message"].str.contains("first.csv").all()


WJX_MAPPING = {
    "source": {"format": "wjx"},
    "columns": {
        "branch": "1、您的保单属于哪家分公司？",
        "policy_id": "2、保单号",
        "comment": "30、您的意见和建议",
    },
    "values": {"非常满意": 10, "比较满意": 8, "一般": 6},
}


def wjx_rows(warehouse, count_: int) -> list[list[str]]:
    rows = []
    for number, (policy, branch) in enumerate(policy_numbers(warehouse, count_), start=1):
        answers = ["非常满意", "比较满意", "9", "10分"] if number % 3 else ["一般", "7", "8", "9"]
        rows.append(
            [
                str(number),
                f"2026/10/{1 + number % 28} 9:30:00",
                f"{60 + number}秒",
                "手机提交",
                "微信",
                "1.2.3.4",
                branch,
                policy,
                *answers,
                "理陪太慢，踢皮球",
            ]
        )
    return rows


def test_a_wjx_gb18030_export_with_mixed_line_endings(warehouse_copy, tmp_path) -> None:
    data = wjx_csv(wjx_rows(warehouse_copy, 30), ITEMS, encoding="gb18030")
    lines = data.split(b"\r\n")
    mixed = b"\r\n".join(lines[:10]) + b"\n" + b"\n".join(lines[10:])
    path = tmp_path / "wjx.csv"
    path.write_bytes(mixed)
    outcome = ingest(warehouse_copy, path, parse_mapping(WJX_MAPPING, "wjx.toml"))
    accounted(warehouse_copy, outcome)
    assert (outcome.format, outcome.rows_in, outcome.rows_loaded) == ("wjx", 30, 30)
    segments = read_query(
        warehouse_copy, "survey_respondents", RESPONDENTS_2026Q4 | {"include_flagged": 1}
    )
    assert segments["channel_code"].notna().all()  # taken from each respondent's policy


def test_one_response_per_policy_per_wave(warehouse_copy, tmp_path) -> None:
    rows = wjx_rows(warehouse_copy, 5)
    rows.append(["6", *rows[0][1:]])  # policy of row 1 answers again
    path = tmp_path / "wjx.csv"
    path.write_bytes(wjx_csv(rows, ITEMS))
    outcome = ingest(warehouse_copy, path, parse_mapping(WJX_MAPPING, "wjx.toml"))
    entries = accounted(warehouse_copy, outcome)
    assert list(entries["rule"]) == ["duplicate_policy_in_wave"]


def test_a_wjx_xlsx_export(warehouse_copy, tmp_path) -> None:
    path = wjx_xlsx(tmp_path / "wjx.xlsx", wjx_rows(warehouse_copy, 12), ITEMS)
    outcome = ingest(warehouse_copy, path, parse_mapping(WJX_MAPPING, "wjx.toml"))
    accounted(warehouse_copy, outcome)
    assert (outcome.status, outcome.rows_loaded) == ("loaded", 12)


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("empty.csv", b"", "empty"),
        ("cut.xlsx", None, "XLSX"),
        ("twice.csv", b"ResponseId,PS1,PS1\nR_1,5,6\n", "duplicated header"),
        ("nothing.csv", b"ResponseId,EndDate,colour\nR_1,2026-10-02,blue\n", "item_code"),
        ("notes.xlsx", b"just some text", "not an XLSX workbook"),
    ],
)
def test_unreadable_files_are_rejected_registered_and_moved(
    warehouse_copy, tmp_path, name, content, says
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = inbox / name
    if content is None:
        full = wjx_xlsx(tmp_path / "full.xlsx", wjx_rows(warehouse_copy, 50), ITEMS).read_bytes()
        content = full[: len(full) // 2]
    path.write_bytes(content)
    outcome = ingest(warehouse_copy, path, inbox=inbox)
    assert outcome.status == "rejected" and says in str(outcome.reason)
    assert not path.exists() and (inbox / "rejected" / name).exists()
    assert store.file_seen(warehouse_copy, outcome.sha256)["status"] == "rejected"


def test_a_mixed_encoding_row_is_quarantined_not_garbled(warehouse_copy, tmp_path) -> None:
    good = qualtrics_csv([response(n) for n in range(50, 60)], encoding="utf-8")
    lines = good.split(b"\r\n")
    lines[5] = lines[5].decode().replace("服务不错", "服务很差").encode("gbk")
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\r\n".join(lines))
    outcome = ingest(warehouse_copy, path, COMMENTED)
    entries = accounted(warehouse_copy, outcome)
    assert list(entries["rule"]) == ["encoding"] and list(entries["row_number"]) == [6]


def test_a_long_csv_quarantines_answers_and_whole_responses(warehouse_copy, tmp_path) -> None:
    rows = []
    for r in range(1, 6):
        for item, score in (("PS1", "8"), ("CL1", "9"), ("NPS", "10")):
            rows.append([f"L{r}", "2026-11-02", "BJ", "TELE", "LIFE", item, score])
    rows[1][6] = "99"  # one answer out of scale: only that row
    rows[3][2] = "SH"  # response L2 disagrees with itself: all three rows
    rows.append(["L6", "2026-11-02", "BJ", "TELE", "LIFE", "ZZ9", "5"])  # unknown item
    rows.append(["L1", "2026-11-02", "BJ", "TELE", "LIFE", "PS1", "7"])  # answered twice
    path = tmp_path / "long.csv"
    path.write_bytes(long_csv(rows))
    outcome = ingest(warehouse_copy, path)
    entries = accounted(warehouse_copy, outcome)
    assert outcome.rows_in == 17 and outcome.rows_quarantined == 6
    assert entries.groupby("row_number")["rule"].agg(set).to_dict() == {
        3: {"out_of_scale"},  # L1's CL1 alone: L1 keeps its other answers
        5: {"inconsistent_response"},  # L2 disagrees with itself: all its rows
        6: {"inconsistent_response"},
        7: {"inconsistent_response"},
        17: {"unknown_item", "no_answers"},  # L6's only answer names no item of the bank
        18: {"duplicate_answer"},
    }


def test_one_file_loads_in_one_transaction(warehouse_copy, tmp_path, monkeypatch) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = qualtrics_file(inbox, "q.csv", range(100, 120), {})
    tables = {
        t: count(warehouse_copy, t)
        for t in ("survey_responses", "survey_answers", "ingest_files", "survey_waves")
    }
    real = store.bulk_insert

    def failing(conn, table, frame):
        if table == "survey_answers":
            raise OSError("disk full")
        return real(conn, table, frame)

    monkeypatch.setattr(store, "bulk_insert", failing)
    with pytest.raises(OSError, match="disk full"):
        ingest(warehouse_copy, path, inbox=inbox)
    assert {t: count(warehouse_copy, t) for t in tables} == tables
    assert path.exists()  # still in the inbox, for the next attempt


def test_low_quality_responses_are_loaded_flagged_and_left_out(warehouse_copy, tmp_path) -> None:
    cells = {n: {"Duration (in seconds)": "20"} for n in range(3)}
    path = tmp_path / "q.csv"
    items = ("PS1", "PS2", "PU1", "PU2", "CL1", "CL2", "CP1", "VA1", "NPS")
    varied = {f"Q5_{i}": str(1 + i % 10) for i in range(4, 10)}
    rows = [response(n, **(varied | cells.get(n, {}))) for n in range(30)]
    for n in range(3, 6):
        rows[n] |= {f"Q5_{i}": "7" for i in range(1, 10)}
    path.write_bytes(qualtrics_csv(rows, items=items))
    outcome = ingest(warehouse_copy, path)
    accounted(warehouse_copy, outcome)
    assert outcome.rows_flagged == 6
    counted = read_query(
        warehouse_copy, "survey_respondents", RESPONDENTS_2026Q4 | {"include_flagged": 0}
    )
    assert len(counted) == 24


def test_the_quarantine_csv_keeps_formulas_as_text(tmp_path) -> None:
    frame = pd.DataFrame(
        [
            {
                "file_name": "q.csv",
                "row_number": 5,
                "column_name": "Q30",
                "value": "=cmd|' /C calc'!A0",
                "rule": "not_a_score",
                "message": "x",
            },
            {
                "file_name": "q.csv",
                "row_number": 6,
                "column_name": "Q1",
                "value": "@SUM(1)",
                "rule": "not_a_score",
                "message": "-1",
            },
        ]
    )
    path = write_quarantine_csv(frame, tmp_path / "quarantine.csv")
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
    assert rows[1][3] == "'=cmd|' /C calc'!A0" and rows[2][3] == "'@SUM(1)"
    assert rows[2][5] == "'-1"


@pytest.mark.postgres
def test_postgres_loads_with_copy_and_text_survives(postgres_warehouse, tmp_path) -> None:
    tricky = {1: {"Q30": "tab\there\\back\nslash\r\nline"}, 2: {"Q30": "引号\"和'单引号"}}
    outcome = ingest(
        postgres_warehouse, qualtrics_file(tmp_path, "q.csv", range(10), tricky), COMMENTED
    )
    accounted(postgres_warehouse, outcome)
    assert outcome.rows_loaded == 10
    bodies = set(
        read_query(
            postgres_warehouse,
            "feedback_texts",
            {"quarter_start": "2026-10-01", "quarter_end": "2027-01-01"},
        )["body"]
    )
    assert {tricky[1]["Q30"], tricky[2]["Q30"]} <= bodies
    assert ingest(postgres_warehouse, tmp_path / "q.csv").status == "already_loaded"
