"""The demo's 2013 letters and calls match the seed's section 四, scaled down."""

from __future__ import annotations

from collections import Counter

from gongkai.core import demo_interaction
from gongkai.interaction.models import Letter, LetterStatus
from gongkai.notifications.models import Message
from gongkai.orgs.models import OrgKind
from tests import factories


def _units(world) -> dict:
    units = {key: factories.make_org(actor=world.root, parent=world.county, name=f"攸县{key}")
             for key in ("住建局", "民政局", "教育局", "国土局", "环保局", "人社局", "交通局", "公安局", "卫生局",
                         "工商局", "水利局", "规划局", "物价局")}  # fmt: skip
    for name in ("联星街道", "网岭镇", "皇图岭镇"):
        units[name] = factories.make_org(actor=world.root, parent=world.county, name=f"攸县{name}",
                                         kind=OrgKind.TOWNSHIP)  # fmt: skip
    units["财政局"], units["教育局"] = world.unit_a, world.unit_b
    return units


def test_the_demo_year_in_proportion_and_every_valid_letter_closed_on_time(world) -> None:
    made = demo_interaction.load(units=_units(world), county=world.county, reviewer=world.reviewer,
                                 admin=world.county_admin, clerks={"财政局": world.clerk_a}, scale=0.02)  # fmt: skip
    letters = Letter.objects.filter(received_on__year=2013)
    by_kind = Counter(letters.values_list("channel__kind", flat=True))
    assert by_kind == {"mailbox": made["mailbox"], "forwarded": made["forwarded"], "hotline": made["hotline"]}
    mailbox = letters.filter(channel__kind="mailbox")
    valid = mailbox.filter(valid=True).count()
    assert valid == made["mailbox_valid"] == round(1106 * 0.02)
    assert 0.7 < valid / mailbox.count() < 0.85  # 1,106 of 1,429 in the seed
    assert 5 <= made["forwarded"] <= 6 and 19 <= made["hotline"] <= 20
    invalid = mailbox.filter(valid=False)
    assert invalid.exists() and all(letter.invalid_reason for letter in invalid)
    assert all(d.duplicate_of_id for d in invalid.filter(invalid_reason="duplicate"))
    for letter in letters.filter(valid=True):
        assert letter.status == LetterStatus.CLOSED and letter.on_time, letter.case_number
        assert letter.triaged_on >= letter.received_on and letter.replied_on >= letter.triaged_on
        if letter.clock_id:
            assert letter.replied_on <= letter.clock.due_date
    assert letters.filter(answered_on_spot=True).exists()
    published = letters.filter(published=True)
    assert published.exists() and all(letter.publish_consent for letter in published)
    for letter in published:
        assert letter.writer_name not in letter.public_body and letter.phone not in letter.public_body
    assert not Message.objects.exists()  # nobody is told about historical letters


def test_the_demo_has_the_seeds_eight_consultations_and_five_hearings(world) -> None:
    from gongkai.core import demo_interaction
    from gongkai.interaction.actions_decisions import decision_counts

    made = demo_interaction._decisions(units={}, county=world.county, admin=world.county_admin)
    assert made == {"decisions": 8, "hearings": 5}
    counts = decision_counts(2013, [world.county.pk])
    assert (counts["decisions_published"], counts["hearings"]) == (8, 5)
