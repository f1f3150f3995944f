"""Every request and response schema has a name of its own in the OpenAPI document.

django-ninja names a component after its class: two classes of one name (a ReasonIn in two
modules) became one component, and the document described the wrong body for some operations.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from ninja import Schema

pytestmark = pytest.mark.django_db


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


def test_no_two_schema_classes_share_a_name() -> None:
    import gongkai.api.api  # noqa: F401  (every router and its schemas)

    modules: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("gongkai."):
            modules[cls.__name__].add(cls.__module__)
    shared = {name: sorted(mods) for name, mods in modules.items() if len(mods) > 1}
    assert not shared, shared


def test_the_document_describes_the_bodies_the_operations_take(client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]

    def body(path: str) -> dict:
        ref = schema["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        return components[ref.rsplit("/", 1)[1]]

    assert body("/api/v1/applications/{app_id}/discard")["required"] == ["reason"]
    assert body("/api/v1/items/{item_id}/withdraw")["required"] == ["reason"]
    assert {"mode", "instructions"} <= set(body("/api/v1/applications/{app_id}/fees")["required"])
    assert {"amount", "receipt"} <= set(body("/api/v1/services/cases/{case_number}/fee")["required"])
