"""The clock page for supervisors: explanation, alerts, notes, chase notices, cards; warning shares."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongkai.audit.models import AuditEvent
from gongkai.supervision.models import Card, Chase, Note, WarningRule
from tests.office import test_supervision_support as support

BASE, PERIOD = support.BASE, support.PERIOD
clocks_data = support.clocks_data

pytestmark = pytest.mark.django_db


def test_clock_page_shows_the_explanation_alerts_and_cards(world, as_, clocks_data):
    c3 = clocks_data["c3"]
    response = as_("supervisor").get(f"{BASE}/clocks/{c3.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["explanation"] and response.context["explanation"] in html.replace("<br>", "\n")
    assert [a.level for a in response.context["alerts"]] == [a.level for a in c3.alerts.all()]
    assert "逾期" in html and "Yellow card" in html
    assert (
        f'action="{BASE}/clocks/{c3.pk}/card/"' in html and f'action="{BASE}/clocks/{c3.pk}/chase/"' in html
    )
    closed = as_("supervisor").get(f"{BASE}/clocks/{clocks_data['c1'].pk}/")
    assert "/chase/" not in closed.content.decode()  # nothing to chase on a closed case


def test_supervisor_adds_a_note_chases_and_issues_a_card(world, as_, clocks_data):
    client = as_("supervisor")
    c3 = clocks_data["c3"]
    response = client.post(f"{BASE}/clocks/{c3.pk}/note/", {"text": "请说明逾期原因"})
    assert response.status_code == 302 and response["Location"] == f"{BASE}/clocks/{c3.pk}/"
    assert Note.objects.get(clock=c3).text == "请说明逾期原因"
    client.post(f"{BASE}/clocks/{c3.pk}/chase/", {"note": "请三日内办结"})
    assert Chase.objects.get(clock=c3).sent_by == world.supervisor
    client.post(f"{BASE}/clocks/{c3.pk}/card/", {"colour": "red", "reason": "严重逾期"})
    card = Card.objects.get(clock=c3, colour="red")
    assert card.organisation == world.unit_a and card.issued_by == world.supervisor
    page = client.get(f"{BASE}/clocks/{c3.pk}/").content.decode()
    assert "请说明逾期原因" in page and "请三日内办结" in page and "严重逾期" in page


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        ("card", {"colour": "yellow", "reason": "  "}, "Give the reason for the card."),
        ("card", {"colour": "green", "reason": "x"}, "Select a valid choice."),
        ("note", {"text": ""}, "Write the note."),
        ("chase", {"note": ""}, "Write the chase notice."),
    ],
)
def test_bad_input_shows_the_error_and_changes_nothing(world, as_, clocks_data, url, data, message):
    c3 = clocks_data["c3"]
    before = (Card.objects.count(), Note.objects.count(), Chase.objects.count(), AuditEvent.objects.count())
    response = as_("supervisor").post(f"{BASE}/clocks/{c3.pk}/{url}/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert (
        Card.objects.count(),
        Note.objects.count(),
        Chase.objects.count(),
        AuditEvent.objects.count(),
    ) == before


def test_chasing_a_closed_case_is_refused_with_a_message(world, as_, clocks_data):
    c1 = clocks_data["c1"]
    response = as_("supervisor").post(f"{BASE}/clocks/{c1.pk}/chase/", {"note": "催"})
    assert response.status_code == 200 and "nothing to chase" in response.content.decode()
    assert not Chase.objects.exists()


def test_withdrawing_a_card(world, as_, clocks_data):
    client = as_("supervisor")
    yellow = clocks_data["yellow"]
    empty = client.post(f"{BASE}/cards/{yellow.pk}/withdraw/", {"reason": ""})
    assert empty.status_code == 200 and "Give the reason for withdrawing the card." in empty.content.decode()
    yellow.refresh_from_db()
    assert yellow.withdrawn_on is None
    done = client.post(f"{BASE}/cards/{yellow.pk}/withdraw/", {"reason": "已整改"})
    assert done.status_code == 302 and done["Location"] == f"{BASE}/clocks/{yellow.clock_id}/"
    yellow.refresh_from_db()
    assert yellow.withdrawn_on == support.TODAY and yellow.withdrawal_reason == "已整改"
    red = clocks_data["red"]
    assert client.post(f"{BASE}/cards/{red.pk}/withdraw/", {"reason": "撤销"})["Location"] == f"{BASE}/cards/"
    again = client.get(f"{BASE}/cards/{yellow.pk}/withdraw/")
    assert "already been withdrawn" in again.content.decode()


def test_cards_page_lists_and_issues_unit_cards(world, as_, clocks_data):
    client = as_("supervisor")
    page = client.get(f"{BASE}/cards/")
    assert page.context["page"].paginator.count == 2
    response = client.post(
        f"{BASE}/cards/", {"organisation": world.unit_b.pk, "colour": "yellow", "reason": "月报迟报"}
    )
    assert response.status_code == 302
    assert Card.objects.get(organisation=world.unit_b).clock is None
    bad = client.post(f"{BASE}/cards/", {"organisation": world.unit_b.pk, "colour": "red", "reason": ""})
    assert "Give the reason for the card." in bad.content.decode()
    assert Card.objects.filter(organisation=world.unit_b).count() == 1
    assert client.get(f"{BASE}/cards/?which=active").context["page"].paginator.count == 3


def test_platform_administrator_sets_a_warning_share(world, as_, clocks_data):
    client = as_("root")
    page = client.get(f"{BASE}/warning-shares/")
    assert page.status_code == 200 and f'action="{BASE}/warning-shares/letter/"' in page.content.decode()
    bad = client.post(f"{BASE}/warning-shares/letter/", {"share": "1.5"})
    assert bad.status_code == 200 and "strictly between 0 and 1" in bad.content.decode()
    assert not WarningRule.objects.exists()
    ok = client.post(f"{BASE}/warning-shares/letter/", {"share": "0.5", "reason": "从严"})
    assert ok.status_code == 302
    assert WarningRule.objects.get(kind="letter").share == Decimal("0.5")
    assert client.post(f"{BASE}/warning-shares/nonsense/", {"share": "0.5"}).status_code == 404
