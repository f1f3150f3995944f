"""The demo county: Youxian (攸县), as its 2013 annual report describes it.

Everything is created through the actions, exactly as an administrator would
in the back office. Later modules add their own demo records on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from gongkai.accounts.actions import create_platform_admin, create_staff_user
from gongkai.accounts.models import User
from gongkai.orgs.actions import create_organisation, grant_role
from gongkai.orgs.codes import make_org_code, make_uscc
from gongkai.orgs.models import Organisation, OrgKind, Role

DEMO_PASSWORD = "Youxian-2013-demo"
REGION_CODE = "430223"  # 攸县 administrative division code

DEPARTMENTS = [
    ("攸县人民政府办公室", "县政府办"), ("攸县发展和改革局", "发改局"), ("攸县教育局", "教育局"),
    ("攸县公安局", "公安局"), ("攸县民政局", "民政局"), ("攸县司法局", "司法局"), ("攸县财政局", "财政局"),
    ("攸县人力资源和社会保障局", "人社局"), ("攸县国土资源局", "国土局"), ("攸县环境保护局", "环保局"),
    ("攸县住房和城乡建设局", "住建局"), ("攸县交通运输局", "交通局"), ("攸县水利局", "水利局"),
    ("攸县农业局", "农业局"), ("攸县林业局", "林业局"), ("攸县商务局", "商务局"), ("攸县文化体育广电局", "文体广电局"),
    ("攸县卫生局", "卫生局"), ("攸县审计局", "审计局"), ("攸县统计局", "统计局"), ("攸县安全生产监督管理局", "安监局"),
    ("攸县食品药品监督管理局", "食药监局"), ("攸县物价局", "物价局"), ("攸县规划局", "规划局"),
    ("攸县工商行政管理局", "工商局"), ("攸县档案局", "档案局"),
]  # fmt: skip

TOWNSHIPS = [
    "联星街道", "江桥街道", "春联街道", "网岭镇", "新市镇", "皇图岭镇", "黄丰桥镇", "桃水镇", "酒埠江镇",
    "鸾山镇", "宁家坪镇", "丫江桥镇", "渌田镇", "莲塘坳镇", "大同桥镇", "菜花坪镇", "柏市镇", "石羊塘镇",
    "坪阳庙乡", "黄图岭乡", "漕泊乡",
]  # fmt: skip


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    where: str


def _code(n: int) -> str:
    return make_org_code(f"4487{n:04d}")


def load_demo(*, with_disclosure: bool = True, report: Any = None) -> list[DemoLogin]:
    """Create the county, its units and one login per role. Returns the logins."""
    admin = create_platform_admin(
        actor=None, username="admin", password=DEMO_PASSWORD, display_name="平台管理员"
    )
    county_code = make_uscc(f"11{REGION_CODE}{_code(1)}")
    county = create_organisation(
        actor=admin, parent=None, kind=OrgKind.GOVERNMENT, name="攸县人民政府", short_name="攸县",
        code=county_code, office_name="攸县人民政府办公室", address="湖南省株洲市攸县文化路县委大院",
        postcode="412300", office_hours="工作日 8:00–12:00，14:30–17:30", phone="0731-24712345",
        fax="0731-24712346", email="gongkai@youxian.example.gov.cn", website="http://www.youxian.example.gov.cn",
    )  # fmt: skip
    units: dict[str, Organisation] = {}
    n = 2
    for name, short in DEPARTMENTS:
        units[short] = create_organisation(
            actor=admin, parent=county, kind=OrgKind.DEPARTMENT, name=name, short_name=short, code=_code(n),
            office_name=f"{short}办公室", address="湖南省攸县", postcode="412300", office_hours="工作日 8:00–17:30",
        )  # fmt: skip
        n += 1
    units["政务中心"] = create_organisation(
        actor=admin, parent=county, kind=OrgKind.CENTRE, name="攸县政务服务中心", short_name="政务中心", code=_code(n),
        office_name="政务服务中心管理办公室", address="攸县东城新区政务服务中心", postcode="412300",
        office_hours="工作日 8:30–17:30，周六上午预约办理",
    )  # fmt: skip
    n += 1
    for name in TOWNSHIPS:
        units[name] = create_organisation(
            actor=admin, parent=county, kind=OrgKind.TOWNSHIP, name=f"攸县{name}", short_name=name, code=_code(n),
            office_name=f"{name}党政办", address=f"湖南省攸县{name}", postcode="412300",
        )  # fmt: skip
        n += 1

    logins = [DemoLogin("admin", gettext("Platform administrator"), gettext("all organisations"))]

    def staff(username: str, display: str, org: Organisation, role: str) -> User:
        user = create_staff_user(actor=admin, organisation=org, role=role, username=username, password=DEMO_PASSWORD,
                                 display_name=display)  # fmt: skip
        logins.append(DemoLogin(username, Role(role).label, org.name))
        return user

    county_admin = staff("county_admin", "县政府办系统管理员", county, Role.ADMIN)
    reviewer = staff("ogi_reviewer", "公开办审核员", county, Role.REVIEWER)
    staff("supervisor", "电子监察员", county, Role.SUPERVISOR)
    clerks = {
        "财政局": staff("clerk_finance", "财政局信息员", units["财政局"], Role.CLERK),
        "教育局": staff("clerk_education", "教育局信息员", units["教育局"], Role.CLERK),
    }
    staff("clerk_wangling", "网岭镇信息员", units["网岭镇"], Role.CLERK)
    window = staff("window_centre", "政务中心窗口人员", units["政务中心"], Role.WINDOW)
    # The government office's clerk also drafts for the county government itself.
    gov_office_clerk = staff("clerk_govoffice", "县政府办信息员", units["县政府办"], Role.CLERK)
    grant_role(
        actor=county_admin, user=gov_office_clerk, organisation=county, role=Role.CLERK, covers_subunits=False
    )
    del window
    if with_disclosure:
        from gongkai.core import demo_disclosure

        units_by_key = {k: v for k, v in units.items()}
        demo_disclosure.load(actor=admin, units=units_by_key, county=county, report=report)
        from gongkai.core import demo_applications

        demo_applications.load(units=units, county=county, reviewer=reviewer, clerks=clerks)
        from gongkai.core import demo_interaction

        demo_interaction.load(
            units=units, county=county, reviewer=reviewer, admin=county_admin, clerks=clerks
        )
        from gongkai.services import demo as demo_services

        demo_services.load(units=units, county=county, admin=county_admin, report=report)
        from gongkai.records import demo as demo_records

        demo_records.load(units=units, county=county, admin=county_admin, reviewer=reviewer, report=report)
        from gongkai.reports import demo as demo_reports

        demo_reports.load(county=county, reviewer=reviewer, report=report)
    return logins


def is_empty() -> bool:
    return not Organisation.objects.exists() and not User.objects.exists()
