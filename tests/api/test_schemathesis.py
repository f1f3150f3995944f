"""Every operation of /api/v1/openapi.json, driven by schemathesis against the app in process.

The schema is loaded from the WSGI application itself, so what is checked is what clients read.
Each operation gets a few generated requests (valid ones, and malformed ones that must be refused
with a documented 4xx), some aimed at objects that exist, as an anonymous caller and as staff
holding read-write tokens. Every response must be a non-5xx, carry a documented status code and
content type, and match the schema declared for that status.

Data comes from the real actions (the reports' year of records plus letters, consultations,
hearings, reading rooms and reports). Each generated request runs inside a savepoint that is
rolled back, so one example never sees what another created.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from gongkai.accounts.actions import create_api_token
from gongkai.applications import actions as app_actions
from gongkai.interaction import actions as letter_actions
from gongkai.interaction import actions_decisions as decision_actions
from gongkai.interaction.models import Category
from gongkai.records import actions as record_actions
from gongkai.reports import actions as report_actions
from gongkai.wsgi import application
from tests.reports.conftest import Year

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = {GenerationMode.POSITIVE: 5, GenerationMode.NEGATIVE: 2}
# Reads that need parameters to answer at all.
REQUIRED_QUERY = {
    "/workdays/add": {"start": "2025-09-26", "days": 20},
    "/workdays/is-workday": {"date": "2025-10-01"},
}
TAGS = ["accounts", "organisations", "workdays", "items", "applications", "letters", "decisions", "services",
        "reports", "records"]  # fmt: skip
PUBLIC_TAGS = {"organisations", "workdays", "items", "services", "reports"}
# Callers: anonymous and the county's OGI office (reviewer, read-write) everywhere; the county's
# administrator (read-write) where writes need that role (organisations, records' figures).
RUNS = [(caller, tag) for caller in ("anonymous", "reviewer") for tag in TAGS] + [
    ("county_admin", "organisations"),
    ("county_admin", "records"),
]


@pytest.fixture
def in_process_wsgi() -> Any:
    """Requests go straight to Django's WSGI handler inside the test's transaction; like Django's
    test client, stop the end of a request from closing that connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


class Data:
    """Objects of every kind the API serves, each reached by one of its path templates."""

    def __init__(self, world: Any) -> None:
        w = self.world = world
        year = Year(world).build()
        svc = year.svc
        today = timezone.localdate()

        # Applications: one open with a consultation and a fee notice, one replied, one lapsed.
        open_app = year.register(today - timedelta(days=3))
        consultation = app_actions.start_consultation(actor=w.reviewer, application=open_app, kind="third_party",
                                                      party="某公司", on=today)  # fmt: skip
        fee_app = year.register(today - timedelta(days=2))
        fee = app_actions.issue_fee_notice(actor=w.reviewer, application=fee_app, mode="per_page", pages=250,
                                           instructions="银行转账", on=today)  # fmt: skip
        apps = [open_app, fee_app, year.apps["open"], year.apps["other_1"]]

        # Letters: one just received, one accepted.
        channel = letter_actions.create_channel(actor=w.county_admin, organisation=w.county, kind="hotline",
                                                name="县政府服务热线", limit_days=5)  # fmt: skip
        category = Category.objects.get(code="complaint")
        letters = []
        for subject in ("网岭镇罗家坪村道路破损", "城区路灯不亮"):
            letter, _code = letter_actions.register_letter(
                actor=w.reviewer, channel=channel, category=category, writer_name="刘建国", phone="13907331001",
                subject=subject, body="村里道路破损严重，请尽快维修。", publish_consent=True,
            )  # fmt: skip
            letters.append(letter)
        letter_actions.triage_letter(actor=w.reviewer, letter=letters[1], valid=True)

        # Draft decisions: one draft, one open with a comment; a hearing.
        draft = decision_actions.create_decision(actor=w.reviewer, organisation=w.county, title="城区停车管理办法",
                                                 body="第一条 为规范停车秩序，制定本办法。")  # fmt: skip
        opened = decision_actions.create_decision(actor=w.reviewer, organisation=w.county, title="城区绿化办法",
                                                  body="第一条 为美化城区，制定本办法。")  # fmt: skip
        decision_actions.open_for_comment(actor=w.reviewer, decision=opened, opens_on=today,
                                          closes_on=today + timedelta(days=10))  # fmt: skip
        comment = decision_actions.submit_comment(
            actor=None, decision=opened, text="建议增加绿地。", name="王先生"
        )
        hearing = decision_actions.create_hearing(actor=w.reviewer, organisation=w.county, title="停车收费听证会",
                                                  date=today, place="县政府三楼会议室", decision=opened)  # fmt: skip

        # Records: a reading room with a visit, staff and spending figures.
        room = record_actions.save_reading_room(
            actor=w.county_admin, organisation=w.unit_a, name="财政局阅览室"
        )
        record_actions.record_visit(actor=w.county_admin, room=room, day=date(2025, 6, 3), visitors=4)
        record_actions.set_staff_figure(actor=w.county_admin, organisation=w.unit_a, year=2025, full_time=2,
                                        part_time=3)  # fmt: skip
        record_actions.set_spending(actor=w.county_admin, organisation=w.unit_a, year=2025, amount="1.5")

        # Annual reports: unit_a's 2025 published, the county's 2025 a draft.
        report = report_actions.generate_report(actor=w.reviewer, organisation=w.unit_a, year=2025)
        report = report_actions.review_report(actor=w.reviewer, report=report)
        report_actions.publish_report(actor=w.reviewer, report=report)
        county_draft = report_actions.generate_report(actor=w.reviewer, organisation=w.county, year=2025)

        items = [year.items["rule25"], year.items["norm24"]]
        cases = list(year.cases.values())[:2] + [svc.receive()[0]]
        codes = [w.unit_a.code, w.county.code]
        self.paths: dict[str, list[dict[str, Any]]] = {
            "/organisations/{org_id}": [{"org_id": o.pk} for o in (w.county, w.unit_a, w.other_county)],
            "/workdays/calendar/{year}": [{"year": 2025}, {"year": 2013}],
            "/items/{item_id}": [{"item_id": i.pk} for i in items],
            "/items/by-index/{index_no}": [{"index_no": i.index_no} for i in items],
            "/applications/{app_id}": [{"app_id": a.pk} for a in apps],
            "/applications/{app_id}/consultations/{consultation_id}": [
                {"app_id": open_app.pk, "consultation_id": consultation.pk}
            ],
            "/applications/{app_id}/fees/{fee_id}": [{"app_id": fee_app.pk, "fee_id": fee.pk}],
            "/letters/{letter_id}": [{"letter_id": letter.pk} for letter in letters],
            "/decisions/{decision_id}": [{"decision_id": d.pk} for d in (draft, opened)],
            "/decisions/comments/{comment_id}": [{"comment_id": comment.pk}],
            "/decisions/hearings/{hearing_id}": [{"hearing_id": hearing.pk}],
            "/services/items/{item_id}": [{"item_id": i.pk} for i in (svc.item, svc.charged)],
            "/services/cases/{case_number}": [{"case_number": c.case_number} for c in cases],
            "/reports/drafts/{draft_id}": [{"draft_id": r.pk} for r in (report, county_draft)],
            "/reports/{code}/{year}": [{"code": c, "year": 2025} for c in codes],
            "/records/disputes/{case_id}": [{"case_id": d.pk} for d in list(year.disputes.values())[:3]],
            "/records/figures/{code}/{year}": [{"code": c, "year": 2025} for c in codes],
            "/records/figures/{code}/{year}/decisions/{kind}": [
                {"code": codes[0], "year": 2025, "kind": "penalty"}
            ],
            "/records/rooms/{room_id}": [{"room_id": room.pk}],
        }

    def path_parameters(self, path: str) -> list[dict[str, Any]]:
        """Parameters naming real objects for an operation's path (the longest matching template)."""
        path = path.removeprefix("/api/v1")
        best = max((t for t in self.paths if path.startswith(t)), key=len, default=None)
        return self.paths[best] if best else []


@pytest.fixture
def api_schema(in_process_wsgi: Any) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", in_process_wsgi)


def strategy(operation: Any, mode: GenerationMode, data: Data) -> Any:
    generated = operation.as_strategy(generation_mode=mode)
    real = data.path_parameters(operation.path)
    if not real:
        return generated
    aimed = st.sampled_from(real).flatmap(
        lambda p: operation.as_strategy(generation_mode=mode, path_parameters=p)
    )
    return st.one_of(aimed, generated)


def check(case: Any, headers: dict[str, str], statuses: Counter) -> None:
    """Send one case in a savepoint that is rolled back, and validate the answer."""
    with transaction.atomic():
        try:
            response = case.call(headers=headers)
            statuses[response.status_code // 100] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)
        finally:
            transaction.set_rollback(True)


def exercise(
    operation: Any, mode: GenerationMode, data: Data, headers: dict[str, str], statuses: Counter
) -> None:
    """Run the operation's generated cases; raise the first failure (shrunk by hypothesis)."""

    @settings(max_examples=EXAMPLES[mode], derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=strategy(operation, mode, data))
    def run(case: Any) -> None:
        check(case, headers, statuses)

    run()


def known_cases(operation: Any, data: Data) -> list[Any]:
    """Reads of real objects with no optional parameters, so the 200 schemas meet real records."""
    if operation.method.upper() != "GET":
        return []
    query = REQUIRED_QUERY.get(operation.path.removeprefix("/api/v1"), {})
    params = data.path_parameters(operation.path) or ([{}] if "{" not in operation.path else [])
    return [operation.Case(path_parameters=p, query=dict(query)) for p in params]


@pytest.mark.parametrize(("caller", "tag"), RUNS)
def test_every_operation_answers_as_its_schema_says(
    world: Any, api_schema: Any, caller: str, tag: str
) -> None:
    data = Data(world)
    headers = {}
    if caller != "anonymous":
        raw = create_api_token(actor=getattr(world, caller), name=f"{caller} schemathesis", scope="write")[1]
        headers = {"Authorization": f"Bearer {raw}"}
    operations = [
        result.ok() for result in api_schema.get_all_operations() if tag in (result.ok().tags or [])
    ]
    assert operations, f"no operation is tagged {tag!r}"
    failures = []
    statuses: Counter = Counter()
    for operation in operations:
        for case in known_cases(operation, data):
            try:
                check(case, headers, statuses)
            except (Exception, FailureGroup) as exc:  # collected, so one run reports every operation
                failures.append(f"{operation.label} {case.path_parameters} [known]: {exc}")
        negatable = any(True for _ in operation.iter_parameters()) or bool(operation.body)
        for mode in EXAMPLES if negatable else [GenerationMode.POSITIVE]:
            try:
                exercise(operation, mode, data, headers, statuses)
            except Unsatisfiable:
                # Nothing in the operation can be made invalid (a lone free-text path parameter).
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, FailureGroup) as exc:  # collected, so one run reports every operation
                failures.append(f"{operation.label} [{mode.value}]: {exc}")
    print(f"{caller} {tag}: answers by class {dict(sorted(statuses.items()))}")
    print("\n\n".join(failures))  # in full: pytest shortens the assertion's message
    assert not failures, "\n\n".join(failures)
    # Not only refusals: staff read real records, and so does everyone where reads are public.
    if caller != "anonymous" or tag in PUBLIC_TAGS:
        assert statuses[2], f"no request of {caller} to {tag} succeeded: {dict(statuses)}"


def test_the_schema_is_served_and_lists_every_router(api_schema: Any) -> None:
    tags = {tag for result in api_schema.get_all_operations() for tag in (result.ok().tags or [])}
    assert tags == set(TAGS)
