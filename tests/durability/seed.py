"""Run inside the durability test's server database through ``manage.py shell -c``.

Each function prints one JSON line for the test to read. Data is made through the real actions.
"""

from __future__ import annotations

import json
from typing import Any


def _emit(data: Any) -> None:
    print("JSON:" + json.dumps(data, ensure_ascii=False))


def setup() -> None:
    """A county with one department, a hotline and a reviewer's read-write API token."""
    from gongkai.accounts.actions import create_api_token
    from gongkai.interaction.actions import create_channel
    from gongkai.orgs.models import OrgKind, Role
    from tests import factories

    root = factories.make_platform_admin("durable_root")
    county = factories.make_org(actor=root, parent=None, name="耐久县人民政府", kind=OrgKind.GOVERNMENT)
    unit = factories.make_org(actor=root, parent=county, name="耐久县财政局")
    reviewer = factories.make_staff(actor=root, organisation=county, role=Role.REVIEWER, username="durable_rv")
    channel = create_channel(actor=root, organisation=county, kind="hotline", name="县政府服务热线", limit_days=5)
    _token, raw = create_api_token(actor=reviewer, name="durability", scope="write")
    _emit({"token": raw, "channel_id": channel.pk, "unit_name": unit.name})


def _audit_problems() -> list[str]:
    """What ``gongkai audit verify`` would report: the breaks in the audit hash chain."""
    from gongkai.audit.log import verify

    return [f"event {p.seq}: {p.message}" for p in verify()]


def letters(prefix: str) -> None:
    """Every letter whose subject starts with ``prefix`` ([subject, case number]) and the audit chain."""
    from gongkai.interaction.models import Letter

    rows = Letter.objects.filter(subject__startswith=prefix).values_list("subject", "case_number")
    _emit({"letters": [list(r) for r in rows], "audit_problems": _audit_problems()})


def items(prefix: str) -> None:
    """How many disclosure items (distinct titles, clocks) carry ``prefix``; the audit chain."""
    from gongkai.disclosure.models import DisclosureItem
    from gongkai.workdays.models import Clock

    found = DisclosureItem.objects.filter(title__startswith=prefix)
    _emit({
        "items": found.count(),
        "titles": found.values("title").distinct().count(),
        "clocks": Clock.objects.filter(label__startswith=prefix).count(),
        "audit_problems": _audit_problems(),
    })  # fmt: skip


def enqueue_marks(path: str, markers: list[str], seconds: float) -> None:
    """Queue one ``tasks_for_test.mark`` per marker, in one committed transaction."""
    from django.db import transaction

    from gongkai.tasks import enqueue

    with transaction.atomic():
        for marker in markers:
            enqueue("tests.durability.tasks_for_test.mark", path=path, marker=marker, seconds=seconds)
    _emit(len(markers))


def enqueue_tasks(entries: list[list[Any]]) -> None:
    """Queue each ``[func, kwargs]`` in order, in one committed transaction."""
    from django.db import transaction

    from gongkai.tasks import enqueue

    with transaction.atomic():
        for func, kwargs in entries:
            enqueue(func, **kwargs)
    _emit(len(entries))
