"""The queue of letters: tabs with counts, filters, warnings and a constant number of queries."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gongkai.interaction import actions
from gongkai.interaction.models import Letter
from tests.office import test_interaction_support as support

channels, category = support.channels, support.category

DAY = timedelta(days=1)


def _letter(world, channels, category, n: int, days_ago: int = 0, **extra):
    data = {**support.LETTER, "subject": f"来信{n}", **extra}
    letter, _code = actions.register_letter(
        actor=world.reviewer, channel=channels["hotline"], category=category,
        received_on=timezone.localdate() - days_ago * DAY, **data,
    )  # fmt: skip
    return letter


def _tabs(page: str) -> dict[str, str]:
    nav = re.search(r'<nav aria-label="Queues".*?</nav>', page, re.S).group(0)
    return dict(re.findall(r">([^<>]+?) <span class=\"tag[^\"]*\">(\d+)</span>", nav))


def test_the_tabs_count_each_queue(world, as_, channels, category):
    new = _letter(world, channels, category, 1)
    invalid = _letter(world, channels, category, 2)
    actions.triage_letter(actor=world.reviewer, letter=invalid, valid=False, reason="spam")
    late = _letter(world, channels, category, 3, days_ago=30)
    actions.triage_letter(actor=world.reviewer, letter=late, valid=True, on=late.received_on)
    actions.assign_letter(actor=world.reviewer, letter=late, lead_unit=world.unit_a, on=late.received_on)
    actions.set_time_limit(actor=world.county_admin, channel=channels["hotline"], category=category, days=2)
    soon = _letter(world, channels, category, 4)  # 2 working days from today
    actions.triage_letter(actor=world.reviewer, letter=soon, valid=True)
    actions.assign_letter(actor=world.reviewer, letter=soon, lead_unit=world.unit_b)
    _letter(world, channels, category, 5, answered_on_spot="已当场答复。")
    page = as_("reviewer").get("/office/interaction/").content.decode()
    tabs = _tabs(page)
    assert tabs == {
        "All": "5", "To triage": "1", "To assign": "0", "Being handled": "2", "Due within 3 working days": "1",
        "Overdue": "1", "Replies to review": "0", "Closed": "1", "Not valid": "1",
    }  # fmt: skip
    overdue = as_("reviewer").get("/office/interaction/?queue=overdue").content.decode()
    assert (
        late.case_number in overdue and new.case_number not in overdue and "working days overdue" in overdue
    )
    assert 'class="tag err"' in overdue
    due_soon = as_("reviewer").get("/office/interaction/?queue=due_soon").content.decode()
    assert soon.case_number in due_soon and 'class="tag warn"' in due_soon
    # Unit A's clerk sees only their unit's letter.
    tabs = _tabs(as_("clerk_a").get("/office/interaction/").content.decode())
    assert tabs["All"] == "1" and tabs["Overdue"] == "1"


def test_the_filters(world, as_, channels, category):
    first = _letter(world, channels, category, 1, days_ago=10, body="村里的路灯坏了很久没有人修理。")
    second = _letter(world, channels, category, 2, writer_name="王小明")
    client = as_("reviewer")

    def found(query: str) -> set[str]:
        page = client.get(f"/office/interaction/?{query}").content.decode()
        return {n for n in (first.case_number, second.case_number) if n in page}

    assert found("q=路灯") == {first.case_number}
    assert found("q=王小明") == {second.case_number}
    assert found(f"q={second.case_number}") == {second.case_number}
    assert found(f"date_from={timezone.localdate().isoformat()}") == {second.case_number}
    assert found(f"channel={channels['hotline'].pk}") == {first.case_number, second.case_number}
    assert found(f"channel={channels['mailbox'].pk}") == set()
    assert found(f"category={category.pk}") == {first.case_number, second.case_number}
    assert client.get("/office/interaction/?channel=x&date_from=nope&queue=zz").status_code == 200


def test_the_list_takes_the_same_number_of_queries_for_5_or_25_rows(world, as_, channels, category):
    def grow(n: int) -> None:
        for i in range(n):
            letter = _letter(world, channels, category, i, days_ago=i % 7)
            actions.triage_letter(actor=world.reviewer, letter=letter, valid=True)
            unit = world.unit_a if i % 2 else world.unit_b
            actions.assign_letter(
                actor=world.reviewer, letter=letter, lead_unit=unit, assist_units=[world.township]
            )

    def queries(client, url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    grow(5)
    client = as_("reviewer")
    urls = ["/office/interaction/", "/office/interaction/?queue=handling&q=来信", "/office/interaction/?queue=due_soon",
            f"/office/interaction/?channel={channels['hotline'].pk}"]  # fmt: skip
    small = {url: queries(client, url) for url in urls}
    grow(20)
    page = client.get("/office/interaction/").content.decode()
    assert page.count('<th scope="row"><a href="/office/interaction/') == 25
    assert Letter.objects.count() == 25
    for url in urls:
        assert queries(client, url) == small[url], url
    # Session, user and scope included, and the letters the user's units assist (named by id so the
    # visibility filter stays indexable; tests/interaction/test_list_performance.py).
    assert small["/office/interaction/"] <= 18  # the tabs of everything: one capped count each
