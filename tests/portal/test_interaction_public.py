"""The mailbox's public pages: the published Q&A (masked texts only) and the monthly statistics."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import timezone

from gongkai.interaction import actions
from gongkai.interaction.models import Category, Letter
from tests.interaction.conftest import LETTER

pytestmark = pytest.mark.django_db

REPLY = "经核实，该路段已列入今年维修计划，将于下月施工。如有疑问请联系刘建国本人电话13907331001。"
PRIVATE = ("刘建国", "13907331001", "liu@example.com")


@pytest.fixture
def channels(world: Any) -> dict[str, Any]:
    make = actions.create_channel
    return {
        "mailbox": make(actor=world.county_admin, organisation=world.county, kind="mailbox", name="县长信箱"),
        "hotline": make(
            actor=world.county_admin, organisation=world.county, kind="hotline", name="县政府热线"
        ),
    }


@pytest.fixture
def category(db: Any) -> Category:
    return Category.objects.get(code="complaint")


def page(response: Any) -> str:
    return response.content.decode()


def send_with_code(channels: Any, category: Any, **fields: Any) -> tuple[Letter, str]:
    return actions.submit_letter(
        actor=None, channel=channels["mailbox"], category=category, **{**LETTER, **fields}
    )


def send(channels: Any, category: Any, **fields: Any) -> Letter:
    return send_with_code(channels, category, **fields)[0]


def answer(world: Any, letter: Letter, *, publish: bool = True) -> Letter:
    actions.triage_letter(actor=world.reviewer, letter=letter, valid=True)
    actions.assign_letter(actor=world.reviewer, letter=letter, lead_unit=world.unit_a)
    actions.draft_letter_reply(actor=world.clerk_a, letter=letter, text=REPLY)
    actions.approve_reply(actor=world.reviewer, letter=letter, publish=publish)
    letter.refresh_from_db()
    return letter


# --- the Q&A -------------------------------------------------------------------------------------


def test_the_q_and_a_show_only_the_masked_texts(world, channels, category, en):
    letter = answer(world, send(channels, category, subject="刘建国反映网岭镇道路破损"))
    assert letter.published
    listing = en.get("/mailbox/replies/")
    html = page(listing)
    assert listing.status_code == 200 and 'name="csrfmiddlewaretoken"' not in html
    assert f'href="/mailbox/replies/{letter.pk}/"' in html and letter.public_subject in html
    assert (
        "攸县财政局" in html
        and letter.replied_on.isoformat() in html
        and letter.received_on.isoformat() in html
    )
    detail = en.get(f"/mailbox/replies/{letter.pk}/")
    html = page(detail)
    assert detail.status_code == 200 and 'name="csrfmiddlewaretoken"' not in html
    assert "村里道路破损严重" in html and "已列入今年维修计划" in html and "攸县财政局" in html
    for response in (listing, detail, en.get("/mailbox/replies/?page=1")):
        for private in PRIVATE:
            assert private not in page(response), private
    assert letter.case_number not in page(detail)


def test_unpublished_letters_are_not_shown(world, channels, category, en):
    letter = answer(world, send(channels, category), publish=False)
    pending = send(channels, category, subject="尚未办结的来信")
    no_consent = answer(world, send(channels, category, subject="不同意公开的来信", publish_consent=False),
                        publish=False)  # fmt: skip
    html = page(en.get("/mailbox/replies/"))
    assert "No letter has been published yet." in html
    for other in (letter, pending, no_consent):
        assert en.get(f"/mailbox/replies/{other.pk}/").status_code == 404


def test_a_withdrawn_q_and_a_disappears(world, channels, category, en, settings):
    settings.PORTAL_CACHE_SECONDS = 0  # cached pages may stay up to PORTAL_CACHE_SECONDS
    letter = answer(world, send(channels, category))
    assert en.get(f"/mailbox/replies/{letter.pk}/").status_code == 200
    actions.unpublish_letter(actor=world.reviewer, letter=letter, reason="含有个人信息")
    assert en.get(f"/mailbox/replies/{letter.pk}/").status_code == 404
    assert f"/mailbox/replies/{letter.pk}/" not in page(en.get("/mailbox/replies/"))


def test_the_q_and_a_are_filtered_by_channel_and_category(world, channels, category, en):
    other_category = Category.objects.exclude(pk=category.pk).filter(is_active=True).first()
    first = answer(world, send(channels, category, subject="第一封来信的主题"))
    second = answer(world, send(channels, other_category, subject="第二封来信的主题"))
    html = page(en.get(f"/mailbox/replies/?category={other_category.pk}"))
    assert second.public_subject in html and first.public_subject not in html
    html = page(en.get(f"/mailbox/replies/?channel={channels['mailbox'].pk}"))
    assert second.public_subject in html and first.public_subject in html
    html = page(en.get(f"/mailbox/replies/?channel={channels['hotline'].pk}"))
    assert first.public_subject not in html
    # Nonsense filters are ignored, never a 500.
    response = en.get("/mailbox/replies/?channel=abc&category=%00&page=zz")
    assert response.status_code == 200 and first.public_subject in page(response)


def test_the_q_and_a_are_paginated_in_a_few_queries(world, channels, category, en, settings,
                                                    django_assert_max_num_queries):  # fmt: skip
    settings.PORTAL_CACHE_SECONDS = 0
    for i in range(21):
        answer(world, send(channels, category, subject=f"第{i}封来信"))
    with django_assert_max_num_queries(5):  # channels, categories, count, the page's rows
        html = page(en.get("/mailbox/replies/"))
    assert "Page 1 of 2" in html and 'rel="next"' in html
    assert page(en.get("/mailbox/replies/?page=2")).count('href="/mailbox/replies/') >= 1


# --- statistics ----------------------------------------------------------------------------------


def test_the_statistics_of_a_small_known_set(world, channels, category, en):
    this_year, month = timezone.localdate().year, timezone.localdate().month
    a, code_a = send_with_code(channels, category)
    b, code_b = send_with_code(channels, category)
    for letter in (a, b, send(channels, category), send(channels, category)):  # four answered
        answer(world, letter)
    actions.rate_letter(actor=None, letter=a, rating="satisfied", tracking_code=code_a)
    actions.rate_letter(actor=None, letter=b, rating="not", tracking_code=code_b)
    handling = send(channels, category)  # valid, being handled: not replied
    actions.triage_letter(actor=world.reviewer, letter=handling, valid=True)
    spam = send(channels, category)  # not valid
    actions.triage_letter(actor=world.reviewer, letter=spam, valid=False, reason="spam")
    send(channels, category)  # not triaged yet
    spot, code_spot = actions.register_letter(actor=world.reviewer, channel=channels["hotline"], category=category,
                                              answered_on_spot="已告知办理地点和所需材料。", **LETTER)  # fmt: skip
    actions.rate_letter(actor=None, letter=spot, rating="basic", tracking_code=code_spot)
    last_year = date(this_year - 1, 12, 31)
    actions.register_letter(actor=world.reviewer, channel=channels["hotline"], category=category,
                            received_on=last_year, **LETTER)  # fmt: skip

    response = en.get(f"/mailbox/statistics/?year={this_year}")
    html = page(response)
    assert response.status_code == 200 and 'name="csrfmiddlewaretoken"' not in html
    assert "<caption>" in html and '<th scope="col"' in html and '<th scope="row"' in html
    assert "Valid: letters accepted at triage; spam, duplicates, abusive and out-of-scope letters" in html
    row = html.split(f'datetime="{this_year}-{month:02d}"')[1].split("</tr>")[0]
    cells = [c.split("<")[0] for c in row.split('<td class="num">')[1:]]
    # received, valid, replied, reply rate, rated, satisfaction
    # 4 answered (2 rated) + handling + spam + untriaged + a call answered on the spot (rated) = 8
    assert cells == ["8", "6", "5", "83.3%", "3", "66.7%"]
    total = html.split("<tfoot>")[1].split("</tfoot>")[0]
    assert [c.split("<")[0] for c in total.split('<td class="num">')[1:]] == cells
    html = page(en.get(f"/mailbox/statistics/?year={this_year - 1}"))
    row = html.split(f'datetime="{this_year - 1}-12"')[1].split("</tr>")[0]
    assert [c.split("<")[0] for c in row.split('<td class="num">')[1:]] == ["1", "0", "0", "—", "0", "—"]


def test_the_statistics_take_one_grouped_query_and_ignore_a_bad_year(world, channels, category, en,
                                                                     django_assert_max_num_queries):  # fmt: skip
    answer(world, send(channels, category))
    assert en.get("/mailbox/statistics/?year=abc").status_code == 200
    assert en.get("/mailbox/statistics/?year=99999999999").status_code == 200
    from gongkai.portal.views_interaction import monthly

    with django_assert_max_num_queries(1):
        data = monthly(timezone.localdate().year, [world.county.pk])
    assert sum(r.received for r in data[world.county.pk]) == 1


def test_the_public_pages_are_cached_for_anonymous_readers_and_the_forms_never(world, channels, en):
    for url in ("/mailbox/", "/mailbox/replies/", "/mailbox/statistics/"):
        assert en.get(url)["X-Page-Cache"] == "miss", url
        assert en.get(url)["X-Page-Cache"] == "hit", url
    for url in (f"/mailbox/{channels['mailbox'].pk}/write/", "/mailbox/track/", "/mailbox/done/"):
        response = en.get(url)
        assert "X-Page-Cache" not in response and response["Cache-Control"] == "private, no-store", url
