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
# A branch's sales offices (营销服务部), each about a quarter of its branch's size: the scale
# demo's further report scopes, numbered within their branch (SC01 …), branches in turn.
OFFICE_SHARE = 0.25


def branch_catalogue(count: int) -> list[tuple[str, str, str, str, str, float]]:
    """`count` reporting units: the twelve branches, then sales offices taken branch by branch."""
    if count < 1:
        raise ValueError(f"a demo needs at least one branch, got {count}")
    units = list(BRANCHES[:count])
    for extra in range(max(0, count - len(BRANCHES))):
        code, zh, en, region_zh, region_en, size = BRANCHES[extra % len(BRANCHES)]
        number = extra // len(BRANCHES) + 1
        units.append((
            f"{code}{number:02d}", f"{zh}第{number}营销服务部", f"{en} Sales Office {number}",
            region_zh, region_en, size * OFFICE_SHARE,
        ))  # fmt: skip
    return units


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


# What customers write, in their own words: negation (不是很满意), contrast (虽然…但是…),
# irony (真是太“高效”了), stages named only by what happened (钱还没到账 is a claim; 改个受益人
# is policy service), slang and typos (踢皮球, 无语了, 理陪), some English, and personal data
# people paste into comments (masked before any report or e-mail shows them).
COMMENTS = {
    ("claims", "neg"): [
        "材料交齐一个多月了，钱到现在都没到账，也没人说卡在哪一步。",
        "真是太“高效”了，三个月还没赔下来，孩子住院的钱全是我垫的。",
        "住院发票原件寄了两次，每次都说少一张，理陪拖得人心累。",
        "各部门互相踢皮球，查勘员说找客服，客服说等通知，无语了。",
        "不是很满意，一个阑尾炎手术报了四十天，电话13812345678打过去一直没人接。",
        "赔款少了一截也不解释，银行卡6222 0212 3456 7890 128上只到了一半的钱。",
        "Still waiting for the money six weeks after I sent every receipt.",
    ],
    ("claims", "pos"): [
        "没想到周一交的材料周三钱就到了，比预想的快多了。",
        "查勘员当天就到了现场，定损也公道，没让我多跑一趟。",
        "理赔不是很慢，手机上拍照上传，十天就赔了。",
        "虽然一开始担心会被刁难，但是最后一分没少，省心。",
        "Paid two days after I left hospital, no hassle at all.",
    ],
    ("complaints", "neg"): [
        "反映的问题石沉大海，说好三天回电，一周了也没人联系。",
        "热线转了三次人工，每个人都让我从头再说一遍。",
        "工单显示已办结，可根本没人找过我，身份证11010519491231002X都报了三遍。",
        "客服只会说“您的心情我们理解”，问题呢？",
    ],
    ("complaints", "pos"): [
        "本来挺生气的，但处理的人确实用心，第二天就给了书面答复。",
        "没想到反映一次就有人跟进到底，多扣的钱也退回来了。",
    ],
    ("presale", "neg"): [
        "当初说随时能取出来，现在才知道退了要亏一大半。",
        "业务员只讲收益，免责条款一句没提，签完字人就找不到了。",
        "说是存款，结果是分红险，这不就是误导吗。",
    ],
    ("presale", "pos"): [
        "讲得很实在，哪些情况不赔也提前说了，买得放心。",
        "没有硬推，按我家的情况只推荐了一份就够了。",
    ],
    ("purchase", "neg"): [
        "健康告知填到一半网页卡死，又得从头来，前后折腾了一晚上。",
        "刷了五次脸都没过，钱扣了保单却没生成。",
        "核保拖了两周，问就是还在审核中。",
    ],
    ("purchase", "pos"): [
        "小程序上十分钟就出单了，电子保单马上发到手机。",
        "虽然要录像，但工作人员提醒得很到位，一遍就过了。",
    ],
    ("policy_service", "neg"): [
        "改个受益人跑了三趟，每次都说还缺一样东西。",
        "扣款失败也不通知，差点断保，打13812345678没人回，发邮件到zhang.wei@example.com也没回音。",
        "地址改了三次，寄来的信还是送到老房子。",
        "The beneficiary change took three trips to the branch.",
    ],
    ("policy_service", "pos"): [
        "在APP上改了银行卡，两分钟搞定，不用跑柜台。",
        "提前一个月就提醒续期，没有不满意的地方。",
    ],
    ("value_added", "neg"): [
        "送的体检约了三次都约满，这福利形同虚设。",
        "宣传的免费道路救援，打过去说我这款不包括。",
        "积分一年了都兑不出能用的东西。",
    ],
    ("value_added", "pos"): [
        "半夜孩子发烧，在线问诊的医生几分钟就回了，很暖心。",
        "住院时走了绿色通道，挂号和床位都帮忙安排好了。",
    ],
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
    branches: int = len(BRANCHES)  # reporting units besides the company (scopes = this + 1)


SCALES = {
    "demo": DemoSize(),
    "small": DemoSize(policies=6_000, claims=1_800, complaints=360, responses=3_600),
    "bench": DemoSize(
        policies=10_000_000, claims=2_000_000, complaints=200_000, responses=1_000_000
    ),
    # Many scopes, each cheap: 127 branches and sales offices + the company = 128 reports,
    # for the Celery scale-out benchmark (bench/bench_celery.py). Thin samples per office.
    "wide": DemoSize(
        policies=60_000, claims=6_000, complaints=1_200, responses=48_000, branches=127
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
    def branches(self) -> list[tuple[str, str, str, str, str, float]]:
        """The reporting units the generator writes (code, names, regions, relative size)."""
        return branch_catalogue(self.size.branches)

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
