"""The demo world's fixed data (branches, channels, products, comments) and its sizes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from etl.core.periods import Quarter

BRANCHES = [
    # code, name_zh, name_en, region_zh, region_en, relative size
    ("BJ", "北京分公司", "Beijing Branch", "华北", "North China", 1.3),
    ("SH", "上海分公司", "Shanghai Branch", "华东", "East China", 1.3),
    ("GD", "广东分公司", "Guangdong Branch", "华南", "South China", 1.5),
    ("JS", "江苏分公司", "Jiangsu Branch", "华东", "East China", 1.2),
    ("ZJ", "浙江分公司", "Zhejiang Branch", "华东", "East China", 1.1),
    ("SD", "山东分公司", "Shandong Branch", "华北", "North China", 1.0),
    ("SC", "四川分公司", "Sichuan Branch", "西南", "Southwest China", 0.9),
    ("HB", "湖北分公司", "Hubei Branch", "华中", "Central China", 0.8),
    ("HA", "河南分公司", "Henan Branch", "华中", "Central China", 0.8),
    ("FJ", "福建分公司", "Fujian Branch", "华东", "East China", 0.7),
    ("LN", "辽宁分公司", "Liaoning Branch", "东北", "Northeast China", 0.6),
    ("SN", "陕西分公司", "Shaanxi Branch", "西北", "Northwest China", 0.5),
]


CHANNELS = [
    # code, name_zh, name_en, share of the policy book, over-sampling in the survey
    ("AGENT", "个险代理人", "Individual agents", 0.45, 0.8),
    ("BANCA", "银保", "Bancassurance", 0.25, 0.9),
    ("TELE", "电销", "Telesales", 0.12, 1.1),
    ("ONLINE", "互联网", "Online", 0.18, 1.8),
]


PRODUCT_LINES = [
    # code, name_zh, name_en, share, regular-premium share, mean premium CNY
    ("LIFE", "寿险", "Life", 0.28, 0.95, 9000.0),
    ("HEALTH", "健康险", "Health", 0.30, 0.90, 4200.0),
    ("ACCIDENT", "意外险", "Accident", 0.17, 0.0, 380.0),
    ("ANNUITY", "年金险", "Annuity", 0.13, 0.80, 30000.0),
    ("PAR", "分红险", "Participating", 0.12, 0.85, 15000.0),
]


SLOW_CLAIMS_BRANCH = "SC"


DECLINING_CHANNEL = "TELE"


IMPROVING_DIMENSION = "complaints"


SERVICE_BASE = {  # mean item score on a 1–10 scale before effects
    "presale": 7.9,
    "purchase": 8.0,
    "policy_service": 7.6,
    "claims": 7.7,
    "complaints": 6.0,
    "value_added": 7.1,
}


COMPLAINT_CATEGORIES = [
    # category, dimension, share
    ("销售误导", "presale", 0.22),
    ("理赔纠纷", "claims", 0.34),
    ("保全服务", "policy_service", 0.20),
    ("投保流程", "purchase", 0.10),
    ("服务态度", "complaints", 0.09),
    ("增值服务", "value_added", 0.05),
]


CHECKLIST = [
    "主动问候并表明身份",
    "了解客户需求",
    "说明保险责任",
    "明确提示免责条款",
    "说明犹豫期权利",
    "说明退保损失",
    "不夸大收益",
    "材料清单完整",
    "告知办理时限",
    "礼貌结束并致谢",
]


COMMENTS = {
    ("claims", "neg"): [
        "理赔等了一个多月才到账，中间没人主动告知进度。",
        "理赔材料要求反复补交，流程太繁琐了。",
        "报案后很久才有人联系，理赔速度太慢。",
    ],
    ("claims", "pos"): [
        "理赔很快，三天就到账了，非常满意。",
        "理赔员很专业，进度通知也很及时。",
    ],
    ("complaints", "neg"): [
        "投诉之后一直没有答复，问题拖了很久。",
        "客服电话很难打通，投诉处理不了了之。",
    ],
    ("complaints", "pos"): ["投诉处理及时，工作人员态度诚恳，问题解决了。"],
    ("presale", "neg"): ["销售时没讲清楚免责条款，和当初说的不一样。"],
    ("presale", "pos"): ["代理人讲解很耐心，产品推荐得很合适。"],
    ("purchase", "neg"): ["线上投保页面步骤太多，填了好几遍信息。"],
    ("purchase", "pos"): ["手机上几分钟就投保成功了，很方便。"],
    ("policy_service", "neg"): ["变更受益人要跑好几趟柜台，太麻烦。电话 13812345678 一直没人回。"],
    ("policy_service", "pos"): ["缴费提醒很及时，保单信息在APP上一目了然。"],
    ("value_added", "neg"): ["增值服务基本用不上，宣传的健康管理找不到入口。"],
    ("value_added", "pos"): ["生日时收到了祝福和体检券，感觉很贴心。"],
}


# metric, target, amber threshold, higher is better. Set by the board a little above where
# the company stands, so the scorecard shows a realistic mix of green, amber and red.
KPI_TARGETS: list[tuple[str, float, float, int]] = [
    ("csi", 72.0, 70.0, 1),
    ("nps", 0.0, -10.0, 1),
    ("csat", 28.0, 24.0, 1),
    ("claim_cycle_days_mean", 6.0, 8.0, 0),
    ("claim_paid_ratio", 0.90, 0.85, 1),
    ("complaint_on_time_rate", 0.95, 0.90, 1),
    ("complaint_resolution_rate", 0.90, 0.80, 1),
    ("complaints_per_10k_policies", 10.0, 14.0, 0),
    ("persistency_13_count", 0.90, 0.85, 1),
    ("persistency_25_count", 0.85, 0.80, 1),
    ("surrender_rate", 0.015, 0.025, 0),
    ("mystery_shop_compliance", 0.90, 0.85, 1),
]


@dataclass(frozen=True)
class DemoSize:
    """How much history the generator writes."""

    # An insurer's magnitudes per quarter: about a dozen complaints per 10,000 policies in
    # force (twice that in the slow-claims branch), a claim for a few percent of policies.
    policies: int = 180_000
    claims: int = 18_000
    complaints: int = 1_200
    responses: int = 30_000
    chunk_policies: int = 250_000


SCALES = {
    "demo": DemoSize(),
    "small": DemoSize(policies=6_000, claims=1_800, complaints=360, responses=3_600),
    "bench": DemoSize(
        policies=10_000_000, claims=2_000_000, complaints=200_000, responses=1_000_000
    ),
}


@dataclass(frozen=True)
class DemoPlan:
    """What to generate: the last quarter, how many quarters of history, seed and size."""

    through: Quarter
    quarters: int = 12
    seed: int = 20260101
    size: DemoSize = DemoSize()

    @property
    def first(self) -> Quarter:
        return self.through.shift(-(self.quarters - 1))

    @property
    def window_start(self) -> np.datetime64:
        # Policies are issued up to three years before the first reported quarter, so the
        # first quarters already have 13- and 25-month persistency cohorts.
        return np.datetime64(self.first.shift(-12).start, "D")

    @property
    def window_end(self) -> np.datetime64:
        return np.datetime64(self.through.end, "D")
