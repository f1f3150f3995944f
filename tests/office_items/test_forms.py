"""The item form: bad input keeps what was typed, shows the errors and stores nothing."""

from __future__ import annotations

from django.utils import timezone

from gongkai.disclosure.models import Category, DisclosureItem, Genre, ItemStatus
from tests.office_items.conftest import workdays_ago


def data(world, **extra):
    return {
        "organisation": world.unit_a.pk, "kind": "item", "title": "关于2026年部门预算公开的说明",
        "summary": "", "body": "", "doc_number": "", "written_on": "", "formed_on": workdays_ago(2).isoformat(),
        "keywords": "", **extra,
    }  # fmt: skip


def test_an_impossible_date_is_refused_and_the_typed_values_kept(world, as_):
    response = as_("clerk_a").post(
        "/office/items/new/", data(world, formed_on="2025-02-30", keywords="预算 公开")
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid date." in body
    assert (
        'value="2025-02-30"' in body
        and 'value="预算 公开"' in body
        and "关于2026年部门预算公开的说明" in body
    )
    assert not DisclosureItem.objects.exists()


def test_a_future_date_formed_is_a_field_error(world, as_):
    future = (timezone.localdate() + timezone.timedelta(days=3)).isoformat()
    response = as_("clerk_a").post("/office/items/new/", data(world, formed_on=future))
    body = response.content.decode()
    assert "The date formed cannot be in the future." in body
    # The message sits with the field (after its input), not at the top of the form.
    assert body.index('name="formed_on"') < body.index("The date formed cannot be in the future.")
    assert f'value="{future}"' in body
    assert not DisclosureItem.objects.exists()


def test_written_after_formed_is_refused(world, as_):
    body = as_("clerk_a").post("/office/items/new/", data(
        world, written_on=timezone.localdate().isoformat(), formed_on=workdays_ago(5).isoformat()
    )).content.decode()  # fmt: skip
    assert "The date formed cannot be before the date written." in body
    assert not DisclosureItem.objects.exists()


def test_the_date_formed_and_the_title_are_required(world, as_):
    body = as_("clerk_a").post("/office/items/new/", data(world, formed_on="", title="")).content.decode()
    assert body.count("This field is required.") == 2
    assert not DisclosureItem.objects.exists()


def test_a_duplicate_document_number_in_the_same_unit_is_a_field_error(world, as_, make_item):
    make_item("第一份", doc_number="攸财发〔2026〕9号")
    client = as_("clerk_a")
    response = client.post("/office/items/new/", data(world, doc_number="攸财发〔2026〕9号"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Another item of this organisation already has the document number 攸财发〔2026〕9号." in body
    assert body.index('name="doc_number"') < body.index("Another item of this organisation")
    assert DisclosureItem.objects.count() == 1
    # Another unit may use the same number.
    response = as_("clerk_b").post("/office/items/new/", data(world, organisation=world.unit_b.pk,
                                                              doc_number="攸财发〔2026〕9号"))  # fmt: skip
    assert response.status_code == 302
    assert DisclosureItem.objects.count() == 2


def test_editing_to_a_duplicate_document_number_is_refused(world, as_, make_item):
    make_item("第一份", doc_number="攸财发〔2026〕1号")
    second = make_item("第二份", doc_number="攸财发〔2026〕2号")
    response = as_("clerk_a").post(f"/office/items/{second.pk}/edit/", data(world, title="第二份",
                                                                          doc_number="攸财发〔2026〕1号"))  # fmt: skip
    assert "already has the document number" in response.content.decode()
    second.refresh_from_db()
    assert second.doc_number == "攸财发〔2026〕2号"
    # Keeping its own number is fine.
    response = as_("clerk_a").post(f"/office/items/{second.pk}/edit/", data(world, title="第二份（修订）",
                                                                           doc_number="攸财发〔2026〕2号"))  # fmt: skip
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.title == "第二份（修订）"


def test_script_in_the_body_is_stripped(world, as_):
    body = '<p onclick="steal()">正文<script>alert(1)</script><a href="javascript:x()">链接</a></p><style>p{}</style>'
    as_("clerk_a").post("/office/items/new/", data(world, body=body))
    item = DisclosureItem.objects.get()
    assert "<script" not in item.body and "onclick" not in item.body and "javascript:" not in item.body
    assert "<style" not in item.body and "正文" in item.body and "链接" in item.body
    page = as_("clerk_a").get(f"/office/items/{item.pk}/").content.decode()
    assert "alert(1)" not in page and "steal()" not in page


def test_the_form_stores_every_field(world, as_):
    category = Category.objects.get(code="budget")
    genre = Genre.objects.get(code="budget")
    response = as_("clerk_a").post("/office/items/new/", data(
        world, kind="news", summary="概述", body="<p>正文</p>", doc_number="攸财〔2026〕3号",
        written_on=workdays_ago(4).isoformat(), category=category.pk, genre=genre.pk, keywords="预算",
        channels=["website", "gazette"],
    ))  # fmt: skip
    assert response.status_code == 302
    item = DisclosureItem.objects.get()
    assert (item.kind, item.summary, item.body, item.doc_number) == (
        "news",
        "概述",
        "<p>正文</p>",
        "攸财〔2026〕3号",
    )
    assert item.written_on == workdays_ago(4) and item.formed_on == workdays_ago(2)
    assert item.category == category and item.genre == genre and item.keywords == "预算"
    assert item.channels == ["website", "gazette"] and item.organisation == world.unit_a
    assert response["Location"] == f"/office/items/{item.pk}/"


def test_the_category_select_is_an_indented_tree(world, as_):
    body = as_("clerk_a").get("/office/items/new/").content.decode()
    parent, child = Category.objects.get(code="finance"), Category.objects.get(code="budget")
    assert f'<option value="{parent.pk}">财政资金</option>' in body
    assert f'<option value="{child.pk}">\u3000财政预决算</option>' in body
    assert body.index("财政资金") < body.index("财政预决算")


def test_the_channels_are_a_fieldset_with_a_legend(world, as_):
    body = as_("clerk_a").get("/office/items/new/").content.decode()
    start = body.index("<fieldset")
    assert "<legend" in body[start:] and 'name="channels"' in body[start:]
    assert "cleaned when saved" in body  # the note about sanitising


def test_the_organisation_can_be_preselected(world, as_):
    client = as_("reviewer")
    body = client.get(f"/office/items/new/?organisation={world.unit_b.pk}").content.decode()
    assert f'<option value="{world.unit_b.pk}" selected>' in body
    # A reviewer on the county writes for every unit below it.
    for org in (world.county, world.unit_a, world.unit_b, world.township):
        assert f'<option value="{org.pk}"' in body
    # An organisation outside the user's reach is not preselected (nor offered).
    body = as_("clerk_a").get(f"/office/items/new/?organisation={world.unit_b.pk}").content.decode()
    assert "攸县教育局" not in body and f'<option value="{world.unit_a.pk}" selected>攸县财政局' in body


def test_editing_shows_the_current_values_and_saves(world, as_, make_item):
    item = make_item(doc_number="攸财〔2026〕5号", channels=["hotline"], keywords="旧")
    client = as_("clerk_a")
    body = client.get(f"/office/items/{item.pk}/edit/").content.decode()
    assert 'value="攸财〔2026〕5号"' in body and 'value="hotline" id="id_channels_6" checked' in body
    assert 'name="organisation"' not in body and 'name="reason"' not in body
    response = client.post(f"/office/items/{item.pk}/edit/", data(world, title="新标题", keywords="新",
                                                                 formed_on=workdays_ago(6).isoformat()))  # fmt: skip
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "新标题" and item.keywords == "新" and item.channels == [] and item.doc_number == ""
    assert item.formed_on == workdays_ago(6)
    assert item.due_on == item.clock.due_date  # the clock follows the corrected date


def test_a_reviewer_edits_a_published_item_with_a_reason(world, as_, published):
    from gongkai.audit.models import AuditEvent

    item = published(keywords="旧")
    client = as_("reviewer")
    body = client.get(f"/office/items/{item.pk}/edit/").content.decode()
    assert 'name="reason"' in body and "This item is published" in body
    response = client.post(f"/office/items/{item.pk}/edit/", data(
        world, title=item.title, formed_on=item.formed_on.isoformat(), keywords="新", reason="更正主题词",
    ))  # fmt: skip
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.keywords == "新" and item.status == ItemStatus.PUBLISHED
    assert AuditEvent.objects.filter(verb="disclosure.update_item", reason="更正主题词").exists()


def test_a_withdrawn_item_cannot_be_edited(world, as_, published):
    from gongkai.disclosure import actions

    item = published()
    actions.withdraw_item(actor=world.reviewer, item=item, reason="错误")
    assert as_("reviewer").get(f"/office/items/{item.pk}/edit/").status_code == 403
