"""Feedback texts (CSV, JSON Lines) and mystery-shop checklists: same rules, same registry."""

from __future__ import annotations

import json

from etl.ingest.mapping import parse_mapping
from etl.warehouse import read_query
from tests.etl.ingest.conftest import ingest, policy_numbers
from tests.etl.ingest.test_load import accounted, count

Q3 = {"quarter_start": "2026-07-01", "quarter_end": "2026-10-01"}


def test_feedback_json_lines(warehouse_copy, tmp_path) -> None:
    policy = policy_numbers(warehouse_copy, 1)[0][0]
    lines = [
        {
            "source": "在线客服",
            "received_at": "2026-08-03 14:02",
            "scope": "SC",
            "text": "理陪申请交了三个月了还没消息",
            "policy_no": policy,
        },
        {"source": "weibo", "received_at": "2026-08-04T09:00:00+08:00", "text": "客服态度真好"},
        {"source": "传真", "received_at": "2026-08-05", "text": "来源不明"},
        {"source": "social_media", "received_at": "2026-08-05", "text": ""},
        {"source": "online", "received_at": "2026-08-05", "text": "<img src=x onerror=alert(1)>"},
    ]
    body = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n{broken\n"
    path = tmp_path / "messages.jsonl"
    path.write_text(body, "utf-8")
    before = count(warehouse_copy, "feedback_texts")
    outcome = ingest(warehouse_copy, path)
    entries = accounted(warehouse_copy, outcome)
    assert (outcome.kind, outcome.rows_in, outcome.rows_loaded) == ("feedback", 6, 3)
    assert dict(zip(entries["row_number"], entries["rule"], strict=True)) == {
        3: "unknown_source",
        4: "missing_required",
        6: "json",
    }
    assert count(warehouse_copy, "feedback_texts") == before + 3
    texts = read_query(warehouse_copy, "feedback_texts", Q3)
    assert "<img src=x onerror=alert(1)>" in set(texts["body"])


def test_feedback_csv_with_a_mapping(warehouse_copy, tmp_path) -> None:
    path = tmp_path / "social.csv"
    path.write_text(
        "平台,发布时间,分公司,内容\n小红书,2026/8/9 20:00,北京分公司,踢皮球\n"
        "抖音,2026/8/9,火星,无语了\n",
        "utf-8",
    )
    mapping = parse_mapping(
        {
            "source": {"format": "feedback"},
            "columns": {
                "source": "平台",
                "received_at": "发布时间",
                "branch": "分公司",
                "text": "内容",
            },
        },
        "m.toml",
    )
    outcome = ingest(warehouse_copy, path, mapping)
    entries = accounted(warehouse_copy, outcome)
    assert outcome.rows_loaded == 1 and list(entries["rule"]) == ["unknown_branch"]


def test_mystery_shop_checklists(warehouse_copy, tmp_path) -> None:
    rows = [
        "visit_id,branch,channel,visited_on,scenario,checklist_item,passed",
        "V-1,SC,AGENT,2026-08-12,新单咨询,主动出示执业证,是",
        "V-1,SC,AGENT,2026-08-12,新单咨询,说明犹豫期,否",
        "V-2,BJ,BANCA,2026-08-13,保全,核实身份,maybe",  # bad result: the whole visit goes
        "V-2,BJ,BANCA,2026-08-13,保全,告知时效,1",
        "V-3,ZZ,AGENT,2026-08-14,理赔,一次性告知,1",
    ]
    path = tmp_path / "mystery.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    visits = count(warehouse_copy, "mystery_shop_visits")
    checks = count(warehouse_copy, "mystery_shop_results")
    outcome = ingest(warehouse_copy, path)
    entries = accounted(warehouse_copy, outcome)
    assert (outcome.kind, outcome.rows_loaded, outcome.rows_quarantined) == ("mystery_shop", 2, 3)
    assert entries.groupby("row_number")["rule"].agg(set).to_dict() == {
        4: {"not_yes_no"},
        5: {"visit_quarantined"},
        6: {"unknown_branch"},
    }
    assert count(warehouse_copy, "mystery_shop_visits") == visits + 1
    assert count(warehouse_copy, "mystery_shop_results") == checks + 2
