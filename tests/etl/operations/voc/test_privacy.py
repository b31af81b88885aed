"""Masking personal data: each detector on the forms people write, and what must stay readable."""

from __future__ import annotations

import pytest

from etl.core.config import ConfigError
from etl.operations.voc import personal_data_found, quote_text
from etl.operations.voc.privacy import bank_card, id_check_valid, luhn_valid, mask_personal_data

# (kind, comment, what must not remain)
LEAKS = [
    ("card 16 spaced", "我的银行卡6222 0212 3456 7890 128一直没收到赔款", "6222"),
    ("card 16 dashed", "卡号 6217-0012-3456-7890 打错了", "6217"),
    ("card 19 plain", "我的卡6228480402564890018被冻结", "6228480402564890018"),
    ("card 16 no keyword", "请退回6011000990139424这张卡", "6011000990139424"),
    ("id 18 with X", "身份证号11010519491231002X", "11010519491231002X"),
    ("id spaced", "证件 110101 19900307 4514 过期", "19900307"),
    ("passport E", "护照E12345678丢了", "E12345678"),
    ("passport keyword", "护照号码是 EA1234567 请查", "EA1234567"),
    ("hk permit", "通行证C12345678", "C12345678"),
    ("wechat", "加我微信abc_123456", "abc_123456"),
    ("wechat id", "微信号：wxid_kk88 或 wechat: kevin_lee88", "kevin_lee88"),
    ("qq", "QQ 12345678", "12345678"),
    ("mobile +86", "call +86 138-1234-5678 please", "1234"),
    ("mobile", "电话13800138000一直没人回", "13800138000"),
    ("landline", "打了010-88886666没人接", "88886666"),
    ("email", "发到zhang.san@example.com了", "zhang.san"),
    ("policy after CJK", "保单号PBJ0000000039的理赔太慢", "PBJ0000000039"),
    ("policy in CJK", "我的保单PSC0000012345理赔慢", "PSC0000012345"),
    ("policy english", "policy no. AB12345678 was lapsed", "AB12345678"),
    ("name by segmenter", "理赔员李建国很耐心", "李建国"),
    ("name with title", "张伟经理态度很好", "张伟"),
    ("name after 叫", "我叫王小明，理赔很慢", "王小明"),
    ("compound surname", "欧阳娜娜女士帮了忙", "欧阳"),
    ("extension B name", "𪚥先生说理赔员态度不好", "𪚥"),
    ("english name", "Mr. John Smith was rude", "Smith"),
    ("address road", "寄到北京市朝阳区建国路88号3号楼1201室吧", "建国路88号"),
    ("address estate", "阳光小区5栋2单元1203室的客户", "1203"),
    ("address english", "lives at 221 Baker Street now", "Baker"),
    ("long number", "账户0123456789012一直没到账", "0123456789012"),
    ("landline with area code", "打(028)85551234转人工", "85551234"),
    ("landline 400", "400-820-8820 打不通", "820-8820"),
    ("plate", "车牌川A12345被追尾了", "A12345"),
    ("plate new energy", "粤B·D12345的定损太慢", "D12345"),
    ("plate spaced", "plate 沪C 5X123 towed", "5X123"),
]


@pytest.mark.parametrize(("kind", "text", "secret"), LEAKS, ids=[case[0] for case in LEAKS])
def test_personal_data_is_masked_whatever_its_form(kind: str, text: str, secret: str) -> None:
    masked = mask_personal_data(text)
    assert secret not in masked, masked
    assert "[" in masked


@pytest.mark.parametrize(
    "text",
    [
        "线上投保很方便，一目了然",
        "理赔等了30天，赔款5000元到账",
        "客户经理和我说保单2023年买的，理赔很快很满意",
        "The claim took 12 days and the agent was helpful",
        "赔款13500000000元到账了",  # an 11-digit amount is not a phone number
        "理赔金额 ¥12000000000 太离谱",
        "2026年买的保单，理赔很快",  # 2026 is a year, not a name or a number to hide
        "京东买的体检卡，粤语客服很好",  # 京东, 粤语 are not plates
        "等了3个月，跑了3趟",
    ],
)
def test_ordinary_comments_stay_as_written(text: str) -> None:
    assert mask_personal_data(text) == text


def test_known_names_from_the_warehouse_are_masked_also_rare_characters() -> None:
    masked = mask_personal_data("赵𠀀和钱𪚥说理赔太慢", known_names=["赵𠀀", "钱𪚥"])
    assert masked == "[姓名]和[姓名]说理赔太慢"
    assert personal_data_found(masked, ["赵𠀀"]) == []


@pytest.mark.parametrize(
    ("check", "value", "valid"),
    [
        (luhn_valid, "4111 1111 1111 1111", True),
        (luhn_valid, "4111 1111 1111 1112", False),
        (bank_card, "+86 138 1234 5678", False),
        (id_check_valid, "11010519491231002X", True),
        (id_check_valid, "110105194912310021", False),
    ],
)
def test_check_digits(check: object, value: str, valid: bool) -> None:
    assert check(value) is valid  # type: ignore[operator]


def test_a_huge_comment_becomes_a_short_masked_quote() -> None:
    body = "理赔太慢，电话13800138000。" + "等待" * 5_000_000  # 10 MB
    quote = quote_text(body)
    assert len(quote) <= 240 and quote.endswith("…")
    assert "13800138000" not in quote and "[手机号]" in quote


def test_policy_number_formats_come_from_config(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "privacy.toml").write_text("policy_numbers = ['P\\d{3}-\\d{4}']\n")
    monkeypatch.setenv("SATISFACTION_VOC_LEXICON", str(tmp_path))
    assert mask_personal_data("保单P123-4567的理赔") == "保单[保单号]的理赔"
    assert mask_personal_data("编号P123-4567过期") == "编号[保单号]过期"


def test_a_broken_policy_pattern_is_a_clear_config_error(
    tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "privacy.toml").write_text("policy_numbers = ['P(']\n")
    monkeypatch.setenv("SATISFACTION_VOC_LEXICON", str(tmp_path))
    with pytest.raises(ConfigError, match=r"privacy.toml: policy_numbers 'P\(' is not a regular"):
        mask_personal_data("保单P123")
