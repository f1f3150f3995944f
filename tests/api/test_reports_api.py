"""/api/v1/reports: published reports for everyone, working copies for the office through the actions."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from gongkai.audit.models import AuditEvent
from gongkai.reports import actions, exports, presentation
from gongkai.reports.models import AnnualReport, PublishedVersion
from tests.reports import records

pytestmark = pytest.mark.django_db

YEAR = 2025
PENALTY = "t2/penalty/decisions"  # 行政处罚 decisions made in the year (table 二)


@pytest.fixture(autouse=True)
def _english(client: Any) -> Any:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def penalties(world: Any) -> Any:
    """12 penalty decisions of the finance bureau in 2025, entered through the records action."""
    return records.decision_count(world, world.unit_a, YEAR, "penalty", 12)


def publish(world: Any, org: Any, year: int = YEAR, reason: str = "") -> PublishedVersion:
    """Generate (or recompute) the report, sign it off and publish it, as the county's reviewer does."""
    existing = AnnualReport.objects.filter(organisation=org, year=year).first()
    if existing is not None and existing.status != "draft":
        actions.reopen_report(actor=world.reviewer, report=existing, reason=reason)
    report = actions.generate_report(actor=world.reviewer, organisation=org, year=year, redraft=True)
    report = actions.review_report(actor=world.reviewer, report=report)
    return actions.publish_report(actor=world.reviewer, report=report, reason=reason)


def cells(body: dict[str, Any]) -> dict[str, Any]:
    return {c["key"]: c["value"] for c in body["cells"]}


def state(report: AnnualReport | None = None) -> tuple:
    """What a refused request must leave as it was."""
    if report is not None:
        report.refresh_from_db()
    snapshot = (report.status, report.sections, report.cells, report.template) if report else None
    return (
        snapshot,
        AnnualReport.objects.count(),
        PublishedVersion.objects.count(),
        AuditEvent.objects.count(),
    )


# --- published reports (public) ---------------------------------------------------------------------


def test_the_public_list_holds_the_latest_published_version_of_each_report(
    api: Any, world: Any, penalties: Any
) -> None:
    publish(world, world.unit_a)
    publish(world, world.county)
    publish(world, world.unit_a, year=YEAR - 1)
    publish(world, world.unit_a, reason="更正行政处罚数")  # a correction: still one entry, version 2
    actions.generate_report(actor=world.reviewer, organisation=world.unit_b, year=YEAR)  # a draft
    reviewed = actions.generate_report(actor=world.reviewer, organisation=world.township, year=YEAR)
    actions.review_report(actor=world.reviewer, report=reviewed)  # signed off, not published

    body = api.get("/reports").json()
    rows = [(r["organisation_code"], r["year"], r["version"], r["corrected"]) for r in body["results"]]
    assert body["count"] == 3
    assert rows == [
        (world.county.code, YEAR, 1, False),
        (world.unit_a.code, YEAR, 2, True),
        (world.unit_a.code, YEAR - 1, 1, False),
    ]
    assert api.get("/reports", org=world.unit_a.code).json()["count"] == 2
    assert api.get("/reports", org=world.unit_a.code.lower(), year=YEAR).json()["count"] == 1
    assert api.get("/reports", year=YEAR - 1).json()["results"][0]["organisation_code"] == world.unit_a.code
    assert api.get("/reports", org=world.unit_b.code).json()["count"] == 0  # a draft is never public
    assert (
        api.get("/reports", per_page=1, page=2).json()["results"][0]["organisation_code"] == world.unit_a.code
    )


def test_the_lists_cost_the_same_queries_for_many_reports(api: Any, world: Any, token: Any) -> None:
    sup = token("supervisor")
    publish(world, world.unit_a)

    def queries(path: str, **kw: Any) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(path, **kw).status_code == 200
        return len(ctx.captured_queries)

    api.get("/me", token=sup)  # the token's first use of the minute is written down
    few = (queries("/reports"), queries("/reports/drafts", token=sup))
    publish(world, world.county)
    publish(world, world.unit_b)
    publish(world, world.unit_a, reason="更正")
    publish(world, world.unit_a, year=YEAR - 1)
    assert (queries("/reports"), queries("/reports/drafts", token=sup)) == few
    assert api.get("/reports").json()["count"] == 4


def test_the_public_list_refuses_bad_filters(api: Any, world: Any) -> None:
    response = api.get("/reports", org="NOSUCHCODE")
    assert response.status_code == 400 and "org" in response.json()["errors"]
    assert api.get("/reports", year="abc").status_code == 422
    assert api.get("/reports", per_page=1000).status_code == 422


def test_a_published_report_is_its_json_download(api: Any, world: Any, penalties: Any) -> None:
    version = publish(world, world.unit_a)
    response = api.get(f"/reports/{world.unit_a.code}/{YEAR}")
    assert response.status_code == 200, response.content
    body = response.json()
    expected = exports.as_data(presentation.document_of(version))
    assert body == {**expected, "checks": []}
    assert cells(body)[PENALTY] == 12
    assert body["version"] == 1 and body["status"] == "published"
    assert body["organisation"] == {"code": world.unit_a.code, "name": world.unit_a.name}
    assert world.reviewer.username not in response.content.decode()  # nothing of the office's working


def test_drafts_and_signed_off_reports_are_never_public(
    api: Any, world: Any, penalties: Any, token: Any
) -> None:
    report = actions.generate_report(actor=world.reviewer, organisation=world.unit_a, year=YEAR)
    path = f"/reports/{world.unit_a.code}/{YEAR}"
    assert api.get(path).status_code == 404
    assert api.get(path, token=token("county_admin")).status_code == 404  # not even for the office
    actions.review_report(actor=world.reviewer, report=report)
    assert api.get(path).status_code == 404
    assert api.get("/reports").json()["count"] == 0
    assert api.get(f"/reports/NOSUCHCODE/{YEAR}").status_code == 404
    assert api.get(f"/reports/{world.unit_a.code}/1900").status_code == 404
    assert api.get(f"/reports/{world.unit_a.code}/abc").status_code == 404  # not a year: no such route


def test_the_published_version_is_frozen_after_a_record_edit(
    api: Any, world: Any, penalties: Any, token: Any
) -> None:
    publish(world, world.unit_a)
    records.decision_count(world, world.unit_a, YEAR, "penalty", 20)  # the records change afterwards
    path = f"/reports/{world.unit_a.code}/{YEAR}"
    assert cells(api.get(path).json())[PENALTY] == 12

    # The office reopens and recomputes through the API: its draft has 20, the public still 12.
    raw = token("reviewer", "write")
    report = AnnualReport.objects.get(organisation=world.unit_a, year=YEAR)
    assert (
        api.post(f"/reports/drafts/{report.pk}/reopen", {"reason": "处罚数有误"}, token=raw).status_code
        == 200
    )
    again = api.post(
        "/reports/drafts", {"organisation_code": world.unit_a.code, "year": YEAR, "redraft": True}, token=raw
    )
    assert again.status_code == 200 and cells(again.json()["document"])[PENALTY] == 20
    assert cells(api.get(path).json())[PENALTY] == 12

    assert api.post(f"/reports/drafts/{report.pk}/review", {}, token=raw).status_code == 200
    refused = api.post(f"/reports/drafts/{report.pk}/publish", {}, token=raw)
    assert (
        refused.status_code == 400 and "reason" in refused.json()["errors"]
    )  # a correction needs its reason
    published = api.post(f"/reports/drafts/{report.pk}/publish", {"reason": "补录行政处罚决定8件"}, token=raw)
    assert published.status_code == 200 and published.json()["latest_version"] == 2

    latest = api.get(path).json()
    assert cells(latest)[PENALTY] == 20 and latest["correction_reason"] == "补录行政处罚决定8件"
    first = api.get(path, version=1).json()
    assert cells(first)[PENALTY] == 12 and first["version"] == 1
    assert api.get(path, version=3).status_code == 404
    assert api.get(path, version=0).status_code == 422


# --- working copies (staff) ---------------------------------------------------------------------------


def test_the_office_prepares_signs_off_and_publishes_through_the_api(
    api: Any, world: Any, penalties: Any, token: Any
) -> None:
    clerk = token("clerk_a", "write")
    created = api.post("/reports/drafts", {"organisation_code": world.unit_a.code, "year": YEAR}, token=clerk)
    assert created.status_code == 201, created.content
    draft = created.json()
    assert draft["status"] == "draft" and draft["template"] == "2021" and draft["latest_version"] is None
    assert cells(draft["document"])[PENALTY] == 12 and draft["violations"] == 0
    path = f"/reports/drafts/{draft['id']}"

    edited = api.patch(f"{path}/narrative", {"sections": {"problems": "存在问题：人员不足。"}}, token=clerk)
    assert edited.status_code == 200
    assert edited.json()["document"]["sections"]["problems"]["text"] == "存在问题：人员不足。"
    assert (
        api.get(path, token=clerk).json()["document"]["sections"]["problems"]["text"]
        == "存在问题：人员不足。"
    )

    before = state(AnnualReport.objects.get(pk=draft["id"]))
    assert api.post(f"{path}/review", {}, token=clerk).status_code == 403  # clerks do not sign off
    assert state(AnnualReport.objects.get(pk=draft["id"])) == before

    reviewer = token("reviewer", "write")
    assert api.post(f"{path}/review", {}, token=reviewer).json()["status"] == "reviewed"
    published = api.post(f"{path}/publish", {}, token=reviewer)
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert published.json()["latest_version"] == 1 and published.json()["published_at"]
    assert api.get("/reports").json()["results"][0]["organisation_code"] == world.unit_a.code
    verbs = set(AuditEvent.objects.filter(verb__startswith="report.").values_list("verb", flat=True))
    assert verbs == {"report.generate", "report.edit", "report.review", "report.publish"}


def test_the_list_of_working_copies_is_scoped_and_filtered(api: Any, world: Any, token: Any) -> None:
    for org in (world.unit_a, world.unit_b, world.county):
        actions.generate_report(actor=world.reviewer, organisation=org, year=YEAR)
    actions.generate_report(actor=world.reviewer, organisation=world.unit_a, year=YEAR - 1)
    publish(world, world.unit_b)
    sup = token("supervisor")
    assert api.get("/reports/drafts", token=sup).json()["count"] == 4
    assert api.get("/reports/drafts", token=sup, year=YEAR).json()["count"] == 3
    published = api.get("/reports/drafts", token=sup, status="published").json()
    assert [r["organisation_code"] for r in published["results"]] == [world.unit_b.code]
    assert published["results"][0]["latest_version"] == 1
    assert api.get("/reports/drafts", token=sup, org=world.unit_a.code).json()["count"] == 2
    assert {
        r["organisation_code"] for r in api.get("/reports/drafts", token=token("clerk_a")).json()["results"]
    } == {world.unit_a.code}
    assert api.get("/reports/drafts", token=token("other_admin")).json()["count"] == 0
    assert api.get("/reports/drafts", token=sup, status="bogus").status_code == 400
    assert api.get("/reports/drafts").status_code == 401


def test_outsiders_cannot_read_or_change_a_working_copy(
    api: Any, world: Any, penalties: Any, token: Any, login: Any
) -> None:
    report = actions.generate_report(actor=world.reviewer, organisation=world.unit_a, year=YEAR)
    path = f"/reports/drafts/{report.pk}"
    wanted = [
        ("clerk_b", "write"),
        ("other_admin", "write"),
        ("window", "write"),
        ("supervisor", "write"),
        ("reviewer", "read"),
    ]
    tokens = {f"{persona} {scope}": token(persona, scope) for persona, scope in wanted}
    before = state(report)  # tokens made first: making one is audited
    for outsider in ("clerk_b", "other_admin", "window"):
        raw = tokens[f"{outsider} write"]
        assert api.get(path, token=raw).status_code == 404
        assert api.patch(f"{path}/narrative", {"sections": {"problems": "x"}}, token=raw).status_code == 404
        for verb in ("review", "reopen", "publish"):
            assert api.post(f"{path}/{verb}", {}, token=raw).status_code == 404
    for outsider in ("clerk_b", "other_admin"):
        body = {"organisation_code": world.unit_a.code, "year": YEAR, "redraft": True}
        assert api.post("/reports/drafts", body, token=tokens[f"{outsider} write"]).status_code == 403
    # The supervisor reads the report and changes nothing.
    sup = tokens["supervisor write"]
    assert api.get(path, token=sup).status_code == 200
    assert api.patch(f"{path}/narrative", {"sections": {"problems": "x"}}, token=sup).status_code == 403
    assert api.post(f"{path}/review", {}, token=sup).status_code == 403
    # A read-only token is refused on every write, whoever holds it; anonymous callers need a token.
    read = tokens["reviewer read"]
    assert api.get(path, token=read).status_code == 200
    assert api.post(f"{path}/review", {}, token=read).status_code == 403
    assert api.patch(f"{path}/narrative", {"sections": {"problems": "x"}}, token=read).status_code == 403
    assert (
        api.post(
            "/reports/drafts", {"organisation_code": world.unit_a.code, "year": YEAR}, token=read
        ).status_code
        == 403
    )
    assert api.get(path).status_code == 401
    assert api.post(f"{path}/review", {}).status_code == 401
    login(world.citizen)
    assert api.get(path).status_code == 403
    assert api.get("/reports/drafts").status_code == 403
    assert state(report) == before


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"year": YEAR}, 422, None),  # no organisation
        ({"organisation_code": "CODE"}, 422, None),  # no year
        ({"organisation_code": "CODE", "year": "abc"}, 422, None),
        ({"organisation_code": "CODE", "year": 1900}, 400, "year"),
        ({"organisation_code": "CODE", "year": 2999}, 400, "year"),
        ({"organisation_code": "CODE", "year": YEAR, "template": "1999"}, 400, "template"),
        ({"organisation_code": "NOSUCHCODE", "year": YEAR}, 400, "organisation_code"),
        ({"organisation_code": "CODE", "year": YEAR, "rollup": "maybe"}, 422, None),
    ],
)
def test_bad_input_to_generate_is_refused_and_changes_nothing(
    api: Any, world: Any, token: Any, body: dict, status: int, field: str | None
) -> None:
    body = {k: (world.unit_a.code if v == "CODE" else v) for k, v in body.items()}
    raw = token("reviewer", "write")
    before = state()
    response = api.post("/reports/drafts", body, token=raw)
    assert response.status_code == status and response.json()["message"]
    if field:
        assert field in response.json()["errors"]
    assert state() == before


def test_bad_narrative_and_wrong_states_are_400_and_change_nothing(
    api: Any, world: Any, penalties: Any, token: Any
) -> None:
    report = actions.generate_report(actor=world.reviewer, organisation=world.unit_a, year=YEAR)
    path = f"/reports/drafts/{report.pk}"
    raw = token("reviewer", "write")
    before = state(report)
    unknown = api.patch(f"{path}/narrative", {"sections": {"nonsense": "x", "problems": "y"}}, token=raw)
    assert unknown.status_code == 400 and "nonsense" in unknown.json()["errors"]
    too_long = api.patch(f"{path}/narrative", {"sections": {"problems": "字" * 20_001}}, token=raw)
    assert too_long.status_code == 400 and "problems" in too_long.json()["errors"]
    assert api.patch(f"{path}/narrative", {"sections": {"problems": 5}}, token=raw).status_code == 422
    assert api.patch(f"{path}/narrative", {"sections": "text"}, token=raw).status_code == 422
    assert api.patch(f"{path}/narrative", {}, token=raw).status_code == 422
    assert api.post(f"{path}/publish", {}, token=raw).status_code == 400  # not signed off
    assert api.post(f"{path}/reopen", {"reason": "x"}, token=raw).status_code == 400  # already a draft
    assert api.post(f"{path}/reopen", {"reason": 5}, token=raw).status_code == 422
    assert api.post("/reports/drafts/999999/review", {}, token=raw).status_code == 404
    assert state(report) == before
    # Signed off: the narrative is closed until the report is reopened.
    api.post(f"{path}/review", {}, token=raw)
    before = state(report)
    closed = api.patch(f"{path}/narrative", {"sections": {"problems": "y"}}, token=raw)
    assert closed.status_code == 400 and closed.json()["message"]
    assert api.post(f"{path}/review", {}, token=raw).status_code == 400
    generate = api.post("/reports/drafts", {"organisation_code": world.unit_a.code, "year": YEAR}, token=raw)
    assert generate.status_code == 400  # reopen before computing again
    assert state(report) == before


# --- the schema -------------------------------------------------------------------------------------


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [
            *([node["$ref"]] if isinstance(node.get("$ref"), str) else []),
            *(r for v in node.values() for r in _refs(v)),
        ]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_the_openapi_document_describes_the_reports_and_records(client: Any, db: Any) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/reports",
        "/api/v1/reports/{code}/{year}",
        "/api/v1/reports/drafts",
        "/api/v1/reports/drafts/{draft_id}/publish",
        "/api/v1/records/disputes",
        "/api/v1/records/figures/{code}/{year}/staff",
        "/api/v1/records/rooms/{room_id}/visits",
    ):
        assert path in schema["paths"], path
    components = schema["components"]["schemas"]
    for ref in _refs(schema):
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in components, ref
    ids = [
        op["operationId"] for item in schema["paths"].values() for op in item.values() if isinstance(op, dict)
    ]
    assert len(ids) == len(set(ids))
    for path, item in schema["paths"].items():
        if path.startswith(("/api/v1/reports", "/api/v1/records")):
            for method, op in item.items():
                assert op["responses"] and ({"200", "201"} & set(op["responses"])), (path, method)
                params = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
                assert params == set(re.findall(r"{(\w+)}", path)), path
