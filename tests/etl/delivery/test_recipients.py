"""The distribution list: addresses checked, broken lists named, the packaged list complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.core.config import ConfigError
from etl.delivery import (
    address_problem,
    load_distribution,
)
from etl.delivery.recipients import DEFAULT_RECIPIENTS


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("ceo@example.com", None),
        ("张三 <zhang.san@example.com.cn>", None),
        ("ops@例子.公司", None),
        ("not-an-address", "is not an e-mail address (expected name@domain.tld)"),
        ("two@@example.com", "is not an e-mail address (expected name@domain.tld)"),
        ("nodot@localhost", "is not an e-mail address (expected name@domain.tld)"),
        ("a@example.com\nBcc: x@evil.example", "contains a line break"),
    ],
)
def test_address_problem(address: str, problem: str | None) -> None:
    assert address_problem(address) == problem


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[sender\nfrom = 1", "is not valid TOML"),
        (
            '[scopes.company]\nto = ["a@example.com"]',
            '[sender] from = "Name <address>" is required',
        ),
        ('[sender]\nfrom = "a@example.com"\n[scopes.company]\nto = 5', "[scopes.company].to"),
        ('[sender]\nfrom = "a@example.com"\n[scopes.BJ]\ntoo = ["a@b.cn"]', "unknown keys ['too']"),
    ],
)
def test_broken_distribution_lists_name_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "recipients.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"recipients\.toml") as raised:
        load_distribution(path)
    assert message in str(raised.value)


def test_the_packaged_distribution_list_covers_the_demo_scopes() -> None:
    distribution = load_distribution(DEFAULT_RECIPIENTS)
    scopes = {entry.scope for entry in distribution.entries}
    assert scopes == {"company", "BJ", "SH", "GD", "JS", "ZJ", "SD", "SC", "HB", "HA", "FJ",
                      "LN", "SN"}  # fmt: skip
    assert distribution.operators
    problems = [a for e in distribution.entries for a, _, _ in e.addresses() if address_problem(a)]
    assert problems == []
