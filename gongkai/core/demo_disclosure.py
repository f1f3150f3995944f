"""Demo 2013 disclosure data for Youxian, shaped like the seed report's figures.

"2013年，主动公开政府信息22000余条。其中，县政府和县直各部门单位主动公开政府信息17380多条，
乡镇政府主动公开政府信息4620多条" and the portal "共发布各类信息28000余条，图片、视频4000多个，
年点击量超过300万次". The text is generated from phrase banks (deterministic, seeded), across the
categories the report names; every record goes through the bulk import action.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

YEAR = 2013
COUNTY_ITEMS = 17_380  # 县政府和县直各部门单位
TOWNSHIP_ITEMS = 4_620  # 乡镇政府
NEWS_ITEMS = 6_020  # 政务动态, bringing the portal's total to about 28,000
MEDIA_FILES = 4_080  # 图片、视频
TOTAL_VIEWS = 3_050_000  # 年点击量超过300万次

# category code → (weight, genre code, title patterns)
TOPICS: dict[str, tuple[int, str, list[str]]] = {
    "org": (4, "notice", ["{org}主要职责和内设机构", "{org}机构设置及联系方式", "{org}职能调整情况说明"]),
    "leaders": (2, "personnel", ["{org}领导班子成员及分工", "{org}领导活动：{place}调研{topic}工作"]),
    "policy-county": (6, "normative", ["攸县人民政府关于加强{topic}工作的意见", "攸县人民政府关于印发《攸县{topic}管理办法》的通知",
                                       "攸县人民政府办公室关于做好{topic}工作的通知"]),
    "policy-dept": (8, "document", ["{org}关于开展{topic}专项检查的通知", "{org}关于印发《{topic}实施方案》的通知",
                                    "{org}关于{topic}有关事项的通知"]),
    "policy-interp": (2, "interpretation", ["《攸县{topic}管理办法》政策解读", "图解：{topic}新政策"]),
    "plans": (5, "plan", ["{org}2013年工作计划", "攸县{topic}“十二五”规划中期评估", "{org}2013年{topic}工作要点"]),
    "recruit": (3, "personnel", ["{org}2013年公开招聘工作人员公告", "攸县2013年事业单位公开招聘{topic}岗位拟聘用人员公示"]),
    "personnel": (3, "personnel", ["{org}干部任前公示", "{org}2013年人员调整情况"]),
    "budget": (5, "budget", ["{org}2013年部门预算", "{org}2012年部门决算", "{org}2013年“三公”经费预算情况说明"]),
    "funds": (6, "document", ["{place}2013年{topic}专项资金分配情况公示", "攸县2013年{topic}补贴资金发放名册"]),
    "procurement": (9, "procurement", ["{org}{topic}采购项目公开招标公告", "{org}{topic}采购项目中标公示",
                                       "攸县{place}{topic}工程招标公告"]),
    "approval": (8, "licensing", ["{org}行政许可决定公示（{month}月）", "{place}{topic}建设项目审批结果公示"]),
    "projects": (5, "notice", ["攸县{place}{topic}项目建设进展情况", "攸县2013年重点建设项目{topic}批前公示"]),
    "land": (5, "notice", ["攸县{place}征地补偿安置方案公告", "攸县{place}房屋拆迁补偿标准公示", "{place}集体土地征收预公告"]),
    "housing": (3, "notice", ["攸县2013年廉租住房保障对象公示（第{n}批）", "攸县公共租赁住房分配结果公示"]),
    "environment": (4, "notice", ["攸县{month}月环境空气质量状况", "{place}{topic}项目环境影响评价公示", "{org}环境违法案件查处情况"]),
    "food": (4, "penalty", ["攸县食品安全监督抽检结果公告（{month}月）", "{org}食品安全行政处罚案件信息公开"]),
    "prices": (3, "fee", ["攸县{topic}收费标准公示", "攸县{month}月主要农副产品价格监测", "{org}行政事业性收费项目目录"]),
    "education": (3, "notice", ["攸县2013年义务教育阶段招生工作方案", "{place}学校{topic}情况公示"]),
    "health": (2, "notice", ["攸县新型农村合作医疗{topic}补偿公示", "{place}卫生院{topic}情况公示"]),
    "social": (4, "notice", ["{place}2013年城乡低保对象公示（第{n}季度）", "攸县2013年{topic}养老保险待遇调整公告"]),
    "safety": (2, "penalty", ["{org}安全生产行政处罚信息公开", "攸县{month}月安全生产形势分析"]),
    "statistics": (2, "statistics", ["攸县2013年{month}月国民经济主要指标", "攸县{topic}统计公报"]),
}  # fmt: skip

TOPIC_WORDS = ["农村危房改造", "城乡低保", "农业综合开发", "饮水安全", "道路交通安全", "森林防火", "防汛抗旱", "食品安全",
               "安全生产", "环境保护", "保障性住房", "义务教育", "新型农村合作医疗", "计划生育", "粮食直补", "退耕还林",
               "农机购置补贴", "城乡居民", "政府采购", "行政审批制度改革", "政务公开", "财政预算", "污水处理", "垃圾处理",
               "烟花爆竹", "小型水库除险加固", "高标准农田建设", "乡村公路", "电子政务", "信访维稳"]  # fmt: skip
PLACES = ["联星街道", "江桥街道", "网岭镇", "新市镇", "皇图岭镇", "黄丰桥镇", "酒埠江镇", "宁家坪镇", "东城新区",
          "攸县工业集中区", "县城", "丫江桥镇", "渌田镇"]  # fmt: skip
SENTENCES = [
    "为进一步做好{topic}工作，根据上级有关文件精神，结合我县实际，现将有关事项通知如下。",
    "各乡镇人民政府、街道办事处，县直各有关单位要高度重视，切实加强组织领导，明确责任分工。",
    "{org}将严格按照“公开是原则、不公开是例外”的要求，主动公开{topic}相关信息，接受社会监督。",
    "本次{topic}工作涉及{place}等地，共计{n}个项目，资金已全部下达到位。",
    "如对公示内容有异议，请于公示之日起7个工作日内向{org}反映，联系电话：0731-2471{n:04d}。",
    "各单位要加强督促检查，确保{topic}各项措施落到实处，取得实效。",
    "2013年，我县{topic}工作取得明显成效，群众满意度进一步提高。",
    "本办法自发布之日起施行，由{org}负责解释。",
]  # fmt: skip
NEWS = ["{place}召开{topic}工作推进会", "县领导到{place}督查{topic}工作", "{org}扎实开展{topic}活动",
        "我县{topic}工作获省市表彰", "{place}：{topic}惠及万家", "攸县召开2013年{topic}工作会议"]  # fmt: skip


@dataclass(frozen=True)
class DemoItem:
    org_key: str  # short name of the organisation
    kind: str
    title: str
    summary: str
    body: str
    doc_number: str
    category: str
    genre: str
    formed_on: date
    published_on: date
    keywords: str


def _dates(rng: random.Random) -> tuple[date, date]:
    formed = date(YEAR, 1, 4) + timedelta(days=rng.randrange(0, 345))
    # Most items go up within a week or two; a few slip past the 20-working-day limit.
    lag = rng.choice([0, 1, 1, 2, 3, 3, 5, 7, 10, 14, 21]) if rng.random() > 0.03 else rng.randrange(30, 45)
    return formed, min(formed + timedelta(days=lag), date(YEAR, 12, 31))


def _fill(rng: random.Random, pattern: str, org: str) -> str:
    return pattern.format(org=org, topic=rng.choice(TOPIC_WORDS), place=rng.choice(PLACES), month=rng.randint(1, 12),
                          n=rng.randint(1, 4))  # fmt: skip


def _body(rng: random.Random, org: str) -> str:
    parts = [
        _fill(rng, s, org).replace("{n:04d}", str(rng.randint(1000, 9999))) for s in rng.sample(SENTENCES, 3)
    ]
    return "".join(f"<p>{p}</p>" for p in parts)


def generate(
    county_units: list[tuple[str, str]], townships: list[tuple[str, str]], seed: int = 2013
) -> Iterator[DemoItem]:
    """Yield the demo items: (key, full name) pairs for county-level units and townships."""
    rng = random.Random(seed)
    codes = list(TOPICS)
    weights = [TOPICS[c][0] for c in codes]
    serial: dict[str, int] = {}

    def one(key: str, name: str, kind: str) -> DemoItem:
        formed, published = _dates(rng)
        if kind == "news":
            title = _fill(rng, rng.choice(NEWS), name)
            category, genre, doc = "news", "other", ""
        else:
            category = rng.choices(codes, weights)[0]
            _, genre, patterns = TOPICS[category]
            title = _fill(rng, rng.choice(patterns), name)
            doc = ""
            if genre in ("normative", "document", "rule"):
                serial[key] = serial.get(key, 0) + 1
                prefix = "攸政发" if genre == "normative" else f"攸{key[:1]}发"
                doc = f"{prefix}〔{YEAR}〕{serial[key]}号"
        body = _body(rng, name)
        summary = title + "。" + body.split("</p>")[0].removeprefix("<p>")[:60]
        return DemoItem(key, kind, title[:300], summary, body, doc, category, genre, formed, published,
                        " ".join(rng.sample(TOPIC_WORDS, 2)))  # fmt: skip

    for i in range(COUNTY_ITEMS):
        key, name = county_units[i % len(county_units)]
        yield one(key, name, "item")
    for i in range(TOWNSHIP_ITEMS):
        key, name = townships[i % len(townships)]
        yield one(key, name, "item")
    everyone = county_units + townships
    for i in range(NEWS_ITEMS):
        key, name = everyone[i % len(everyone)]
        yield one(key, name, "news")


# --- loading ------------------------------------------------------------------------------------

# Tiny but genuine media files (their types are sniffed like any upload).
PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cf00000301"
    "0100c9fe92ef0000000049454e44ae426082"
)
MP4_STUB = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"


def load(*, actor, units: dict, county, report=None) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Load the 2013 catalogue through the bulk actions. ``report(stage, done, total)`` shows progress."""
    from collections import Counter

    from gongkai.disclosure.bulk import ItemRow, import_items
    from gongkai.disclosure.history import attach_many, import_daily_views
    from gongkai.disclosure.models import Category, DisclosureItem, Genre, ItemStatus
    from gongkai.orgs.models import OrgKind

    report = report or (lambda stage, done, total: None)
    categories = {c.code: c for c in Category.objects.all()}
    genres = {g.code: g for g in Genre.objects.all()}
    county_units = [("县政府", county)] + [(k, o) for k, o in units.items() if o.kind != OrgKind.TOWNSHIP]
    townships = [(k, o) for k, o in units.items() if o.kind == OrgKind.TOWNSHIP]
    by_key = dict(county_units + townships)
    demo = list(generate([(k, o.name) for k, o in county_units], [(k, o.name) for k, o in townships]))
    rows = [
        ItemRow(organisation=by_key[d.org_key], title=d.title, formed_on=d.formed_on, row=n, kind=d.kind,
                summary=d.summary, body=d.body, doc_number=d.doc_number, written_on=d.formed_on,
                category=categories.get(d.category), genre=genres.get(d.genre), keywords=d.keywords,
                channels=["website"], published_on=d.published_on)
        for n, d in enumerate(demo, start=1)
    ]  # fmt: skip
    result = import_items(actor=actor, rows=rows, publish=True, reason="2013 demo catalogue", progress=report)

    rng = random.Random(4)
    items = list(DisclosureItem.objects.filter(status=ItemStatus.PUBLISHED).order_by("id").only("id", "organisation_id",
                                                                                                  "published_on", "kind"))  # fmt: skip
    media_items = rng.sample(items, MEDIA_FILES // 2)
    files = []
    for n, item in enumerate(media_items):
        files.append((item, f"现场图片{n + 1}.png", PNG_1x1))
        files.append(
            (
                item,
                f"视频{n + 1}.mp4" if n % 4 == 0 else f"现场图片{n + 1}b.png",
                MP4_STUB if n % 4 == 0 else PNG_1x1,
            )
        )
    report("media", 0, len(files))
    attach_many(actor=actor, files=files)
    report("media", len(files), len(files))

    # Page views: each item is read on a handful of days after publication, news less than notices.
    counts: Counter = Counter()
    per_item = TOTAL_VIEWS // len(items)
    for item in items:
        days = rng.randint(4, 12)
        share = per_item * (0.6 if item.kind == "news" else 1.1)
        for _ in range(days):
            day = min(item.published_on + timedelta(days=int(rng.expovariate(1 / 20))), date(YEAR, 12, 31))
            counts[(item.id, day)] += max(1, int(rng.gauss(share / days, share / days / 3)))
    shortfall = TOTAL_VIEWS - sum(counts.values())
    if shortfall > 0:  # top up the most-read item so the year passes three million
        key = max(counts, key=counts.get)
        counts[key] += shortfall + 1000
    report("views", 0, len(counts))
    views = import_daily_views(actor=actor, counts=counts, source="2013 portal statistics (demo)")
    report("views", len(counts), len(counts))
    return {"items": result.created, "late": result.late, "media": len(files), "views": views}
