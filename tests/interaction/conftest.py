from __future__ import annotations

from typing import Any

import pytest

from gongkai.interaction import actions
from gongkai.interaction.models import Category

LETTER = {
    "writer_name": "刘建国",
    "phone": "13907331001",
    "email": "liu@example.com",
    "subject": "网岭镇罗家坪村道路破损",
    "body": "县长您好，我是刘建国，家住网岭镇罗家坪村5组12号。村里道路破损严重，雨天无法通行，请尽快维修。电话13907331001。",
    "publish_consent": True,
}


@pytest.fixture
def channels(world: Any) -> dict[str, Any]:
    make = actions.create_channel
    return {
        "mailbox": make(actor=world.county_admin, organisation=world.county, kind="mailbox", name="县长信箱"),
        "hotline": make(actor=world.county_admin, organisation=world.county, kind="hotline", name="县政府热线",
                        limit_days=5),
        "forwarded": make(actor=world.county_admin, organisation=world.county, kind="forwarded", name="市长热线转办"),
    }  # fmt: skip


@pytest.fixture
def category(db: Any) -> Category:
    return Category.objects.get(code="complaint")
