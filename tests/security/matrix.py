"""The access-control matrix: every URL pattern of the project, and who may use it.

``build_world`` makes one county through the real actions (the personas of ``tests/conftest.py``
plus one object of every kind, all belonging to ``unit_a``) so that every URL with a parameter
resolves to a real object; ``url_for`` fills a pattern's parameters from it. ``MATRIX``
(``matrix_table.py``, re-exported here) states, for every pattern, the expected outcome for each
role; ``matrix_api.py`` holds the API writes asked with a valid body.
"""

from __future__ import annotations

import datetime as dt
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
from tests.security.matrix_table import KNOWN_BUGS as KNOWN_BUGS
from tests.security.matrix_table import MATRIX as MATRIX

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

    The API bodies of ``matrix_api.api_body`` name ids by the schema's smallest value (1); the tests run
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
