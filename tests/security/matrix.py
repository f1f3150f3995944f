"""The access-control matrix: every URL pattern of the project, and who may use it.

``build_world`` makes one county through the real actions (the personas of ``tests/conftest.py``
plus one object of every kind, all belonging to ``unit_a``) so that every URL with a parameter
resolves to a real object; ``url_for`` fills a pattern's parameters from it. ``MATRIX`` states,
for every pattern, the expected outcome for each role.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongkai.orgs.models import OrgKind, Role
from gongkai.orgs.scope import clear_scope_cache
from tests import factories

ROLES = ("anonymous", "citizen", "clerk_b", "clerk_a", "reviewer", "supervisor", "window", "admin")

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass
class SecurityWorld:
    users: dict[str, Any]
    root: Any
    county: Any
    unit_a: Any
    unit_b: Any
    township: Any
    params: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def _personas() -> dict[str, Any]:
    root = factories.make_platform_admin()
    county = factories.make_org(actor=root, parent=None, name="攸县人民政府", kind=OrgKind.GOVERNMENT)
    unit_a = factories.make_org(actor=root, parent=county, name="攸县财政局")
    unit_b = factories.make_org(actor=root, parent=county, name="攸县教育局")
    township = factories.make_org(actor=root, parent=county, name="攸县网岭镇", kind=OrgKind.TOWNSHIP)
    staff = factories.make_staff
    users = {
        "anonymous": AnonymousUser(),
        "citizen": factories.make_citizen(),
        "clerk_b": staff(actor=root, organisation=unit_b, role=Role.CLERK, username="clerk_b"),
        "clerk_a": staff(actor=root, organisation=unit_a, role=Role.CLERK, username="clerk_a"),
        "reviewer": staff(actor=root, organisation=county, role=Role.REVIEWER, username="reviewer"),
        "supervisor": staff(actor=root, organisation=county, role=Role.SUPERVISOR, username="supervisor"),
        "window": staff(actor=root, organisation=township, role=Role.WINDOW, username="window"),
        "admin": staff(actor=root, organisation=county, role=Role.ADMIN, username="county_admin"),
    }
    return {"root": root, "county": county, "unit_a": unit_a, "unit_b": unit_b, "township": township,
            "users": users}  # fmt: skip


def build_world() -> SecurityWorld:
    """One object of every kind behind a URL parameter, all of ``unit_a``, made through the actions."""
    from gongkai.accounts.actions import create_api_token
    from gongkai.applications import actions as app_actions
    from gongkai.applications.models import ConsultationKind, LetterKind
    from gongkai.disclosure import actions as item_actions
    from gongkai.interaction import actions as letter_actions
    from gongkai.interaction import actions_decisions as decision_actions
    from gongkai.interaction.models import Category as LetterCategory
    from gongkai.orgs.models import RoleAssignment
    from gongkai.records import actions as record_actions
    from gongkai.reports import actions as report_actions
    from gongkai.reports import tables
    from gongkai.services import actions as svc_actions
    from gongkai.services.models import AppointmentSlot
    from gongkai.supervision import actions as supervision_actions
    from gongkai.workdays.models import CalendarYear
    from tests.applications.conftest import PERSON
    from tests.interaction.conftest import LETTER
    from tests.services.conftest import APPLICANT, ITEM, next_workday

    p = _personas()
    u = p["users"]
    unit_a, county = p["unit_a"], p["county"]
    clerk, reviewer, admin, citizen = u["clerk_a"], u["reviewer"], u["admin"], u["citizen"]
    today = timezone.localdate()

    # Proactive disclosure: a draft with an attachment, and a published item.
    draft = item_actions.create_item(actor=clerk, organisation=unit_a, title="关于预算编制的通知", summary="概述",
                                     body="<p>正文</p>", formed_on=today - dt.timedelta(days=2))  # fmt: skip
    attachment = item_actions.add_attachment(actor=clerk, item=draft, name="预算.pdf", data=PDF)
    published = item_actions.create_item(actor=clerk, organisation=unit_a, title="攸县财政局2025年部门预算",
                                         summary="预算", body="<p>预算</p>", formed_on=today - dt.timedelta(days=3))  # fmt: skip
    item_actions.add_attachment(actor=clerk, item=published, name="附件.pdf", data=PDF)
    published = item_actions.publish_item(actor=reviewer, item=published)
    public_attachment = published.attachments.get()

    # An application for disclosure by the citizen, received, with a document, a consultation,
    # a fee notice and letters.
    application, app_code = app_actions.submit_application(actor=citizen, organisation=unit_a, **PERSON)
    application = app_actions.confirm_receipt(actor=reviewer, application=application)
    document = app_actions.add_document(actor=reviewer, application=application, kind="disclosed", name="材料.pdf",
                                        data=PDF)  # fmt: skip
    consultation = app_actions.start_consultation(actor=reviewer, application=application,
                                                  kind=ConsultationKind.values[0], party="第三方")  # fmt: skip
    app_actions.record_consultation_answer(actor=reviewer, consultation=consultation, answer="consent")
    fee = app_actions.issue_fee_notice(actor=reviewer, application=application, mode="per_page", pages=250,
                                       instructions="银行转账")  # fmt: skip
    application.refresh_from_db()
    app_letter = application.letters.order_by("pk").first()

    # A letter to the county's mailbox, assigned to unit_a, replied and published.
    mailbox = letter_actions.create_channel(actor=admin, organisation=county, kind="mailbox", name="县长信箱")
    category = LetterCategory.objects.get(code="complaint")
    letter, letter_code = letter_actions.submit_letter(actor=citizen, channel=mailbox, category=category, **LETTER)
    letter_actions.triage_letter(actor=reviewer, letter=letter, valid=True)
    letter_actions.assign_letter(actor=reviewer, letter=letter, lead_unit=unit_a)
    letter_actions.draft_letter_reply(actor=clerk, letter=letter, text="您反映的道路破损问题已安排交通部门于本月内维修。")
    letter_actions.approve_reply(actor=reviewer, letter=letter)
    letter = letter_actions.publish_letter(actor=reviewer, letter=letter)

    # A draft decision open for comment, a comment, a hearing.
    decision = decision_actions.create_decision(actor=reviewer, organisation=unit_a, title="停车收费调整方案",
                                                body="<p>方案</p>")  # fmt: skip
    decision = decision_actions.open_for_comment(actor=reviewer, decision=decision, opens_on=today,
                                                 closes_on=today + dt.timedelta(days=20))  # fmt: skip
    comment = decision_actions.submit_comment(actor=citizen, decision=decision, text="建议延长免费时段。", name="张三")
    hearing = decision_actions.create_hearing(actor=reviewer, organisation=unit_a, title="停车收费听证会",
                                              date=today, place="县政府三楼会议室", decision=decision)  # fmt: skip

    # Services: the county centre, a window serving unit_a, a published item, an online case with
    # a material, a booked appointment.
    centre = factories.make_org(actor=p["root"], parent=county, name="攸县政务服务中心", kind=OrgKind.CENTRE)
    for user in u.values():
        clear_scope_cache(user)  # the new centre is in the county's scope
    window = svc_actions.save_window(actor=admin, centre=centre, number="A01", name="财政窗口", units=[unit_a])
    service_item = svc_actions.save_item(actor=clerk, organisation=unit_a, window=window,
                                         **{**ITEM, "online": True})  # fmt: skip
    service_item = svc_actions.set_item_published(actor=clerk, item=service_item, published=True)
    scan = SimpleUploadedFile("申请书.pdf", PDF, content_type="application/pdf")
    case, case_code = svc_actions.submit_case_online(actor=citizen, item=service_item, files=[scan], user=citizen,
                                                     **APPLICANT)  # fmt: skip
    material = case.material_files.get()
    day = next_workday(n=2)
    svc_actions.open_slots(actor=admin, window=window, first_day=day, last_day=day,
                           times=[(dt.time(9), dt.time(10))], capacity=5)  # fmt: skip
    slot = AppointmentSlot.objects.get(window=window)
    appointment, _ = svc_actions.book_appointment(actor=citizen, slot=slot, item=service_item, name="张三",
                                                  phone="13800000000", user=citizen)  # fmt: skip

    # Supervision: a card about the application's clock.
    card = supervision_actions.issue_card(actor=u["supervisor"], organisation=unit_a, colour="yellow", reason="逾期",
                                          clock=application.clock)  # fmt: skip

    # Records: a dispute and a reading room.
    dispute = record_actions.save_dispute(actor=reviewer, organisation=unit_a, kind="review", reference="攸政复字〔2025〕1号",
                                          subject="不予公开决定", filed_on=today - dt.timedelta(days=30))  # fmt: skip
    room = record_actions.save_reading_room(actor=admin, organisation=unit_a, name="财政局查阅室")

    # The annual report of unit_a for last year, reviewed and published.
    report = report_actions.generate_report(actor=reviewer, organisation=unit_a, year=today.year - 1)
    report = report_actions.review_report(actor=reviewer, report=report)
    report_actions.publish_report(actor=reviewer, report=report)
    report.refresh_from_db()
    table_key, frame = next(iter(tables.layout(report.template).items()))

    tokens = {}
    for role, user in u.items():
        if role not in ("anonymous", "citizen"):
            tokens[role] = create_api_token(actor=user, name=f"{role} write", scope="write")[1]
    token = clerk.api_tokens.order_by("pk").first()

    params = {
        "org": unit_a.pk, "user": clerk.pk, "role": RoleAssignment.objects.filter(user=clerk).first().pk,
        "calendar_year": CalendarYear.objects.order_by("-year").first().year,
        "ct": ContentType.objects.get_for_model(draft).pk, "history_pk": draft.pk,
        "token": token.pk,
        "item": draft.pk, "draft_title": draft.title, "dispute_reference": dispute.reference, "attachment": attachment.pk, "published_item": published.pk,
        "public_attachment": public_attachment.pk,
        "application": application.pk, "app_case": application.case_number, "app_code": app_code,
        "app_letter": app_letter.pk, "app_document": document.pk, "consultation": consultation.pk, "fee": fee.pk,
        "letter_kind": LetterKind.REPLY,
        "letter": letter.pk, "letter_case": letter.case_number, "letter_code": letter_code, "channel": mailbox.pk,
        "decision": decision.pk, "comment": comment.pk, "hearing": hearing.pk,
        "service_item": service_item.pk, "window": window.pk, "case": case.pk, "case_number": case.case_number,
        "case_code": case_code, "material": material.pk, "appointment": appointment.pk,
        "clock": application.clock_id, "card": card.pk,
        "dispute": dispute.pk, "room": room.pk,
        "report": report.pk, "report_year": report.year, "org_code": unit_a.code,
        "index_no": published.index_no,
        "cell": (table_key, frame.rows[0][0], frame.columns[0][0]),
    }  # fmt: skip
    return SecurityWorld(users=u, root=p["root"], county=county, unit_a=unit_a, unit_b=p["unit_b"],
                         township=p["township"], params=params, tokens=tokens)  # fmt: skip


def _restart_sequences() -> None:
    """PostgreSQL: every table's next id right after its highest row, as in a new database.

    The API bodies of ``api_body`` name ids by the schema's smallest value (1); the tests run
    before this module rolled their rows back, but not their sequences, so without this the world's
    first organisation would not be 1 and the bodies would name nothing."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(statement)


def world_for_module(django_db_blocker: Any, media_root: str) -> Iterator[SecurityWorld]:
    """``build_world`` inside a transaction rolled back when the module is done: each test runs in a
    savepoint of it (pytest-django's ``db``), so what one test changes is gone before the next."""
    from django.db import transaction
    from django.test import override_settings

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast, MEDIA_ROOT=media_root):
        _restart_sequences()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def private_markers(world: SecurityWorld) -> list[str]:
    """Text that only those who may see unit_a's unpublished records should ever be shown."""
    from tests.applications.conftest import PERSON
    from tests.interaction.conftest import LETTER
    from tests.services.conftest import APPLICANT

    p = world.params
    return [p["draft_title"], p["app_case"], p["case_number"], PERSON["id_number"], PERSON["phone"],
            APPLICANT["id_number"], APPLICANT["phone"], LETTER["phone"], LETTER["email"], p["dispute_reference"]]  # fmt: skip


# --- patterns and URLs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """One URL pattern: its full route (the key of ``MATRIX``), its name and its HTTP methods."""

    route: str
    name: str
    methods: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{'/'.join(self.methods)} {self.route}" if self.methods else self.route


def _path_view(callback: Any) -> Any:
    """The django-ninja PathView behind an API URL pattern's view (a closure over it), or None."""
    from ninja.operation import PathView

    for cell in getattr(callback, "__closure__", None) or ():
        if isinstance(cell.cell_contents, PathView):
            return cell.cell_contents
    return None


def all_patterns() -> list[Pattern]:
    """Every URL pattern of the project, walking the resolver tree; API patterns with their methods.

    django-ninja adds one pattern per operation, in the order of its PathView's operations, all
    with the same view: the n-th pattern of a view is its n-th operation.
    """
    from django.urls import URLResolver, get_resolver

    out: list[Pattern] = []
    seen: dict[int, int] = {}

    def walk(resolver: Any, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = ":".join(n for n in (namespace, entry.namespace or "") if n)
                walk(entry, prefix + str(entry.pattern), ns)
                continue
            name = f"{namespace}:{entry.name or ''}" if namespace else (entry.name or "")
            view = _path_view(entry.callback)
            methods: tuple[str, ...] = ()
            if view is not None:
                n = seen[id(view)] = seen.get(id(view), -1) + 1
                methods = tuple(view.operations[n].methods)
            out.append(Pattern(prefix + str(entry.pattern), name, methods))

    walk(get_resolver(), "", "")
    return out


# The object behind a ``pk`` (or another generic parameter), by the route's prefix: the longest
# matching prefix wins.
PK_BY_PREFIX = {
    "office/organisations/": "org", "office/users/": "user", "office/roles/": "role",
    "office/history/": "history_pk", "office/tokens/": "token", "office/items/": "item",
    "office/applications/": "application", "office/letters/": "app_letter", "office/interaction/": "letter",
    "office/decisions/": "decision", "office/decisions/hearings/": "hearing", "office/services/cases/": "case",
    "office/services/items/": "service_item", "office/services/windows/": "window",
    "office/services/appointments/": "appointment", "office/supervision/clocks/": "clock",
    "office/supervision/cards/": "card", "office/records/disputes/": "dispute", "office/records/rooms/": "room",
    "office/reports/": "report",
    "items/": "published_item", "attachments/": "public_attachment", "units/": "org",
    "track/": "app_document", "mailbox/replies/": "letter", "consultations/": "decision",
    "services/items/": "service_item",
}  # fmt: skip

# Other parameters by name (a ``None`` value depends on the route; see ``url_for``).
PARAM = {
    "attachment_pk": "attachment", "letter_pk": "app_letter", "document_pk": "app_document",
    "material_pk": "material", "comment_pk": "comment", "ct": "ct", "org_pk": "org", "channel_id": "channel",
    "org_id": "org", "app_id": "application", "consultation_id": "consultation", "fee_id": "fee",
    "letter_id": "letter", "decision_id": "decision", "comment_id": "comment", "hearing_id": "hearing",
    "draft_id": "report", "case_id": "dispute", "room_id": "room", "index_no": "index_no", "code": "org_code",
}  # fmt: skip

FIXED = {"fmt": "csv", "section": "items", "kind": "reply"}


def url_for(pattern: Pattern, params: dict[str, Any]) -> str:
    """The pattern with every parameter filled from the world (objects of unit_a)."""
    import re

    route = pattern.route

    def value(name: str) -> str:
        if name == "pk" and "/letters/<int:pk>" in route:
            return str(params["app_letter"])
        if name == "pk":
            prefix = max((k for k in PK_BY_PREFIX if route.startswith(k)), key=len)
            return str(params[PK_BY_PREFIX[prefix]])
        if name == "year":
            return str(params["report_year"] if "reports" in route or "records" in route else params["calendar_year"])
        if name == "case_number":
            if route.startswith(("track/", "api/v1/applications")):
                return params["app_case"]
            return params["letter_case"] if route.startswith("mailbox/") else params["case_number"]
        if name == "item_id":
            if "services/" in route:
                return str(params["service_item"])
            # Only a published item can be withdrawn: the draft would be refused to everyone alike.
            return str(params["published_item"] if route.endswith("/withdraw") else params["item"])
        if name in ("table", "row", "column"):
            return str(params["cell"][("table", "row", "column").index(name)])
        if name == "fmt":
            if "reports/" in route:
                return "docx"
            return "pdf" if "letters/" in route else FIXED["fmt"]
        if name == "kind":
            if "warning-shares" in route:
                return "application"
            if "records/import" in route:
                return "disputes"
            if "records/figures" in route:
                return "penalty"
            return FIXED["kind"]
        if name in PARAM:
            return str(params[PARAM[name]])
        return FIXED[name]

    if "^" in route:  # a regular expression: the API's catch-all for paths naming no operation
        return "/" + route[: route.index("^")] + "no-such-operation/1"
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), route)
    return "/" + url


# --- requests and outcomes -------------------------------------------------------------------------

# Patterns covered as a group by their own tests: the Django admin (only Group is registered) and
# the uploads served from MEDIA_URL when DEBUG was on as the URLs were loaded (``static()``).
GROUPED = ("admin/", "^media/")
ADMIN_SAMPLES = ["/admin/", "/admin/auth/", "/admin/auth/group/", "/admin/auth/group/add/", "/admin/password_change/"]

# Entries whose pattern exists only in some configurations.
OPTIONAL: set[str] = set()

# The query string a page needs to answer at all (a drill-down names its figure).
QUERY = {"office/supervision/cases/": "?figure=received"}

LOGIN_PATHS = ("/office/login/", "/account/login/", "/admin/login/")

OUTCOMES = {
    "ok": "2xx, or a redirect within the same area (office, portal, API)",
    "login": "a redirect to a login page",
    "elsewhere": "a redirect to another area (a signed-in staff user sent from the portal to the office)",
    "400": "refused as bad input (the owner's empty form, the bulk endpoint asked without its form)",
    "401": "API: no credentials, or a session where a write needs a token",
    "403": "forbidden",
    "404": "hidden: a forbidden object looks like a missing one",
    "405": "method not allowed",
    "422": "API: the empty body fails the schema before the object is looked up (nothing changes)",
}


def area(path: str) -> str:
    for prefix in ("/office/", "/api/", "/admin/"):
        if path.startswith(prefix):
            return prefix.strip("/")
    return "portal"


def query(pattern: Pattern) -> str:
    return QUERY.get(pattern.route, "")


def client_for(world: SecurityWorld, role: str) -> Any:
    """A test client signed in as ``role`` (or the platform administrator, "root"); sessions may
    live in the cache, which every test empties, so each test signs in afresh."""
    from django.test import Client

    user = world.root if role == "root" else world.users[role]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user.is_authenticated:
        client.force_login(user)
    return client


def api_client_for(world: SecurityWorld, role: str) -> tuple[Any, dict[str, str]]:
    """The API's way in for ``role``: its read-write token, else its session (the citizen), else nothing."""
    from django.test import Client

    token = world.tokens.get(role)
    if token:
        return Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    return client_for(world, role), {}


def request(world: Any, pattern: Pattern, client: Any, headers: dict[str, str] | None = None) -> tuple[Any, str]:
    """Ask ``pattern``: pages with GET (an empty POST where GET is not allowed); the API with its
    method and an empty JSON body."""
    url = url_for(pattern, world.params) + query(pattern)
    headers = headers or {}
    if pattern.methods:
        method = pattern.methods[0].lower()
        if method == "get":
            return client.get(url, **headers), method
        return getattr(client, method)(url, "{}", content_type="application/json", **headers), method
    response = client.get(url)
    if response.status_code == 405:
        return client.post(url, {}), "post"
    return response, "get"


def outcome(pattern: Pattern, response: Any) -> str:
    status = response.status_code
    if 300 <= status < 400:
        location = response["Location"]
        if any(p in location for p in LOGIN_PATHS):
            return "login"
        target = location if location.startswith("/") else "/" + location.split("/", 3)[-1]
        return "ok" if area(target) == area("/" + pattern.route) else "elsewhere"
    return "ok" if 200 <= status < 300 else str(status)


# --- the matrix ------------------------------------------------------------------------------------

# For every URL pattern (API patterns prefixed with their method), the outcome for each role, in
# the order of ROLES: anonymous, citizen, clerk_b (another unit's clerk: the outsider), clerk_a
# (the owner unit's clerk), reviewer, supervisor, window (window staff of the township),
# admin (the county administrator). Outcomes are the keys of OUTCOMES.
MATRIX: dict[str, str] = {
    #   anonymous citizen   clerk_b   clerk_a   reviewer  supervisor window  admin
    "healthz":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "a11y/large-text":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "i18n/setlang/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "office/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/login/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "office/logout/":
        "login     login     login     login     login     login     login     login",
    "office/organisations/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/organisations/new/":
        "login     403       403       403       403       403       403       403",
    "office/organisations/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/organisations/<int:pk>/edit/":
        "login     403       404       404       404       404       404       ok",
    "office/organisations/<int:pk>/active/":
        "login     403       404       404       404       404       404       ok",
    "office/users/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/users/new/":
        "login     403       403       403       403       403       403       ok",
    "office/users/<int:pk>/":
        "login     403       404       ok        404       404       404       ok",
    "office/users/<int:pk>/edit/":
        "login     403       404       404       404       404       404       ok",
    "office/users/<int:pk>/roles/":
        "login     403       404       ok        404       404       404       ok",
    "office/users/<int:pk>/password/":
        "login     403       404       ok        404       404       404       ok",
    "office/users/<int:pk>/active/":
        "login     403       404       404       404       404       404       ok",
    "office/roles/<int:pk>/revoke/":
        "login     403       404       404       404       404       404       ok",
    "office/calendar/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/calendar/upload/":
        "login     403       403       403       403       403       403       403",
    "office/calendar/compute/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/calendar/<int:year>/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/audit/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/audit/verify/":
        "login     403       403       403       403       403       403       403",
    "office/status/":
        "login     403       403       403       403       403       403       403",
    "office/history/<int:ct>/<str:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/tokens/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/tokens/<int:pk>/revoke/":
        "login     403       404       ok        404       404       404       404",
    "office/items/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/items/new/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/items/review/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/items/bulk/":
        "login     403       400       400       400       400       400       400",
    "office/items/timeliness/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/items/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/items/<int:pk>/edit/":
        "login     403       404       ok        ok        403       404       ok",
    "office/items/<int:pk>/preview/":
        "404       404       404       ok        ok        ok        404       ok",
    "office/items/<int:pk>/submit/":
        "login     403       404       ok        ok        403       404       ok",
    "office/items/<int:pk>/return/":
        "login     403       404       403       ok        403       404       ok",
    "office/items/<int:pk>/publish/":
        "login     403       404       403       ok        403       404       ok",
    "office/items/<int:pk>/withdraw/":
        "login     403       404       403       ok        403       404       ok",
    "office/items/<int:pk>/validity/":
        "login     403       404       403       ok        403       404       ok",
    "office/items/<int:pk>/attachments/":
        "login     403       404       ok        ok        403       404       ok",
    "office/items/<int:pk>/attachments/<int:attachment_pk>/remove/":
        "login     403       404       ok        ok        403       404       ok",
    "office/items/import/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/items/import/done/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/items/import/template.<str:fmt>":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/items/export/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/items/export.<str:fmt>":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/applications/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/applications/new/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/applications/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/applications/<int:pk>/registered/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/applications/<int:pk>/letters/<int:letter_pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/applications/<int:pk>/documents/<int:document_pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/applications/<int:pk>/confirm/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/discard/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/forward/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/correction/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/correction-received/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/consult/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/consultation-answer/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/extend/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/later-date/":
        "login     403       404       403       ok        403       404       ok",
    "office/applications/<int:pk>/assign/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/draft/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/return-draft/":
        "login     403       404       403       ok        403       404       ok",
    "office/applications/<int:pk>/reply/":
        "login     403       404       403       ok        403       404       ok",
    "office/applications/<int:pk>/fee/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/payment/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/waive/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/withdraw/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/delivery/":
        "login     403       404       ok        ok        403       404       ok",
    "office/applications/<int:pk>/document/":
        "login     403       404       ok        ok        403       404       ok",
    "office/letters/<int:pk>.docx":
        "login     403       404       ok        ok        ok        404       ok",
    "office/letters/<int:pk>.pdf":
        "login     403       404       ok        ok        ok        404       ok",
    "office/letters/templates/":
        "login     403       403       403       403       403       403       ok",
    "office/letters/templates/platform/<slug:kind>/":
        "login     403       404       404       404       404       404       404",
    "office/letters/templates/platform/<slug:kind>/reset/":
        "login     403       404       404       404       404       404       404",
    "office/letters/templates/<int:org_pk>/<slug:kind>/":
        "login     403       404       404       404       404       404       ok",
    "office/letters/templates/<int:org_pk>/<slug:kind>/reset/":
        "login     403       404       404       404       404       404       ok",
    "office/letters/outbox/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/interaction/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/interaction/new/":
        "login     403       403       403       ok        403       403       ok",
    "office/interaction/channels/":
        "login     403       403       403       403       403       403       ok",
    "office/interaction/channels/limits/":
        "login     403       403       403       403       403       403       ok",
    "office/interaction/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/interaction/<int:pk>/registered/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/interaction/<int:pk>/triage/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/assign/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/return/":
        "login     403       404       ok        ok        403       404       ok",
    "office/interaction/<int:pk>/draft/":
        "login     403       404       ok        ok        403       404       ok",
    "office/interaction/<int:pk>/send-back/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/approve/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/chase/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/callback/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/reopen/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/publish/":
        "login     403       404       403       ok        403       404       ok",
    "office/interaction/<int:pk>/unpublish/":
        "login     403       404       403       ok        403       404       ok",
    "office/decisions/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/decisions/new/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/decisions/hearings/new/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/decisions/hearings/<int:pk>/record/":
        "login     403       404       ok        ok        404       404       ok",
    "office/decisions/<int:pk>/":
        "login     403       404       ok        ok        404       404       ok",
    "office/decisions/<int:pk>/open/":
        "login     403       404       404       ok        404       404       ok",
    "office/decisions/<int:pk>/close/":
        "login     403       404       404       ok        404       404       ok",
    "office/decisions/<int:pk>/feedback/":
        "login     403       404       404       ok        404       404       ok",
    "office/decisions/<int:pk>/comments/<int:comment_pk>/":
        "login     403       404       404       ok        404       404       ok",
    "office/services/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/cases/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/cases/new/":
        "login     403       403       403       403       403       403       403",
    "office/services/cases/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/services/cases/<int:pk>/received/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/services/cases/<int:pk>/materials/<int:material_pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/services/cases/<int:pk>/accept/":
        "login     403       404       403       403       403       404       403",
    "office/services/cases/<int:pk>/request-materials/":
        "login     403       404       403       403       403       404       403",
    "office/services/cases/<int:pk>/supply-materials/":
        "login     403       404       403       403       403       404       403",
    "office/services/cases/<int:pk>/add-step/":
        "login     403       404       ok        ok        403       404       ok",
    "office/services/cases/<int:pk>/collect-fee/":
        "login     403       404       403       403       403       404       403",
    "office/services/cases/<int:pk>/complete/":
        "login     403       404       403       403       403       404       403",
    "office/services/cases/<int:pk>/reject/":
        "login     403       404       403       403       403       404       403",
    "office/services/cases/<int:pk>/set-agent/":
        "login     403       404       403       403       403       404       403",
    "office/services/cases/<int:pk>/withdraw/":
        "login     403       404       403       403       403       404       403",
    "office/services/items/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/items/new/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/services/items/<int:pk>/":
        "login     403       404       ok        ok        404       404       ok",
    "office/services/items/<int:pk>/publish/":
        "login     403       404       ok        ok        403       404       ok",
    "office/services/windows/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/windows/<int:pk>/":
        "login     403       404       404       404       404       404       ok",
    "office/services/windows/<int:pk>/slots/":
        "login     403       404       404       404       404       404       ok",
    "office/services/appointments/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/appointments/<int:pk>/cancel/":
        "login     403       404       404       404       403       404       403",
    "office/services/items/import/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/services/items/import/done/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/items/import/template.<str:fmt>":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/items/export/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/items/export.<str:fmt>":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/cases/import/":
        "login     403       403       403       403       403       ok        403",
    "office/services/cases/import/done/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/cases/import/template.<str:fmt>":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/cases/export/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/services/cases/export.<str:fmt>":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/supervision/":
        "login     403       403       403       403       ok        403       ok",
    "office/supervision/cases/":
        "login     403       403       403       403       ok        403       ok",
    "office/supervision/alerts/":
        "login     403       403       403       403       ok        403       ok",
    "office/supervision/export.<str:fmt>":
        "login     403       403       403       403       ok        403       ok",
    "office/supervision/clocks/<int:pk>/":
        "login     403       404       404       404       ok        404       ok",
    "office/supervision/clocks/<int:pk>/note/":
        "login     403       404       404       404       ok        404       ok",
    "office/supervision/clocks/<int:pk>/chase/":
        "login     403       404       404       404       ok        404       ok",
    "office/supervision/clocks/<int:pk>/card/":
        "login     403       404       404       404       ok        404       ok",
    "office/supervision/cards/":
        "login     403       403       403       403       ok        403       ok",
    "office/supervision/cards/<int:pk>/withdraw/":
        "login     403       404       404       404       ok        404       ok",
    "office/supervision/warning-shares/":
        "login     403       403       403       403       ok        403       ok",
    "office/supervision/warning-shares/<str:kind>/":
        "login     403       403       403       403       403       403       403",
    "office/records/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/records/disputes/":
        "login     403       ok        ok        ok        ok        403       ok",
    "office/records/disputes/new/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/records/disputes/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/records/disputes/<int:pk>/conclude/":
        "login     403       404       ok        ok        404       404       ok",
    "office/records/rooms/":
        "login     403       ok        ok        ok        ok        403       ok",
    "office/records/rooms/new/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/records/rooms/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/records/rooms/<int:pk>/edit/":
        "login     403       404       ok        ok        404       404       ok",
    "office/records/staff/":
        "login     403       ok        ok        ok        ok        403       ok",
    "office/records/spending/":
        "login     403       ok        ok        ok        ok        403       ok",
    "office/records/decisions/":
        "login     403       ok        ok        ok        ok        403       ok",
    "office/records/import/<slug:kind>/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/records/import/<slug:kind>/template.<str:fmt>":
        "login     403       ok        ok        ok        403       403       ok",
    "office/reports/":
        "login     403       ok        ok        ok        ok        ok        ok",
    "office/reports/generate/":
        "login     403       ok        ok        ok        403       403       ok",
    "office/reports/<int:pk>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/reports/<int:pk>/narrative/":
        "login     403       404       ok        ok        403       404       ok",
    "office/reports/<int:pk>/refresh/":
        "login     403       404       ok        ok        403       404       ok",
    "office/reports/<int:pk>/review/":
        "login     403       404       403       ok        403       404       ok",
    "office/reports/<int:pk>/reopen/":
        "login     403       404       403       ok        403       404       ok",
    "office/reports/<int:pk>/publish/":
        "login     403       404       403       ok        403       404       ok",
    "office/reports/<int:pk>/cells/<str:table>/<str:row>/<str:column>/":
        "login     403       404       ok        ok        ok        404       ok",
    "office/reports/<int:pk>/download/<str:fmt>/":
        "login     403       404       ok        ok        ok        404       ok",
    "api/v1/openapi.json":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "api/v1/docs":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/me":
        "401       ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/organisations":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "POST api/v1/organisations":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/organisations/<org_id>":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "PATCH api/v1/organisations/<org_id>":
        "401       401       404       404       404       404       404       ok",
    "GET api/v1/workdays/add":
        "422       422       422       422       422       422       422       422",
    "GET api/v1/workdays/is-workday":
        "422       422       422       422       422       422       422       422",
    "GET api/v1/workdays/calendar/<year>":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/items":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "POST api/v1/items":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/items/by-index/<path:index_no>":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/items/<int:item_id>":
        "404       404       404       ok        ok        ok        404       ok",
    "PATCH api/v1/items/<int:item_id>":
        "401       401       404       ok        ok        403       404       ok",
    "POST api/v1/items/<int:item_id>/submit":
        "401       401       404       ok        ok        403       404       ok",
    "POST api/v1/items/<int:item_id>/publish":
        "401       401       404       403       ok        403       404       ok",
    "POST api/v1/items/<int:item_id>/withdraw":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/items/<int:item_id>/validity":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/applications":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/applications":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/applications/<int:app_id>":
        "401       403       404       ok        ok        ok        404       ok",
    "POST api/v1/applications/<int:app_id>/confirm":
        "401       401       404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/discard":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/forward":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/correction":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/correction-received":
        "401       401       404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/consultations":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/consultations/<int:consultation_id>/answer":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/extend":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/later-date":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/assign":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/draft":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/return-draft":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/reply":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/fees":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/fees/<int:fee_id>/payment":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/fees/<int:fee_id>/waiver":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/applications/<int:app_id>/withdraw":
        "401       401       404       ok        ok        403       404       ok",
    "POST api/v1/applications/<int:app_id>/delivery":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/letters":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/letters":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/letters/<int:letter_id>":
        "401       403       404       ok        ok        ok        404       ok",
    "POST api/v1/letters/<int:letter_id>/triage":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/assign":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/return":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/draft":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/send-back":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/approve":
        "401       401       404       403       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/chase":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/rate":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/reopen":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/letters/<int:letter_id>/publish":
        "401       401       404       403       ok        403       404       ok",
    "POST api/v1/letters/<int:letter_id>/unpublish":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/decisions":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/decisions":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/decisions/<int:decision_id>":
        "401       403       404       ok        ok        404       404       ok",
    "POST api/v1/decisions/<int:decision_id>/open":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/decisions/<int:decision_id>/close":
        "401       401       404       403       400       404       404       400",
    "POST api/v1/decisions/<int:decision_id>/feedback":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/decisions/<int:decision_id>/comments":
        "401       403       404       ok        ok        404       404       ok",
    "POST api/v1/decisions/<int:decision_id>/comments":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/decisions/comments/<int:comment_id>/moderate":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/decisions/hearings":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/decisions/hearings":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/decisions/hearings/<int:hearing_id>/record":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/services/items":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "POST api/v1/services/items":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/services/items/template":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/services/cases/template":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/services/items/<int:item_id>":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "PATCH api/v1/services/items/<int:item_id>":
        "401       401       403       ok        ok        403       403       ok",
    "GET api/v1/services/cases":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/services/cases":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/services/cases/<case_number>":
        "401       403       404       ok        ok        ok        404       ok",
    "POST api/v1/services/cases/<case_number>/accept":
        "401       401       404       403       403       403       404       403",
    "POST api/v1/services/cases/<case_number>/reject":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/services/cases/<case_number>/fee":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/services/cases/<case_number>/complete":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/reports/drafts":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/reports/drafts":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/reports/drafts/<int:draft_id>":
        "401       403       404       ok        ok        ok        404       ok",
    "PATCH api/v1/reports/drafts/<int:draft_id>/narrative":
        "401       401       422       422       422       422       422       422",
    "POST api/v1/reports/drafts/<int:draft_id>/review":
        "401       401       404       403       400       403       404       400",
    "POST api/v1/reports/drafts/<int:draft_id>/reopen":
        "401       401       404       403       ok        403       404       ok",
    "POST api/v1/reports/drafts/<int:draft_id>/publish":
        "401       401       404       403       400       403       404       400",
    "GET api/v1/reports":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/reports/<code>/<int:year>":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "GET api/v1/records/disputes":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/records/disputes":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/records/disputes/<int:case_id>":
        "401       403       404       ok        ok        ok        404       ok",
    "POST api/v1/records/disputes/<int:case_id>/conclude":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/records/figures/<code>/<int:year>":
        "401       403       404       ok        ok        ok        404       ok",
    "PUT api/v1/records/figures/<code>/<int:year>/staff":
        "401       401       422       422       422       422       422       422",
    "PUT api/v1/records/figures/<code>/<int:year>/spending":
        "401       401       422       422       422       422       422       422",
    "PUT api/v1/records/figures/<code>/<int:year>/decisions/<kind>":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/records/rooms":
        "401       403       ok        ok        ok        ok        ok        ok",
    "POST api/v1/records/rooms":
        "401       401       422       422       422       422       422       422",
    "GET api/v1/records/rooms/<int:room_id>":
        "401       403       404       ok        ok        ok        404       ok",
    "GET api/v1/records/rooms/<int:room_id>/visits":
        "401       403       404       ok        ok        ok        404       ok",
    "POST api/v1/records/rooms/<int:room_id>/visits":
        "401       401       422       422       422       422       422       422",
    "api/v1/":
        "404       404       404       404       404       404       404       404",
    "api/v1/^[\\s\\S]*$":
        "404       404       404       404       404       404       404       404",
    "":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "catalogue/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "news/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "search/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "items/<int:pk>/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "attachments/<int:pk>/download/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "units/<int:pk>/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "units/<int:pk>/catalogue/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "units/<int:pk>/guide/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "units/<int:pk>/news/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "units/<int:pk>/feeds/items.atom":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "feeds/items.rss":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "feeds/items.atom":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "feeds/news.rss":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "sitemap.xml":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "sitemap-<section>.xml":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "robots.txt":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "apply/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "apply/done/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "track/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "track/<str:case_number>/":
        "404       ok        404       404       404       404       404       404",
    "track/<str:case_number>/correction/":
        "404       ok        404       404       404       404       404       404",
    "track/<str:case_number>/withdraw/":
        "404       ok        404       404       404       404       404       404",
    "track/<str:case_number>/forget/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "track/<str:case_number>/documents/<int:pk>/":
        "404       ok        404       404       404       404       404       404",
    "track/<str:case_number>/letters/<int:pk>.<str:fmt>":
        "404       ok        404       404       404       404       404       404",
    "my/applications/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "account/":
        "login     ok        elsewhere elsewhere elsewhere elsewhere elsewhere elsewhere",
    "account/register/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "account/login/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "account/logout/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/<int:channel_id>/write/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/done/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/track/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/track/<str:case_number>/":
        "404       404       404       404       404       404       404       404",
    "mailbox/track/<str:case_number>/rate/":
        "404       404       404       404       404       404       404       404",
    "mailbox/track/<str:case_number>/forget/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/replies/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/replies/<int:pk>/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "mailbox/statistics/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "consultations/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "consultations/<int:pk>/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "consultations/<int:pk>/comment/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "hearings/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/items/<int:pk>/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/items/<int:pk>/book/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/booked/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/cancel/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/items/<int:pk>/apply/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/applied/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/track/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "services/track/<str:case_number>/":
        "404       ok        404       404       404       404       404       404",
    "services/track/<str:case_number>/materials/":
        "404       ok        404       404       404       404       404       404",
    "services/track/<str:case_number>/forget/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "my/services/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "reports/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "reports/<str:code>/<int:year>/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
    "reports/<str:code>/<int:year>/<str:fmt>/":
        "ok        ok        ok        ok        ok        ok        ok        ok",
}

# (pattern key, role) pairs that fail today because of a known bug, with the bug; strict xfail.
KNOWN_BUGS: dict[tuple[str, str], str] = {}


# --- API writes with a body that passes the schema -----------------------------------------------------


@functools.cache
def _openapi() -> dict[str, Any]:
    """The API's OpenAPI schema, built once (it takes a while)."""
    from gongkai.api.api import api

    return api.get_openapi_schema()


def _example(schema: dict[str, Any], components: dict[str, Any], name: str = "") -> Any:
    """The smallest value of ``schema`` that validates: required properties only."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[-1]], components, name)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _example(options[0], components, name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _example(props[k], components, k) for k in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "date":
        return timezone.localdate().isoformat()
    if fmt == "date-time":
        return timezone.now().isoformat()
    return "为安全测试填写的足够长的一段说明文字"


def api_body(pattern: Pattern, params: dict[str, Any]) -> Any:
    """A JSON body for an API write that passes the operation's schema (so the object is looked up):
    ``BODY_OVERRIDES``' (called with the world's ``params`` when it is a function), else the schema's
    smallest example."""
    import re

    if pattern.key in BODY_OVERRIDES:
        override = BODY_OVERRIDES[pattern.key]
        return override(params) if callable(override) else override
    schema = _openapi()
    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern.route)
    operation = schema["paths"][path][pattern.methods[0].lower()]
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    return {} if body is None else _example(body, schema["components"]["schemas"])


def _application_in(params: dict[str, Any]) -> dict[str, Any]:
    """An application handed in at unit_a's office two days ago."""
    submitted_on = timezone.localdate() - dt.timedelta(days=2)
    return {"organisation_id": params["org"], "channel": "in_person", "submitted_on": submitted_on.isoformat(),
            "applicant_type": "person", "applicant_name": "王五", "id_type": "resident_id",
            "id_number": "11010519491231002X", "phone": "13800000001", "email": "wangwu@example.com",
            "info_title": "2024年攸县财政局部门决算", "info_form": "electronic", "delivery": "email"}  # fmt: skip


def _service_item_in(params: dict[str, Any]) -> dict[str, Any]:
    """A second licensing item of unit_a."""
    return {"organisation_id": params["org"], "code": "CZ-002", "name": "政府采购代理机构登记", "kind": "licensing",
            "legal_basis": "《中华人民共和国政府采购法》第十九条", "statutory_limit_days": 20,
            "promised_limit_days": 5}  # fmt: skip


def _conclusion(params: dict[str, Any]) -> dict[str, Any]:
    return {"result": "maintained", "concluded_on": timezone.localdate().isoformat(), "note": "复议机关维持原决定。"}


# What an API write with a body that passes its schema (``api_body``) gets from each staff role with
# its read-write token, in the order of API_ROLES (anonymous callers and citizens get 401 on every
# write: see MATRIX). Here the object is looked up, so the outsiders' refusals are the policy's.
API_ROLES = ("clerk_b", "clerk_a", "reviewer", "supervisor", "window", "admin")
# Bodies the schema's smallest example does not give: an enum the schema states only in words, a
# string longer than a field allows, or (where two schemas share a name in the OpenAPI document) a
# body of the other schema. A function is called with the world's ``params``.
BODY_OVERRIDES: dict[str, Any] = {
    # Every field of the patch is optional: an empty one changes nothing; a name change is refused.
    "PATCH api/v1/services/items/<int:item_id>": {"name": "改名"},
    "POST api/v1/items/<int:item_id>/withdraw": {"reason": "该文件已被新文件替代，停止公开。"},
    "POST api/v1/applications": _application_in,
    "POST api/v1/applications/<int:app_id>/discard": {"reason": "与已登记的申请重复。"},
    "POST api/v1/applications/<int:app_id>/return-draft": {"reason": "法律依据引用有误，请修改后重新提交。"},
    "POST api/v1/applications/<int:app_id>/fees": {"mode": "per_page", "pages": 300,
                                                   "instructions": "请通过银行转账缴纳信息处理费。"},
    "POST api/v1/letters/<int:letter_id>/rate": {"rating": "satisfied", "note": "回访时来信人表示满意。"},
    "POST api/v1/services/items": _service_item_in,
    "POST api/v1/services/cases/<case_number>/complete": {"result": "approved",
                                                           "certificate_number": "攸财许〔2026〕1号"},
    "POST api/v1/records/disputes/<int:case_id>/conclude": _conclusion,
}
API_BODY_MATRIX: dict[str, str] = {
    #   clerk_b   clerk_a   reviewer  supervisor window    admin
    "POST api/v1/organisations":
        "400       400       400       400       400       400",
    "PATCH api/v1/organisations/<org_id>":
        "404       404       404       404       404       ok",
    "POST api/v1/items":
        "403       403       ok        403       403       ok",
    "PATCH api/v1/items/<int:item_id>":
        "404       ok        ok        403       404       ok",
    "POST api/v1/items/<int:item_id>/submit":
        "404       ok        ok        403       404       ok",
    "POST api/v1/items/<int:item_id>/publish":
        "404       403       ok        403       404       ok",
    # The published item (``url_for``); withdrawing is the reviewers' power.
    "POST api/v1/items/<int:item_id>/withdraw":
        "404       403       ok        403       404       ok",
    "POST api/v1/items/<int:item_id>/validity":
        "404       403       400       403       404       400",
    "POST api/v1/applications":
        "403       ok        ok        403       403       ok",
    "POST api/v1/applications/<int:app_id>/confirm":
        "404       400       400       403       404       400",
    # The application is received and awaits its fee: only a submission awaiting confirmation is discarded.
    "POST api/v1/applications/<int:app_id>/discard":
        "404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/forward":
        "404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/correction":
        "404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/correction-received":
        "404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/consultations":
        "404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/consultations/<int:consultation_id>/answer":
        "404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/extend":
        "404       400       ok        403       404       ok",
    "POST api/v1/applications/<int:app_id>/later-date":
        "404       403       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/assign":
        "404       ok        ok        403       404       ok",
    "POST api/v1/applications/<int:app_id>/draft":
        "404       400       400       400       404       400",
    # No draft reply awaits the office head: the application awaits its fee.
    "POST api/v1/applications/<int:app_id>/return-draft":
        "404       403       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/reply":
        "404       400       400       400       404       400",
    # The application already awaits the fee of its notice: a second one is refused.
    "POST api/v1/applications/<int:app_id>/fees":
        "404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/fees/<int:fee_id>/payment":
        "404       ok        ok        403       404       ok",
    "POST api/v1/applications/<int:app_id>/fees/<int:fee_id>/waiver":
        "404       ok        ok        403       404       ok",
    "POST api/v1/applications/<int:app_id>/withdraw":
        "404       ok        ok        403       404       ok",
    "POST api/v1/applications/<int:app_id>/delivery":
        "404       400       400       403       404       400",
    "POST api/v1/letters":
        "400       400       400       400       400       400",
    "POST api/v1/letters/<int:letter_id>/triage":
        "404       403       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/assign":
        "404       403       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/return":
        "404       400       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/draft":
        "404       400       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/send-back":
        "404       403       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/approve":
        "404       403       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/chase":
        "404       403       400       403       404       400",
    # The county's mailbox handles the letter; unit_a only drafted the reply.
    "POST api/v1/letters/<int:letter_id>/rate":
        "404       403       ok        403       404       ok",
    "POST api/v1/letters/<int:letter_id>/reopen":
        "404       403       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/publish":
        "404       403       ok        403       404       ok",
    "POST api/v1/letters/<int:letter_id>/unpublish":
        "404       403       ok        403       404       ok",
    "POST api/v1/decisions":
        "403       403       ok        403       403       ok",
    "POST api/v1/decisions/<int:decision_id>/open":
        "404       403       400       404       404       400",
    "POST api/v1/decisions/<int:decision_id>/close":
        "404       403       400       404       404       400",
    "POST api/v1/decisions/<int:decision_id>/feedback":
        "404       403       400       404       404       400",
    "POST api/v1/decisions/<int:decision_id>/comments":
        "404       ok        ok        404       404       ok",
    "POST api/v1/decisions/comments/<int:comment_id>/moderate":
        "404       403       ok        404       404       ok",
    "POST api/v1/decisions/hearings":
        "403       403       ok        403       403       ok",
    "POST api/v1/decisions/hearings/<int:hearing_id>/record":
        "404       ok        ok        404       404       ok",
    "POST api/v1/services/items":
        "403       ok        ok        403       403       ok",
    "PATCH api/v1/services/items/<int:item_id>":
        "403       ok        ok        403       403       ok",
    "POST api/v1/services/cases":
        "403       403       403       403       403       403",
    "POST api/v1/services/cases/<case_number>/accept":
        "404       403       403       403       404       403",
    "POST api/v1/services/cases/<case_number>/reject":
        "404       403       403       403       404       403",
    "POST api/v1/services/cases/<case_number>/fee":
        "404       403       403       403       404       403",
    # Only window staff of the centre or of unit_a process cases: none of API_ROLES is one.
    "POST api/v1/services/cases/<case_number>/complete":
        "404       403       403       403       404       403",
    "POST api/v1/reports/drafts":
        "400       400       400       400       400       400",
    "PATCH api/v1/reports/drafts/<int:draft_id>/narrative":
        "404       400       400       403       404       400",
    "POST api/v1/reports/drafts/<int:draft_id>/review":
        "404       403       400       403       404       400",
    "POST api/v1/reports/drafts/<int:draft_id>/reopen":
        "404       403       ok        403       404       ok",
    "POST api/v1/reports/drafts/<int:draft_id>/publish":
        "404       403       400       403       404       400",
    "POST api/v1/records/disputes":
        "400       400       400       400       400       400",
    "POST api/v1/records/disputes/<int:case_id>/conclude":
        "404       ok        ok        403       404       ok",
    "PUT api/v1/records/figures/<code>/<int:year>/staff":
        "403       ok        ok        403       403       ok",
    "PUT api/v1/records/figures/<code>/<int:year>/spending":
        "403       ok        ok        403       403       ok",
    "PUT api/v1/records/figures/<code>/<int:year>/decisions/<kind>":
        "403       ok        ok        403       403       ok",
    "POST api/v1/records/rooms":
        "400       400       400       400       400       400",
    "POST api/v1/records/rooms/<int:room_id>/visits":
        "404       ok        ok        403       404       ok",
}

API_KNOWN_BUGS: dict[tuple[str, str], str] = {}
