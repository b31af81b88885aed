"""Personal data in customer comments: a list of detectors, each masking one kind of data.

A quote reaches a report, an e-mail or the results store only through `mask_personal_data`.
Each detector is a pattern plus, where the kind has one, a check (Luhn for bank cards, the
GB 11643 check digit labels ID numbers); boundaries are ASCII-only, because `\\b` treats CJK
as word characters and would let `保单号PBJ0000000039` through. Names come from three places:
the names the warehouse knows (customers, agents, staff), the segmenter (jieba's person-name
tags) and the way people write names (a surname before 先生/经理/…, `Mr.`/`Ms.` before a name).
Masking errs on the side of hiding: a masked word costs a little reading, a leaked ID cannot be
taken back.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from etl.core.config import DEFAULTS_DIR, ConfigError

log = logging.getLogger(__name__)

NOT_ALNUM_BEFORE = r"(?<![A-Za-z0-9])"
NOT_ALNUM_AFTER = r"(?![A-Za-z0-9])"
# A number written as money (赔款 13500000000 元, ¥12000000000) is an amount, not a phone.
NOT_AMOUNT_BEFORE = r"(?<![¥￥$])"
NOT_AMOUNT_AFTER = r"(?!\s*(?:\.\d+)?\s*(?:元|块|圆|万|rmb|RMB|yuan|CNY|cny))"
# Mainland plates: province, issuing-office letter, five (six for new-energy) characters.
PLATE = (
    "(?<![A-Za-z0-9])[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
    "[A-HJ-NP-Z][ ·•.\\-]?(?=[A-HJ-NP-Z0-9]{5,6}(?![A-Za-z0-9]))(?=[A-Z]*\\d)"
    "[A-HJ-NP-Z0-9]{5,6}"
)
PRIVACY_FILE = "privacy.toml"
# Surnames that are also everyday words (和, 时, 明, …): too many false names after a keyword.
COMMON_WORD_SURNAMES = frozenset("和时明全应成向单解查管路车连安常师商于万文方司古谷关包能")
# Han characters of names, CJK Extension B–H included (𠀀, 𪚥 are in real names), and ·.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
SURNAMES = (
    "欧阳|司马|诸葛|上官|东方|皇甫|尉迟|公孙|慕容|令狐|长孙|宇文|司徒|夏侯|"
    "王|李|张|刘|陈|杨|黄|赵|吴|周|徐|孙|马|朱|胡|郭|何|高|林|罗|郑|梁|谢|宋|唐|许|韩|冯|邓|"
    "曹|彭|曾|肖|萧|田|董|袁|潘|于|蒋|蔡|余|杜|叶|程|苏|魏|吕|丁|任|沈|姚|卢|姜|崔|钟|谭|陆|"
    "汪|范|金|石|廖|贾|夏|韦|付|傅|方|白|邹|孟|熊|秦|邱|江|尹|薛|闫|阎|段|雷|侯|龙|史|陶|黎|"
    "贺|顾|毛|郝|龚|邵|万|钱|严|覃|武|戴|莫|孔|向|汤|常|温|康|施|文|牛|樊|葛|邢|安|齐|易|乔|"
    "伍|庞|颜|倪|庄|聂|章|鲁|岳|翟|殷|詹|申|欧|耿|关|兰|焦|俞|左|柳|甘|祝|包|宁|尚|符|舒|阮|"
    "柯|纪|梅|童|凌|毕|单|季|裴|霍|涂|成|苗|谷|盛|曲|翁|冉|骆|蓝|路|游|辛|靳|管|柴|蒙|鲍|华|"
    "喻|祁|蒲|房|滕|屈|饶|解|牟|艾|尤|阳|时|穆|农|司|卓|古|吉|缪|简|车|项|连|芦|麦|褚|娄|窦|"
    "戚|岑|景|党|宫|费|卜|冷|晏|席|卫|米|柏|宗|瞿|桂|全|佟|应|臧|闵|苟|邬|边|卞|姬|师|和|仇|"
    "栾|隋|商|刁|沙|荣|巫|寇|桑|郎|甄|丛|仲|虞|敖|巩|明|佘|池|查|麻|苑|迟|邝"
)
KEYWORD_SURNAMES = "|".join(
    s for s in SURNAMES.split("|") if not (len(s) == 1 and s in COMMON_WORD_SURNAMES)
)
SURNAME_START = re.compile(f"(?:{SURNAMES})")
TITLES = (
    "先生|女士|小姐|太太|经理|老师|主任|师傅|专员|顾问|律师|医生|大夫|总监|主管|"
    "科长|处长|部长|行长|组长|姐|哥|阿姨|叔"
)


@dataclass(frozen=True)
class Detector:
    """One kind of personal data: a pattern, an optional check of the match, its label."""

    kind: str
    label: str
    pattern: re.Pattern[str]
    check: Callable[[str], bool] | None = None
    group: int = 0  # 0: the whole match; n: only group n (the value after a keyword)

    def mask(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            value = match.group(self.group)
            if value is None or (self.check is not None and not self.check(value)):
                return match.group(0)
            start, end = match.span(self.group)
            whole_start = match.start(0)
            return (
                match.group(0)[: start - whole_start]
                + self.label
                + match.group(0)[end - whole_start :]
            )

        return self.pattern.sub(replace, text)


def digits_of(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def luhn_valid(text: str) -> bool:
    """Bank-card numbers (13–19 digits) carry the Luhn check digit."""
    digits = [int(d) for d in digits_of(text)]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def bank_card(text: str) -> bool:
    """A Luhn-valid 13–19 digit number that is not a mobile number written with +86 / 0086."""
    digits = digits_of(text)
    international_mobile = re.fullmatch(r"(?:0086|86)1[3-9]\d{9}", digits) is not None
    return luhn_valid(digits) and not international_mobile


def id_check_valid(text: str) -> bool:
    """The GB 11643 check character of an 18-character resident ID number."""
    body = [ch for ch in text if ch.isdigit() or ch in "Xx"]
    if len(body) != 18 or not all(ch.isdigit() for ch in body[:17]):
        return False
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(ch) * w for ch, w in zip(body[:17], weights, strict=True))
    return "10X98765432"[total % 11] == body[17].upper()


def _long_number(text: str) -> bool:
    """Any other run of 10+ digits is an account, card or policy number in a comment."""
    return len(digits_of(text)) >= 10


# What may stand between a keyword and its value: "微信号是 abc123", "policy no.: PX123456".
KEYWORD_VALUE = r"\s*(?:(?:是|为|:|：|#|＃|号码?|no\.?|number|id)\s*)*"
VALUE = r"([A-Za-z0-9][A-Za-z0-9_\-]{3,}(?:[ \-]\d{2,})*)"

DETECTORS: tuple[Detector, ...] = (
    Detector(
        "email",
        "[邮箱]",
        re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"),
    ),
    # A value right after what it is: the surest sign, whatever its format.
    Detector(
        "wechat",
        "[微信号]",
        re.compile(r"(?i)(?:微信|(?<![A-Za-z])(?:wechat|weixin|vx|wx))" + KEYWORD_VALUE + VALUE),
        group=1,
    ),
    Detector("qq", "[QQ号]", re.compile(r"(?i)QQ" + KEYWORD_VALUE + r"(\d{5,12})"), group=1),
    Detector(
        "passport",
        "[护照号]",
        re.compile(r"(?i)(?:护照|通行证|passport)" + KEYWORD_VALUE + VALUE),
        group=1,
    ),
    Detector(
        "id_card",
        "[身份证号]",
        re.compile(r"(?i)(?:身份证|证件|ID\s*card)" + KEYWORD_VALUE + VALUE),
        group=1,
    ),
    Detector(
        "bank_card",
        "[银行卡号]",
        re.compile(r"(?i)(?:银行卡|卡号|账号|帐号|account)" + KEYWORD_VALUE + VALUE),
        group=1,
    ),
    Detector(
        "policy_no",
        "[保单号]",
        re.compile(r"(?i)(?:保单|合同|policy)" + KEYWORD_VALUE + VALUE),
        group=1,
        check=lambda value: len(value) >= 6 and any(ch.isdigit() for ch in value),
    ),
    # Formats, wherever they appear.
    Detector(
        "id_card",
        "[身份证号]",
        re.compile(
            r"(?<!\d)\d{6}[ \-]?(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
            r"[ \-]?\d{3}[\dXx]" + NOT_ALNUM_AFTER
        ),
    ),
    Detector(
        "bank_card", "[银行卡号]", re.compile(r"(?<!\d)\d(?:[ \-]?\d){12,18}(?!\d)"), bank_card
    ),
    Detector(
        "mobile",
        "[手机号]",
        re.compile(
            NOT_AMOUNT_BEFORE
            + r"(?<!\d)(?:(?:\+|00)?86[ \-]?)?1[3-9]\d(?:[ \-]?\d){8}(?!\d)"
            + NOT_AMOUNT_AFTER
        ),
    ),
    Detector(
        "phone",
        "[电话]",
        re.compile(
            r"(?<!\d)(?:\(?0\d{2,3}\)?[ \-]?\d{7,8}|[48]00[ \-]?\d{3}[ \-]?\d{4})"
            r"(?:-\d{1,5})?(?!\d)"
        ),
    ),
    Detector(
        "passport",
        "[护照号]",
        re.compile(
            NOT_ALNUM_BEFORE
            + r"(?:[EGDSPegdsp][A-Za-z]?\d{7,8}|[CHMKLchmkl]\d{8,10})"
            + NOT_ALNUM_AFTER
        ),
    ),
    Detector("plate", "[车牌号]", re.compile(PLATE)),
    Detector(
        "number",
        "[号码]",
        re.compile(NOT_AMOUNT_BEFORE + r"(?<!\d)\d(?:[ \-]?\d){9,}(?!\d)" + NOT_AMOUNT_AFTER),
        _long_number,
    ),
    # Addresses: after a word that announces one, or by their structure (road + number, …).
    Detector(
        "address",
        "[地址]",
        re.compile(
            r"(?:地址|住址|家住|住在|寄到|寄往|送到|搬到)\s*(?:是|为|:|：)?\s*"
            r"([^，。,;；！!？?\n]{4,60})"
        ),
        group=1,
    ),
    Detector(
        "address",
        "[地址]",
        re.compile(
            rf"(?:[{HAN}]{{2,8}}?(?:省|自治区|市|区|县|镇|乡|村))*"
            rf"[{HAN}A-Za-z0-9]{{1,12}}?(?:路|街|大道|大街|巷|弄|胡同|道)"
            rf"(?:[{HAN}0-9]{{1,3}}段)?\s*\d{{1,5}}\s*号"
            rf"(?:\s*[{HAN}A-Za-z0-9\-]{{0,16}}?(?:室|栋|幢|单元|号楼|楼|层))*"
        ),
    ),
    Detector(
        "address",
        "[地址]",
        re.compile(
            rf"[{HAN}]{{2,10}}?(?:小区|花园|公寓|大厦|新村|家园|苑)\s*\d{{1,3}}\s*(?:号楼|栋|幢)"
            r"(?:\s*\d{1,3}\s*单元)?(?:\s*\d{2,5}\s*(?:室|号)?)?"
        ),
    ),
    Detector(
        "address",
        "[地址]",
        re.compile(
            r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}"
            r"(?:Road|Rd|Street|St|Avenue|Ave|Lane|Ln|Boulevard|Blvd|Drive|Dr|Way)\b\.?"
        ),
    ),
    # Names by how they are written (the segmenter and the warehouse's names come after).
    # Extension B+ characters in running text are almost only in names (𠀀, 𪚥).
    Detector(
        "name",
        "[姓名]",
        re.compile(rf"(?:(?:{SURNAMES})[{HAN}]?)?[\U00020000-\U0003134f]{{1,2}}"),
    ),
    Detector(
        "name",
        "[姓名]",
        re.compile(rf"((?:{SURNAMES})[{HAN}]{{0,2}}?)(?:{TITLES})"),
        group=1,
    ),
    Detector(
        "name",
        "[姓名]",
        re.compile(
            r"(?:我叫|名叫|叫做|姓名|业务员|代理人|理赔员|客服|经办人|查勘员)\s*(?:是|为|:|：)?\s*"
            rf"((?:小|老)(?:{KEYWORD_SURNAMES})|(?:{KEYWORD_SURNAMES})[{HAN}]{{1,2}})"
        ),
        group=1,
    ),
    Detector(
        "name",
        "[姓名]",
        re.compile(r"\b((?:Mr|Mrs|Ms|Miss|Dr)\.?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)"),
        group=1,
    ),
)


@cache
def policy_number_detectors(directory: Path) -> tuple[Detector, ...]:
    """The company's policy-number formats (privacy.toml in the VoC lexicon folder)."""
    path = directory / PRIVACY_FILE
    if not path.exists():
        path = DEFAULTS_DIR / "voc" / PRIVACY_FILE
    try:
        patterns = tomllib.loads(path.read_text(encoding="utf-8")).get("policy_numbers", [])
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid UTF-8 TOML: {exc}") from exc
    detectors = []
    for pattern in patterns:
        try:
            compiled = re.compile(NOT_ALNUM_BEFORE + f"(?:{pattern})" + NOT_ALNUM_AFTER)
        except (re.error, TypeError) as exc:
            raise ConfigError(
                f"{path}: policy_numbers {pattern!r} is not a regular expression: {exc}"
            ) from exc
        detectors.append(Detector("policy_no", "[保单号]", compiled))
    return tuple(detectors)


def detectors() -> tuple[Detector, ...]:
    """Every detector in order: the fixed ones, the policy formats placed before the catch-all
    long-number detector."""
    chosen = os.environ.get("SATISFACTION_VOC_LEXICON")
    policy = policy_number_detectors(Path(chosen) if chosen else DEFAULTS_DIR / "voc")
    cut = next(i for i, d in enumerate(DETECTORS) if d.kind == "number")
    return (*DETECTORS[:cut], *policy, *DETECTORS[cut:])


SURNAME_CHARS = frozenset(s[0] for s in SURNAMES.split("|"))
NAME_FLAGS = frozenset({"nr", "nrfg", "nrt"})
HAN_BLOCK = re.compile(r"[\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+")  # jieba's re_han_internal


@cache
def _pos_tokenizer() -> Any:
    """jieba's part-of-speech tokenizer (loaded once; its dictionary ships with the package)."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.posseg.dt.makesure_userdict_loaded()
    jieba.dt.check_initialized()
    return jieba.posseg.dt


def _hmm_words(tokenizer: Any, run: str) -> Iterable[tuple[str, str]]:
    """jieba's HMM over a run of characters its dictionary does not join (posseg's own step)."""
    return ((pair.word, pair.flag) for pair in tokenizer._POSTokenizer__cut_detail(run))


def _tagged_words(block: str) -> Iterable[tuple[str, str]]:
    """jieba.posseg.cut(block) for the words a name can be, cheaply.

    The same dictionary route as posseg (a word of two or more characters keeps its
    dictionary tag); the part-of-speech HMM, pure-Python Viterbi and nine tenths of the
    cost, runs only on a run of loose characters that holds a surname character. A run
    without one yields no word starting with a surname, so only a transliterated (nrt)
    name guessed by the HMM alone could be missed; the dictionary's nrt names are kept.
    """
    tokenizer = _pos_tokenizer()
    words = tokenizer.tokenizer
    route: dict[int, tuple[float, int]] = {}
    words.calc(block, words.get_DAG(block), route)
    tags = tokenizer.word_tag_tab
    start = 0
    run = ""
    while start < len(block):
        end = route[start][1] + 1
        if end - start == 1:
            run += block[start]
        else:
            if len(run) > 1 and not words.FREQ.get(run) and SURNAME_CHARS.intersection(run):
                yield from _hmm_words(tokenizer, run)
            run = ""
            yield block[start:end], tags.get(block[start:end], "x")
        start = end
    if len(run) > 1 and not words.FREQ.get(run) and SURNAME_CHARS.intersection(run):
        yield from _hmm_words(tokenizer, run)


def segmenter_names(text: str) -> list[str]:
    """Person names the segmenter tags (nr: Chinese, nrfg/nrt: other and transliterated)."""
    found: set[str] = set()
    for piece in LABEL.split(text)[::2]:  # never across a mask label
        for block in HAN_BLOCK.findall(piece):
            for word, flag in _tagged_words(block):
                if len(word) < 2 or flag not in NAME_FLAGS:
                    continue
                # jieba tags a few common nouns nr (银行卡): a Chinese name starts with a surname.
                if flag == "nrt" or SURNAME_START.match(word):
                    found.add(word)
    return sorted(found, key=len, reverse=True)


LABEL = re.compile(r"(\[[^\[\]\s]{1,8}\])")


def outside_labels(text: str, change: Callable[[str], str]) -> str:
    """Apply `change` to the text between mask labels, never to a label already placed."""
    pieces = LABEL.split(text)
    return "".join(piece if i % 2 else change(piece) for i, piece in enumerate(pieces))


def _replace_names(text: str, names: Iterable[str]) -> str:
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        if len(name) >= 2 or ord(name[0]) > 0xFFFF:  # a lone common character is not a name
            text = text.replace(name, "[姓名]")
    return text


def warm_up() -> None:
    """Load the segmenter's dictionary and compile the detectors now (before forking workers)."""
    _pos_tokenizer()
    mask_personal_data("预热 13800138000")


def mask_personal_data(text: str, known_names: Sequence[str] = ()) -> str:
    """The text with every detector's matches, the known names and the segmenter's names masked."""
    text = _replace_names(text, known_names)
    for detector in detectors():
        text = outside_labels(text, detector.mask)
    names = segmenter_names(text)
    if not names:
        return text
    # A transliterated given name (娜娜) takes the surname written before it (欧阳娜娜).
    found = re.compile(f"(?:{SURNAMES})?(?:{'|'.join(re.escape(name) for name in names)})")
    return outside_labels(text, lambda piece: found.sub("[姓名]", piece))


def personal_data_found(text: str, known_names: Sequence[str] = ()) -> list[str]:
    """The kinds of personal data a text still holds (empty for a masked quote)."""
    kinds = [d.kind for d in detectors() if d.mask(text) != text]
    if any(name and name in text for name in known_names):
        kinds.append("known_name")
    return kinds
