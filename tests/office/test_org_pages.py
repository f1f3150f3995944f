"""Organisation pages in the back office: visibility per persona, forms, history."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from gongkai.audit.models import AuditEvent
from gongkai.orgs import actions
from gongkai.orgs.models import Organisation
from tests import factories

FIELDS = [
    "kind", "name", "short_name", "code", "sort_order", "office_name", "address", "postcode",
    "office_hours", "phone", "fax", "email", "website",
]  # fmt: skip


def org_form(**over) -> dict:
    data = {f: "" for f in FIELDS}
    data.update(kind="department", name="攸县审计局", code=factories.org_code(), sort_order="0")
    data.update(over)
    return data


def form_of(org, **over) -> dict:
    data = {f: getattr(org, f) for f in FIELDS}
    data.update(over)
    return data


def errors(response) -> str:
    return " ".join(re.findall(r'role="alert">(.*?)</div>', response.content.decode(), re.S))


def state() -> tuple[int, int, list]:
    return (
        Organisation.objects.count(),
        AuditEvent.objects.count(),
        list(Organisation.objects.order_by("pk").values_list("name", "code", "is_active")),
    )


def history_url(obj) -> str:
    return f"/office/history/{ContentType.objects.get_for_model(type(obj)).pk}/{obj.pk}/"


# --- who sees which organisation page -------------------------------------------------------------


def test_a_clerk_opens_their_own_units_page(world, as_):
    response = as_("clerk_a").get(f"/office/organisations/{world.unit_a.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "攸县财政局" in body and world.unit_a.code in body
    assert "clerk_a" in body
    assert f"/office/organisations/{world.unit_a.pk}/edit/" not in body  # no edit button


def test_a_clerk_gets_404_for_another_units_pages(world, as_):
    client = as_("clerk_a")
    b = world.unit_b.pk
    for url in (
        f"/office/organisations/{b}/",
        f"/office/organisations/{b}/edit/",
        f"/office/organisations/{b}/active/",
        f"/office/organisations/new/?parent={b}",
        f"/office/organisations/{world.county.pk}/",
        f"/office/organisations/{world.other_county.pk}/",
        "/office/organisations/999999/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_clerk_cannot_edit_or_deactivate_their_own_unit(world, as_):
    client = as_("clerk_a")
    a = world.unit_a.pk
    assert client.get(f"/office/organisations/{a}/edit/").status_code == 404
    assert (
        client.post(f"/office/organisations/{a}/edit/", form_of(world.unit_a, name="改名")).status_code == 404
    )
    assert client.post(f"/office/organisations/{a}/active/", {"reason": "x"}).status_code == 404
    world.unit_a.refresh_from_db()
    assert world.unit_a.name == "攸县财政局" and world.unit_a.is_active


def test_a_clerk_cannot_create_a_top_level_government(world, as_):
    before = state()
    client = as_("clerk_a")
    assert client.get("/office/organisations/new/").status_code == 403
    assert client.post("/office/organisations/new/", org_form(kind="government")).status_code == 403
    assert state() == before


def test_the_organisation_list_shows_a_clerk_only_their_unit(world, as_):
    body = as_("clerk_a").get("/office/organisations/").content.decode()
    assert "攸县财政局" in body
    for name in ("攸县教育局", "攸县人民政府", "攸县网岭镇", "茶陵县人民政府"):
        assert name not in body


def test_the_organisation_list_shows_the_county_to_its_staff_and_not_the_other_county(world, as_):
    for persona in ("county_admin", "reviewer", "supervisor"):
        body = as_(persona).get("/office/organisations/").content.decode()
        for name in ("攸县人民政府", "攸县财政局", "攸县教育局", "攸县网岭镇"):
            assert name in body, (persona, name)
        assert "茶陵县人民政府" not in body


def test_the_organisation_list_can_be_searched(world, as_):
    client = as_("county_admin")
    body = client.get("/office/organisations/", {"q": "教育"}).content.decode()
    assert "攸县教育局" in body and "攸县财政局" not in body
    body = client.get("/office/organisations/", {"q": world.unit_a.code.lower()}).content.decode()
    assert "攸县财政局" in body and "攸县教育局" not in body
    body = as_("clerk_a").get("/office/organisations/", {"q": "教育"}).content.decode()
    assert "攸县教育局" not in body


def test_the_other_countys_administrator_sees_nothing_of_this_county(world, as_):
    client = as_("other_admin")
    for org in (world.county, world.unit_a, world.unit_b, world.township):
        assert client.get(f"/office/organisations/{org.pk}/").status_code == 404
    assert client.get(f"/office/organisations/new/?parent={world.county.pk}").status_code == 404


def test_bad_parent_ids_are_not_found(world, as_):
    client = as_("county_admin")
    for parent in ("abc", "999999", str(world.other_county.pk)):
        assert client.get("/office/organisations/new/", {"parent": parent}).status_code == 404


# --- creating and editing through the forms ----------------------------------------------------


def test_the_county_administrator_creates_a_department_through_the_form(world, as_):
    client = as_("county_admin")
    page = client.get(f"/office/organisations/new/?parent={world.county.pk}")
    assert page.status_code == 200
    assert f'name="parent" value="{world.county.pk}"' in page.content.decode()
    response = client.post(
        "/office/organisations/new/",
        {**org_form(name="攸县审计局", code="00001434-9", postcode="412300"), "parent": world.county.pk},
    )
    org = Organisation.objects.get(name="攸县审计局")
    assert response.status_code == 302 and response["Location"] == f"/office/organisations/{org.pk}/"
    assert org.parent == world.county and org.code == "000014349" and org.depth == 1
    assert (
        AuditEvent.objects.get(verb="orgs.create_organisation", object_id=str(org.pk)).actor
        == world.county_admin
    )
    assert client.get(response["Location"]).status_code == 200


def test_the_platform_administrator_creates_a_top_level_government(world, as_):
    response = as_("root").post(
        "/office/organisations/new/", org_form(kind="government", name="醴陵市人民政府")
    )
    assert response.status_code == 302
    org = Organisation.objects.get(name="醴陵市人民政府")
    assert org.parent is None and org.depth == 0


@pytest.mark.parametrize(
    "over, field_message",
    [
        ({"code": "000014348"}, "check character"),
        ({"code": "12345"}, "9 characters"),
        ({"code": "1134170248634451SH"}, "except I, O, Z, S and V"),
        ({"code": ""}, "required"),
        ({"name": ""}, "required"),
        ({"kind": "ministry"}, "valid choice"),
        ({"postcode": "41230"}, "6 digits"),
        ({"email": "not-an-email"}, "valid email"),
        ({"sort_order": "first"}, "whole number"),
    ],
)
def test_bad_input_in_the_organisation_form_is_shown_and_changes_nothing(world, as_, over, field_message):
    client = as_("county_admin")
    before = state()
    data = {**org_form(**over), "parent": world.county.pk}
    response = client.post("/office/organisations/new/", data)
    assert response.status_code == 200
    assert field_message in errors(response)
    assert state() == before
    # What the user typed is kept.
    if over.get("code"):
        assert f'value="{over["code"]}"' in response.content.decode()


@pytest.mark.parametrize(
    "code", ["0000143²9", "٠٠٠٠١٤٣٤٩", "0000143😀9", "１１３４１７０２４８６３４４５１５Ｈ"]
)
def test_unusual_characters_in_the_code_never_crash_the_form(world, as_, code):
    response = as_("county_admin").post(
        "/office/organisations/new/", {**org_form(code=code), "parent": world.county.pk}
    )
    assert response.status_code in (200, 302)
    if response.status_code == 302:  # accepted: stored in plain ASCII
        assert Organisation.objects.get(name="攸县审计局").code.isascii()


def test_a_code_typed_in_full_width_is_stored_in_ascii(world, as_):
    response = as_("county_admin").post(
        "/office/organisations/new/", {**org_form(code="０００01434９"), "parent": world.county.pk}
    )
    assert response.status_code == 302
    assert Organisation.objects.get(name="攸县审计局").code == "000014349"


def test_no_unit_is_created_below_a_deactivated_one_through_the_form(world, as_):
    actions.set_organisation_active(
        actor=world.root, organisation=world.township, active=False, reason="撤并"
    )
    before = state()
    response = as_("county_admin").post(
        "/office/organisations/new/", {**org_form(), "parent": world.township.pk}
    )
    assert response.status_code == 200
    assert "not active" in errors(response)
    assert state() == before


def test_a_duplicate_code_in_the_form_is_refused(world, as_):
    before = state()
    response = as_("county_admin").post(
        "/office/organisations/new/", {**org_form(code=world.unit_b.code), "parent": world.county.pk}
    )
    assert response.status_code == 200
    assert "already exists" in errors(response)
    assert state() == before


def test_a_top_level_organisation_that_is_not_a_government_is_refused(world, as_):
    before = state()
    response = as_("root").post("/office/organisations/new/", org_form(kind="department"))
    assert response.status_code == 200
    assert "government" in errors(response)
    assert state() == before


def test_the_county_administrator_edits_a_unit_through_the_form(world, as_):
    client = as_("county_admin")
    page = client.get(f"/office/organisations/{world.unit_a.pk}/edit/")
    assert page.status_code == 200
    assert world.unit_a.code in page.content.decode()
    response = client.post(
        f"/office/organisations/{world.unit_a.pk}/edit/",
        form_of(world.unit_a, name="攸县财政局（更名）", phone="0731-24221111"),
    )
    assert response.status_code == 302, errors(response)
    world.unit_a.refresh_from_db()
    assert world.unit_a.name == "攸县财政局（更名）" and world.unit_a.phone == "0731-24221111"
    event = AuditEvent.objects.get(verb="orgs.update_organisation")
    assert event.after == {"name": "攸县财政局（更名）", "phone": "0731-24221111"}


def test_the_code_field_cannot_be_changed_through_the_edit_form(world, as_):
    code = world.unit_a.code
    response = as_("county_admin").post(
        f"/office/organisations/{world.unit_a.pk}/edit/",
        form_of(world.unit_a, code=factories.org_code(), name="新名"),
    )
    assert response.status_code == 302
    world.unit_a.refresh_from_db()
    assert world.unit_a.code == code and world.unit_a.name == "新名"


def test_bad_input_in_the_edit_form_changes_nothing(world, as_):
    before = state()
    response = as_("county_admin").post(
        f"/office/organisations/{world.unit_a.pk}/edit/", form_of(world.unit_a, name="", email="bad")
    )
    assert response.status_code == 200
    assert "required" in errors(response) and "valid email" in errors(response)
    assert "攸县财政局" in response.content.decode()  # the heading still names the unit
    assert state() == before


# --- deactivating ------------------------------------------------------------------------------


def test_deactivation_without_a_reason_is_re_shown_and_changes_nothing(world, as_):
    before = state()
    response = as_("county_admin").post(f"/office/organisations/{world.township.pk}/active/", {"reason": ""})
    assert response.status_code == 200
    assert "required" in errors(response)
    assert state() == before


def test_a_unit_with_active_units_below_cannot_be_deactivated_through_the_form(world, as_):
    before = state()
    response = as_("root").post(f"/office/organisations/{world.county.pk}/active/", {"reason": "撤销"})
    assert response.status_code == 200
    assert "units below" in errors(response)
    assert state() == before


def test_the_administrator_deactivates_and_reactivates_a_unit(world, as_):
    client = as_("county_admin")
    url = f"/office/organisations/{world.township.pk}/active/"
    response = client.post(url, {"reason": "乡镇撤并"})
    assert response.status_code == 302
    world.township.refresh_from_db()
    assert not world.township.is_active
    detail = client.get(response["Location"])
    assert detail.status_code == 200 and "inactive" in detail.content.decode()
    assert "攸县网岭镇" in client.get("/office/organisations/").content.decode()
    assert client.post(url, {"reason": "恢复"}).status_code == 302
    world.township.refresh_from_db()
    assert world.township.is_active


def test_staff_of_a_deactivated_unit_lose_its_page(world, as_):
    actions.set_organisation_active(
        actor=world.root, organisation=world.township, active=False, reason="撤并"
    )
    assert as_("window").get(f"/office/organisations/{world.township.pk}/").status_code == 404


# --- history -------------------------------------------------------------------------------------


def test_the_history_of_a_unit_is_shown_to_its_staff(world, as_):
    actions.update_organisation(
        actor=world.county_admin, organisation=world.unit_a, phone="0731-1", reason="新电话"
    )
    for persona in ("clerk_a", "county_admin", "reviewer", "supervisor", "root"):
        response = as_(persona).get(history_url(world.unit_a))
        assert response.status_code == 200, persona
        body = response.content.decode()
        assert "orgs.update_organisation" in body and "新电话" in body and "orgs.create_organisation" in body


@pytest.mark.parametrize("persona", ["clerk_b", "window", "other_admin"])
def test_the_history_of_a_unit_is_not_found_for_outsiders(world, as_, persona):
    assert as_(persona).get(history_url(world.unit_a)).status_code == 404


def test_history_urls_with_bad_ids_are_not_found(world, as_):
    client = as_("root")
    ct = ContentType.objects.get_for_model(Organisation).pk
    for url in (
        f"/office/history/{ct}/abc/",
        f"/office/history/{ct}/999999/",
        f"/office/history/{ct}/1.5/",
        "/office/history/999999/1/",
        f"/office/history/{ContentType.objects.get(app_label='sessions').pk}/1/",
    ):
        assert client.get(url).status_code == 404, url


def test_a_user_sees_the_history_of_their_own_account_but_not_of_others(world, as_):
    client = as_("clerk_a")
    assert client.get(history_url(world.clerk_a)).status_code == 200
    assert client.get(history_url(world.clerk_b)).status_code == 404
    assert client.get(history_url(world.root)).status_code == 404
