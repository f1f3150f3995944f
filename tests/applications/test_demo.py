from __future__ import annotations

from collections import Counter

from django.utils import timezone

from gongkai.applications.models import Application, Status
from gongkai.core import demo_applications
from tests import factories


def test_the_demo_has_the_seeds_2013_applications_and_a_case_in_every_state(world) -> None:
    units = {key: factories.make_org(actor=world.root, parent=world.county, name=f"攸县{key}")
             for key in ("住建局", "民政局", "财政局", "国土局", "教育局", "环保局", "网岭镇")}  # fmt: skip
    made = demo_applications.load(units=units, county=world.county, reviewer=world.reviewer, clerks={})
    y2013 = Application.objects.filter(received_on__year=2013)
    assert made["2013"] == y2013.count() == 5
    assert Counter(a.channel in ("online",) for a in y2013) == {True: 3, False: 2}
    assert all(a.rule_set == "2008" and a.status == Status.CLOSED and a.on_time for a in y2013)
    assert not any(a.fees.exists() for a in y2013)
    current = Application.objects.exclude(received_on__year=2013)
    states = set(current.values_list("status", flat=True))
    assert states >= {"pending", "processing", "correction", "consulting", "fee", "review", "closed"}
    overdue = [a for a in current.filter(status="processing") if a.clock.due_date < timezone.localdate()]
    assert overdue, "one case is past its due date"


def test_the_demo_sends_nothing_to_its_made_up_applicants(world, mailoutbox) -> None:
    from gongkai.notifications.models import Message

    units = {key: factories.make_org(actor=world.root, parent=world.county, name=f"攸县{key}")
             for key in ("住建局", "民政局", "财政局", "国土局", "教育局", "环保局", "网岭镇")}  # fmt: skip
    demo_applications.load(units=units, county=world.county, reviewer=world.reviewer, clerks={})
    assert Message.objects.exists()
    assert set(Message.objects.values_list("status", flat=True)) == {"recorded"}
    assert mailoutbox == []
