"""Benchmark: coverage-guided fuzzing (atheris) of the importers, the sanitiser and the search query.

The longer, bounded run of what ``tests/fuzz`` checks briefly with hypothesis (issue 8 §6):

- ``importers``: every import kind and the calendar loader, fed the bytes libFuzzer mutates from
  the templates (CSV in several encodings, XLSX, schedules); a file must import or be refused with
  the importer's own error (``ImportRejected``; the calendar loader: ``ActionError``), and a refusal
  stores nothing;
- ``sanitiser``: any text through ``disclosure.text.sanitise``; the output must hold nothing that
  runs script and cleaning it again must change nothing;
- ``search``: any text through the segmenter and ``search()``; nothing may raise, and punctuation
  (the engines' query syntax) must not change which items are found.

Anything else is a crash: the input is written to ``var/fuzz/<target>-<hash>.bin`` (with the
traceback beside it) and the run goes on. Each target runs in its own process over a throw-away
SQLite database (``var/bench_fuzz.sqlite3``, migrated once, deleted afterwards); every input runs
in a transaction that is rolled back. Prints one JSON line.

    .venv/bin/python bench/fuzz.py --target all --seconds 120
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
import traceback
import unicodedata
from pathlib import Path
from typing import Any

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
DB = BASE / "var" / "bench_fuzz.sqlite3"
OUT = BASE / "var" / "fuzz"
TARGETS = ("importers", "sanitiser", "search")


def _django() -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    os.environ.setdefault("GONGKAI_ENV", "test")
    import django

    django.setup()
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- preparing the database (once, in its own process) --------------------------------------------


def prepare() -> None:
    """Migrate the throw-away database and store the world the seeds need."""
    _django()
    from datetime import date

    from django.core.management import call_command

    from gongkai.disclosure.actions import create_item, publish_item
    from gongkai.orgs.models import OrgKind, Role
    from tests import factories
    from tests.fuzz.seeds import build_extras

    call_command("migrate", verbosity=0)
    root = factories.make_platform_admin()
    county = factories.make_org(actor=root, parent=None, name="攸县人民政府", kind=OrgKind.GOVERNMENT)
    unit = factories.make_org(actor=root, parent=county, name="攸县财政局")
    admin = factories.make_staff(actor=root, organisation=county, role=Role.ADMIN, username="county_admin")
    reviewer = factories.make_staff(actor=root, organisation=county, role=Role.REVIEWER, username="reviewer")
    build_extras(root=root, county=county, county_admin=admin)
    for title, body, day in (
        ("攸县财政预算公开", "<p>一般公共预算收入稳步增长。</p>", date(2024, 3, 1)),
        ("攸县教育工作通知", "<p>做好春季学期教育工作。</p>", date(2024, 3, 2)),
    ):
        item = create_item(actor=reviewer, organisation=unit, title=title, body=body, formed_on=day)
        publish_item(actor=reviewer, item=item, published_on=day)


# --- the targets (in the worker process) ----------------------------------------------------------

KINDS = ["applications", "cases", "disputes", "figures", "items", "letters", "services", "calendar"]


def importer_seeds() -> list[bytes]:
    """Byte 0 picks the kind, byte 1 the file name (.csv / .xlsx); the rest is the file."""
    from tests.fuzz.seeds import NASTY_CELLS, SCHEDULE_CSV, csv_bytes, schedule_json, template, template_table

    seeds = []
    for k, kind in enumerate(KINDS):
        if kind == "calendar":
            seeds += [bytes([k, 0]) + SCHEDULE_CSV.encode(), bytes([k, 0]) + schedule_json().encode()]
            continue
        seeds += [bytes([k, 1]) + template(kind, "xlsx"), bytes([k, 0]) + template(kind, "csv")]
        header, example = template_table(kind)
        for n, encoding in enumerate(("gbk", "utf-16", "utf-8")):
            row = list(example)
            row[n % len(row)] = NASTY_CELLS[(k * 7 + n) % len(NASTY_CELLS)]
            seeds.append(bytes([k, 0]) + csv_bytes([header, row, example], encoding))
    return seeds


def importers_target() -> tuple[Any, list[bytes]]:
    from django.contrib.auth import get_user_model

    from gongkai.core.actions import ActionError
    from gongkai.disclosure.bulk import ImportRejected
    from gongkai.disclosure.imports import importers
    from gongkai.workdays.calendar import load_year, parse_schedule
    from tests.fuzz.seeds import rolled_back, row_counts

    users = get_user_model().objects
    admin, root = users.get(username="county_admin"), users.get(username="root")
    staff = users.get(username="centre_staff")
    registry = importers()

    def one(data: bytes) -> None:
        if len(data) < 2:
            return
        kind = KINDS[data[0] % len(KINDS)]
        body, name = data[2:], "upload.xlsx" if data[1] & 1 else "upload.csv"

        def attempt() -> None:
            before = row_counts()
            try:
                if kind == "calendar":
                    year, notice, entries = parse_schedule(body.decode("utf-8", errors="replace"))
                    load_year(actor=root, year=year, entries=entries, notice=notice, reason="fuzz")
                else:
                    actor = staff if kind == "cases" else admin
                    registry[kind].run(data=body, filename=name, actor=actor, options={},
                                       progress=lambda *a: None)  # fmt: skip
            except ActionError as exc:
                if kind != "calendar" and not isinstance(exc, ImportRejected):
                    raise  # an importer refuses a file with its own error, every problem by row and column
                if not exc.messages or any(not str(m).strip() for m in exc.messages):
                    raise AssertionError(f"{kind}: a refusal without a reason") from exc
                if row_counts() != before:
                    raise AssertionError(f"{kind}: a refused file stored rows") from exc

        rolled_back(attempt)

    return one, importer_seeds()


def sanitiser_target() -> tuple[Any, list[bytes]]:
    from gongkai.disclosure.text import sanitise
    from tests.fuzz.test_sanitiser import assert_safe

    def one(data: bytes) -> None:
        body = data.decode("utf-8", errors="replace")
        once = sanitise(body)
        assert_safe(once)
        if sanitise(once) != once:
            raise AssertionError("sanitising twice changed the output")

    seeds = [
        b'<a href="jav&#x09;ascript:alert(1)">x</a><img src=x onerror=alert(1)>',
        b"<svg><script>alert(1)</script></svg><math><mi><style><img src=x onerror=alert(1)>",
        b'<p style="x:expression(alert(1))">a<iframe srcdoc="<script>x</script>"></iframe></p>',
        b"<table><td><a href='&#1;javascript:x'>t</a></td></table><!--<script>-->",
        "<p>各乡镇人民政府：</p><p>现将有关事项通知如下……</p>".encode(),
    ]
    return one, seeds


def search_target() -> tuple[Any, list[bytes]]:
    from django.contrib.auth.models import AnonymousUser

    from gongkai.search.query import SearchQuery, parse_query, search
    from gongkai.search.segment import query_terms
    from tests.fuzz.seeds import rolled_back

    anonymous = AnonymousUser()

    def nfkc(ch: str) -> str:
        return unicodedata.normalize("NFKC", ch)

    def ids(q: str) -> set[int]:
        return {h.item.pk for h in search(anonymous, SearchQuery(q=q)).hits}

    budget = ids("预算")
    assert len(budget) == 1, "the prepared database holds the budget item"

    def one(data: bytes) -> None:
        text = data.decode("utf-8", errors="replace")
        query_terms(text)
        query, _errors = parse_query({"q": text[:200], "sort": "date" if len(data) % 2 else "relevance"})
        rolled_back(lambda: search(anonymous, query))
        # What stays punctuation after NFKC (㎗ becomes the word "dl", and words are AND-ed).
        junk = "".join(ch for ch in text[:40] if not any(c.isalnum() or c.isspace() for c in nfkc(ch)))
        if junk and ids(f"预算 {junk}") != budget:
            raise AssertionError(f"punctuation changed the result: {junk!r}")
        if junk and ids(f"预算 {junk} 教育"):
            raise AssertionError(f"punctuation joined two words with OR: {junk!r}")

    seeds = [b'"', b"NEAR(a b)", b"a OR b", b"x:* & !y | (z)", b"<->", "预算 教育".encode(), b"\x00"]
    return one, seeds


def worker(target: str, seconds: int, stats_path: Path) -> None:
    import atheris

    # The project, the checks and the pure-Python libraries the targets run (the table readers, jieba);
    # nh3 is Rust, so for the sanitiser the coverage comes from parsing its output (html.parser).
    with atheris.instrument_imports(include=["gongkai", "tests", "jieba", "openpyxl", "et_xmlfile"]):
        _django()
        make = {"importers": importers_target, "sanitiser": sanitiser_target, "search": search_target}[target]
        one, seeds = make()
    if target == "sanitiser":
        import html.parser

        for name in (
            "goahead",
            "parse_starttag",
            "parse_endtag",
            "check_for_whole_start_tag",
            "parse_comment",
        ):
            if hasattr(html.parser.HTMLParser, name):
                setattr(
                    html.parser.HTMLParser,
                    name,
                    atheris.instrument_func(getattr(html.parser.HTMLParser, name)),
                )

    corpus = OUT / "corpus" / target
    corpus.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        (corpus / hashlib.sha1(seed).hexdigest()[:16]).write_bytes(seed)
    stats: dict[str, Any] = {"runs": 0, "crashes": 0, "unique": {}, "started": time.monotonic()}

    def save() -> None:
        elapsed = time.monotonic() - stats["started"]
        stats_path.write_text(json.dumps({
            "runs": stats["runs"], "seconds": round(elapsed, 1),
            "execs_per_s": round(stats["runs"] / elapsed, 1) if elapsed else 0.0,
            "crashes": stats["crashes"], "unique_crashes": len(stats["unique"]),
            "signatures": sorted(stats["unique"]),
        }))  # fmt: skip

    last = [0.0]

    def test_one_input(data: bytes) -> None:
        stats["runs"] += 1
        try:
            one(data)
        except Exception as exc:  # a crash: keep the input and go on
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            signature = f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}"
            stats["crashes"] += 1
            if signature not in stats["unique"]:
                digest = hashlib.sha1(data).hexdigest()[:12]
                stats["unique"][signature] = digest
                (OUT / f"{target}-{digest}.bin").write_bytes(data)
                (OUT / f"{target}-{digest}.txt").write_text(traceback.format_exc())
        now = time.monotonic()
        if now - last[0] > 1:
            last[0] = now
            save()

    save()
    atheris.Setup(
        [sys.argv[0], str(corpus), f"-max_total_time={seconds}", "-timeout=30", "-max_len=65536",
         "-rss_limit_mb=4096", "-print_final_stats=0"],
        test_one_input,
    )  # fmt: skip
    try:
        atheris.Fuzz()
    finally:
        save()


# --- the driver -----------------------------------------------------------------------------------


def _remove_db() -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{DB}{suffix}").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", choices=[*TARGETS, "all"], default="all")
    parser.add_argument("--seconds", type=int, default=60, help="per target")
    parser.add_argument("--worker", choices=TARGETS, help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--stats", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare()
        return
    if args.worker:
        worker(args.worker, args.seconds, Path(args.stats))
        return

    OUT.mkdir(parents=True, exist_ok=True)
    _remove_db()
    me = [sys.executable, str(Path(__file__).resolve())]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    results: dict[str, Any] = {}
    try:
        started = time.monotonic()
        subprocess.run([*me, "--prepare"], check=True, **quiet)
        prepared = round(time.monotonic() - started, 1)
        for target in TARGETS if args.target == "all" else (args.target,):
            stats = OUT / f"{target}-stats.json"
            stats.unlink(missing_ok=True)
            log = OUT / f"{target}-libfuzzer.log"
            with log.open("wb") as out:
                code = subprocess.run(
                    [*me, "--worker", target, "--seconds", str(args.seconds), "--stats", str(stats)],
                    stdout=out, stderr=subprocess.STDOUT, timeout=args.seconds + 300,
                ).returncode  # fmt: skip
            result = json.loads(stats.read_text()) if stats.exists() else {"runs": 0, "error": "no stats"}
            result["exit_code"] = code
            results[target] = result
    finally:
        _remove_db()
    print(json.dumps({"bench": "fuzz", "seconds_per_target": args.seconds, "prepare_s": prepared,
                      "targets": results, "crash_dir": str(OUT.relative_to(BASE))}, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
