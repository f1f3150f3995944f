"""The channels page: administrators list, create and set time limits per category."""

from __future__ import annotations

from gongkai.interaction.models import Channel, TimeLimit
from tests.office import test_interaction_support as support

channels, category = support.channels, support.category


def test_an_administrator_creates_a_channel_and_sets_a_time_limit(world, as_, channels, category):
    client = as_("county_admin")
    page = client.get("/office/interaction/channels/").content.decode()
    assert "县长信箱" in page and "攸县人民政府" in page
    response = client.post("/office/interaction/channels/", {
        "organisation": world.county.pk, "kind": "post", "name": "来信来访", "limit_days": "10",
    })  # fmt: skip
    assert response.status_code == 302
    assert Channel.objects.get(name="来信来访").limit_days == 10
    response = client.post("/office/interaction/channels/limits/", {
        "channel": channels["mailbox"].pk, "category": category.pk, "days": "7",
    })  # fmt: skip
    assert response.status_code == 302
    assert TimeLimit.objects.get().days == 7
    page = client.get("/office/interaction/channels/").content.decode()
    assert f"{category.name}: 7" in page


def test_bad_channel_input_is_refused(world, as_, channels, category):
    client = as_("county_admin")
    for data, message in [
        ({"organisation": world.county.pk, "kind": "post", "name": "县长信箱", "limit_days": "10"},
         "This government already has a channel of that name."),
        ({"organisation": world.other_county.pk, "kind": "post", "name": "x", "limit_days": "10"},
         "Select a valid choice."),
        ({"organisation": world.county.pk, "kind": "post", "name": "x", "limit_days": "0"},
         "Ensure this value is greater than or equal to 1."),
    ]:  # fmt: skip
        response = client.post("/office/interaction/channels/", data)
        assert response.status_code == 200 and message in response.content.decode(), data
    response = client.post("/office/interaction/channels/limits/", {"channel": channels["mailbox"].pk,
                                                                    "category": category.pk, "days": "999"})  # fmt: skip
    assert response.status_code == 200 and "Ensure this value" in response.content.decode()
    assert as_("reviewer").post("/office/interaction/channels/limits/", {}).status_code == 403
    assert not TimeLimit.objects.exists()
