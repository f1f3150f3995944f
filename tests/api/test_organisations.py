"""/api/v1/organisations: public reads, token-authenticated writes through the same rules."""

from __future__ import annotations

import pytest

from gongkai.audit.models import AuditEvent
from gongkai.orgs import actions
from gongkai.orgs.models import Organisation
from tests import factories


def state():
    return Organisation.objects.count(), AuditEvent.objects.count()


def new_department(world, **over) -> dict:
    return {
        "parent_id": world.county.pk,
        "kind": "department",
        "name": "攸县审计局",
        "code": factories.org_code(),
        **over,
    }


# --- reading ----------------------------------------------------------------------------------


def test_anonymous_visitors_list_only_active_organisations(world, api):
    actions.set_organisation_active(
        actor=world.root, organisation=world.township, active=False, reason="撤并"
    )
    response = api.get("/organisations")
    assert response.status_code == 200
    data = response.json()
    names = [o["name"] for o in data["results"]]
    assert data["count"] == 4 == len(names)
    assert "攸县网岭镇" not in names
    assert all(o["is_active"] for o in data["results"])
    assert api.get(f"/organisations/{world.township.pk}").status_code == 404


def test_a_deactivated_unit_is_listed_for_its_administrators(world, api, token):
    actions.set_organisation_active(
        actor=world.root, organisation=world.township, active=False, reason="撤并"
    )
    names = [o["name"] for o in api.get("/organisations", token=token("county_admin")).json()["results"]]
    assert "攸县网岭镇" in names
    names = [o["name"] for o in api.get("/organisations", token=token("other_admin")).json()["results"]]
    assert "攸县网岭镇" not in names


def test_organisations_come_with_their_public_fields(world, api):
    data = api.get(f"/organisations/{world.unit_a.pk}").json()
    assert data["name"] == "攸县财政局" and data["code"] == world.unit_a.code
    assert data["parent_id"] == world.county.pk and data["depth"] == 1 and data["kind"] == "department"
    assert "path" not in data


def test_the_list_filters_by_kind_parent_subtree_and_text(world, api):
    def names(**params):
        return {o["name"] for o in api.get("/organisations", **params).json()["results"]}

    assert names(kind="township") == {"攸县网岭镇"}
    assert names(parent=world.county.pk) == {"攸县财政局", "攸县教育局", "攸县网岭镇"}
    assert names(under=world.county.pk) == {"攸县人民政府", "攸县财政局", "攸县教育局", "攸县网岭镇"}
    assert names(q="教育") == {"攸县教育局"}
    assert names(q=world.unit_a.code.lower()) == {"攸县财政局"}
    assert len(names(limit=2)) == 2
    assert api.get("/organisations", under=999999).status_code == 404


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"kind": "ministry"}, {"q": "x" * 101},
     # Beyond what a database column holds: SQLite raised OverflowError (a 500) for these.
     {"parent": 2**63}, {"under": -(2**63) - 1}, {"offset": 2**31}],
)  # fmt: skip
def test_bad_list_parameters_are_a_422_with_a_message(world, api, params):
    response = api.get("/organisations", **params)
    assert response.status_code == 422 and response.json()["message"]
    [issue] = response.json()["errors"]
    assert issue["loc"] == ["query", next(iter(params))] and issue["msg"]


def test_an_unknown_organisation_is_a_404_with_a_message(world, api):
    response = api.get("/organisations/999999")
    assert response.status_code == 404 and response.json() == {"message": "Not found."}


# --- creating -----------------------------------------------------------------------------------


def test_the_county_administrator_creates_a_department_with_a_write_token(world, api, token):
    raw = token("county_admin", "write")
    before = state()
    response = api.post("/organisations", new_department(world, code="00001434-9"), token=raw)
    assert response.status_code == 201, response.content
    data = response.json()
    org = Organisation.objects.get(pk=data["id"])
    assert org.parent == world.county and org.code == "000014349" == data["code"] and data["depth"] == 1
    event = AuditEvent.objects.get(verb="orgs.create_organisation", object_id=str(org.pk))
    assert event.actor == world.county_admin
    assert state() == (before[0] + 1, before[1] + 1)


def test_a_clerk_with_a_write_token_cannot_create_a_department(world, api, token):
    raw = token("clerk_a", "write")
    before = state()
    response = api.post("/organisations", new_department(world, parent_id=world.unit_a.pk), token=raw)
    assert response.status_code == 403 and response.json()["message"]
    assert state() == before


def test_a_read_only_token_cannot_post(world, api, token):
    raw = token("county_admin", "read")
    before = state()
    response = api.post("/organisations", new_department(world), token=raw)
    assert response.status_code == 403
    assert "read-only" in response.json()["message"]
    assert state() == before


def test_anonymous_and_session_posts_are_refused(world, api, client):
    before = state()
    assert api.post("/organisations", new_department(world)).status_code == 401
    client.force_login(world.county_admin)
    response = api.post("/organisations", new_department(world))
    assert response.status_code == 401 and "token" in response.json()["message"]
    assert state() == before


@pytest.mark.parametrize(
    "over, field",
    [
        ({"code": "000014348"}, "code"),
        ({"code": "12345"}, "code"),
        ({"code": "1134170248634451SH"}, "code"),
        ({"kind": "ministry"}, "kind"),
        ({"name": ""}, "name"),
        ({"email": "nope"}, "email"),
        ({"parent_id": 999999}, "parent_id"),
    ],
)
def test_bad_input_is_a_400_with_a_message_and_creates_nothing(world, api, token, over, field):
    raw = token("county_admin", "write")
    before = state()
    response = api.post("/organisations", new_department(world, **over), token=raw)
    assert response.status_code == 400
    body = response.json()
    assert field in body["message"] and field in body["errors"]
    assert state() == before


def test_a_duplicate_code_is_a_400(world, api, token):
    raw = token("county_admin", "write")
    before = state()
    response = api.post("/organisations", new_department(world, code=world.unit_b.code), token=raw)
    assert response.status_code == 400 and "code" in response.json()["errors"]
    assert state() == before


@pytest.mark.parametrize(
    "body",
    [{}, {"kind": "department"}, {"kind": "department", "name": "x", "code": 5, "sort_order": "x"}, [],
     {"kind": "department", "name": "x", "code": "x", "parent_id": 2**63},
     {"kind": "department", "name": "x", "code": "x", "sort_order": 2**31}],
)  # fmt: skip
def test_a_malformed_body_is_a_422_with_a_message(world, api, token, body):
    raw = token("county_admin", "write")
    before = state()
    response = api.post("/organisations", body, token=raw)
    assert response.status_code == 422 and response.json()["message"]
    assert state() == before


def test_a_body_that_is_not_json_is_refused_without_a_crash(world, api, token, client):
    raw = token("county_admin", "write")
    response = client.post(
        "/api/v1/organisations",
        "{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code in (400, 422)
    assert response.json()["message"]


def test_only_the_platform_administrator_creates_a_top_level_government(world, api, token):
    body = {"kind": "government", "name": "醴陵市人民政府", "code": factories.org_code()}
    assert api.post("/organisations", body, token=token("county_admin", "write")).status_code == 403
    response = api.post("/organisations", body, token=token("root", "write"))
    assert response.status_code == 201 and response.json()["parent_id"] is None


def test_the_other_countys_administrator_cannot_create_units_here(world, api, token):
    raw = token("other_admin", "write")
    before = state()
    response = api.post("/organisations", new_department(world), token=raw)
    assert response.status_code == 403
    assert state() == before


# --- changing -----------------------------------------------------------------------------------


def test_the_county_administrator_patches_a_unit(world, api, token):
    response = api.patch(
        f"/organisations/{world.unit_a.pk}",
        {"phone": "0731-24221111", "reason": "新号码"},
        token=token("county_admin", "write"),
    )
    assert response.status_code == 200 and response.json()["phone"] == "0731-24221111"
    event = AuditEvent.objects.get(verb="orgs.update_organisation")
    assert event.reason == "新号码" and event.after == {"phone": "0731-24221111"}


@pytest.mark.parametrize("persona", ["other_admin", "clerk_b"])
def test_a_patch_by_an_outsider_is_a_404(world, api, token, persona):
    response = api.patch(
        f"/organisations/{world.unit_a.pk}", {"name": "被篡改"}, token=token(persona, "write")
    )
    assert response.status_code == 404 and response.json()["message"]
    world.unit_a.refresh_from_db()
    assert world.unit_a.name == "攸县财政局"


def test_a_clerk_cannot_patch_their_own_unit(world, api, token):
    response = api.patch(
        f"/organisations/{world.unit_a.pk}", {"name": "被篡改"}, token=token("clerk_a", "write")
    )
    assert response.status_code == 404
    world.unit_a.refresh_from_db()
    assert world.unit_a.name == "攸县财政局"


def test_the_code_is_not_patchable(world, api, token):
    code = world.unit_a.code
    response = api.patch(
        f"/organisations/{world.unit_a.pk}",
        {"code": factories.org_code()},
        token=token("county_admin", "write"),
    )
    assert response.status_code == 200
    world.unit_a.refresh_from_db()
    assert world.unit_a.code == code


def test_a_bad_patch_is_a_400_and_changes_nothing(world, api, token):
    raw = token("county_admin", "write")
    before = state()
    response = api.patch(f"/organisations/{world.unit_a.pk}", {"email": "nope", "name": "新名"}, token=raw)
    assert response.status_code == 400 and "email" in response.json()["message"]
    world.unit_a.refresh_from_db()
    assert world.unit_a.name == "攸县财政局"
    assert state() == before


def test_a_top_level_government_cannot_be_patched_into_a_department(world, api, token):
    response = api.patch(
        f"/organisations/{world.county.pk}", {"kind": "department"}, token=token("root", "write")
    )
    assert response.status_code == 400
    world.county.refresh_from_db()
    assert world.county.kind == "government"
