from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.durability.stack import Stack, running_stack


@pytest.fixture(scope="module")
def stack(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Stack]:
    with running_stack(django_db_blocker) as running:
        yield running
