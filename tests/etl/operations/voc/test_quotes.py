"""Quotes: typical and specific rather than short, distinct, masked."""

from __future__ import annotations

import pandas as pd

from etl.operations.voc.quotes import QUOTE_CHARS, pick_quotes, quote_text, specificity


def tagged(bodies: list[str], dimension: str = "claims", sentiment: str = "negative"):
    return pd.DataFrame(
        {
            "feedback_id": range(len(bodies)),
            "branch_code": "SC",
            "source": "online_message",
            "received_on": "2026-08-01",
            "body": bodies,
            "dimension": dimension,
            "sentiment": sentiment,
            "score": -1.0,
        }
    )


def test_a_specific_complaint_beats_a_short_one() -> None:
    assert specificity("理赔材料交了一个月，补了三次，钱还没到账") > specificity("太慢了")
    assert specificity("Sent the receipts three times in six weeks") > specificity("Bad.")


def test_three_distinct_typical_specific_quotes_masked() -> None:
    bodies = [
        "太差了",
        "理赔材料交了一个月，补了三次，钱还没到账，电话13800138000也没人接",
        "理赔材料交了一个月，补了三次，钱还没到账，电话13800138000也没人接！",
        "报案后等了四十天才有人联系，理赔款到现在都没到账",
        "住院发票寄了两次，每次都说少一张，理赔拖了两个月",
        "今天下雨了",
    ]
    quotes = pick_quotes(tagged(bodies), ["claims"])
    assert len(quotes) == 3
    assert all("13800138000" not in q.text for q in quotes)
    assert "太差了" not in [q.text for q in quotes]  # short says too little
    assert sum("补了三次" in q.text for q in quotes) == 1  # near-duplicates quoted once


def test_mixed_texts_fill_in_when_negative_ones_run_out() -> None:
    frame = pd.concat(
        [
            tagged(["理赔拖了两个月，打了十几次电话"]),
            tagged(["虽然最后赔了，但是补了三次材料"], sentiment="mixed"),
        ]
    )
    assert [q.sentiment for q in pick_quotes(frame, ["claims"])] == ["negative", "mixed"]


def test_a_long_quote_is_cut_never_inside_a_mask_label() -> None:
    quote = quote_text("理赔" * 118 + "13800138000" + "慢" * 50)
    assert len(quote) <= QUOTE_CHARS and quote.endswith("…") and "[手" not in quote[-4:]
