"""The fuzz world: the personas plus every organisation, window, service item and channel that the
importers' own template rows name, so that each template's example row imports as it stands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.fuzz.seeds import build_extras


@dataclass
class FuzzWorld:
    world: Any
    actor: Any  # the county administrator: reaches every unit of the county
    centre_staff: Any  # window staff of the county centre: imports the centre's cases

    def actor_for(self, kind: str) -> Any:
        return self.centre_staff if kind == "cases" else self.actor


@pytest.fixture
def fuzz_world(world: Any) -> FuzzWorld:
    staff = build_extras(root=world.root, county=world.county, county_admin=world.county_admin)
    return FuzzWorld(world=world, actor=world.county_admin, centre_staff=staff)
