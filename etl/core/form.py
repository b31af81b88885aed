"""The manual-run form: each run Param with its title, help in both languages and its choices.

Built when the DAG file is parsed, so it reads only the settings files and the clock, never
the warehouse: the scope choices are the configured `scopes`, each shown with its names.
The DAG wraps each field in an Airflow `Param`; this module does not import Airflow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from etl.core.config import Settings
from etl.core.periods import QUARTER_PATTERN, last_complete_quarter

WHAT = "报告内容 What to report"
DELIVERY = "发送 Delivery"
LANGUAGE_NAMES = {"zh-CN": "中文 Chinese", "en": "English 英文"}
RECENT_QUARTERS = 8


@dataclass(frozen=True)
class FormField:
    """One Param: its default, its JSON-schema keywords and its help text (Chinese, English)."""

    default: Any
    description: str
    schema: dict[str, Any] = field(default_factory=dict)


def recent_quarters(now: dt.datetime, timezone: str, count: int = RECENT_QUARTERS) -> list[str]:
    """The last complete quarter and the ones before it, newest first (the form's proposals)."""
    latest = last_complete_quarter(now, timezone)
    return [str(latest.shift(-back)) for back in range(count)]


def scope_choices(settings: Settings) -> tuple[list[str], dict[str, str]]:
    """The configured scope codes and how the form shows each: "SC · 四川分公司 Sichuan Branch"."""
    scopes = settings.scopes
    return [s.code for s in scopes], {s.code: f"{s.code} · {s.name_zh} {s.name_en}" for s in scopes}


def trigger_form(settings: Settings, now: dt.datetime) -> dict[str, FormField]:
    """Every run Param; the defaults alone make a valid run (last quarter, all scopes)."""
    return {**_what_fields(settings, now), **_delivery_fields()}


def _what_fields(settings: Settings, now: dt.datetime) -> dict[str, FormField]:
    codes, shown = scope_choices(settings)
    quarters = recent_quarters(now, settings.timezone)
    return {
        "quarter": FormField(
            None,
            "报告季度，可从最近的季度中选择或直接输入（如 2026-Q3）；留空 = 最近一个已结束的季度。"
            " Quarter to report: pick a recent one or type it (e.g. 2026-Q3); "
            "empty = the last complete quarter.",
            {
                "type": ["null", "string"],
                "pattern": QUARTER_PATTERN,
                "examples": quarters,
                "title": "季度 Quarter",
                "section": WHAT,
            },
        ),
        "scopes": FormField(
            None,
            "要生成报告的范围（全公司、各分公司），可多选；留空 = 全部。"
            " Scopes to report (company, branches), several allowed; empty = all.",
            {
                "type": ["null", "array"],
                "items": {"type": "string", "enum": codes},
                "uniqueItems": True,
                "examples": codes,
                "values_display": shown,
                "title": "报告范围 Scopes",
                "section": WHAT,
            },
        ),
        "language": FormField(
            settings.raw.get("default_language", "zh-CN"),
            "报告语言；收件人需要其他语言时也会一并生成。"
            " Report language; recipients who read another language also get theirs.",
            {
                "type": "string",
                "enum": settings.languages,
                "values_display": LANGUAGE_NAMES,
                "title": "报告语言 Language",
                "section": WHAT,
            },
        ),
    }


def _delivery_fields() -> dict[str, FormField]:
    return {
        "deliver": FormField(
            True,
            "按分发名单用邮件发送每个范围的 PDF；数据未变的重跑不会重复发送。"
            " E-mail each scope's PDF to its distribution list; a rerun over unchanged data "
            "sends nothing new.",
            {"type": "boolean", "title": "发送邮件 Deliver", "section": DELIVERY},
        ),
        "resend": FormField(
            False,
            "再次发送给已收到本季度报告的收件人："
            "发布更正后的新版本（v2、v3…）或释放“已暂缓”的发送。"
            " Send again to recipients who already have this quarter's report: releases a "
            "corrected revision (v2, v3 …) that was held.",
            {"type": "boolean", "title": "重新发送 Resend", "section": DELIVERY},
        ),
        "reason": FormField(
            None,
            "重跑原因，印在新版本封面上；仅当本次运行会生成已发送报告的新版本时必填。"
            " Why this rerun, printed on a new revision's cover; required only when the run "
            "makes a new revision of a report that was already delivered.",
            {
                "type": ["null", "string"],
                "maxLength": 200,
                "title": "原因 Reason",
                "section": DELIVERY,
            },
        ),
    }
