"""The demo county's government services (政务服务), as the seed's section 一 (三)(四) reports 2013.

- The county centre (攸县政务服务中心) with 48 resident units, one window each, 100 window
  staff and 339 approved items (行政许可 most), with legal bases and fee standards;
- 13,174 cases received at the centre in 2013, all completed (办结率 100%), fees collected
  totalling exactly 23,064,000.00 元 (each fee = the item's standard x the quantity);
- the 21 township centres (the townships themselves, each with a 综合窗口) with some cases;
- the online system used by 44 units: 10,332 cases received in 2013, 10,324 completed and
  8 still open at the year's end (99.9%).

The catalogue, windows and staff are made through the actions; the year's cases through the
bulk path (:func:`gongkai.services.bulk.import_cases`, the path of ``gongkai import cases``),
received on working days spread over the year. A few cases of the current year, in every
state, go through the actions for the office pages. ``scale`` shrinks the year's cases and fees
(tests use 0.02); the catalogue is always whole.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from gongkai.orgs.codes import make_org_code
from gongkai.orgs.models import Organisation, OrgKind, Role, RoleAssignment
from gongkai.services import actions
from gongkai.services.bulk import CaseRow, import_cases
from gongkai.services.models import CaseChannel, ItemKind, ServiceItem, ServiceWindow
from gongkai.workdays.calendar import get_calendar

YEAR = 2013
RESIDENT_UNITS, WINDOW_STAFF, ITEMS = 48, 100, 339
CENTRE_CASES, CENTRE_FEES = 13_174, Decimal("23064000.00")
TOWNSHIP_CASES = 40  # per township centre (the seed gives no figure)
ONLINE_UNITS, ONLINE_RECEIVED, ONLINE_COMPLETED = 44, 10_332, 10_324
PASSWORD = "Youxian-2013-demo"
LICENSING, NON, PUBLIC = ItemKind.LICENSING, ItemKind.NON_LICENSING, ItemKind.PUBLIC_SERVICE

# The resident units the demo county lacks (it has 26 departments): (name, short name, kind).
MORE_UNITS = [
    ("攸县经济和信息化局", "经信局"), ("攸县科学技术局", "科技局"), ("攸县人口和计划生育局", "计生局"),
    ("攸县房产管理局", "房产局"), ("攸县质量技术监督局", "质监局"), ("攸县国家税务局", "国税局"),
    ("攸县地方税务局", "地税局"), ("攸县公安消防大队", "消防大队"), ("攸县公安局交通警察大队", "交警大队"),
    ("攸县农业机械管理局", "农机局"), ("攸县畜牧水产局", "畜牧水产局"), ("攸县粮食局", "粮食局"),
    ("攸县民族宗教事务局", "民宗局"), ("攸县旅游局", "旅游局"), ("攸县城市管理行政执法局", "城管局"),
    ("攸县人民防空办公室", "人防办"), ("攸县住房公积金管理部", "公积金"), ("攸县气象局", "气象局"),
    ("攸县烟草专卖局", "烟草局"), ("攸县残疾人联合会", "残联"), ("攸县移民开发局", "移民局"),
    ("攸县殡葬管理所", "殡管所"),
]  # fmt: skip
# Units whose items are not offered online (the other 44 are on the online system).
OFFLINE_UNITS = ("县政府办", "审计局", "统计局", "档案局")
TOWNSHIP_UNITS = ("民政局", "人社局", "计生局", "国土局", "农业局", "残联")

# Per unit: its main law, then items (name, kind, statutory days, promised days, fee, certificate).
# A fee is (standard, unit, basis); the first fee item per 平方米 balances the year's total.
FEE_CARD = (Decimal(10), "证", "湘价费〔2010〕156号")
CATALOGUE: dict[str, tuple[str, list[tuple[str, str, int, int, Any, str]]]] = {
    "发改局": ("《企业投资项目核准暂行办法》", [("企业投资项目核准", LICENSING, 20, 10, None, "核准文件"),
               ("企业投资项目备案", NON, 10, 5, None, "备案通知书"), ("固定资产投资项目节能审查", NON, 20, 10, None, "")]),
    "教育局": ("《中华人民共和国民办教育促进法》", [("民办学校设立审批", LICENSING, 90, 30, None, "办学许可证"),
               ("教师资格认定", LICENSING, 60, 30, None, "教师资格证书"), ("学前教育机构审批", LICENSING, 30, 20, None, "")]),
    "公安局": ("《中华人民共和国居民身份证法》", [("居民身份证申领", PUBLIC, 60, 30, (Decimal(20), "证", "价费字〔2003〕332号"), "居民身份证"),
               ("户口迁移审批", LICENSING, 20, 5, None, "准予迁入证明"), ("旅馆业特种行业许可", LICENSING, 20, 10, None, "特种行业许可证"),
               ("大型群众性活动安全许可", LICENSING, 7, 5, None, "")]),
    "民政局": ("《婚姻登记条例》", [("结婚登记", PUBLIC, 1, 0, (Decimal(9), "对", "计价格〔2002〕1097号"), "结婚证"),
               ("离婚登记", PUBLIC, 1, 0, (Decimal(9), "对", "计价格〔2002〕1097号"), "离婚证"),
               ("社会团体成立登记", LICENSING, 60, 20, None, "社会团体法人登记证书"), ("民办非企业单位登记", LICENSING, 60, 20, None, ""),
               ("农村五保供养审批", NON, 30, 15, None, ""), ("城乡最低生活保障审批", NON, 30, 20, None, "")]),
    "司法局": ("《基层法律服务工作者管理办法》", [("基层法律服务工作者执业核准", LICENSING, 20, 10, None, "执业证"),
               ("法律援助申请审查", PUBLIC, 7, 3, None, "")]),
    "财政局": ("《中华人民共和国会计法》", [("代理记账机构设立审批", LICENSING, 20, 10, None, "代理记账许可证书"),
               ("会计从业资格证书换发", PUBLIC, 10, 5, FEE_CARD, "会计从业资格证书")]),
    "人社局": ("《中华人民共和国劳动合同法》", [("劳务派遣经营许可", LICENSING, 20, 10, None, "劳务派遣经营许可证"),
               ("特殊工时工作制审批", LICENSING, 20, 10, None, ""), ("社会保险登记", PUBLIC, 15, 3, None, "社会保险登记证"),
               ("职业技能鉴定", PUBLIC, 30, 20, None, "职业资格证书")]),
    "国土局": ("《中华人民共和国土地管理法》", [("土地登记", LICENSING, 20, 10, (Decimal(100), "宗", "国测财字〔1990〕93号"), "国有土地使用证"),
               ("建设项目用地预审", NON, 20, 10, None, ""), ("采矿权登记", LICENSING, 40, 20, None, "采矿许可证"),
               ("农村村民宅基地审批", LICENSING, 30, 15, None, "集体土地使用证")]),
    "环保局": ("《中华人民共和国环境影响评价法》", [("建设项目环境影响评价文件审批", LICENSING, 60, 20, None, "批复文件"),
               ("排污许可证核发", LICENSING, 20, 10, None, "排污许可证"), ("建设项目竣工环境保护验收", LICENSING, 30, 15, None, "")]),
    "住建局": ("《中华人民共和国建筑法》", [("城市基础设施配套费征收", PUBLIC, 5, 3, (Decimal(50), "平方米", "湘价费〔2011〕78号"), ""),
               ("建筑工程施工许可", LICENSING, 15, 5, None, "建筑工程施工许可证"), ("建筑业企业资质核准", LICENSING, 20, 15, None, "资质证书"),
               ("商品房预售许可", LICENSING, 10, 5, None, "商品房预售许可证"), ("城市建筑垃圾处置核准", LICENSING, 20, 5, None, "")]),
    "交通局": ("《中华人民共和国道路运输条例》", [("道路旅客运输经营许可", LICENSING, 20, 10, None, "道路运输经营许可证"),
               ("道路货物运输经营许可", LICENSING, 20, 10, None, "道路运输经营许可证"), ("机动车维修经营备案", NON, 5, 3, None, ""),
               ("公路超限运输许可", LICENSING, 15, 5, None, "")]),
    "水利局": ("《中华人民共和国水法》", [("取水许可", LICENSING, 45, 20, None, "取水许可证"), ("河道管理范围内建设项目审批", LICENSING, 20, 10, None, ""),
               ("水土保持方案审批", LICENSING, 20, 10, None, "")]),
    "农业局": ("《中华人民共和国农业法》", [("农药经营许可", LICENSING, 20, 10, None, "农药经营许可证"), ("种子经营许可", LICENSING, 20, 10, None, "种子经营许可证"),
               ("农村土地承包经营权证换发", PUBLIC, 30, 15, None, "")]),
    "林业局": ("《中华人民共和国森林法》", [("林木采伐许可", LICENSING, 20, 7, None, "林木采伐许可证"), ("木材运输许可", LICENSING, 5, 1, None, "木材运输证"),
               ("占用征收林地审核", LICENSING, 20, 15, None, "")]),
    "商务局": ("《酒类流通管理办法》", [("酒类批发经营许可", LICENSING, 20, 10, None, "酒类流通备案登记表"), ("对外贸易经营者备案", NON, 5, 3, None, ""),
               ("成品油零售经营资格初审", NON, 20, 10, None, "")]),
    "文体广电局": ("《娱乐场所管理条例》", [("娱乐场所经营许可", LICENSING, 20, 10, None, "娱乐经营许可证"),
                ("互联网上网服务营业场所经营许可", LICENSING, 20, 15, None, "网络文化经营许可证"), ("营业性演出许可", LICENSING, 20, 10, None, "")]),
    "卫生局": ("《中华人民共和国执业医师法》", [("医疗机构执业许可", LICENSING, 45, 20, None, "医疗机构执业许可证"),
               ("公共场所卫生许可", LICENSING, 20, 10, None, "卫生许可证"), ("医师执业注册", LICENSING, 20, 10, None, "医师执业证书"),
               ("新农合县外住院费用报销", PUBLIC, 20, 10, None, "")]),
    "审计局": ("《中华人民共和国审计法》", [("社会审计机构审计报告核查", NON, 20, 10, None, "")]),
    "统计局": ("《中华人民共和国统计法》", [("涉外调查项目审批", LICENSING, 20, 10, None, "")]),
    "安监局": ("《安全生产许可证条例》", [("危险化学品经营许可", LICENSING, 30, 20, None, "危险化学品经营许可证"),
               ("烟花爆竹零售经营许可", LICENSING, 20, 10, None, "烟花爆竹经营（零售）许可证"), ("非煤矿山安全设施设计审查", LICENSING, 20, 15, None, "")]),
    "食药监局": ("《中华人民共和国食品安全法》", [("食品流通许可", LICENSING, 20, 10, None, "食品流通许可证"), ("餐饮服务许可", LICENSING, 20, 10, None, "餐饮服务许可证"),
                ("药品零售企业许可", LICENSING, 30, 20, None, "药品经营许可证")]),
    "物价局": ("《中华人民共和国价格法》", [("收费许可证核发", LICENSING, 20, 10, None, "收费许可证"), ("价格认定", PUBLIC, 7, 5, None, "")]),
    "规划局": ("《中华人民共和国城乡规划法》", [("建设项目选址意见书核发", LICENSING, 20, 10, None, "选址意见书"),
               ("建设用地规划许可", LICENSING, 20, 10, None, "建设用地规划许可证"), ("建设工程规划许可", LICENSING, 20, 10, None, "建设工程规划许可证"),
               ("乡村建设规划许可", LICENSING, 20, 10, None, "乡村建设规划许可证")]),
    "工商局": ("《中华人民共和国公司登记管理条例》", [("内资企业设立登记", LICENSING, 15, 3, None, "营业执照"),
               ("个体工商户登记", LICENSING, 15, 1, None, "营业执照"), ("农民专业合作社登记", LICENSING, 20, 3, None, "营业执照"),
               ("动产抵押登记", PUBLIC, 5, 1, None, "")]),
    "档案局": ("《中华人民共和国档案法》", [("档案查阅利用", PUBLIC, 5, 1, None, "")]),
    "县政府办": ("《中华人民共和国政府信息公开条例》", [("政府信息公开申请受理", PUBLIC, 15, 10, None, "")]),
    "经信局": ("《中华人民共和国电力法》", [("企业技术改造项目备案", NON, 10, 5, None, ""), ("新型墙体材料专项基金返退", PUBLIC, 20, 10, None, "")]),
    "科技局": ("《中华人民共和国科学技术进步法》", [("科技计划项目受理", PUBLIC, 30, 20, None, ""), ("技术合同认定登记", PUBLIC, 10, 5, None, "")]),
    "计生局": ("《中华人民共和国人口与计划生育法》", [("再生育一个子女审批", LICENSING, 30, 20, None, "生育证"), ("一孩生育登记", PUBLIC, 1, 0, None, "生育服务证"),
               ("独生子女父母光荣证办理", PUBLIC, 10, 5, None, "")]),
    "房产局": ("《房屋登记办法》", [("房屋所有权登记", LICENSING, 30, 7, (Decimal(80), "件", "计价格〔2002〕595号"), "房屋所有权证"),
               ("房屋他项权登记", LICENSING, 10, 3, (Decimal(80), "件", "计价格〔2002〕595号"), "房屋他项权证"),
               ("商品房买卖合同备案", NON, 5, 1, None, "")]),
    "质监局": ("《组织机构代码管理办法》", [("组织机构代码证办理", PUBLIC, 5, 1, (Decimal(148), "证", "湘价费〔2009〕138号"), "组织机构代码证"),
               ("特种设备使用登记", LICENSING, 30, 10, None, "特种设备使用登记证"), ("计量器具强制检定", PUBLIC, 10, 5, None, "")]),
    "国税局": ("《中华人民共和国税收征收管理法》", [("税务登记", PUBLIC, 30, 1, None, "税务登记证"), ("增值税一般纳税人资格认定", LICENSING, 20, 10, None, ""),
               ("发票领购", PUBLIC, 5, 0, None, "")]),
    "地税局": ("《中华人民共和国税收征收管理法》", [("地方税务登记", PUBLIC, 30, 1, None, "税务登记证"), ("契税征收", PUBLIC, 5, 0, None, "契税完税证"),
               ("减免税审批", LICENSING, 20, 10, None, "")]),
    "消防大队": ("《中华人民共和国消防法》", [("建设工程消防设计审核", LICENSING, 20, 10, None, "审核意见书"), ("建设工程消防验收", LICENSING, 20, 10, None, ""),
                ("公众聚集场所投入使用营业前消防安全检查", LICENSING, 10, 5, None, "合格证")]),
    "交警大队": ("《中华人民共和国道路交通安全法》", [("机动车注册登记", LICENSING, 5, 1, (Decimal(125), "辆", "计价格〔2004〕1040号"), "机动车登记证书"),
                ("机动车驾驶证换证", PUBLIC, 5, 1, (Decimal(10), "证", "计价格〔2004〕1040号"), "机动车驾驶证"),
                ("校车使用许可", LICENSING, 20, 10, None, "校车标牌")]),
    "农机局": ("《中华人民共和国农业机械化促进法》", [("拖拉机注册登记", LICENSING, 5, 2, None, "拖拉机登记证书"), ("农机购置补贴审核", PUBLIC, 20, 10, None, "")]),
    "畜牧水产局": ("《中华人民共和国动物防疫法》", [("动物防疫条件合格证核发", LICENSING, 20, 10, None, "动物防疫条件合格证"),
                 ("兽药经营许可", LICENSING, 30, 15, None, "兽药经营许可证"), ("水域滩涂养殖证核发", LICENSING, 20, 10, None, "")]),
    "粮食局": ("《粮食流通管理条例》", [("粮食收购资格许可", LICENSING, 15, 10, None, "粮食收购许可证")]),
    "民宗局": ("《宗教事务条例》", [("宗教活动场所登记", LICENSING, 30, 20, None, "宗教活动场所登记证")]),
    "旅游局": ("《旅行社条例》", [("旅行社分社备案", NON, 5, 3, None, ""), ("导游证换发", PUBLIC, 20, 10, None, "导游证")]),
    "城管局": ("《城市市容和环境卫生管理条例》", [("城市道路挖掘许可", LICENSING, 10, 3, None, ""), ("户外广告设置许可", LICENSING, 10, 5, None, "")]),
    "人防办": ("《中华人民共和国人民防空法》", [("人防工程建设审批", LICENSING, 20, 10, None, ""), ("人防工程竣工验收备案", NON, 15, 5, None, "")]),
    "公积金": ("《住房公积金管理条例》", [("住房公积金提取", PUBLIC, 3, 1, None, ""), ("住房公积金贷款", PUBLIC, 15, 10, None, "")]),
    "气象局": ("《中华人民共和国气象法》", [("防雷装置设计审核", LICENSING, 20, 10, (Decimal(300), "项", "湘价费〔2008〕46号"), "核准书"),
               ("施放气球活动许可", LICENSING, 5, 3, None, "")]),
    "烟草局": ("《中华人民共和国烟草专卖法》", [("烟草专卖零售许可", LICENSING, 20, 10, None, "烟草专卖零售许可证")]),
    "残联": ("《中华人民共和国残疾人保障法》", [("残疾人证办理", PUBLIC, 20, 10, None, "残疾人证"), ("残疾人就业保障金减免", NON, 20, 10, None, "")]),
    "移民局": ("《大中型水利水电工程建设征地补偿和移民安置条例》", [("水库移民后期扶持人口核定", PUBLIC, 30, 20, None, "")]),
    "殡管所": ("《殡葬管理条例》", [("遗体火化服务", PUBLIC, 1, 0, None, "火化证明")]),
}  # fmt: skip
VARIANTS = ("（新办）", "（变更）", "（延续）", "（注销）")
SURNAMES = "王李张刘陈杨黄赵吴周谭彭罗贺易龙谢曾邓肖欧袁胡蒋尹文夏"
GIVEN = "建国秀英志明丽华卫东国平小红海军桂兰春生伟强德胜玉梅新华金龙淑芬永红立新建军红梅"
FIRMS = ["华新建筑", "湘东农业", "攸州食品", "金鑫矿业", "天成商贸", "兴隆物流", "宏达机械", "绿源生态"]


def scaled(n: int, scale: float) -> int:
    return n if scale == 1 else max(1, round(n * scale))


@dataclass(frozen=True)
class Plan:
    """What the demo produces at a scale (the seed's 2013 figures at scale 1)."""

    centre_cases: int
    centre_fees: Decimal
    township_cases: int
    online_received: int
    online_completed: int


def plan(scale: float = 1.0) -> Plan:
    online = scaled(ONLINE_RECEIVED, scale)
    still_open = scaled(ONLINE_RECEIVED - ONLINE_COMPLETED, scale)
    return Plan(
        centre_cases=scaled(CENTRE_CASES, scale),
        centre_fees=CENTRE_FEES if scale == 1 else (CENTRE_FEES * Decimal(str(scale))).quantize(Decimal(1)),
        township_cases=scaled(TOWNSHIP_CASES, scale) * 21,
        online_received=online,
        online_completed=online - still_open,
    )


class _Days:
    """The working days of the year, with quick stepping."""

    def __init__(self, year: int) -> None:
        cal = get_calendar()
        d, end = date(year, 1, 1), date(year, 12, 31)
        self.days: list[date] = []
        while d <= end:
            if cal.is_workday(d):
                self.days.append(d)
            d += timedelta(days=1)

    def after(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (a working day), kept within the year."""
        i = bisect_left(self.days, d)
        return self.days[min(i + n, len(self.days) - 1)]


class DemoArgon2(Argon2PasswordHasher):
    """Argon2 with light parameters for the hundred demo staff: the default takes most of a second
    per password on a small machine; Django upgrades each hash to the default at the first login."""

    time_cost, memory_cost, parallelism = 1, 1024, 1


def _fast_hashing() -> Any:
    return override_settings(PASSWORD_HASHERS=["gongkai.services.demo.DemoArgon2"])


def load(*, units: dict, county: Any, admin: Any, report: Any = None, scale: float = 1.0) -> dict[str, Any]:
    """The centre, its catalogue and staff, the townships' windows, 2013's cases and a few current ones."""
    with transaction.atomic():
        made = _catalogue(units=units, county=county, admin=admin)
        made.update(_year(made, scale=scale, report=report))
        made.update(_current(made))
        from gongkai.notifications.models import Message, MessageStatus

        # The demo's applicants are made up: their notices stay in the outbox, never sent.
        Message.objects.filter(topic__startswith="services.servicecase:", status=MessageStatus.QUEUED).update(
            status=MessageStatus.RECORDED
        )
    return made


def _catalogue(*, units: dict, county: Any, admin: Any) -> dict[str, Any]:
    from gongkai.accounts.actions import create_staff_user
    from gongkai.orgs.actions import create_organisation

    centre = units.get("政务中心") or Organisation.objects.filter(kind=OrgKind.CENTRE, parent=county).first()
    if centre is None:
        centre = create_organisation(actor=admin, parent=county, kind=OrgKind.CENTRE, name="攸县政务服务中心",
                                     short_name="政务中心", code=make_org_code("44880000"),
                                     address="攸县东城新区政务服务中心")  # fmt: skip
    resident = {
        k: u for k, u in units.items() if getattr(u, "kind", "") in (OrgKind.DEPARTMENT, OrgKind.OTHER)
    }
    for n, (name, short) in enumerate(MORE_UNITS, start=1):
        if len(resident) >= RESIDENT_UNITS:
            break
        if short not in resident:
            resident[short] = create_organisation(
                actor=admin, parent=county, kind=OrgKind.DEPARTMENT, name=name, short_name=short,
                code=make_org_code(f"4488{n:04d}"), address="攸县东城新区政务服务中心", postcode="412300",
            )  # fmt: skip
    resident = dict(list(resident.items())[:RESIDENT_UNITS])
    windows: dict[str, ServiceWindow] = {}
    for n, (key, unit) in enumerate(resident.items(), start=1):
        windows[key] = actions.save_window(actor=admin, centre=centre, number=f"{n:02d}",
                                           name=f"{unit.short_name or key}窗口", units=[unit])  # fmt: skip
    # Window staff: the demo's own centre login counts among the hundred.
    held = set(
        RoleAssignment.objects.filter(organisation=centre, role=Role.WINDOW).values_list("user_id", flat=True)
    )
    rnd = random.Random(YEAR)
    with _fast_hashing():
        for n in range(len(held) + 1, WINDOW_STAFF + 1):
            name = rnd.choice(SURNAMES) + "".join(rnd.sample(GIVEN, 2))
            create_staff_user(actor=admin, organisation=centre, role=Role.WINDOW, username=f"window{n:03d}",
                              password=PASSWORD, display_name=f"{name}（{n:02d}号窗口）")  # fmt: skip
    items = _items(admin=admin, resident=resident, windows=windows)
    townships = {k: u for k, u in units.items() if getattr(u, "kind", "") == OrgKind.TOWNSHIP}
    served = [resident[k] for k in TOWNSHIP_UNITS if k in resident]
    township_windows = [
        actions.save_window(
            actor=admin, centre=t, number="01", name=f"{t.short_name or k}便民服务中心综合窗口", units=served
        )  # fmt: skip
        for k, t in townships.items()
    ]
    return {"centre": centre, "resident": resident, "windows": windows, "items": items,
            "township_windows": township_windows, "admin": admin}  # fmt: skip


def _items(*, admin: Any, resident: dict, windows: dict) -> list[ServiceItem]:
    """339 items: every unit's base items, then licensing variants (新办/变更/延续/注销) until the count."""
    specs: list[tuple[str, tuple]] = []
    keys = list(resident)
    for key in keys:
        for spec in CATALOGUE.get(
            key, ("", [(f"{resident[key].short_name or key}综合事项", PUBLIC, 10, 5, None, "")])
        )[1]:
            specs.append((key, spec))
    base = list(specs)
    variant = 1
    while len(specs) < ITEMS:
        for key, spec in base:
            if len(specs) >= ITEMS:
                break
            if spec[1] == LICENSING:
                specs.append((key, (spec[0] + VARIANTS[variant], *spec[1:])))
        variant += 1
    specs.sort(key=lambda s: (keys.index(s[0]), s[1][0]))
    items = []
    counters: dict[str, int] = {}
    for key, (name, kind, statutory, promised, fee, certificate) in specs[:ITEMS]:
        unit = resident[key]
        counters[key] = counters.get(key, 0) + 1
        law = CATALOGUE.get(key, ("《中华人民共和国行政许可法》", []))[0]
        fields = {
            "code": f"{unit.code[-4:]}-{counters[key]:03d}", "name": name, "kind": kind,
            "legal_basis": f"{law}；《中华人民共和国行政许可法》" if kind == LICENSING else law,
            "conditions": "申请人符合法律、法规规定的条件，申请材料齐全、符合法定形式。",
            "materials": "申请书\n申请人身份证明\n" + ("相关许可证件\n" if kind == LICENSING else "") + "其他法定材料",
            "process": "受理\n审查\n决定\n送达" if promised else "受理\n当场办结",
            "statutory_limit_days": statutory, "promised_limit_days": promised, "window": windows[key],
            "location": f"攸县政务服务中心 {windows[key].number}号窗口",
            "online": key not in OFFLINE_UNITS, "issues_certificate": bool(certificate), "certificate_name": certificate,
            "fee_free": fee is None,
        }  # fmt: skip
        if fee is not None:
            fields.update(fee_amount=fee[0], fee_unit=fee[1], fee_basis=fee[2])
        item = actions.save_item(actor=admin, organisation=unit, **fields)
        items.append(actions.set_item_published(actor=admin, item=item, published=True))
    return items


def _year(made: dict, *, scale: float, report: Any) -> dict[str, Any]:
    """2013's cases through the bulk path: the centre's, the townships' and the online system's."""
    target = plan(scale)
    rnd = random.Random(YEAR + 1)
    days = _Days(YEAR)
    items: list[ServiceItem] = made["items"]
    windows: dict[str, ServiceWindow] = made["windows"]
    window_of = {w.pk: w for w in windows.values()}
    balancer = next(i for i in items if not i.fee_free and i.fee_unit == "平方米")
    charged = [i for i in items if not i.fee_free and i is not balancer]
    free = [i for i in items if i.fee_free]
    # Most cases are licensing decisions; charged items (registrations, certificates) are frequent.
    weights = [6 if i.kind == LICENSING else 3 for i in free]
    receipts = iter(range(1, 10**7))
    rows: list[CaseRow] = []

    def person() -> str:
        return rnd.choice(SURNAMES) + "".join(rnd.sample(GIVEN, rnd.choice((1, 2))))

    def case(item: ServiceItem, channel: str, window: ServiceWindow | None, open_: bool = False) -> CaseRow:
        received = rnd.choice(days.days)
        company = rnd.random() < 0.3
        row = CaseRow(
            row=len(rows) + 1, item=item, channel=channel, window=window, received_on=received,
            applicant_kind="organisation" if company else "person",
            applicant_name=f"攸县{rnd.choice(FIRMS)}有限公司" if company else person(),
            phone=rnd.choice(("139", "138", "135", "150", "189")) + f"{rnd.randrange(10**8):08d}",
        )  # fmt: skip
        if not open_:
            late = rnd.random() < 0.004
            used = (
                item.promised_limit_days + rnd.randint(1, 3)
                if late
                else rnd.randint(0, item.promised_limit_days)
            )
            row.completed_on = days.after(received, used)
            denied = rnd.random() < 0.01 and item.fee_free
            row.result = "denied" if denied else "approved"
            if denied:
                row.result_reason = "申请材料不符合法定条件，依法不予批准"
            elif item.issues_certificate:
                row.certificate_number = f"{item.code}-{YEAR}-{len(rows) + 1:05d}"
        rows.append(row)
        return row

    def charge(row: CaseRow, amount: Decimal, quantity: Decimal) -> None:
        row.fee_quantity, row.fee_amount = quantity, amount
        row.fee_receipt = f"湘非税{YEAR}{next(receipts):07d}"
        row.fee_collected_on = row.completed_on

    # The centre: charged cases first (about a third), then the free ones.
    n_balance = max(2, round(target.centre_cases * 0.02))
    n_charged = round(target.centre_cases * 0.33)
    collected = Decimal(0)
    for _ in range(n_charged):
        item = rnd.choice(charged)
        row = case(item, CaseChannel.WINDOW, window_of[item.window_id])
        quantity = Decimal(rnd.choice((1, 1, 1, 2))) if item.fee_unit in ("件", "辆", "证") else Decimal(1)
        charge(row, item.fee_amount * quantity, quantity)
        collected += row.fee_amount
    for item in rnd.choices(free, weights=weights, k=target.centre_cases - n_charged - n_balance):
        case(item, CaseChannel.WINDOW, window_of[item.window_id])
    # The balancing item is charged per square metre: its cases bring the total to the exact figure.
    rest = target.centre_fees - collected
    shares = [rnd.uniform(0.2, 1.8) for _ in range(n_balance)]
    parts = [(rest * Decimal(s) / Decimal(sum(shares))).quantize(Decimal(1)) for s in shares]
    parts[-1] = rest - sum(parts[:-1])
    for part in parts:
        row = case(balancer, CaseChannel.WINDOW, window_of[balancer.window_id])
        charge(row, part, (part / balancer.fee_amount).quantize(Decimal("0.01")))
    # The township centres: free items of the units their windows serve.
    served_units = {u.pk for w in made["township_windows"][:1] for u in w.units.all()}
    township_items = [i for i in free if i.organisation_id in served_units and i.promised_limit_days <= 20]
    for window in made["township_windows"]:
        for _ in range(scaled(TOWNSHIP_CASES, scale)):
            case(rnd.choice(township_items), CaseChannel.TOWNSHIP, window)
    # The online system: free online items of the 44 units, every unit with at least one case.
    online_items = [i for i in free if i.online]
    by_unit: dict[int, list[ServiceItem]] = {}
    for item in online_items:
        by_unit.setdefault(item.organisation_id, []).append(item)
    picks = [rnd.choice(group) for group in by_unit.values()]
    picks += rnd.choices(online_items, k=max(0, target.online_received - len(picks)))
    still_open = target.online_received - target.online_completed
    for n, item in enumerate(picks[: target.online_received]):
        row = case(item, CaseChannel.ONLINE, None, open_=n < still_open)
        if n < still_open:  # received in the last days of December, not completed by the year's end
            row.received_on = days.days[-1 - n % 3]
    for row in rows:  # completed within the year (the seed's 办结率 counts the year's cases)
        if row.completed_on is not None and row.completed_on.year > YEAR:
            row.completed_on = days.days[-1]
    result = import_cases(actor=None, rows=rows, reason="2013年政务服务中心办件（演示数据）", progress=report)
    return {"cases_2013": result.created, "fees_2013": result.fees}


def _workdays_before(today: date, n: int) -> date:
    cal = get_calendar()
    d = today
    while n > 0:
        d -= timedelta(days=1)
        if cal.is_workday(d):
            n -= 1
    return d


def _current(made: dict) -> dict[str, Any]:
    """This year's cases in every state, through the actions (the office pages and the browser test)."""
    from django.contrib.auth import get_user_model

    centre = made["centre"]
    staff = (
        get_user_model()
        .objects.filter(role_assignments__organisation=centre, role_assignments__role=Role.WINDOW)
        .order_by("pk")
        .first()
    )
    today = timezone.localdate()
    items: list[ServiceItem] = made["items"]
    window_of = {w.pk: w for w in made["windows"].values()}

    def item_with(limit: int, charged: bool = False, online: bool = False) -> ServiceItem:
        return next(i for i in items if i.promised_limit_days == limit and (not i.fee_free) == charged
                    and (i.online or not online) and (charged or not i.issues_certificate))  # fmt: skip

    def receive(item: ServiceItem, ago: int, name: str) -> Any:
        case, _code = actions.receive_case(actor=staff, item=item, window=window_of[item.window_id],
                                           applicant_kind="person", applicant_name=name, phone="13907331234",
                                           on=_workdays_before(today, ago))  # fmt: skip
        return case

    fee_item = next(i for i in items if not i.fee_free and i.fee_unit == "件")
    done = receive(fee_item, 6, "刘建国")
    actions.collect_fee(actor=staff, case=done, amount=fee_item.fee_amount, receipt=f"湘非税{today.year}0000001",
                        on=_workdays_before(today, 5))  # fmt: skip
    actions.complete_case(actor=staff, case=done, result="approved", certificate_number=f"演示-{today.year}-0001",
                          on=_workdays_before(today, 4))  # fmt: skip
    receive(item_with(10), 1, "王秀英")  # in process, plenty of time
    receive(item_with(10), 9, "张志明")  # most of its ten days used: a warning, not yet due
    receive(item_with(3), 6, "陈丽华")  # overdue
    waiting = receive(item_with(10), 3, "杨卫东")
    actions.request_materials(
        actor=staff, case=waiting, missing="营业执照复印件", on=_workdays_before(today, 1)
    )
    refused = receive(item_with(5), 2, "黄国平")
    actions.reject_case(
        actor=staff, case=refused, reason="申请事项不属于本窗口受理范围", on=_workdays_before(today, 1)
    )
    gone = receive(item_with(10), 2, "吴海军")
    actions.withdraw_case(actor=staff, case=gone, reason="申请人主动撤回申请")
    online, _code = actions.submit_case_online(actor=None, item=item_with(10, online=True), applicant_kind="person",
                                               applicant_name="赵小红", id_number="430223199001011234",
                                               phone="13907335678")  # fmt: skip
    window = window_of[item_with(10).window_id]
    first = today + timedelta(days=1)
    actions.open_slots(actor=staff, window=window, first_day=first, last_day=first + timedelta(days=13),
                       times=[(time(9, 0), time(10, 0)), (time(10, 0), time(11, 0)), (time(15, 0), time(16, 0))],
                       capacity=4)  # fmt: skip
    return {"current_cases": 8, "online_submitted": online.case_number}
