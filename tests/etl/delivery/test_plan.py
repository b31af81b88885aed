"""The delivery plan: send, skip or hold per recipient, from the delivery log."""

from __future__ import annotations

import pytest

from etl.delivery import (
    decide,
)
from tests.etl.delivery.helpers import (
    history,
)


@pytest.mark.parametrize(
    ("rows", "resend", "expected"),
    [
        ((), False, "send"),  # never sent
        ((("a", "en", "pending", "r0", 1),), False, "send"),  # an earlier run left it pending
        ((("a", "en", "failed", "r0", 1),), False, "send"),  # failed before: try again
        ((("a", "en", "delivered", "r0", 1),), False, "skip"),  # a rerun
        ((("a", "en", "delivered", "r0", 1),), True, "send"),  # resend
        ((("a", "en", "delivered", "r9", 1),), True, "skip"),  # retry of the resend run r9
        ((("b", "en", "delivered", "r0", 1),), False, "held"),  # has v1, this is v2
        ((("b", "en", "delivered", "r0", 1),), True, "send"),  # v2 on request
        ((("b", "zh-CN", "delivered", "r0", 1),), False, "send"),  # other language: no bearing
    ],
)
def test_decide(
    rows: tuple[tuple[str, str, str, str, int], ...], resend: bool, expected: str
) -> None:
    run_id = "r9"
    action, _ = decide(history(*rows), checksum="a", language="en", run_id=run_id, resend=resend)
    assert action == expected
