"""Stored annual reports: generate, edit, sign off, publish, correct — and who may do each."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from gongkai.audit.models import AuditEvent
from gongkai.core.actions import ActionError
from gongkai.reports import actions, drafting, stored
from gongkai.reports.models import AnnualReport, PublishedVersion, ReportStatus
from gongkai.reports.policies import AnnualReportPolicy, PublishedVersionPolicy
from gongkai.reports.tables import compute
from tests.reports import records
from tests.reports.conftest import Year

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture(autouse=True)
def _english() -> Any:
    with translation.override("en"):
        yield


def generate(y: Year, org: Any = None, **kw: Any) -> AnnualReport:
    return actions.generate_report(
        actor=y.world.reviewer, organisation=org or y.world.county, year=YEAR, **kw
    )


def signed_and_published(y: Year, report: AnnualReport, reason: str = "") -> PublishedVersion:
    report = actions.review_report(actor=y.world.reviewer, report=report)
    return actions.publish_report(actor=y.world.reviewer, report=report, reason=reason)


def state(report: AnnualReport) -> tuple:
    report.refresh_from_db()
    return (report.status, report.sections, report.cells, report.checks, report.versions.count(),
            AuditEvent.objects.count())  # fmt: skip


def test_generating_stores_every_cell_of_the_computed_report_and_the_year_before(year: Year) -> None:
    report = generate(year)
    fresh = compute(year.world.county, YEAR, template="2021")
    assert report.template == "2021" and report.status == ReportStatus.DRAFT
    assert report.figures() == fresh.as_dict()
    assert report.previous_figures() == compute(year.world.county, YEAR - 1, template="2021").as_dict()
    assert report.figures()["t3/new/total"] == fresh.value(("t3", "new", "total")) > 0
    assert report.checks == []  # the draft passes R1–R6
    assert set(report.sections) == {k for k, _h in drafting.SECTIONS["2021"]}
    assert sorted(report.org_ids) == sorted(fresh.org_ids)


def test_the_format_follows_the_year_unless_chosen(year: Year) -> None:
    w = year.world
    assert generate(year).template == "2021"
    older = actions.generate_report(actor=w.reviewer, organisation=w.unit_a, year=2019)
    assert older.template == "2019"
    oldest = actions.generate_report(actor=w.reviewer, organisation=w.unit_b, year=2013)
    assert oldest.template == "2008" and "n/items_total/value" in oldest.cells


def test_computing_again_keeps_the_offices_text_unless_redrafted(year: Year) -> None:
    report = generate(year)
    report = actions.edit_narrative(actor=year.world.reviewer, report=report,
                                    sections={"overview": "本机关认真贯彻条例。", "problems": "存在问题：人员不足。"})  # fmt: skip
    records.decision_count(year.world, year.world.unit_a, YEAR, "penalty", 20)
    again = generate(year)
    assert again.pk == report.pk
    assert again.sections["overview"] == "本机关认真贯彻条例。"
    assert again.figures()["t2/penalty/decisions"] == 20 + 3
    redrafted = generate(year, redraft=True)
    assert redrafted.sections["overview"] != "本机关认真贯彻条例。"
    assert redrafted.sections["problems"] == "存在问题：人员不足。"  # free text the office wrote stays


def test_a_figure_the_narrative_misquotes_is_caught_and_blocks_the_sign_off(year: Year) -> None:
    report = generate(year)
    new = report.figures()["t3/new/total"]
    report = actions.edit_narrative(actor=year.world.reviewer, report=report,
                                    sections={"applications": f"本年新收政府信息公开申请{new + 7}件。"})  # fmt: skip
    assert [c["rule"] for c in report.checks] == ["R6"]
    assert report.checks[0]["right"]["cells"] == ["t3/new/total"]
    assert report.checks[0]["right"]["value"] == new
    with pytest.raises(ActionError, match="fails 1 check"):
        actions.review_report(actor=year.world.reviewer, report=report)
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    report = actions.edit_narrative(actor=year.world.reviewer, report=report,
                                    sections={"applications": f"本年新收政府信息公开申请{new}件。"})  # fmt: skip
    assert report.checks == []
    assert actions.review_report(actor=year.world.reviewer, report=report).status == ReportStatus.REVIEWED


def test_every_section_must_be_written_before_the_sign_off(year: Year) -> None:
    report = actions.edit_narrative(
        actor=year.world.reviewer, report=generate(year), sections={"problems": "  "}
    )
    with pytest.raises(ActionError, match="Write these sections first"):
        actions.review_report(actor=year.world.reviewer, report=report)


def test_a_published_version_keeps_its_figures_when_records_change(year: Year) -> None:
    w = year.world
    report = generate(year)
    v1 = signed_and_published(year, report)
    assert (v1.number, v1.correction_reason) == (1, "")
    assert v1.figures() == report.figures() and v1.sections == report.sections
    penalty = v1.figures()["t2/penalty/decisions"]

    records.decision_count(w, w.unit_a, YEAR, "penalty", 30)  # unit_a entered 12 before
    v1.refresh_from_db()
    assert v1.figures()["t2/penalty/decisions"] == penalty
    assert stored.drift(v1) == {"t2/penalty/decisions": (penalty, penalty - 12 + 30)}

    with pytest.raises(ActionError, match="reopen"):
        generate(year)  # a published report is not recomputed in place
    report = actions.reopen_report(actor=w.reviewer, report=report, reason="处罚决定数更正")
    report = generate(year)
    # The kept narrative still quotes the old figure: R6 says so until the text is redrafted.
    assert [c["right"]["cells"] for c in report.checks] == [["t2/penalty/decisions"]]
    report = generate(year, redraft=True)
    assert report.checks == []
    report = actions.review_report(actor=w.reviewer, report=report)
    with pytest.raises(ActionError) as missing_reason:
        actions.publish_report(actor=w.reviewer, report=report)
    assert "reason" in missing_reason.value.message_dict
    v2 = actions.publish_report(actor=w.reviewer, report=report, reason="行政处罚决定数更正为最终统计数")
    assert v2.number == 2 and v2.figures()["t2/penalty/decisions"] == penalty - 12 + 30
    v1.refresh_from_db()
    assert v1.figures()["t2/penalty/decisions"] == penalty
    assert report.latest_version() == v2
    report.refresh_from_db()
    assert report.published_at == v1.published_at  # first publication dates the report (deadline)


def test_wrong_states_are_refused_and_change_nothing(year: Year) -> None:
    w = year.world
    report = generate(year)
    before = state(report)
    with pytest.raises(ActionError):
        actions.publish_report(actor=w.reviewer, report=report)  # not signed off
    with pytest.raises(ActionError):
        actions.reopen_report(actor=w.reviewer, report=report)  # already a draft
    assert state(report) == before
    report = actions.review_report(actor=w.reviewer, report=report)
    before = state(report)
    with pytest.raises(ActionError):
        actions.edit_narrative(actor=w.reviewer, report=report, sections={"overview": "改"})
    with pytest.raises(ActionError):
        actions.review_report(actor=w.reviewer, report=report)
    with pytest.raises(ActionError):
        generate(year)
    assert state(report) == before


@pytest.mark.parametrize(
    "fields",
    [
        {"year": 1900},
        {"year": "abc"},
        {"year": date.today().year + 1},
        {"year": None},
        {"year": YEAR, "template": "1999"},
    ],
)
def test_bad_input_to_generate_is_refused(year: Year, fields: dict) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ActionError):
        actions.generate_report(actor=year.world.reviewer, organisation=year.world.county, **fields)
    assert not AnnualReport.objects.exists() and AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("sections", "field"),
    [
        ({"nonsense": "x"}, "nonsense"),
        ({"overview": 5}, "overview"),
        ({"overview": "长" * 20_001}, "overview"),
    ],
)
def test_bad_narrative_edits_are_refused(year: Year, sections: dict, field: str) -> None:
    report = generate(year)
    before = state(report)
    with pytest.raises(ActionError) as err:
        actions.edit_narrative(actor=year.world.reviewer, report=report, sections=sections)
    assert field in err.value.message_dict
    assert state(report) == before


def test_a_correction_reason_has_a_length_limit(year: Year) -> None:
    w = year.world
    report = generate(year)
    signed_and_published(year, report)
    report = actions.review_report(
        actor=w.reviewer, report=actions.reopen_report(actor=w.reviewer, report=report)
    )
    with pytest.raises(ActionError):
        actions.publish_report(actor=w.reviewer, report=report, reason="因" * 2001)
    assert report.versions.count() == 1


def test_clerks_prepare_their_units_report_but_only_reviewers_sign_and_publish(year: Year) -> None:
    w = year.world
    own = actions.generate_report(actor=w.clerk_a, organisation=w.unit_a, year=YEAR)
    actions.edit_narrative(actor=w.clerk_a, report=own, sections={"problems": "人员不足"})
    with pytest.raises(PermissionDenied):
        actions.review_report(actor=w.clerk_a, report=own)
    with pytest.raises(PermissionDenied):
        actions.generate_report(actor=w.clerk_b, organisation=w.unit_a, year=YEAR)
    with pytest.raises(PermissionDenied):
        actions.edit_narrative(actor=w.clerk_b, report=own, sections={"problems": "篡改"})
    for outsider in (w.supervisor, w.window, w.citizen, w.anonymous, w.other_admin):
        with pytest.raises(PermissionDenied):
            actions.generate_report(actor=outsider, organisation=w.unit_a, year=YEAR)
    reviewed = actions.review_report(actor=w.reviewer, report=own)
    with pytest.raises(PermissionDenied):
        actions.publish_report(actor=w.clerk_a, report=reviewed)
    assert not PublishedVersion.objects.exists()


def test_office_staff_see_the_reports_in_their_scope_and_everyone_reads_published_versions(
    year: Year,
) -> None:
    w = year.world
    unit_report = actions.generate_report(actor=w.clerk_a, organisation=w.unit_a, year=YEAR)
    county_report = generate(year)
    signed_and_published(year, county_report)
    policy = AnnualReportPolicy()
    assert set(policy.visible_to(w.reviewer)) == {unit_report, county_report}
    assert set(policy.visible_to(w.supervisor)) == {unit_report, county_report}
    assert set(policy.visible_to(w.clerk_a)) == {unit_report}
    for outsider in (w.clerk_b, w.window, w.citizen, w.anonymous, w.other_admin):
        assert not policy.visible_to(outsider).exists()
    assert PublishedVersionPolicy().visible_to(w.anonymous).count() == 1


def test_the_draft_compares_with_the_year_before_only_when_that_year_has_records(year: Year) -> None:
    w = year.world
    with_records = generate(year)  # 2025 against 2024, which has applications
    assert "比上年" in with_records.sections["applications"]
    empty = actions.generate_report(actor=w.reviewer, organisation=w.county, year=2023, template="2021")
    assert compute(w.county, 2022, template="2021").as_dict() == empty.previous_figures()
    assert "比上年" not in "".join(empty.sections.values())  # 2022 held nothing to compare with
