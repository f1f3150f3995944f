"""``gongkai report`` writes each format; ``gongkai check`` verifies the stored reports."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from gongkai.applications import actions_replies
from gongkai.reports import actions
from gongkai.reports.models import AnnualReport, PublishedVersion


def run(*args: Any, **opts: Any) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=err, **opts)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def report(year: Any) -> Any:
    w = year.world
    return actions.generate_report(actor=w.reviewer, organisation=w.county, year=2025)


@pytest.fixture
def published(report: Any) -> Any:
    actions.review_report(actor=report.generated_by, report=report)
    return actions.publish_report(actor=report.generated_by, report=report)


@pytest.mark.parametrize(("fmt", "magic"), [("docx", b"PK"), ("xlsx", b"PK"), ("json", b"{"), ("pdf", b"%PDF"),
                                            ("html", b"<!DOCTYPE html>")])  # fmt: skip
def test_report_writes_each_format(report: Any, tmp_path: Path, fmt: str, magic: bytes) -> None:
    from gongkai.applications.documents import PdfUnavailable, chinese_font_installed

    if fmt == "pdf":
        try:
            from gongkai.applications.documents import weasyprint_module

            weasyprint_module()
        except PdfUnavailable:
            pytest.skip("WeasyPrint is missing on this machine")
        if not chinese_font_installed():
            pytest.skip("no Chinese font on this machine")
    target = tmp_path / f"report.{fmt}"
    _out, err = run("report", "2025", "--org", report.organisation.code, "--format", fmt, "-o", str(target))
    assert target.read_bytes().startswith(magic)
    assert "wrote" in err


def test_report_json_to_standard_output_is_the_working_copy(report: Any) -> None:
    out, _err = run("report", "2025", "--org", report.organisation.code)
    data = json.loads(out)
    assert data["year"] == 2025 and data["version"] is None
    assert {c["key"]: c["value"] for c in data["cells"]} == report.cells


def test_report_published_takes_the_latest_version(published: Any, tmp_path: Path) -> None:
    report = published.report
    actions.reopen_report(actor=report.generated_by, report=report, reason="更正")
    actions.edit_narrative(
        actor=report.generated_by, report=report, sections={"other": "无其他需要报告的事项。"}
    )
    out, _err = run("report", "2025", "--org", report.organisation.code, "--published", "--format", "json")
    data = json.loads(out)
    assert data["version"] == 1 and data["sections"]["other"]["text"] == published.sections["other"]
    out, _err = run("report", "2025", "--org", report.organisation.code, "--format", "json")
    assert json.loads(out)["sections"]["other"]["text"] == "无其他需要报告的事项。"


def test_report_without_a_stored_report_is_computed_and_not_stored(year: Any, tmp_path: Path) -> None:
    w = year.world
    target = tmp_path / "r.xlsx"
    _out, err = run("report", "2025", "--org", w.county.code, "-o", str(target), "--template", "2019",
                    "--no-rollup")  # fmt: skip
    assert target.read_bytes().startswith(b"PK") and "not stored" in err
    assert not AnnualReport.objects.exists()
    out, _err = run("report", "2025", "--org", w.county.code, "--template", "2008", "--format", "json")
    assert json.loads(out)["template"] == "2008"
    with pytest.raises(CommandError, match="published no report"):
        run("report", "2025", "--org", w.county.code, "--published")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "NOPE"], "no organisation with the code 'NOPE'"),
        (["--format", "exe"], "unknown format 'exe'"),
        (["--template", "1999"], "unknown template '1999'"),
        (["--format", "docx"], "give the file to write with -o FILE"),
    ],
)
def test_report_bad_input_errors_cleanly(world: Any, args: list[str], message: str) -> None:
    base = ["--org", world.county.code]
    if args[0] == "--org":
        base = []
    with pytest.raises(CommandError, match=message) as raised:
        run("report", "2025", *base, *args)
    assert raised.value.returncode == 1
    assert not AnnualReport.objects.exists()


def test_report_bad_year(world: Any) -> None:
    with pytest.raises(CommandError, match="give a year from 2008"):
        run("report", "1990", "--org", world.county.code)


def test_check_passes_on_good_reports(published: Any) -> None:
    code = published.report.organisation.code
    out, _err = run("check")
    assert f"{code} 2025 working copy (published): OK" in out
    assert f"{code} 2025 version 1: OK" in out
    assert "2 stored report(s) checked, 0 failing" in out
    out, _err = run("check", "--year", "2024")
    assert "0 stored report(s) checked" in out


def test_check_fails_on_a_tampered_report_and_prints_the_violation(published: Any) -> None:
    version = PublishedVersion.objects.get(pk=published.pk)
    cells = dict(version.cells)
    cells["t3/new/person"] += 5  # an edit behind the application's back: the totals no longer add up
    PublishedVersion.objects.filter(pk=version.pk).update(cells=cells)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 failing") as raised:
        with translation.override("en"):
            call_command(
                "check", "--org", published.report.organisation.code, stdout=out, stderr=io.StringIO()
            )
    assert raised.value.returncode == 1
    text = out.getvalue()
    assert "version 1: FAILS" in text and "R2" in text
    assert "working copy (published): OK" in text


def test_check_drift_lists_a_cell_the_records_no_longer_give(published: Any, year: Any) -> None:
    w = year.world
    actions_replies.withdraw_application(actor=w.reviewer, application=year.apps["b2"], reason="撤回",
                                         on=year.apps["b2"].received_on)  # fmt: skip
    out, _err = run("check", "--drift", "--year", "2025")
    assert "drift t3/carried_out/total" in out
    assert "0 failing" in out and "with figures the records no longer give" in out


def test_check_keeps_django_system_checks(world: Any) -> None:
    out, _err = run("check", "--list-tags")
    assert "models" in out and "stored report" not in out
