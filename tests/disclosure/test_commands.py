"""``gongkai import items FILE`` and ``gongkai export items``: summaries, error reports, exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongkai.audit.models import AuditEvent
from gongkai.disclosure.exports import exporters
from gongkai.disclosure.imports import importers
from gongkai.disclosure.models import DisclosureItem, ItemStatus
from tests.disclosure.conftest import csv_bytes, row, xlsx_bytes

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def good_file(world, tmp_path):
    path = tmp_path / "目录.csv"
    path.write_bytes(csv_bytes([row(world.unit_a, n) for n in range(1, 4)]))
    return path


def test_the_kinds_register_themselves():
    assert "items" in importers() and "items" in exporters()


def test_import_as_the_system_prints_progress_and_a_summary(world, good_file):
    out, err = run("import", "items", str(good_file))
    assert out.splitlines()[:4] == [
        "3 items imported.", "3 items published.", "0 items stored as drafts.", "Items of 1 organisation.",
    ]  # fmt: skip
    assert "validated: 3/3" in err and "indexed" in err
    assert DisclosureItem.objects.filter(status=ItemStatus.PUBLISHED).count() == 3
    assert set(
        AuditEvent.objects.filter(verb="disclosure.import_item").values_list("actor_label", flat=True)
    ) == {"system"}


def test_import_as_a_user_is_checked_by_the_policies(world, good_file):
    with pytest.raises(CommandError) as caught:
        run("import", "items", str(good_file), "--actor", "clerk_a")
    assert caught.value.returncode == 1
    out, _err = run("import", "items", str(good_file), "--actor", "clerk_a", "--draft")
    assert "0 items published.\n3 items stored as drafts.\n" in out
    assert set(
        AuditEvent.objects.filter(verb="disclosure.import_item").values_list("actor_label", flat=True)
    ) == {"clerk_a"}
    with pytest.raises(CommandError, match="no active user"):
        run("import", "items", str(good_file), "--actor", "nobody")


def test_a_bad_file_exits_1_lists_the_problems_and_stores_nothing(world, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [row(world.unit_a, 1), row(world.unit_a, 2, 发布日期="2013-02-30"), row(world.unit_a, 3, 名称="")]
        )
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import", "items", str(path), stdout=io.StringIO(), stderr=err)
    assert caught.value.returncode == 1 and "2 problems; nothing was imported." in str(caught.value)
    report = err.getvalue()
    assert "Row 3, 发布日期: “2013-02-30” is not a valid date" in report and "Row 4, 名称:" in report
    assert not DisclosureItem.objects.exists()


def test_dry_run_and_default_organisation(world, tmp_path):
    path = tmp_path / "no-org.csv"
    header = ["名称", "生成日期", "发布日期"]
    path.write_bytes(
        csv_bytes([{"名称": "无机构列", "生成日期": "2013-01-05", "发布日期": "2013-01-08"}], header=header)
    )
    out, _ = run("import", "items", str(path), "--org", world.unit_b.code, "--dry-run")
    assert "dry run" in out and not DisclosureItem.objects.exists()
    run("import", "items", str(path), "--org", str(world.unit_b.pk))
    assert DisclosureItem.objects.get().organisation == world.unit_b


def test_a_missing_file_and_an_unknown_kind(world, tmp_path):
    with pytest.raises(CommandError) as caught:
        run("import", "items", str(tmp_path / "none.csv"))
    assert caught.value.returncode == 2
    with pytest.raises(CommandError):
        run("import", "letters", "x.csv")


def test_the_console_script_exits_non_zero_on_failure(tmp_path):
    """The real process: the exit code a shell script would see."""
    done = subprocess.run(
        [sys.executable, "-m", "gongkai.cli", "import", "items", str(tmp_path / "missing.csv")],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and "no such file" in done.stderr


@pytest.fixture
def published(world, good_file):
    run("import", "items", str(good_file))
    other = good_file.with_name("b.csv")
    other.write_bytes(csv_bytes([row(world.unit_b, 9, 名称="=cmd|' /C calc'!A0")]))
    run("import", "items", str(other))


def test_export_csv_to_stdout_and_a_file(world, published, tmp_path):
    out, err = run("export", "items")
    table = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert len(table) == 4 and "4 rows written to stdout" in err
    assert next(r for r in table if "calc" in r["名称"])["名称"].startswith("'=")
    target = tmp_path / "a.csv"
    run("export", "items", "--org", str(world.unit_b.pk), "-o", str(target))
    assert target.read_bytes().startswith(b"\xef\xbb\xbf") and target.read_text("utf-8-sig").count("\n") == 2


def test_export_xlsx_and_json(world, published, tmp_path):
    target = tmp_path / "a.xlsx"
    run("export", "items", "--format", "xlsx", "-o", str(target))
    ws = openpyxl.load_workbook(target).active
    assert ws.max_row == 5 and ws["A1"].value == "索引号"
    with pytest.raises(CommandError, match="-o"):
        run("export", "items", "--format", "xlsx")
    target = tmp_path / "a.json"
    run("export", "items", "--format", "json", "--org", str(world.county.pk), "--subunits", "-o", str(target))
    data = json.loads(target.read_text())
    assert len(data) == 4 and {d["organisation_code"] for d in data} == {world.unit_a.code, world.unit_b.code}
    assert list(tmp_path.glob(".a.*")) == []  # no temporary file left behind
