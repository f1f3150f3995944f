"""Applications through the back-office pages: registration, every step, letters and documents."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gongkai.applications import actions, actions_base, actions_replies
from gongkai.applications.models import Application, FeeStatus, Status
from gongkai.applications.rules import R2008
from gongkai.audit.models import AuditEvent
from gongkai.office import forms_applications as forms
from tests.office import test_applications_support as support
from tests.office.test_applications_support import PDF, PERSON, form_data, workdays_ago

_media, register = support._media, support.register  # fixtures


def detail(client, app) -> str:
    response = client.get(f"/office/applications/{app.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def step(client, app, name: str, data: dict | None = None, **kw):
    return client.post(f"/office/applications/{app.pk}/{name}/", data or {}, follow=True, **kw)


def test_the_happy_path_from_registration_to_the_reply(world, as_):
    clerk = as_("clerk_a")
    # 1. The clerk registers an application handed in two working days ago, with the applicant's ID copy.
    received = workdays_ago(2)
    data = form_data(organisation=world.unit_a.pk, submitted_on=received.isoformat())
    data["documents"] = [SimpleUploadedFile("身份证.pdf", PDF, content_type="application/pdf")]
    response = clerk.post("/office/applications/new/", data)
    assert response.status_code == 302
    app = Application.objects.get()
    assert response["Location"] == f"/office/applications/{app.pk}/registered/"
    assert (app.status, app.received_on, app.rule_set, app.channel) == (
        Status.PROCESSING,
        received,
        "2019",
        "in_person",
    )

    # The tracking code is shown once, and it is the applicant's real code.
    page = clerk.get(response["Location"]).content.decode()
    code = re.search(r"Tracking code</dt><dd class=\"figure\"><code>([A-Z0-9]{10})</code>", page).group(1)
    assert app.case_number in page and actions_base.check_tracking(app, code)
    again = clerk.get(response["Location"], follow=True)
    assert again.redirect_chain[-1][0] == f"/office/applications/{app.pk}/"
    assert code not in again.content.decode() and "shown once" in again.content.decode()

    page = detail(clerk, app)
    assert "李明" in page and "2026年攸县财政局部门预算" in page and "身份证.pdf" in page
    assert "How the due date was computed" in page and "working days left" in page
    assert "政府信息公开申请登记回执" in page
    assert "Decide and reply" not in page  # a clerk drafts; the disclosure office replies

    # 2. The clerk asks for a correction within the 7 working days of the 2019 text.
    response = step(clerk, app, "correction", {"items": "请写明预算年度", "period_days": "10", "on": ""})
    assert "Correction notice issued" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.CORRECTION and app.corrections.count() == 1
    assert "Ask for a correction" not in response.content.decode()  # one single notice (2019 Art. 30)

    # 3. The corrected application arrives: the reply period counts afresh.
    response = step(
        clerk, app, "correction-received", {"text": "预算年度为2026年", "info_title": "2026年部门预算"}
    )
    body = response.content.decode()
    assert "Correction recorded; the reply is now due by" in body
    app.refresh_from_db()
    assert app.status == Status.PROCESSING and app.info_title == "2026年部门预算"
    assert app.clock.start_date == timezone.localdate()

    # 4. The reviewer extends with their own approval and assigns the draft to clerk A.
    reviewer = as_("reviewer")
    due_before = app.clock.due_date
    response = step(
        reviewer, app, "extend", {"days": "10", "reason": "需调取档案", "approved_by": world.reviewer.pk}
    )
    assert "Extended; the reply is now due by" in response.content.decode()
    app.refresh_from_db()
    assert app.clock.due_date > due_before and app.clock.extensions.get().approved_by == world.reviewer
    response = step(
        reviewer, app, "assign", {"unit": world.unit_a.pk, "assignee": world.clerk_a.pk, "note": "请拟稿"}
    )
    assert "Assigned to 攸县财政局." in response.content.decode()

    # 5. Clerk A drafts; the case waits for the disclosure office.
    clerk = as_("clerk_a")
    assert "Assigned to me" in clerk.get("/office/applications/?queue=mine").content.decode()
    response = step(
        clerk, app, "draft", {"outcome": "open", "reply_type": "r19_provide", "text": "现予以提供。"}
    )
    assert "Draft sent to the disclosure office for review." in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.REVIEW and app.drafted_by == world.clerk_a
    queue = as_("reviewer").get("/office/applications/?queue=review").content.decode()
    assert app.case_number in queue

    # 6. The reviewer replies with the draft's decision and attaches the information provided.
    reviewer = as_("reviewer")
    page = detail(reviewer, app)
    assert 'value="r19_provide" selected' in page  # the draft fills the reply form
    response = step(reviewer, app, "reply", {
        "outcome": "open", "reply_type": "r19_provide", "legal_basis": "", "text": "现予以提供。",
        "documents": [SimpleUploadedFile("预算.pdf", PDF, content_type="application/pdf")],
    })  # fmt: skip
    body = response.content.decode()
    assert "Replied; the reply letter was issued." in body
    app.refresh_from_db()
    assert (app.status, app.outcome, app.reply_type, app.on_time) == (
        Status.CLOSED,
        "open",
        "r19_provide",
        True,
    )
    assert app.documents.filter(kind="disclosed", filename="预算.pdf").exists()
    assert "Record delivery of the reply" in body and "Decide and reply" not in body

    # The letters: acknowledgement, correction, extension, reply; each readable on its own page.
    kinds = list(app.letters.values_list("kind", flat=True))
    assert kinds == ["acknowledgement", "correction", "extension", "reply"]
    reply = app.letters.get(kind="reply")
    page = reviewer.get(f"/office/applications/{app.pk}/letters/{reply.pk}/").content.decode()
    assert reply.number in page and "行政复议" in page
    assert (
        f'href="/office/letters/{reply.pk}.docx"' in page and f'href="/office/letters/{reply.pk}.pdf"' in page
    )

    # Documents download as attachments, typed from their content.
    doc = app.documents.get(filename="预算.pdf")
    response = reviewer.get(f"/office/applications/{app.pk}/documents/{doc.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and response["X-Content-Type-Options"] == "nosniff"
    )
    assert b"".join(response.streaming_content) == PDF

    # Messages to the applicant (in the platform's language, not the staff's) and the history.
    assert "您的申请已答复" in body and "liming@example.com" in body
    history = re.search(r'href="(/office/history/\d+/\d+/)"', body).group(1)
    page = reviewer.get(history).content.decode()
    assert "applications.close" in page and "applications.extend" in page

    # 7. Delivery is recorded.
    response = step(
        reviewer, app, "delivery", {"on": timezone.localdate().isoformat(), "note": "电子邮件已发送"}
    )
    assert "Delivery recorded." in response.content.decode()
    app.refresh_from_db()
    assert app.delivered_on == timezone.localdate() and app.delivery_note == "电子邮件已发送"
    assert AuditEvent.objects.filter(verb="applications.deliver", actor=world.reviewer).exists()


def test_an_online_application_is_confirmed_from_the_pending_queue(world, as_):
    app, _code = actions.submit_application(actor=None, organisation=world.unit_a, **PERSON)
    client = as_("clerk_a")
    page = client.get("/office/applications/?queue=pending").content.decode()
    assert app.case_number in page and "To confirm" in page
    page = detail(client, app)
    assert "not yet confirmed" in page and "Confirm receipt" in page and "Extend" not in page
    response = step(client, app, "confirm", {"on": "", "note": "电话确认"})
    assert "Receipt confirmed; the reply is due by" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.PROCESSING and app.received_on == timezone.localdate()
    assert app.receipt_note == "电话确认"


def test_a_junk_submission_is_not_registered(world, as_):
    app, _code = actions.submit_application(actor=None, organisation=world.unit_a, **PERSON)
    response = step(as_("clerk_a"), app, "discard", {"reason": "重复提交"})
    assert "The submission was not registered." in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.DISCARDED
    page = as_("clerk_a").get("/office/applications/").content.decode()
    assert app.case_number not in page  # not in "All"
    assert app.case_number in as_("clerk_a").get("/office/applications/?queue=discarded").content.decode()


def test_fax_and_ordinary_mail_follow_their_receipt_rules(world, as_):
    client = as_("reviewer")
    response = client.post(
        "/office/applications/new/", form_data(organisation=world.unit_a.pk, channel="fax")
    )
    assert response.status_code == 302
    fax = Application.objects.get()
    assert fax.status == Status.PENDING and fax.received_on is None
    sent = workdays_ago(3)
    response = client.post("/office/applications/new/", form_data(
        organisation=world.unit_a.pk, channel="ordinary_mail", submitted_on=sent.isoformat(),
        confirmed_on=workdays_ago(1).isoformat(),
    ))  # fmt: skip
    assert response.status_code == 302
    mail = Application.objects.exclude(pk=fax.pk).get()
    assert mail.status == Status.PROCESSING and mail.received_on == workdays_ago(1)


def test_consultation_fee_and_withdrawal(world, as_, register):
    app = register()
    client = as_("clerk_a")
    response = step(client, app, "consult", {"kind": "third_party", "party": "攸县某公司", "on": ""})
    assert "Consultation letter issued" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.CONSULTING
    assert "clock stopped" in detail(client, app)
    consultation = app.consultations.get()
    response = step(
        client, app, "consultation-answer", {"consultation": consultation.pk, "answer": "consent"}
    )
    assert "Answer recorded." in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.PROCESSING

    # A 2019 fee per page: 50 pages, 20 over the free 30 at 10 yuan.
    page = detail(client, app)
    assert "Per page (按量计收)" in page and "Search (yuan)" not in page
    response = step(client, app, "fee", {"mode": "per_page", "pages": "50", "instructions": "银行转账"})
    assert "Fee notice issued: 200.00 yuan" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.FEE
    response = step(
        client, app, "payment", {"on": timezone.localdate().isoformat(), "receipt_number": "NO.123"}
    )
    assert "Payment recorded" in response.content.decode()
    fee = app.fees.get()
    assert fee.status == FeeStatus.PAID and fee.amount == Decimal(200)

    response = step(client, app, "withdraw", {"reason": "申请人来电撤回"})
    assert "The withdrawal was recorded." in response.content.decode()
    app.refresh_from_db()
    assert (app.status, app.outcome, app.reply_type) == (Status.CLOSED, "other_3", "r19_withdrawn")
    assert "Record delivery of the reply" not in response.content.decode()  # no reply letter to deliver


def test_a_2008_case_offers_its_own_reply_types_and_no_later_date(world, as_, register):
    app = register(workdays_ago(2).replace(year=2013))
    assert app.rule_set == "2008"
    page = detail(as_("reviewer"), app)
    assert "Set a later reply date" not in page
    assert "2008 Art. 21(1)" in page and "2019 Art. 36(1)" not in page  # the reply types of the rule set
    # Long past its reply period: no extension, no fee notice any more.
    assert "Extend the reply period" not in page and "Issue a fee notice" not in page
    assert "working days overdue" in page and "The reply is overdue." in page
    # The 2008 fee is the cost of search, copying and postage (Art. 27), never per page.
    form = forms.FeeForm(rules=R2008)
    assert set(form.fields) >= {"search_cost", "copy_cost", "postage"} and "pages" not in form.fields
    assert [m for m, _label in form.fields["mode"].choices] == ["cost"]


def test_a_waived_fee_and_a_later_date(world, as_, register):
    app = register()
    client = as_("reviewer")
    step(client, app, "fee", {"mode": "per_page", "pages": "40", "instructions": "现金"})
    response = step(client, app, "waive", {"reason": "经济困难"})
    assert "Fee waived" in response.content.decode()
    app.refresh_from_db()
    later = app.clock.due_date + timezone.timedelta(days=30)
    response = step(client, app, "later-date", {"later_date": later.isoformat(), "reason": "申请数量巨大"})
    assert "The applicant is told the reply comes by" in response.content.decode()
    app.refresh_from_db()
    assert app.later_date == later and app.letters.filter(kind="later_date").exists()
    assert "(later date, Art. 35)" in detail(client, app)


def test_forwarding_out_of_reach_returns_to_the_queue(world, as_, register):
    app = register(by=world.clerk_a)
    response = as_("clerk_a").post(
        f"/office/applications/{app.pk}/forward/", {"to": world.unit_b.pk, "reason": "属教育局职责"}
    )
    assert response.status_code == 302 and response["Location"] == "/office/applications/"
    app.refresh_from_db()
    assert app.organisation == world.unit_b
    assert as_("clerk_a").get(f"/office/applications/{app.pk}/").status_code == 404
    assert as_("clerk_b").get(f"/office/applications/{app.pk}/").status_code == 200


def test_a_returned_draft_and_an_added_document(world, as_, register):
    app = register()
    actions_replies.draft_reply(actor=world.clerk_a, application=app, outcome="open", reply_type="r19_public",
                                text="已主动公开。")  # fmt: skip
    response = step(as_("reviewer"), app, "return-draft", {"reason": "请补充网址"})
    assert "Draft returned." in response.content.decode()
    app.refresh_from_db()
    assert app.status == Status.PROCESSING
    response = step(as_("clerk_a"), app, "document", {
        "kind": "internal", "file": SimpleUploadedFile("检索记录.pdf", PDF, content_type="application/pdf"),
    })  # fmt: skip
    assert "“检索记录.pdf” added." in response.content.decode()
    assert app.documents.get().kind == "internal"


def test_the_last_day_for_a_correction_notice_is_shown_when_near_or_passed(world, as_, register):
    client = as_("clerk_a")
    early = detail(client, register(workdays_ago(1)))
    assert "correction notice" not in early.split("<h2>")[0] and "Ask for a correction" in early
    near = detail(client, register(workdays_ago(5)))
    deadline = actions.correction_notice_deadline(Application.objects.order_by("-pk").first())
    assert (
        f"Last day for a correction notice: {deadline.isoformat()}." in near and "2 working days left" in near
    )
    passed = detail(client, register(workdays_ago(8)))
    assert "The period for a correction notice has passed." in passed
    assert "Ask for a correction" not in passed  # 2019 Art. 30: too late for a notice
    old = detail(client, register(date(2013, 9, 30)))
    assert "correction notice" not in old.split("<h2>")[0]  # the 2008 text sets no such limit
