"""Benchmark: full-text search over N published items, against a LIKE '%…%' scan.

Builds N synthetic published items of realistic Chinese government text
(titles like 攸县财政局关于2013年部门预算公开的通知, bodies of 200–600
characters made from word lists) in a separate, throw-away database, then
measures the server-side latency of ``gongkai.search.query.search()`` —
segmentation, the count, the page of ids, the page of items and the
highlighting — for:

* 2-character queries (公开, 预算, 拆迁 …), 4-character queries (信息公开,
  房屋拆迁 …) and phrase queries of 3+ words (部门预算 公开 2023年 …);
* each without filters and with a filter (rotating: an organisation's subtree,
  a genre, a one-year date range), and sorted by date;
* exact 索引号 / 文号 look-ups;

p50 and p95 over ``--repeats`` queries each; then the same text queries as a
naive ``LIKE '%word%'`` scan over title and body (``--like-repeats`` each, newest
first, with the count) to report the speed-up. Prints ONE JSON line.

The data is NOT created through the actions (a million actions would take
hours): organisations are created with the actions, but the items and their
index rows are written with ``bulk_create`` — items directly as published, in
order of publication (as a catalogue grows; ids and rows follow the dates),
index rows built by ``gongkai.search.index.build_document`` from tokens
segmented in ``--processes`` worker processes (jieba is the bottleneck). On
SQLite the FTS5 index is built in one pass at the end ('rebuild', as
``reindex`` does); on PostgreSQL the index rows are loaded with COPY, the GIN
index is dropped during the load and created afterwards, and the tables are
VACUUM ANALYZEd. (The index numbers' serials table is not kept up to date.)

    .venv/bin/python bench/search.py [--items 1000000] [--processes 2] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/search.py --items 100000
    .venv/bin/python bench/search.py --reuse   # measure again what a --keep run built ("reused": true)

SQLite uses a file (``var/bench_search.sqlite3``, deleted afterwards);
PostgreSQL a database named ``bench_search_<db>`` (dropped afterwards).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")

# --- synthetic text --------------------------------------------------------------------------------

TOPICS = [
    "部门预算", "财政决算", "政府信息公开", "房屋拆迁", "征地补偿", "安全生产", "食品安全", "环境保护", "教育经费",
    "医疗保障", "乡村振兴", "防汛抗旱", "森林防火", "城乡规划", "道路建设", "农田水利", "社会救助", "就业创业",
    "人才招聘", "政府采购", "行政许可", "行政处罚", "价格收费", "住房保障", "养老服务", "疫情防控", "扶贫开发",
    "文明创建", "河长制", "人居环境整治", "耕地保护", "招商引资", "营商环境", "义务教育", "公共卫生", "信访工作",
    "统计调查", "审计整改", "国有资产管理", "专项资金", "棚户区改造", "交通运输", "水污染防治", "民生实事",
]  # fmt: skip
ACTIONS = ["公开", "实施", "印发", "开展", "加强", "做好", "公布", "调整", "落实", "推进", "规范", "完善"]
DOC_TYPES = ["通知", "公告", "意见", "办法", "方案", "报告", "决定", "批复", "通报", "规定", "细则", "公示"]
LAWS = [
    "中华人民共和国预算法", "中华人民共和国政府信息公开条例", "国有土地上房屋征收与补偿条例", "中华人民共和国安全生产法",
    "中华人民共和国环境保护法", "中华人民共和国土地管理法", "中华人民共和国行政许可法", "湖南省实施办法",
]  # fmt: skip
PLACES = [
    "网岭镇",
    "皇图岭镇",
    "新市镇",
    "黄丰桥镇",
    "酒埠江镇",
    "桃水镇",
    "鸾山镇",
    "宁家坪镇",
    "莲塘坳镇",
    "城关社区",
]
UNITS = ["万元", "个", "人次", "公里", "亩", "户", "项", "%"]
SENTENCES = [
    "为进一步{action}{topic}工作，根据《{law}》有关规定，结合我县实际，现就有关事项{doctype}如下。",
    "{year}年，全县{topic}工作取得明显成效，累计完成{num}{unit}，同比增长{pct}%。",
    "各乡镇人民政府、县直各单位要高度重视{topic}，切实加强组织领导，明确责任分工，确保各项任务落到实处。",
    "{place}按照县委县政府的统一部署，扎实推进{topic}，共涉及{num}户群众，群众满意度达到{pct}%。",
    "本次{topic}资金共计{num}万元，全部纳入财政专户管理，实行专款专用，接受社会监督。",
    "对{topic}中发现的问题，要及时督促整改，整改情况按规定向社会公开。",
    "联系人：县{topic}工作领导小组办公室，联系电话：0731-2412{four}。",
    "请各单位于{year}年{month}月{day}日前将{topic}情况报送县人民政府办公室。",
    "本{doctype}自印发之日起施行，由县{unitname}负责解释。",
    "经县人民政府同意，现将《攸县{year}年{topic}{doctype2}》印发给你们，请认真贯彻执行。",
]  # fmt: skip
Q2 = [
    "公开",
    "预算",
    "拆迁",
    "征地",
    "补偿",
    "安全",
    "教育",
    "招聘",
    "采购",
    "扶贫",
    "环境",
    "规划",
    "救助",
    "资金",
    "整改",
]
Q4 = [
    "信息公开",
    "部门预算",
    "房屋拆迁",
    "安全生产",
    "乡村振兴",
    "政府采购",
    "社会救助",
    "专项资金",
    "森林防火",
    "营商环境",
]
Q_PHRASE = [
    "2023年 部门预算 公开", "房屋拆迁 资金 专款专用", "政府信息公开 整改 情况", "安全生产 组织领导 责任分工",
    "网岭镇 征地补偿 群众满意度", "教育经费 社会监督 公开", "乡村振兴 专项资金 管理办法", "食品安全 工作 通报",
]  # fmt: skip


def sentence(rng: random.Random) -> str:
    return rng.choice(SENTENCES).format(
        action=rng.choice(ACTIONS), topic=rng.choice(TOPICS), law=rng.choice(LAWS), doctype=rng.choice(["通知", "公告"]),
        year=rng.randint(2013, 2024), num=rng.randint(3, 9999), unit=rng.choice(UNITS), pct=rng.randint(1, 99),
        place=rng.choice(PLACES), four=rng.randint(1000, 9999), month=rng.randint(1, 12), day=rng.randint(1, 28),
        unitname=rng.choice(["财政局", "发改局", "自然资源局", "应急管理局", "教育局"]), doctype2=rng.choice(DOC_TYPES),
    )  # fmt: skip


def body_text(rng: random.Random) -> str:
    target = rng.randint(200, 600)
    parts: list[str] = []
    n = 0
    while n < target:
        s = sentence(rng)
        parts.append(s)
        n += len(s)
    text = "".join(parts)
    return text[:target]


def title_text(rng: random.Random, org_name: str, year: int) -> str:
    topic = rng.choice(TOPICS)
    form = rng.random()
    if form < 0.5:
        return f"{org_name}关于{year}年{topic}{rng.choice(ACTIONS)}的{rng.choice(DOC_TYPES)}"
    if form < 0.8:
        return f"{org_name}关于印发《{topic}{rng.choice(['管理办法', '实施方案', '工作要点'])}》的通知"
    return f"{rng.choice(PLACES)}{year}年{topic}工作{rng.choice(['总结', '情况通报', '动态', '公示'])}"


# --- worker ------------------------------------------------------------------------------------------


def _segment(batch: list[tuple[str, str, str]]) -> list[tuple]:
    from gongkai.search.index import segment_texts

    return [segment_texts(texts) for texts in batch]


def _init_worker() -> None:
    from gongkai.search.segment import warm_up

    warm_up()


# --- measuring ---------------------------------------------------------------------------------------


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return round(values[k], 2)


def summary(values: list[float]) -> dict:
    return {"p50_ms": pct(values, 50), "p95_ms": pct(values, 95), "n": len(values)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--like-repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20240301)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards (for experiments).")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Measure the database a --keep run left (its size), building nothing.",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    vendor = connection.vendor
    base = Path(__file__).resolve().parent.parent
    test_settings = connection.settings_dict.setdefault("TEST", {})
    if vendor == "sqlite":
        test_settings["NAME"] = str(base / "var" / "bench_search.sqlite3")
    else:
        test_settings["NAME"] = f"bench_search_{connection.settings_dict['NAME']}"
    if args.reuse:
        old_name = connection.creation.create_test_db(verbosity=0, serialize=False, keepdb=True)  # migrates
    else:
        old_name = connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=False
        )
    try:
        built = {"reused": True} if args.reuse else build(args, vendor)
        result = measure(args, vendor, built)
    finally:
        connection.close()
        if not args.keep and not args.reuse:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    print(json.dumps(result, ensure_ascii=False))


def build(args: argparse.Namespace, vendor: str) -> dict:
    """Organisations, then ``args.items`` published items and their index rows; the build's figures."""
    from django.db import connection

    from gongkai.disclosure.models import Category, DisclosureItem, Genre, ItemStatus
    from gongkai.orgs.models import OrgKind
    from gongkai.search import fts, index
    from gongkai.search.models import SearchDocument
    from tests import factories

    rng = random.Random(args.seed)
    # --- organisations (through the actions): two counties with departments and townships
    root = factories.make_platform_admin()
    counties, units = [], []
    for c, (name, short) in enumerate((("攸县人民政府", "攸"), ("茶陵县人民政府", "茶"))):
        county = factories.make_org(actor=root, parent=None, name=name, kind=OrgKind.GOVERNMENT)
        counties.append(county)
        units.append((county, short + "政发"))
        for dept, abbr in (("财政局", "财"), ("教育局", "教"), ("自然资源局", "自然资"), ("应急管理局", "应急"),
                           ("卫生健康局", "卫"), ("住房和城乡建设局", "建"), ("农业农村局", "农"), ("发展和改革局", "发改")):  # fmt: skip
            units.append(
                (factories.make_org(actor=root, parent=county, name=name[:-4] + dept), f"{short}{abbr}发")
            )
        for place in PLACES[: 6 if c == 0 else 3]:
            units.append(
                (
                    factories.make_org(actor=root, parent=county, name=place, kind=OrgKind.TOWNSHIP),
                    place[:2] + "政发",
                )
            )
    categories = list(Category.objects.values_list("id", flat=True))
    genres = list(Genre.objects.values_list("id", flat=True))
    weights = [3 if org.parent_id is None else 1 for org, _ in units]

    # --- items and index rows, in bulk; in order of publication, as a catalogue grows
    serials: dict[tuple[int, int], int] = {}
    doc_serials: dict[tuple[int, int], int] = {}
    first_day = date(2015, 1, 1)
    span = (date(2024, 12, 31) - first_day).days
    days = iter(sorted(rng.randint(0, span) for _ in range(args.items)))

    def make_batch(n: int) -> list[DisclosureItem]:
        out = []
        for _ in range(n):
            org, prefix = rng.choices(units, weights)[0]
            published = first_day + timedelta(days=next(days))
            year = published.year
            serials[(org.pk, year)] = serials.get((org.pk, year), 0) + 1
            doc_number = ""
            if rng.random() < 0.3:
                doc_serials[(org.pk, year)] = doc_serials.get((org.pk, year), 0) + 1
                doc_number = f"{prefix}〔{year}〕{doc_serials[(org.pk, year)]}号"
            body = body_text(rng)
            title = title_text(rng, org.name, year)
            out.append(DisclosureItem(
                kind="news" if rng.random() < 0.2 else "item", organisation=org, status=ItemStatus.PUBLISHED,
                index_no=f"{org.code}/{year}-{serials[(org.pk, year)]:05d}", title=title,
                summary=sentence(rng) if rng.random() < 0.5 else "", body=f"<p>{body}</p>", body_text=body,
                doc_number=doc_number, formed_on=published - timedelta(days=rng.randint(0, 30)), published_on=published,
                category_id=rng.choice(categories), genre_id=rng.choice(genres),
                keywords=" ".join(rng.sample(TOPICS, 2)) if rng.random() < 0.3 else "",
                validity=rng.choices(["valid", "amended", "repealed", "expired"], [90, 4, 4, 2])[0],
            ))  # fmt: skip
        return out

    t_build = time.perf_counter()
    segment_s = 0.0
    with connection.cursor() as cur:
        if vendor == "sqlite":
            for sql in fts.TRIGGERS_DROP:
                cur.execute(sql)
        else:
            cur.execute(f"DROP INDEX IF EXISTS {fts.GIN_INDEX}")

    def batches():
        done = 0
        while done < args.items:
            n = min(args.batch, args.items - done)
            items = make_batch(n)
            done += n
            yield items

    facets = index.Facets(all_organisations=True)
    ctx = multiprocessing.get_context("fork")
    chars = 0
    with ctx.Pool(args.processes, initializer=_init_worker) as pool:
        pending = []
        for items in batches():
            texts = [index.item_texts(i) for i in items]
            chars += sum(len(a) + len(b) + len(c) for a, b, c in texts)
            chunk = max(1, len(texts) // (args.processes * 4))
            pending.append((items, [pool.apply_async(_segment, (texts[k : k + chunk],))
                                    for k in range(0, len(texts), chunk)]))  # fmt: skip
            if len(pending) < 2:  # keep the workers one batch ahead of the inserts
                continue
            segment_s += _store(pending.pop(0), vendor, facets)
        while pending:
            segment_s += _store(pending.pop(0), vendor, facets)
    load_s = time.perf_counter() - t_build
    t_index = time.perf_counter()
    with connection.cursor() as cur:
        if vendor == "sqlite":
            index.finish_rebuild()
        else:
            cur.execute(f"CREATE INDEX {fts.GIN_INDEX} ON {fts.DOC_TABLE} USING gin (vector)")
            cur.execute(f"VACUUM ANALYZE {fts.DOC_TABLE}")
            cur.execute(f"VACUUM ANALYZE {DisclosureItem._meta.db_table}")
    index_s = time.perf_counter() - t_index
    indexed = SearchDocument.objects.count()
    assert indexed == args.items, (indexed, args.items)
    return {
        "load_s": round(load_s, 1),
        "segment_wait_s": round(segment_s, 1),
        "fulltext_index_s": round(index_s, 1),
        "items_per_s": round(args.items / (load_s + index_s)),
        "chars_segmented": chars,
    }


def measure(args: argparse.Namespace, vendor: str, built: dict) -> dict:
    """The latencies of ``search()`` and of the LIKE scan over the database built."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.db.models import Max, Min, Q

    from gongkai.disclosure.models import DisclosureItem, Genre, ItemStatus
    from gongkai.orgs.models import Organisation
    from gongkai.search.models import SearchDocument
    from gongkai.search.query import SearchQuery, search

    items = SearchDocument.objects.count()
    size = _sizes(connection, vendor)
    sample_index_nos: list[str] = []
    sample_doc_numbers: list[str] = []
    rng = random.Random(args.seed)
    span = DisclosureItem.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    picked = [rng.randint(span["lo"], span["hi"]) for _ in range(50)]
    for item in DisclosureItem.objects.filter(pk__in=picked).only("index_no", "doc_number"):
        sample_index_nos.append(item.index_no)
        if item.doc_number:
            sample_doc_numbers.append(item.doc_number)

    # --- queries
    anon = AnonymousUser()
    county = Organisation.objects.filter(parent=None).order_by("pk").first()
    genre_notice = Genre.objects.get(code="notice").pk

    def filters(i: int) -> dict:
        k = i % 3
        if k == 0:
            return {"organisation_id": county.pk}  # a county and its units: about 2/3 of the items
        if k == 1:
            return {"genre_id": genre_notice}
        year = 2016 + i % 9
        return {"date_from": date(year, 1, 1), "date_to": date(year, 12, 31)}

    def timed(query: SearchQuery) -> tuple[float, int]:
        t0 = time.perf_counter()
        page = search(anon, query)
        return (time.perf_counter() - t0) * 1000, page.total

    from gongkai.search.segment import warm_up

    warm_up()  # jieba's dictionary: once per process, before the first query
    search(anon, SearchQuery(q="预算"))
    classes = {"q2": Q2, "q4": Q4, "phrase": Q_PHRASE}
    results: dict = {}
    totals: dict = {}
    for name, words in classes.items():
        plain, filtered, by_date, hits = [], [], [], []
        for i in range(args.repeats):
            q = words[i % len(words)]
            ms, total = timed(SearchQuery(q=q))
            plain.append(ms)
            hits.append(total)
            filtered.append(timed(SearchQuery(q=q, **filters(i)))[0])
            by_date.append(timed(SearchQuery(q=q, sort="date"))[0])
        results[name] = {
            "relevance": summary(plain),
            "filtered": summary(filtered),
            "by_date": summary(by_date),
        }
        totals[name] = {"median_matches": int(statistics.median(hits)), "max_matches": max(hits)}
    deep = [timed(SearchQuery(q=Q2[i % len(Q2)], page=50))[0] for i in range(max(10, args.repeats // 10))]
    results["q2_page_50"] = summary(deep)
    exact = [timed(SearchQuery(q=(sample_index_nos + sample_doc_numbers)[i % (len(sample_index_nos) + len(sample_doc_numbers))]))[0]
             for i in range(args.repeats)]  # fmt: skip
    results["exact_lookup"] = summary(exact)
    browse = [timed(SearchQuery(**filters(i)))[0] for i in range(args.repeats)]
    results["filters_only"] = summary(browse)

    # --- the naive alternative: LIKE '%word%' over title and body, newest first, with the count
    from gongkai.search.segment import tokens_for_query

    def like(q: str) -> float:
        t0 = time.perf_counter()
        qs = DisclosureItem.objects.filter(status=ItemStatus.PUBLISHED)
        for word in tokens_for_query(q):
            qs = qs.filter(Q(title__contains=word) | Q(summary__contains=word) | Q(body_text__contains=word))
        qs.count()
        list(qs.select_related("organisation", "category", "genre").order_by("-published_on", "-id")[:20])
        return (time.perf_counter() - t0) * 1000

    like_results = {}
    for name, words in classes.items():
        times = [like(words[i % len(words)]) for i in range(args.like_repeats)]
        like_results[name] = summary(times)
        results[name]["like_p50_ms"] = like_results[name]["p50_ms"]
        results[name]["speedup_p50"] = round(
            like_results[name]["p50_ms"] / max(results[name]["relevance"]["p50_ms"], 0.01), 1
        )

    return {
        "bench": "search",
        "database": vendor,
        "items": items,
        "processes": args.processes,
        "build": {**built, **size},
        "matches": totals,
        "search": results,
    }


def _store(job, vendor: str, facets) -> float:
    from django.db import connection, transaction

    from gongkai.disclosure.models import DisclosureItem
    from gongkai.search import fts
    from gongkai.search.index import build_document
    from gongkai.search.models import SearchDocument

    items, futures = job
    t0 = time.perf_counter()
    tokens = [t for f in futures for t in f.get()]
    waited = time.perf_counter() - t0
    with transaction.atomic():
        DisclosureItem.objects.bulk_create(items, batch_size=1000)
        docs = [build_document(i, tok, facets.of(i), vendor) for i, tok in zip(items, tokens, strict=True)]
        if vendor == "postgresql":  # COPY: several times faster than INSERTs of large tsvectors
            fields = [f for f in SearchDocument._meta.concrete_fields]
            columns = ", ".join(f.column for f in fields)
            with (
                connection.cursor() as cur,
                cur.cursor.copy(f"COPY {fts.DOC_TABLE} ({columns}) FROM STDIN") as copy,
            ):
                for doc in docs:
                    copy.write_row([getattr(doc, f.attname) for f in fields])
        else:
            SearchDocument.objects.bulk_create(docs, batch_size=1000)
    return waited


def _sizes(connection, vendor: str) -> dict:
    with connection.cursor() as cur:
        if vendor == "sqlite":
            cur.execute("PRAGMA page_size")
            page = cur.fetchone()[0]
            cur.execute("PRAGMA page_count")
            out = {"db_mb": round(cur.fetchone()[0] * page / 2**20)}
            try:  # dbstat is compiled into most SQLite builds, not all
                cur.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_fts%'")
                out["fts_index_mb"] = round((cur.fetchone()[0] or 0) / 2**20)
            except Exception:
                pass
            return out
        cur.execute(
            "SELECT pg_total_relation_size('search_searchdocument'), pg_relation_size('search_doc_vector'), "
            "pg_database_size(current_database())"
        )
        table, gin, db = cur.fetchone()
        return {
            "db_mb": round(db / 2**20),
            "index_table_mb": round(table / 2**20),
            "gin_mb": round(gin / 2**20),
        }


if __name__ == "__main__":
    main()
