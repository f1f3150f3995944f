"""Actions on organisations: who may create and change them, and what they record."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from gongkai.audit.models import AuditEvent
from gongkai.core.actions import ActionError
from gongkai.orgs import actions
from gongkai.orgs.codes import make_org_code
from gongkai.orgs.models import Organisation, OrgKind
from gongkai.orgs.policies import OrganisationPolicy
from tests import factories

REAL_ORG_CODE = "000014349"
REAL_USCC = "11341702486344515H"


def counts() -> tuple[int, int]:
    return Organisation.objects.count(), AuditEvent.objects.count()


def events(verb: str, obj) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(verb=verb, object_id=str(obj.pk)).order_by("seq"))


def new_department(actor, parent, **fields):
    fields.setdefault("code", factories.org_code())
    return actions.create_organisation(
        actor=actor,
        parent=parent,
        kind=fields.pop("kind", OrgKind.DEPARTMENT),
        name=fields.pop("name", "攸县审计局"),
        **fields,
    )


# --- creating ---------------------------------------------------------------------------------


def test_the_administrator_of_a_government_creates_a_department_below_it(world):
    org = new_department(world.county_admin, world.county, code=REAL_ORG_CODE)
    assert org.parent == world.county
    assert org.code == REAL_ORG_CODE
    assert org.path == f"{world.county.path}{org.pk}/"
    assert org.depth == 1
    assert org.is_active


def test_the_tree_path_and_depth_follow_the_parents(world):
    assert world.county.path == f"/{world.county.pk}/" and world.county.depth == 0
    assert world.unit_a.path == f"/{world.county.pk}/{world.unit_a.pk}/" and world.unit_a.depth == 1
    office = new_department(world.county_admin, world.unit_a, name="财政局办公室")
    section = new_department(world.county_admin, office, name="档案股")
    assert section.path == f"/{world.county.pk}/{world.unit_a.pk}/{office.pk}/{section.pk}/"
    assert section.depth == 3
    assert section.ancestor_ids() == [world.county.pk, world.unit_a.pk, office.pk]
    assert set(world.unit_a.descendants()) == {world.unit_a, office, section}
    assert set(world.unit_a.descendants(include_self=False)) == {office, section}


def test_an_administrator_covering_sub_units_creates_units_below_a_department(world):
    org = new_department(world.county_admin, world.unit_a, name="财政局国库股")
    assert org.parent == world.unit_a and org.depth == 2


@pytest.mark.parametrize("persona", ["clerk_a", "reviewer", "supervisor", "window", "citizen"])
def test_staff_without_the_administrator_role_cannot_create_units(world, persona):
    before = counts()
    with pytest.raises(PermissionDenied):
        new_department(getattr(world, persona), world.unit_a)
    assert counts() == before


def test_a_clerk_cannot_create_a_unit_below_their_own_unit(world):
    before = counts()
    with pytest.raises(PermissionDenied):
        new_department(world.clerk_a, world.unit_a)
    assert counts() == before


def test_the_administrator_of_another_county_cannot_create_units_in_this_one(world):
    before = counts()
    with pytest.raises(PermissionDenied):
        new_department(world.other_admin, world.county)
    assert counts() == before


def test_anonymous_and_system_actors_cannot_create_units(world):
    before = counts()
    for actor in (world.anonymous, None):
        with pytest.raises(PermissionDenied):
            new_department(actor, world.county)
    assert counts() == before


def test_only_a_platform_administrator_creates_a_top_level_government(world):
    gov = actions.create_organisation(
        actor=world.root, parent=None, kind=OrgKind.GOVERNMENT, name="醴陵市人民政府", code=REAL_USCC
    )
    assert gov.parent is None and gov.depth == 0 and gov.path == f"/{gov.pk}/"
    for persona in ("county_admin", "other_admin", "reviewer", "clerk_a"):
        before = counts()
        with pytest.raises(PermissionDenied):
            actions.create_organisation(
                actor=getattr(world, persona),
                parent=None,
                kind=OrgKind.GOVERNMENT,
                name="某县",
                code=factories.org_code(),
            )
        assert counts() == before


def test_a_top_level_organisation_must_be_a_government(world):
    before = counts()
    with pytest.raises(ActionError) as info:
        actions.create_organisation(
            actor=world.root,
            parent=None,
            kind=OrgKind.DEPARTMENT,
            name="无上级部门",
            code=factories.org_code(),
        )
    assert "kind" in info.value.message_dict
    assert counts() == before


@pytest.mark.parametrize("variant", [lambda c: c, lambda c: c[:8] + "-" + c[8], lambda c: f" {c} "])
def test_a_duplicate_code_is_refused_and_nothing_is_created(world, variant):
    before = counts()
    with pytest.raises(ActionError) as info:
        new_department(world.county_admin, world.county, code=variant(world.unit_a.code))
    assert "code" in info.value.message_dict
    assert counts() == before


def test_a_code_used_in_another_county_is_also_a_duplicate(world):
    before = counts()
    with pytest.raises(ActionError):
        new_department(world.county_admin, world.county, code=world.other_county.code)
    assert counts() == before


@pytest.mark.parametrize(
    "code",
    [
        "000014348",
        "12345678",
        "1234567890",
        "11341702486344515A",
        "1134170248634451SH",
        "abc",
        "",
        "０００01434８",
    ],
)
def test_a_malformed_code_is_refused_and_nothing_changes(world, code):
    before = counts()
    with pytest.raises(ActionError) as info:
        new_department(world.county_admin, world.county, code=code)
    assert "code" in info.value.message_dict
    assert counts() == before


def test_a_hyphenated_or_lower_case_code_is_stored_normalised(world):
    a = new_department(world.county_admin, world.county, code="00001434-9")
    b = new_department(world.county_admin, world.county, code="11341702486344515h", name="另一个单位")
    assert a.code == "000014349"
    assert b.code == REAL_USCC
    assert Organisation.objects.filter(code="000014349").count() == 1


def test_other_bad_fields_are_refused_with_their_name(world):
    before = counts()
    with pytest.raises(ActionError) as info:
        new_department(world.county_admin, world.county, email="not-an-address", kind="ministry", name="")
    assert {"email", "kind", "name"} <= set(info.value.message_dict)
    assert counts() == before


def test_unknown_fields_are_a_programming_error(world):
    with pytest.raises(TypeError):
        new_department(world.county_admin, world.county, path="/1/")


def test_creating_an_organisation_records_who_did_it_and_the_new_values(world):
    org = new_department(world.county_admin, world.county, code=REAL_ORG_CODE, phone="0731-24222000")
    [event] = events("orgs.create_organisation", org)
    assert event.actor == world.county_admin
    assert event.actor_label == "county_admin"
    assert event.organisation_id == org.pk
    assert event.before is None
    assert event.after["code"] == REAL_ORG_CODE
    assert event.after["name"] == "攸县审计局"
    assert event.after["phone"] == "0731-24222000"
    assert event.after["parent_id"] == world.county.pk


def test_no_unit_can_be_created_below_a_deactivated_one(world):
    actions.set_organisation_active(
        actor=world.county_admin, organisation=world.township, active=False, reason="撤并"
    )
    before = counts()
    for actor in (world.fresh(world.county_admin), world.root):
        with pytest.raises(ActionError):
            new_department(actor, Organisation.objects.get(pk=world.township.pk))
    assert counts() == before


# --- updating ---------------------------------------------------------------------------------


def test_the_administrator_updates_a_unit_and_only_the_changes_are_recorded(world):
    org = actions.update_organisation(
        actor=world.county_admin,
        organisation=world.unit_a,
        name="攸县财政局（国资局）",
        phone="0731-1",
        reason="更名",
    )
    org.refresh_from_db()
    assert org.name == "攸县财政局（国资局）"
    [event] = events("orgs.update_organisation", org)
    assert event.actor == world.county_admin
    assert event.before == {"name": "攸县财政局", "phone": ""}
    assert event.after == {"name": "攸县财政局（国资局）", "phone": "0731-1"}
    assert event.reason == "更名"


def test_an_update_that_changes_nothing_records_nothing(world):
    before = AuditEvent.objects.count()
    actions.update_organisation(actor=world.county_admin, organisation=world.unit_a, name=world.unit_a.name)
    assert AuditEvent.objects.count() == before


def test_the_code_cannot_change_once_set(world):
    original = world.unit_a.code
    before = counts()
    with pytest.raises(ActionError) as info:
        actions.update_organisation(
            actor=world.root, organisation=world.unit_a, code=make_org_code("76543210"), name="改名"
        )
    assert "code" in info.value.message_dict
    world.unit_a.refresh_from_db()
    assert world.unit_a.code == original
    assert world.unit_a.name == "攸县财政局"
    assert counts() == before


def test_passing_the_same_code_in_another_spelling_is_not_a_change(world):
    code = world.unit_a.code
    actions.update_organisation(
        actor=world.county_admin, organisation=world.unit_a, code=code[:8] + "-" + code[8].lower()
    )
    world.unit_a.refresh_from_db()
    assert world.unit_a.code == code


@pytest.mark.parametrize(
    "persona", ["clerk_a", "clerk_b", "reviewer", "supervisor", "other_admin", "citizen", "anonymous"]
)
def test_only_administrators_change_a_unit(world, persona):
    with pytest.raises(PermissionDenied):
        actions.update_organisation(actor=getattr(world, persona), organisation=world.unit_a, name="被篡改")
    world.unit_a.refresh_from_db()
    assert world.unit_a.name == "攸县财政局"


def test_an_invalid_update_changes_nothing(world):
    before = counts()
    with pytest.raises(ActionError) as info:
        actions.update_organisation(
            actor=world.county_admin, organisation=world.unit_a, name="新名", email="bad"
        )
    assert "email" in info.value.message_dict
    world.unit_a.refresh_from_db()
    assert world.unit_a.name == "攸县财政局"
    assert counts() == before


def test_a_top_level_government_cannot_become_a_department(world):
    with pytest.raises(ActionError):
        actions.update_organisation(actor=world.root, organisation=world.county, kind=OrgKind.DEPARTMENT)
    world.county.refresh_from_db()
    assert world.county.kind == OrgKind.GOVERNMENT


# --- deactivating -----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_deactivation_requires_a_reason(world, reason):
    before = counts()
    with pytest.raises(ActionError) as info:
        actions.set_organisation_active(
            actor=world.county_admin, organisation=world.township, active=False, reason=reason
        )
    assert "reason" in info.value.message_dict
    world.township.refresh_from_db()
    assert world.township.is_active
    assert counts() == before


def test_a_unit_with_active_units_below_cannot_be_deactivated(world):
    before = counts()
    with pytest.raises(ActionError):
        actions.set_organisation_active(
            actor=world.root, organisation=world.county, active=False, reason="撤销"
        )
    world.county.refresh_from_db()
    assert world.county.is_active
    assert counts() == before


def test_deactivating_a_leaf_unit_records_the_reason(world):
    actions.set_organisation_active(
        actor=world.county_admin, organisation=world.township, active=False, reason="乡镇撤并"
    )
    world.township.refresh_from_db()
    assert not world.township.is_active
    [event] = events("orgs.set_active", world.township)
    assert event.actor == world.county_admin
    assert (event.before, event.after, event.reason) == (
        {"is_active": True},
        {"is_active": False},
        "乡镇撤并",
    )


def test_deactivating_twice_records_one_event(world):
    for _ in range(2):
        actions.set_organisation_active(
            actor=world.county_admin, organisation=world.township, active=False, reason="撤并"
        )
    assert len(events("orgs.set_active", world.township)) == 1


def test_a_parent_can_be_deactivated_once_its_units_are(world):
    child = new_department(world.county_admin, world.township, name="网岭镇便民服务中心", kind=OrgKind.CENTRE)
    actions.set_organisation_active(actor=world.county_admin, organisation=child, active=False, reason="撤并")
    actions.set_organisation_active(
        actor=world.county_admin, organisation=world.township, active=False, reason="撤并"
    )
    world.township.refresh_from_db()
    assert not world.township.is_active


def test_the_county_administrator_still_sees_and_reactivates_a_deactivated_unit(world):
    actions.set_organisation_active(
        actor=world.county_admin, organisation=world.township, active=False, reason="撤并"
    )
    admin = world.fresh(world.county_admin)
    township = Organisation.objects.get(pk=world.township.pk)
    policy = OrganisationPolicy()
    assert policy.can(admin, "view", township) and policy.can(admin, "change", township)
    assert township in policy.visible_to(admin)
    actions.set_organisation_active(actor=admin, organisation=township, active=True, reason="恢复")
    township.refresh_from_db()
    assert township.is_active
    assert [e.after for e in events("orgs.set_active", township)] == [
        {"is_active": False},
        {"is_active": True},
    ]


def test_a_deactivated_unit_is_hidden_from_the_public_and_other_staff(world):
    actions.set_organisation_active(
        actor=world.county_admin, organisation=world.township, active=False, reason="撤并"
    )
    township = Organisation.objects.get(pk=world.township.pk)
    policy = OrganisationPolicy()
    for persona in ("anonymous", "citizen", "clerk_a", "window", "other_admin"):
        user = getattr(world, persona)
        assert not policy.can(user, "view", township), persona
        assert township not in policy.visible_to(user), persona


def test_a_unit_below_a_deactivated_one_cannot_be_reactivated(world):
    child = new_department(world.county_admin, world.township, name="网岭镇便民服务中心", kind=OrgKind.CENTRE)
    actions.set_organisation_active(actor=world.county_admin, organisation=child, active=False, reason="撤并")
    actions.set_organisation_active(
        actor=world.county_admin, organisation=world.township, active=False, reason="撤并"
    )
    with pytest.raises(ActionError):
        actions.set_organisation_active(actor=world.root, organisation=child, active=True, reason="恢复")
    child.refresh_from_db()
    assert not child.is_active


@pytest.mark.parametrize("persona", ["window", "clerk_a", "reviewer", "other_admin"])
def test_only_administrators_deactivate_a_unit(world, persona):
    with pytest.raises(PermissionDenied):
        actions.set_organisation_active(
            actor=getattr(world, persona), organisation=world.township, active=False, reason="x"
        )
    world.township.refresh_from_db()
    assert world.township.is_active
