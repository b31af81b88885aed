"""The demo's reporting units: the twelve branches, then sales offices for the scale demo."""

from __future__ import annotations

import pytest

from etl import demo
from etl.core.periods import Quarter
from etl.demo.catalogue import BRANCHES, OFFICE_SHARE, branch_catalogue


def test_the_default_demo_keeps_its_twelve_branches() -> None:
    plan = demo.DemoPlan(through=Quarter(2026, 3))
    assert plan.branches == BRANCHES == branch_catalogue(12)


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        (12, ("BJ01", "北京分公司第1营销服务部", "Beijing Branch Sales Office 1", "华北")),
        (23, ("SN01", "陕西分公司第1营销服务部", "Shaanxi Branch Sales Office 1", "西北")),
        (24, ("BJ02", "北京分公司第2营销服务部", "Beijing Branch Sales Office 2", "华北")),
        (126, ("SC10", "四川分公司第10营销服务部", "Sichuan Branch Sales Office 10", "西南")),
    ],
)
def test_the_wide_scale_adds_sales_offices_branch_by_branch(
    position: int, expected: tuple[str, ...]
) -> None:
    units = demo.DemoPlan(through=Quarter(2026, 3), size=demo.SCALES["wide"]).branches
    assert len(units) == 127 and len({u[0] for u in units}) == 127  # 128 scopes with company
    assert units[position][:4] == expected
    parent = next(b for b in BRANCHES if b[0] == expected[0][:2])
    assert units[position][5] == pytest.approx(parent[5] * OFFICE_SHARE)


def test_a_demo_without_branches_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one branch, got 0"):
        branch_catalogue(0)
