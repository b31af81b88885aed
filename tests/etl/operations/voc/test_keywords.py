"""Voice of the customer: personal data masked, texts tagged by dimension and sentiment."""

from __future__ import annotations

import pandas as pd
import pytest

from etl.operations.voc.keywords import mask_personal_data, representative_quotes, tag, tag_frame


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话 13812345678 一直没人回", "电话 [手机号] 一直没人回"),
        ("call +86 138-1234-5678 please", "call [手机号] please"),
        ("身份证110101199003071234已提交", "身份证[身份证号]已提交"),
        ("身份证11010119900307123X已提交", "身份证[身份证号]已提交"),
        ("write to li.ming@example.com.cn now", "write to [邮箱] now"),
        ("保单 PBJ0000012345 的理赔", "保单 [保单号] 的理赔"),
        ("座机 010-62345678", "座机 [电话]"),
        ("理赔很快，三天就到账了", "理赔很快，三天就到账了"),  # nothing personal: unchanged
    ],
)
def test_personal_data_is_masked(text: str, masked: str) -> None:
    assert mask_personal_data(text) == masked


def test_known_names_are_masked() -> None:
    assert mask_personal_data("王小明说理赔太慢", known_names=["王小明"]) == "[姓名]说理赔太慢"


@pytest.mark.parametrize(
    ("text", "dimensions", "sentiment"),
    [
        ("理赔等了一个多月才到账，太慢了。", ("claims",), "negative"),
        ("理赔很快，三天就到账了，非常满意。", ("claims",), "positive"),
        ("投诉之后一直没有答复，问题拖了很久。", ("complaints",), "negative"),
        ("代理人讲解很耐心，产品推荐得很合适。", ("presale",), "positive"),
        ("对服务不满意", (), "negative"),  # negated positive counts as negative
        ("The claim payment was slow and nobody called.", ("claims",), "negative"),
        ("今天天气不错", (), "neutral"),
    ],
)
def test_tagging(text: str, dimensions: tuple[str, ...], sentiment: str) -> None:
    tagged = tag(text)
    assert (tagged.dimensions, tagged.sentiment) == (dimensions, sentiment)


def test_quotes_are_the_commonest_wording_of_each_theme_and_masked() -> None:
    texts = pd.DataFrame(
        {
            "feedback_id": [1, 2, 3, 4],
            "branch_code": "SC",
            "source": "online_message",
            "received_on": "2026-08-01",
            "body": [
                "理赔太慢了，电话 13812345678 没人接",
                "理赔太慢了，电话 13812345678 没人接",
                "理赔材料反复补交，太繁琐",
                "缴费提醒很及时，很方便",
            ],
        }
    )
    quotes = representative_quotes(tag_frame(texts))
    assert quotes[0] == {
        "dimension": "claims",
        "sentiment": "negative",
        "text": "理赔太慢了，电话 [手机号] 没人接",
        "source": "online_message",
    }
    assert {q["dimension"] for q in quotes} == {"claims", "policy_service"}
    assert all("13812345678" not in q["text"] for q in quotes)
