"""Personal data removed from letters before their Q&A is published.

Masked automatically, then checked by the reviewer: mobile numbers (11 digits from 1[3-9]),
landlines with area codes, identity card numbers (18 characters with a final X, or 15 digits),
e-mail addresses, the writer's own name wherever it occurs, names introduced by 我是 / 本人 /
我叫 / 联系人, and house details of addresses (building, unit, room and plot numbers, and what
follows 家住 / 住在 / 住址 below the township).
"""

from __future__ import annotations

import re

# The common surnames (百家姓 as used today), compound ones first.
COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "夏侯",
    "长孙",
)
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆"
    "汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤易常温康施文牛樊葛邢安齐"
    "易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管"
    "柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬"
    "边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
# Characters that end a name introduced by 我是 / 本人 (a name is 2–3 characters).
NOT_NAME = set("的是在住家村镇县乡区市省街道组号路，。、；：！？,.;:!? 一我你他她们来向想要因对")

MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[ -]?(\d{4})[ -]?(\d{4})(?!\d)")
LANDLINE = re.compile(r"(?<!\d)(?:[(（]?(0\d{2,3})[)）]?[ -]?)(\d{3,4})[ -]?(\d{4})(?!\d)")
ID18 = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dA-Za-z])")
ID15 = re.compile(r"(?<!\d)(\d{6})(\d{6})(\d{3})(?!\d)")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+\.)+[A-Za-z]{2,}")
INTRODUCED = re.compile(r"(我是|本人是|本人|我叫|我的名字是|联系人[:：]?|姓名[:：]?|署名[:：]?)")
HOUSE = re.compile(r"\d+\s*(?:栋|幢|单元|号楼|室|号)")
ADDRESS_LEAD = re.compile(r"(家住|住在|住址[:：]?|地址[:：]?|现住)([^，。；;,!！?？\n]{2,40})")
PLACE_END = re.compile(r"^.*?(?:镇|乡|街道|社区|村)")


def _name_after(text: str, start: int) -> int:
    """Length of a name starting at ``start`` (0 when none)."""
    lead = 2 if text[start : start + 2] in COMPOUND_SURNAMES else 1
    if lead == 1 and text[start : start + 1] not in SURNAMES:
        return 0
    n = lead
    while (
        n < lead + 2
        and start + n < len(text)
        and "\u4e00" <= text[start + n] <= "\u9fff"
        and text[start + n] not in NOT_NAME
    ):
        n += 1
    return n if n > lead else 0


def _mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1)


def mask(text: str, *, names: tuple[str, ...] = ()) -> str:
    """``text`` with personal data replaced by asterisks."""
    if not text:
        return text
    out = ID18.sub(lambda m: m.group(1)[:3] + "*" * 13 + m.group(3)[-2:], text)
    out = ID15.sub(lambda m: m.group(1)[:3] + "*" * 10 + m.group(3)[-2:], out)
    out = MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", out)
    out = LANDLINE.sub(lambda m: (m.group(1) or "") + ("-" if m.group(1) else "") + "****" + m.group(3), out)
    out = EMAIL.sub(lambda m: m.group(0)[0] + "***@" + m.group(0).split("@", 1)[1], out)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        out = out.replace(name, _mask_name(name))
    pieces, pos = [], 0
    for m in INTRODUCED.finditer(out):
        if m.start() < pos:
            continue
        length = _name_after(out, m.end())
        if length:
            pieces.append(out[pos : m.end()])
            pieces.append(_mask_name(out[m.end() : m.end() + length]))
            pos = m.end() + length
    out = "".join(pieces) + out[pos:]

    def address(m: re.Match[str]) -> str:
        place = PLACE_END.match(m.group(2))
        kept = place.group(0) if place else ""
        return m.group(1) + kept + ("***" if len(m.group(2)) > len(kept) else "")

    out = ADDRESS_LEAD.sub(address, out)
    return HOUSE.sub("*号", out)
