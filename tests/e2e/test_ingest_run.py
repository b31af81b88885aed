"""End to end: a Qualtrics and a 问卷星 export for a new wave land in the inbox; the DAG
ingests them, computes the quarter and renders a report whose sample sizes are the ingested
respondents and whose appendix counts the quarantined rows by rule."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from etl.core import load_item_bank
from etl.warehouse import connect, read_query, read_results, statement
from tests.e2e.test_airflow_run import AIRFLOW, REPO, dags_test, pdf_text
from tests.etl.ingest.exports import qualtrics_csv, wjx_csv

pytestmark = pytest.mark.e2e
WAVE = "2026-Q3"
BANK = load_item_bank()
ITEMS = tuple(item.code for item in BANK.items)
QUALTRICS_MAPPING = """\
[source]
format = "qualtrics"
[columns]
policy_id = "policy_no"
comment = "Q30"
"""
WJX_MAPPING = """\
[source]
format = "wjx"
encoding = "gbk"
[columns]
branch = "1、您的保单属于哪家分公司？"
policy_id = "2、保单号"
comment = "30、您的意见和建议"
[values]
"非常满意" = 10
"比较满意" = 8
"""


def _score(rng: random.Random, code: str) -> str:
    item = BANK.by_code()[code]
    return str(rng.randint(max(item.scale_min, item.scale_max - 5), item.scale_max))


def qualtrics_export(policies, rng: random.Random) -> tuple[bytes, int]:
    responses = []
    for number, policy in enumerate(policies):
        row = {
            "StartDate": "2026-09-01 08:00:00",
            "EndDate": f"2026-09-{1 + number % 28:02d} 09:00",
            "Progress": "100",
            "Duration (in seconds)": str(rng.randint(240, 600)),
            "Finished": "True",
            "RecordedDate": "2026-09-30 09:00:00",
            "ResponseId": f"R_{number:05d}xQ7k",
            "branch": policy.branch_code,
            "channel": policy.channel_code,
            "product_line": policy.product_line_code,
            "policy_no": policy.policy_no,
            "Q30": "理赔很快，顾问很耐心",
        }
        row |= {f"Q5_{i}": _score(rng, code) for i, code in enumerate(ITEMS, 1)}
        responses.append(row)
    for number in range(0, 10, 2):
        responses[number]["Q5_1"] = "12"  # out of the 1–10 scale
    for number in (1, 3, 5):
        responses[number]["branch"] = "XX分公司"
    return qualtrics_csv(responses, items=ITEMS), 8


def wjx_export(policies, rng: random.Random) -> tuple[bytes, int]:
    rows = []
    for number, policy in enumerate(policies, start=1):
        scores = [_score(rng, code) for code in ITEMS]
        scores[0] = "非常满意" if number % 2 else "比较满意"
        rows.append(
            [
                str(number),
                f"2026/8/{1 + number % 28} 10:00:00",
                f"{rng.randint(200, 500)}秒",
                "手机提交",
                "微信",
                "10.0.0.1",
                policy.branch_code,
                policy.policy_no,
                *scores,
                "保全变更跑了三趟",
            ]
        )
    for number in (0, 1):
        rows[number][9] = "非常不满"  # an option text the mapping does not recode
    return wjx_csv(rows, ITEMS, encoding="gbk"), 2


@pytest.fixture(scope="module")
def ingested_run(tmp_path_factory, demo_url: str) -> dict[str, object]:
    root = tmp_path_factory.mktemp("ingest_e2e")
    warehouse = root / "warehouse.db"
    shutil.copy(demo_url.removeprefix("sqlite:///"), warehouse)
    engine = connect(f"sqlite:///{warehouse}")
    with engine.begin() as conn:  # the quarter's survey is not in the warehouse yet
        for name in ("delete_wave_answers", "delete_wave_responses", "delete_wave"):
            conn.execute(statement(f"testing/{name}"), {"wave_id": WAVE})
    policies = list(read_query(engine, "testing/policies_sample", {"count": 900}).itertuples())
    rng = random.Random(20261206)
    inbox = root / "inbox"
    inbox.mkdir()
    qualtrics, q_bad = qualtrics_export(policies[:500], rng)
    wjx, w_bad = wjx_export(policies[500:900], rng)
    (inbox / "qualtrics_2026q3.csv").write_bytes(qualtrics)
    (inbox / "qualtrics_2026q3.mapping.toml").write_text(QUALTRICS_MAPPING, "utf-8")
    (inbox / "wjx_2026q3.csv").write_bytes(wjx)
    (inbox / "wjx_2026q3.mapping.toml").write_text(WJX_MAPPING, "utf-8")
    config = root / "settings.toml"
    config.write_text(
        f'[paths]\nreports = "{root / "reports"}"\noutbox = "{root / "outbox"}"\n'
        f'inbox = "{inbox}"\n',
        "utf-8",
    )
    import os
    import subprocess

    env = os.environ | {
        "AIRFLOW_HOME": str(root / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW_CONN_SATISFACTION_WAREHOUSE": f"sqlite:///{warehouse}",
        "SATISFACTION_CONFIG": str(config),
    }
    subprocess.run(
        [AIRFLOW, "db", "migrate"], env=env, capture_output=True, check=True, timeout=300
    )
    result = dags_test(
        env, {"quarter": WAVE, "scopes": ["company"], "language": "zh-CN", "deliver": False}
    )
    return {
        "result": result,
        "engine": engine,
        "root": root,
        "inbox": inbox,
        "quarantined": q_bad + w_bad,
        "loaded": 900 - q_bad - w_bad,
    }


def test_the_dag_ingests_the_inbox_and_renders(ingested_run) -> None:
    result = ingested_run["result"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    inbox: Path = ingested_run["inbox"]
    assert sorted(p.name for p in (inbox / "archive").iterdir()) == [
        "qualtrics_2026q3.csv",
        "wjx_2026q3.csv",
    ]


def test_ingested_respondents_are_the_report_sample(ingested_run) -> None:
    results = read_results(ingested_run["engine"], [WAVE], ["company"])
    respondents = results.set_index("metric").loc["respondents", "value"]
    assert respondents == ingested_run["loaded"]
    text = pdf_text(Path(ingested_run["root"]) / "reports" / WAVE / "company.zh-CN.pdf")
    assert f"{ingested_run['loaded']:,}" in text or str(ingested_run["loaded"]) in text


def test_quarantine_counts_reach_the_appendix(ingested_run) -> None:
    results = read_results(ingested_run["engine"], [WAVE], ["company"]).set_index("metric")
    assert results.loc["lineage.ingest.survey.quarantined", "value"] == ingested_run["quarantined"]
    assert results.loc["lineage.ingest.survey.rule.out_of_scale", "value"] == 5
    assert results.loc["lineage.ingest.survey.rule.unknown_branch", "value"] == 3
    assert results.loc["lineage.ingest.survey.rule.not_a_score", "value"] == 2
    text = " ".join(
        pdf_text(Path(ingested_run["root"]) / "reports" / WAVE / "company.zh-CN.pdf").split()
    )
    assert "问卷导出文件" in text and "分值超出题目量表 5" in text and "未知分公司 3" in text
