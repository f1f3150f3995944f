"""The demo county's letters and calls (互动交流), created through the actions.

2013 as the seed's section 四 (咨询处理情况) reports it:

- the 书记信箱 and 县长信箱 received 1,429 letters, 1,106 of them valid, all completed
  (the rest invalid: spam, duplicates merged into their originals, out of scope, petitions
  redirected to the 信访 office, empty letters);
- 290 letters forwarded by the city's 市长热线 (信箱), all handled within its limit;
- 967 valid calls to the county hotline, answered on the spot or assigned and completed
  within the limit.

Letters are received on working days spread over the year; every date of the loop lies
between receipt and the due date. Nobody is told about these historical letters: the
messages the actions queue are dropped. ``scale`` shrinks every count (tests use 0.02).
"""

from __future__ import annotations

import random
from bisect import bisect_left
from datetime import date, timedelta
from typing import Any

from django.db import transaction

from gongkai.interaction import actions
from gongkai.interaction.models import Category, InvalidReason, Letter
from gongkai.notifications.models import Message, MessageStatus
from gongkai.notifications.send import topic_of
from gongkai.workdays.calendar import get_calendar

YEAR = 2013
MAILBOX_TOTAL, MAILBOX_VALID = 1429, 1106
FORWARDED, HOTLINE_VALID = 290, 967
# How the 323 invalid mailbox letters split (reasons as the office records them).
INVALID_SPLIT = [
    (InvalidReason.DUPLICATE, 131),
    (InvalidReason.SPAM, 78),
    (InvalidReason.OUT_OF_SCOPE, 57),
    (InvalidReason.PETITION, 41),
    (InvalidReason.EMPTY, 10),
    (InvalidReason.ABUSIVE, 6),
]
INVALID_NOTES = {
    InvalidReason.DUPLICATE: "与此前来信内容相同，已并入原件办理",
    InvalidReason.SPAM: "广告推销信息",
    InvalidReason.OUT_OF_SCOPE: "所反映事项不属本县管辖，已告知向有权机关反映",
    InvalidReason.PETITION: "属信访事项，已告知到县信访局按信访程序办理",
    InvalidReason.EMPTY: "来信无实质内容",
    InvalidReason.ABUSIVE: "内容含辱骂言语，无具体诉求",
}

SURNAMES = "王李张刘陈杨黄赵吴周谭彭罗贺易龙谢曾邓肖欧袁胡蒋尹文夏"
GIVEN = "建国秀英志明丽华卫东国平小红海军桂兰春生伟强德胜玉梅新华金龙淑芬永红立新建军红梅"
VILLAGES = [
    "罗家坪村",
    "新塘村",
    "石门村",
    "柏树村",
    "东冲村",
    "太平村",
    "高桥村",
    "坪上村",
    "长岭村",
    "枫林村",
]
STREETS = ["建设路", "文化路", "联星路", "攸州路", "城南路", "东正街", "雪花路", "交通路"]
COMMUNITIES = ["城北社区", "雪花社区", "联星社区", "江桥社区", "城南社区"]

# (category code, unit key or "" for the writer's township, subject, complaint, reply)
TOPICS: list[tuple[str, str, str, str, str]] = [
    (
        "help",
        "",
        "{place}道路破损严重请求维修",
        "{place}的通组公路坑洼不平，下雨天积水严重，老人小孩出行很不安全，摩托车已摔倒多次。",
        "经实地查看，该路段破损属实，已纳入{year}年农村公路养护计划，近期将组织填补坑槽、疏通边沟。",
    ),
    (
        "complaint",
        "住建局",
        "{place}自来水经常停水且水质浑浊",
        "最近一个月{place}经常停水，来水时水质浑浊发黄，无法饮用，严重影响生活。",
        "经查，停水系供水管网改造施工所致，已督促县自来水公司提前公告停水时间并冲洗管网，水质检测已达标。",
    ),
    (
        "consult",
        "教育局",
        "小孩在城区就读的入学条件咨询",
        "我们一家在县城务工多年，户口在{township}，想咨询小孩今年秋季在城区小学就读需要哪些手续。",
        "进城务工人员随迁子女凭务工证明、居住证明和户口簿到学区所在学校报名，由教育局统筹安排学位。",
    ),
    (
        "help",
        "民政局",
        "家庭困难申请低保未获批准",
        "丈夫因病去世，本人身体不好，两个孩子上学，家庭十分困难，申请低保一直没有批下来。",
        "经{township}民政办入户核查，您家庭情况符合农村低保条件，已按程序评议公示，自下月起纳入低保保障。",
    ),
    (
        "complaint",
        "国土局",
        "征地拆迁补偿标准不公",
        "{place}修路征收了我家房屋和菜地，补偿标准比邻组低，多次找村里都没有答复，请领导过问。",
        "经核查，您家房屋按《攸县集体土地上房屋拆迁补偿安置办法》评估补偿，标准与同一项目其他农户一致，"
        "对评估结果有异议可申请复核，县国土局已安排专人向您解释。",
    ),
    (
        "report",
        "环保局",
        "工厂排放污水污染农田",
        "{place}附近有一家企业长期把污水直接排到水渠里，下游农田禾苗发黄，鱼塘死鱼。",
        "县环保局已会同{township}现场检查，该企业污水处理设施未正常运行，已责令停产整改并依法立案处罚。",
    ),
    (
        "complaint",
        "环保局",
        "夜间施工噪音扰民",
        "{place}附近的工地每天晚上施工到凌晨，噪音很大，居民无法休息。",
        "县环保局已到现场调查，责令施工单位晚上十点至次日六点停止高噪声作业，确需连续施工的须报批并公告。",
    ),
    (
        "help",
        "住建局",
        "农村危房改造补助申请",
        "家里的土砖房已有四十多年，墙体开裂，想申请危房改造补助，不知道找谁办理。",
        "农村危房改造由本人向村委会申请，经乡镇审核、县住建局鉴定后公示，您家已列入{year}年改造对象。",
    ),
    (
        "consult",
        "人社局",
        "新型农村社会养老保险缴费咨询",
        "我今年五十八岁，没有参加新农保，现在补缴还来得及吗？每年要交多少钱？",
        "年满45周岁未满60周岁的可按规定补缴，缴费档次为每年100元至1000元，具体可到{township}社保站办理。",
    ),
    (
        "suggestion",
        "交通局",
        "建议增开城区至乡镇的公交班次",
        "从县城到{township}的班车每天只有几趟，下午四点以后就没有车了，建议增开班次。",
        "县交通运输局已协调客运公司在早晚高峰各增加一个班次，并将末班车时间延长至下午六点。",
    ),
    (
        "complaint",
        "公安局",
        "路口无红绿灯交通秩序混乱",
        "{place}路口车流量大，没有红绿灯和交警，经常发生剐蹭事故。",
        "县公安局交警大队已在该路口增设临时信号灯和警示标志，并安排高峰时段警力疏导。",
    ),
    (
        "consult",
        "卫生局",
        "新农合住院报销比例咨询",
        "我在株洲市中心医院住院花了三万多元，回来报销新农合按什么比例，需要哪些材料？",
        "县外住院按规定比例报销，需提供出院记录、费用清单、发票原件和合作医疗证，到县合管办窗口办理。",
    ),
    (
        "complaint",
        "工商局",
        "商店销售过期食品",
        "{place}一家超市销售过期的饼干和牛奶，我买回家才发现，找店家不给退换。",
        "县工商局已到该超市检查，下架过期食品，责令退还货款，并依法予以处罚。",
    ),
    (
        "help",
        "水利局",
        "山塘渗漏影响灌溉",
        "{place}的山塘坝体渗漏，蓄不住水，今年夏天几十亩稻田无法灌溉。",
        "县水利局已派技术人员查勘，该山塘已列入小型水利工程维修项目，将于冬修期间完成防渗加固。",
    ),
    (
        "praise",
        "",
        "感谢{township}干部帮助解决饮水难",
        "去年干旱村里吃水困难，{township}干部主动上门帮我们打井接管，现在全组都吃上了干净水，特写信感谢。",
        "感谢您对我们工作的肯定，我们将继续做好群众饮水安全工作。",
    ),
    (
        "suggestion",
        "规划局",
        "建议在城区增设停车场",
        "县城{street}一带停车难，车辆乱停乱放，建议规划建设公共停车场。",
        "您的建议已转县规划局研究，城区停车场建设已纳入近期规划，将结合旧城改造逐步实施。",
    ),
    (
        "complaint",
        "物价局",
        "学校乱收费",
        "{township}中学开学收取资料费、补课费等多项费用，家长负担很重。",
        "县物价局会同教育局调查，该校收取补课费违反规定，已责令清退，并通报批评。",
    ),
    (
        "consult",
        "公安局",
        "异地办理身份证咨询",
        "我户口在{township}，长期在广东打工，身份证丢失了能不能在外地补办？",
        "目前居民身份证须回户籍所在地公安派出所办理，也可委托家属到派出所申请临时身份证。",
    ),
]

OUT_OF_SCOPE_SUBJECTS = ["反映外省企业拖欠工资问题", "咨询国外留学签证办理", "要求调整全国个人所得税起征点"]
PETITION_SUBJECTS = [
    "要求重新处理多年前的土地纠纷",
    "对法院判决不服要求领导过问",
    "反映历史遗留的工龄认定问题",
]
SPAM_TEXTS = ["低价代办各类证件，联系QQ。", "诚招代理，月入过万，详情请加微信。", "test测试测试。"]


def _scaled(n: int, scale: float) -> int:
    return n if scale == 1 else max(1, round(n * scale))


class _Days:
    """The working days of the year (and the next, for replies), with quick stepping."""

    def __init__(self) -> None:
        cal = get_calendar()
        d, end = date(YEAR, 1, 1), date(YEAR + 1, 3, 31)
        self.days: list[date] = []
        while d <= end:
            if cal.is_workday(d):
                self.days.append(d)
            d += timedelta(days=1)
        self.in_year = [d for d in self.days if d.year == YEAR]

    def after(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (``d`` itself when n == 0 and it is a working day)."""
        i = bisect_left(self.days, d)
        if n == 0:
            return self.days[i]
        if i < len(self.days) and self.days[i] == d:
            return self.days[i + n]
        return self.days[i + n - 1]


def load(
    *, units: dict, county: Any, reviewer: Any, admin: Any, clerks: dict[str, Any], scale: float = 1.0
) -> dict[str, int]:
    """Create the channels and the year's letters; returns the counts per channel."""
    with transaction.atomic():
        made, letters = _load(units=units, county=county, reviewer=reviewer, admin=admin, clerks=clerks,
                              scale=scale)  # fmt: skip
        made.update(_decisions(units=units, county=county, admin=admin))
        # Nobody is told about historical letters.
        topics = [topic_of(letter) for letter in letters]
        for i in range(0, len(topics), 500):
            Message.objects.filter(topic__in=topics[i : i + 500], status=MessageStatus.QUEUED).delete()
    return made


def _load(*, units: dict, county: Any, reviewer: Any, admin: Any, clerks: dict[str, Any],
          scale: float) -> tuple[dict[str, int], list[Letter]]:  # fmt: skip
    rnd = random.Random(YEAR)
    days = _Days()
    make = actions.create_channel
    channels = {
        "secretary": make(actor=admin, organisation=county, kind="mailbox", name="书记信箱", limit_days=15,
                          description="县委书记信箱，由县政府电子政务中心统一受理"),
        "mayor": make(actor=admin, organisation=county, kind="mailbox", name="县长信箱", limit_days=15,
                      description="县长信箱，与县长热线合并办公"),
        "hotline": make(actor=admin, organisation=county, kind="hotline", name="县政府服务热线", limit_days=5,
                        description="县长热线 0731-24712345"),
        "forwarded": make(actor=admin, organisation=county, kind="forwarded", name="市长热线转办", limit_days=10,
                          description="株洲市市长热线（信箱）交办件"),
    }  # fmt: skip
    categories = {c.code: c for c in Category.objects.all()}
    actions.set_time_limit(actor=admin, channel=channels["mayor"], category=categories["consult"], days=7)
    actions.set_time_limit(actor=admin, channel=channels["secretary"], category=categories["consult"], days=7)
    townships = [k for k, u in units.items() if getattr(u, "kind", "") == "township"] or [
        k for k in units if k.endswith(("镇", "乡", "街道"))
    ]
    letters: list[Letter] = []

    def drafter(unit_key: str) -> Any:
        return clerks.get(unit_key) or admin  # the county administrator reaches every unit

    def person() -> tuple[str, str]:
        name = rnd.choice(SURNAMES) + "".join(rnd.sample(GIVEN, rnd.choice((1, 2))))
        phone = rnd.choice(("139", "138", "135", "150", "189", "180")) + f"{rnd.randrange(10**8):08d}"
        return name, phone

    def compose(township: str, *, hotline: bool = False) -> tuple[dict[str, Any], str, str, str]:
        code, unit_key, subject, text, reply = rnd.choice(TOPICS)
        village = rnd.choice(VILLAGES) if not township.endswith("街道") else rnd.choice(COMMUNITIES)
        place = f"{township}{village}"
        fill = {"place": place, "township": township, "year": YEAR, "street": rnd.choice(STREETS)}
        name, phone = person()
        home = f"{place}{rnd.randint(1, 12)}组{rnd.randint(1, 60)}号"
        greeting = "来电反映：" if hotline else rnd.choice(("尊敬的县长：", "书记您好！", "县领导好："))
        body = (f"{greeting}我是{name}，家住{home}。{text.format(**fill)}"
                f"恳请领导重视，尽快解决。联系电话{phone}。")  # fmt: skip
        fields = {"writer_name": name, "phone": phone, "address": f"湖南省攸县{home}",
                  "subject": subject.format(**fill), "body": body, "publish_consent": rnd.random() < 0.7}  # fmt: skip
        unit = unit_key or township
        if unit not in units:
            unit = rnd.choice(townships) if not unit_key and townships else next(iter(units))
        answer = f"{name}您好：{reply.format(**fill)}感谢您的来信。"
        return fields, code, unit, answer

    def register(channel: Any, received: date, fields: dict[str, Any], code: str, **extra: Any) -> Letter:
        letter, _code = actions.register_letter(actor=reviewer, channel=channel, category=categories[code],
                                                received_on=received, **fields, **extra)  # fmt: skip
        letters.append(letter)
        return letter

    def complete(letter: Letter, unit_key: str, received: date, answer: str, limit: int, start: date) -> None:
        """Triage, assign, draft, approve within ``limit`` working days of ``start``; sometimes a detour."""
        triaged = days.after(received, rnd.choice((0, 0, 0, 1)))
        actions.triage_letter(actor=reviewer, letter=letter, valid=True, on=triaged)
        assigned = days.after(triaged, rnd.choice((0, 0, 1)))
        first = unit_key
        if rnd.random() < 0.03 and len(units) > 1:  # wrongly assigned, returned, re-assigned
            first = rnd.choice([k for k in units if k != unit_key])
            actions.assign_letter(actor=reviewer, letter=letter, lead_unit=units[first], on=assigned)
            assigned = days.after(assigned, 1)
            actions.return_letter(actor=drafter(first), letter=letter, reason="该事项不属本单位职责，请重新交办",
                                  on=assigned)  # fmt: skip
        actions.assign_letter(actor=reviewer, letter=letter, lead_unit=units[unit_key], on=assigned)
        if rnd.random() < 0.02:
            actions.chase_letter(actor=reviewer, letter=letter, note="请抓紧办理，按期回复")
        actions.draft_letter_reply(actor=drafter(unit_key), letter=letter, text=answer)
        if rnd.random() < 0.03:
            actions.send_back_reply(
                actor=reviewer, letter=letter, reason="答复过于简单，请写明处理结果和时间"
            )
            actions.draft_letter_reply(actor=drafter(unit_key), letter=letter,
                                       text=answer + "如有疑问，可拨打县长热线0731-24712345。")  # fmt: skip
        deadline = days.after(start, limit)
        lo = max(assigned, received)
        span = max(0, days.days.index(deadline) - days.days.index(days.after(lo, 0)))
        replied = days.after(lo, rnd.randint(min(1, span), span) if span else 0)
        publish = bool(letter.publish_consent) and rnd.random() < 0.75
        actions.approve_reply(actor=reviewer, letter=letter, on=replied, publish=publish)
        if rnd.random() < 0.3:
            rating = rnd.choices(("satisfied", "basic", "not"), weights=(80, 16, 4))[0]
            actions.rate_letter(actor=reviewer, letter=letter, rating=rating, callback=True, on=replied,
                                note="电话回访" if rating != "not" else "电话回访，对处理进度不满意")  # fmt: skip

    def spread(n: int) -> list[date]:
        return sorted(rnd.choice(days.in_year) for _ in range(n))

    # The leader mailboxes: valid letters first in date order, invalid ones after their originals.
    n_valid = _scaled(MAILBOX_VALID, scale)
    originals: list[tuple[Letter, dict[str, Any], str]] = []
    for received in spread(n_valid):
        fields, code, unit, answer = compose(rnd.choice(townships))
        channel = channels["mayor"] if rnd.random() < 0.65 else channels["secretary"]
        letter = register(channel, received, fields, code)
        complete(letter, unit, received, answer, actions.limit_for(letter), received)
        originals.append((letter, fields, code))
    for reason, count in INVALID_SPLIT:
        for _ in range(_scaled(count, scale)):
            channel = channels["mayor"] if rnd.random() < 0.65 else channels["secretary"]
            fields, code, _unit, _answer = compose(rnd.choice(townships))
            duplicate_of = None
            if reason == InvalidReason.DUPLICATE:
                duplicate_of, fields, code = rnd.choice(originals)
                received = days.after(duplicate_of.received_on, rnd.randint(1, 5))
                if received.year > YEAR:
                    received = duplicate_of.received_on
            else:
                received = rnd.choice(days.in_year)
                if reason == InvalidReason.SPAM:
                    fields = {**fields, "subject": "广告", "body": rnd.choice(SPAM_TEXTS) + "（自动发送）",
                              "publish_consent": False}  # fmt: skip
                elif reason == InvalidReason.EMPTY:
                    fields = {
                        **fields,
                        "subject": "无标题",
                        "body": "县长您好，请问。。。。。。",
                        "publish_consent": False,
                    }
                elif reason == InvalidReason.OUT_OF_SCOPE:
                    fields = {**fields, "subject": rnd.choice(OUT_OF_SCOPE_SUBJECTS)}
                    code = "other"
                elif reason == InvalidReason.PETITION:
                    fields = {**fields, "subject": rnd.choice(PETITION_SUBJECTS)}
                    code = "complaint"
                elif reason == InvalidReason.ABUSIVE:
                    fields = {**fields, "subject": "强烈不满", "body": "你们这些当官的都不作为！！！" * 2}
            letter = register(channel, received, fields, code)
            actions.triage_letter(actor=reviewer, letter=letter, valid=False, reason=reason,
                                  note=INVALID_NOTES[reason], duplicate_of=duplicate_of,
                                  on=days.after(received, rnd.choice((0, 1))))  # fmt: skip

    # Forwarded by the city's mayor hotline, with their case numbers and limits.
    n_forwarded = _scaled(FORWARDED, scale)
    for serial, forwarded in enumerate(spread(n_forwarded), start=1):
        fields, code, unit, answer = compose(rnd.choice(townships))
        received = days.after(forwarded, rnd.choice((0, 0, 1)))
        if received.year > YEAR:
            received = forwarded
        limit = rnd.choice((5, 10, 10, 15))
        letter = register(channels["forwarded"], received, fields, code,
                          external_number=f"ZZSZRX-{YEAR}-{serial * 7 + rnd.randint(0, 6):05d}",
                          forwarded_on=forwarded, external_limit_days=limit)  # fmt: skip
        complete(letter, unit, received, answer, limit, forwarded)

    # The county hotline: most calls answered on the spot, the rest assigned.
    n_calls = _scaled(HOTLINE_VALID, scale)
    for received in spread(n_calls):
        fields, code, unit, answer = compose(rnd.choice(townships), hotline=True)
        fields["publish_consent"] = False
        if rnd.random() < 0.62:
            register(channels["hotline"], received, fields, code,
                     answered_on_spot="已当场解答：" + answer.split("：", 1)[-1],
                     audio_ref=f"REC-{received:%Y%m%d}-{rnd.randrange(10000):04d}")  # fmt: skip
        else:
            letter = register(channels["hotline"], received, fields, code,
                              audio_ref=f"REC-{received:%Y%m%d}-{rnd.randrange(10000):04d}")  # fmt: skip
            complete(letter, unit, received, answer, actions.limit_for(letter), received)

    made = {
        "mailbox": n_valid + sum(_scaled(c, scale) for _r, c in INVALID_SPLIT),
        "mailbox_valid": n_valid,
        "forwarded": n_forwarded,
        "hotline": n_calls,
    }
    return made, letters


# The seed's 2013 决策公开: 8 draft decisions published for comment, 5 hearings held.
DECISIONS_2013 = [
    ("县政府办", "攸县城区出租车管理办法（征求意见稿）", date(2013, 3, 4), True, 37, 12, 8),
    ("住建局", "攸县城区房屋征收与补偿实施办法（征求意见稿）", date(2013, 4, 8), True, 126, 31, 40),
    ("民政局", "攸县城乡最低生活保障实施细则（征求意见稿）", date(2013, 5, 13), True, 54, 18, 9),
    ("教育局", "攸县城区义务教育学校招生划片方案（征求意见稿）", date(2013, 6, 3), True, 88, 20, 25),
    ("环保局", "攸县城区禁止燃放烟花爆竹管理规定（征求意见稿）", date(2013, 7, 8), True, 201, 45, 62),
    ("交通局", "攸县城区公交线路优化调整方案（征求意见稿）", date(2013, 8, 12), False, 66, 21, 14),
    ("水利局", "攸县农村饮水安全工程建设管理办法（征求意见稿）", date(2013, 9, 9), True, 29, 9, 4),
    ("财政局", "攸县2014年县级财政预算安排重点（征求意见稿）", date(2013, 11, 4), True, 41, 10, 11),
]
HEARINGS_2013 = [
    ("县城区管道天然气价格调整听证会", date(2013, 4, 23), "县政务服务中心三楼会议室"),
    ("城区自来水价格调整听证会", date(2013, 6, 18), "县政务服务中心三楼会议室"),
    ("城区房屋征收补偿标准听证会", date(2013, 7, 16), "县住房和城乡建设局会议室"),
    ("城区出租车运价调整听证会", date(2013, 9, 24), "县发展和改革局会议室"),
    ("城区公交票价听证会", date(2013, 10, 29), "县交通运输局会议室"),
]


def _decisions(*, units: dict, county: Any, admin: Any) -> dict[str, int]:
    """Through the actions, recorded as past consultations and held hearings."""
    from gongkai.interaction import actions_decisions as dec

    made = {"decisions": 0, "hearings": 0}
    for key, title, opens, major, received, adopted, partly in DECISIONS_2013:
        org = units.get(key, county)
        decision = dec.create_decision(
            actor=admin, organisation=org, title=title, major=major,
            summary=f"{org.name}起草了《{title.replace('（征求意见稿）', '')}》，现向社会公开征求意见。",
            body="一、总则\n二、主要内容\n三、保障措施\n四、附则\n（全文略，详见附件。）",
        )  # fmt: skip
        dec.open_for_comment(actor=admin, decision=decision, opens_on=opens, closes_on=opens + timedelta(days=30),
                             historical=True)  # fmt: skip
        dec.close_comments(actor=admin, decision=decision)
        dec.publish_feedback(
            actor=admin, decision=decision, comments_received=received, adopted=adopted, partly_adopted=partly,
            not_adopted=received - adopted - partly,
            summary=f"共收到意见{received}条，采纳{adopted}条，部分采纳{partly}条。",
            not_adopted_reasons="未采纳的意见主要涉及超出本办法调整范围或与上位法规定不一致的内容。",
        )  # fmt: skip
        made["decisions"] += 1
    for title, on, place in HEARINGS_2013:
        hearing = dec.create_hearing(actor=admin, organisation=county, title=title, date=on, place=place,
                                     participants="消费者代表、经营者代表、专家学者、人大代表、政协委员共15人")  # fmt: skip
        dec.record_hearing(actor=admin, hearing=hearing, record="听证会依法公开举行，听证参加人逐一发表意见，记录在案。",
                           outcome="多数代表原则同意调整方案，并对低收入群体保障提出建议，已报县政府决策参考。")  # fmt: skip
        made["hearings"] += 1
    return made
