"""The demo county's applications for disclosure, created through the actions.

2013 as the seed reports it: the county government received 5 applications (3 online,
2 written), all answered on time under the 2008 text, no fees. And a handful of cases
of the current year under the 2019 text, one in every state, so the queues, the tracking
page and the clocks have something to show.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from gongkai.applications import actions, actions_replies
from gongkai.workdays.calendar import get_calendar
from gongkai.workdays.engine import compute_due

APPLICANTS = [
    ("person", "刘建国", "resident_id", "43022319650312", "13907331001", "湖南省攸县联星街道建设路18号"),
    ("person", "陈秀英", "resident_id", "43022319780921", "13807332002", "湖南省攸县网岭镇罗家坪村"),
    ("business", "攸县宏达建材有限公司", "credit_code", "", "0731-24718888", "湖南省攸县江桥街道工业园"),
    ("person", "谭志明", "resident_id", "43022319900105", "15073303003", "湖南省攸县新市镇新市街"),
    ("legal", "湖南攸州律师事务所", "credit_code", "", "0731-24713333", "湖南省攸县东城新区"),
    ("person", "周丽华", "resident_id", "43022319851128", "18973304004", "湖南省攸县皇图岭镇"),
    ("nonprofit", "攸县环保志愿者协会", "credit_code", "", "0731-24715555", "湖南省攸县联星街道"),
    ("person", "彭卫东", "resident_id", "43022319720617", "13574305005", "湖南省攸县酒埠江镇"),
]

# (received, channel, title, drafting unit, outcome, reply type, working days to reply)
CASES_2013 = [
    (date(2013, 3, 18), "online", "2013年攸县城区房屋征收补偿安置方案", "住建局", "open", "r08_public", 9),
    (
        date(2013, 5, 6),
        "in_person",
        "网岭镇罗家坪村2012年低保户名单及发放标准",
        "民政局",
        "open",
        "r08_public",
        12,
    ),
    (date(2013, 7, 22), "online", "攸县2013年县本级部门预算", "财政局", "open", "r08_public", 6),
    (
        date(2013, 9, 30),
        "registered_mail",
        "宏达建材周边地块土地征收批复文件",
        "国土局",
        "partial",
        "r08_partial",
        14,
    ),
    (
        date(2013, 11, 11),
        "online",
        "2013年全县中小学校舍安全工程资金分配表",
        "教育局",
        "unable_1",
        "r08_not_ours",
        10,
    ),
]


def _id_number(stub: str) -> str:
    from gongkai.applications.idcard import check_char

    body = (stub + "0011")[:17]
    return body + check_char(body)


def _credit_code(n: int) -> str:
    from gongkai.orgs.codes import make_org_code, make_uscc

    return make_uscc(f"52430223{make_org_code(f'5243{n:04d}')}")


def _fields(n: int, title: str, **extra: Any) -> dict[str, Any]:
    kind, name, id_type, stub, phone, address = APPLICANTS[n % len(APPLICANTS)]
    id_number = _id_number(stub) if id_type == "resident_id" else _credit_code(n)
    return {
        "applicant_type": kind, "applicant_name": name, "id_type": id_type, "id_number": id_number,
        "phone": phone, "email": f"applicant{n}@example.com", "address": address, "postcode": "412300",
        "info_title": title, "description": f"申请公开：{title}", "purpose": "了解相关情况",
        "info_form": "paper" if n % 2 else "electronic", "delivery": "post" if n % 2 else "email",
        "legal_representative": name[:3] + "负责人" if kind != "person" else "", **extra,
    }  # fmt: skip


def _wd(start: date, n: int) -> date:
    return compute_due(get_calendar(), start, n).due


def load(*, units: dict, county: Any, reviewer: Any, clerks: dict[str, Any]) -> dict[str, int]:
    """Create the cases; their notices stay in the outbox as recorded, never sent to the made-up applicants."""
    from django.db import transaction

    from gongkai.applications.models import Application
    from gongkai.notifications.models import Message, MessageStatus
    from gongkai.notifications.send import topic_of

    with transaction.atomic():
        made = _load(units=units, county=county, reviewer=reviewer, clerks=clerks)
        topics = [topic_of(app) for app in Application.objects.all()]
        Message.objects.filter(topic__in=topics, status=MessageStatus.QUEUED).update(
            status=MessageStatus.RECORDED
        )
    return made


def _load(*, units: dict, county: Any, reviewer: Any, clerks: dict[str, Any]) -> dict[str, int]:
    made = {"2013": 0, "current": 0}
    for n, (received, channel, title, unit, outcome, reply_type, days) in enumerate(CASES_2013):
        app, _ = actions.register_application(
            actor=reviewer, organisation=county, channel=channel, submitted_on=received,
            signed_for_on=received if channel == "registered_mail" else None,
            confirmed_on=received if channel == "online" else None, **_fields(n, title),
        )  # fmt: skip
        actions_replies.assign_application(actor=reviewer, application=app, unit=units[unit])
        basis = "《中华人民共和国政府信息公开条例》第二十一条" + (
            "、第二十二条" if outcome == "partial" else ""
        )
        actions_replies.reply_application(
            actor=reviewer, application=app, outcome=outcome, reply_type=reply_type, legal_basis=basis,
            text={"open": "您申请的信息属于公开范围，现予提供。", "partial": "其中涉及第三方个人信息的部分不予公开，其余部分予以提供。",
                  "unable_1": "经检索，本机关未制作或获取该信息，建议向县教育局咨询。"}[outcome],
            on=_wd(received, days),
        )  # fmt: skip
        made["2013"] += 1
    made["current"] = _current_year(units=units, county=county, reviewer=reviewer, clerks=clerks)
    return made


def _current_year(*, units: dict, county: Any, reviewer: Any, clerks: dict[str, Any]) -> int:
    """One case in every state, received over the last weeks under the 2019 text."""
    today = timezone.localdate()
    cal = get_calendar()

    def back(n: int) -> date:  # the n-th working day before today
        d = today
        while n > 0:
            d -= timedelta(days=1)
            if cal.is_workday(d):
                n -= 1
        return d

    finance = units["财政局"]
    count = 0

    def reg(n: int, title: str, received: date, org: Any = None, channel: str = "in_person") -> Any:
        nonlocal count
        count += 1
        app, _ = actions.register_application(actor=reviewer, organisation=org or county, channel=channel,
                                              submitted_on=received, **_fields(n, title))  # fmt: skip
        return app

    # Awaiting confirmation: submitted online today.
    actions.submit_application(actor=None, organisation=county, **_fields(10, "县城区公交线路调整方案"))
    count += 1
    # Being handled, assigned to the finance bureau's clerk.
    app = reg(11, f"{today.year}年县本级一般公共预算执行情况", back(3))
    actions_replies.assign_application(
        actor=reviewer, application=app, unit=finance, assignee=clerks.get("财政局")
    )
    # Awaiting correction.
    app = reg(12, "关于某路段改造的文件", back(4))
    actions.request_correction(actor=reviewer, application=app, items="请写明道路名称和文件的大致时间。",
                               period_days=10, on=back(2))  # fmt: skip
    # Consulting a third party.
    app = reg(13, "攸县宏达建材有限公司环评批复及验收意见", back(6), org=units["环保局"])
    actions.start_consultation(actor=reviewer, application=app, kind="third_party", party="攸县宏达建材有限公司",
                               on=back(2))  # fmt: skip
    # Awaiting payment of a per-page fee (260 pages).
    app = reg(14, "近五年全县征地补偿款发放明细", back(8), org=units["国土局"])
    actions.issue_fee_notice(actor=reviewer, application=app, mode="per_page", pages=260,
                             instructions="请通过政务服务中心收费窗口或银行转账缴纳（户名：攸县财政局非税收入汇缴账户）。",
                             on=back(1))  # fmt: skip
    # A draft reply under review.
    app = reg(15, "县教育局2025年度部门决算", back(10), org=units["教育局"])
    actions_replies.draft_reply(actor=clerks.get("教育局") or reviewer, application=app, outcome="open",
                                reply_type="r19_public", text="该信息已在县政府门户网站“财政资金”栏目公开，请查阅。")  # fmt: skip
    # Extended with the office head's approval.
    app = reg(16, "城区棚户区改造项目征收补偿台账", back(18))
    actions_replies.extend_application(actor=reviewer, application=app, days=20, reason="涉及档案调取，需时较长",
                                       approved_by=reviewer, on=back(1))  # fmt: skip
    # Overdue: received 22 working days ago and still open.
    reg(17, "县城污水处理厂运行监测数据", back(22), org=units["环保局"])
    # Closed: disclosed, and withdrawn.
    app = reg(18, "网岭镇2025年惠民资金发放情况", back(12), org=units["网岭镇"])
    actions_replies.reply_application(actor=reviewer, application=app, outcome="open", reply_type="r19_provide",
                                      text="现将相关信息提供给您。", on=back(3))  # fmt: skip
    app = reg(19, "某小区规划许可文件", back(9))
    actions_replies.withdraw_application(
        actor=reviewer, application=app, reason="申请人来电撤回申请", on=back(5)
    )
    return count
