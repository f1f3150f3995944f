"""API writes asked with a body that passes the operation's schema, and what each staff role gets.

``test_access_matrix.py`` asks every API write with an empty body (``MATRIX``), which the schema
refuses before the object is looked up; here the body is valid, so the refusals are the policy's.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    from tests.security.matrix import Pattern


@functools.cache
def _openapi() -> dict[str, Any]:
    """The API's OpenAPI schema, built once (it takes a while)."""
    from gongkai.api.api import api

    return api.get_openapi_schema()


def _example(schema: dict[str, Any], components: dict[str, Any], name: str = "") -> Any:
    """The smallest value of ``schema`` that validates: required properties only."""
    if "$ref" in schema:
        return _example(components[schema["$ref"].rsplit("/", 1)[-1]], components, name)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return _example(options[0], components, name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _example(props[k], components, k) for k in schema.get("required", [])}
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    fmt = schema.get("format")
    if fmt == "date":
        return timezone.localdate().isoformat()
    if fmt == "date-time":
        return timezone.now().isoformat()
    return "为安全测试填写的足够长的一段说明文字"


def api_body(pattern: Pattern, params: dict[str, Any]) -> Any:
    """A JSON body for an API write that passes the operation's schema (so the object is looked up):
    ``BODY_OVERRIDES``' (called with the world's ``params`` when it is a function), else the schema's
    smallest example."""
    import re

    if pattern.key in BODY_OVERRIDES:
        override = BODY_OVERRIDES[pattern.key]
        return override(params) if callable(override) else override
    schema = _openapi()
    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern.route)
    operation = schema["paths"][path][pattern.methods[0].lower()]
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    return {} if body is None else _example(body, schema["components"]["schemas"])


def _application_in(params: dict[str, Any]) -> dict[str, Any]:
    """An application handed in at unit_a's office two days ago."""
    submitted_on = timezone.localdate() - dt.timedelta(days=2)
    return {"organisation_id": params["org"], "channel": "in_person", "submitted_on": submitted_on.isoformat(),
            "applicant_type": "person", "applicant_name": "王五", "id_type": "resident_id",
            "id_number": "11010519491231002X", "phone": "13800000001", "email": "wangwu@example.com",
            "info_title": "2024年攸县财政局部门决算", "info_form": "electronic", "delivery": "email"}  # fmt: skip


def _service_item_in(params: dict[str, Any]) -> dict[str, Any]:
    """A second licensing item of unit_a."""
    return {"organisation_id": params["org"], "code": "CZ-002", "name": "政府采购代理机构登记", "kind": "licensing",
            "legal_basis": "《中华人民共和国政府采购法》第十九条", "statutory_limit_days": 20,
            "promised_limit_days": 5}  # fmt: skip


def _conclusion(params: dict[str, Any]) -> dict[str, Any]:
    return {"result": "maintained", "concluded_on": timezone.localdate().isoformat(), "note": "复议机关维持原决定。"}


# What an API write with a body that passes its schema (``api_body``) gets from each staff role with
# its read-write token, in the order of API_ROLES (anonymous callers and citizens get 401 on every
# write: see MATRIX). Here the object is looked up, so the outsiders' refusals are the policy's.
API_ROLES = ("clerk_b", "clerk_a", "reviewer", "supervisor", "window", "admin")
# Bodies the schema's smallest example does not give: an enum the schema states only in words, a
# string longer than a field allows, or (where two schemas share a name in the OpenAPI document) a
# body of the other schema. A function is called with the world's ``params``.
BODY_OVERRIDES: dict[str, Any] = {
    # Every field of the patch is optional: an empty one changes nothing; a name change is refused.
    "PATCH api/v1/services/items/<int:item_id>": {"name": "改名"},
    "POST api/v1/items/<int:item_id>/withdraw": {"reason": "该文件已被新文件替代，停止公开。"},
    "POST api/v1/applications": _application_in,
    "POST api/v1/applications/<int:app_id>/discard": {"reason": "与已登记的申请重复。"},
    "POST api/v1/applications/<int:app_id>/return-draft": {"reason": "法律依据引用有误，请修改后重新提交。"},
    "POST api/v1/applications/<int:app_id>/fees": {"mode": "per_page", "pages": 300,
                                                   "instructions": "请通过银行转账缴纳信息处理费。"},
    "POST api/v1/letters/<int:letter_id>/rate": {"rating": "satisfied", "note": "回访时来信人表示满意。"},
    "POST api/v1/services/items": _service_item_in,
    "POST api/v1/services/cases/<case_number>/complete": {"result": "approved",
                                                           "certificate_number": "攸财许〔2026〕1号"},
    "POST api/v1/records/disputes/<int:case_id>/conclude": _conclusion,
}
API_BODY_MATRIX: dict[str, str] = {
    #   clerk_b   clerk_a   reviewer  supervisor window    admin
    "POST api/v1/organisations":
        "400       400       400       400       400       400",
    "PATCH api/v1/organisations/<org_id>":
        "404       404       404       404       404       ok",
    "POST api/v1/items":
        "403       403       ok        403       403       ok",
    "PATCH api/v1/items/<int:item_id>":
        "404       ok        ok        403       404       ok",
    "POST api/v1/items/<int:item_id>/submit":
        "404       ok        ok        403       404       ok",
    "POST api/v1/items/<int:item_id>/publish":
        "404       403       ok        403       404       ok",
    # The published item (``url_for``); withdrawing is the reviewers' power.
    "POST api/v1/items/<int:item_id>/withdraw":
        "404       403       ok        403       404       ok",
    "POST api/v1/items/<int:item_id>/validity":
        "404       403       400       403       404       400",
    "POST api/v1/applications":
        "403       ok        ok        403       403       ok",
    "POST api/v1/applications/<int:app_id>/confirm":
        "404       400       400       403       404       400",
    # The application is received and awaits its fee: only a submission awaiting confirmation is discarded.
    "POST api/v1/applications/<int:app_id>/discard":
        "404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/forward":
        "404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/correction":
        "404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/correction-received":
        "404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/consultations":
        "404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/consultations/<int:consultation_id>/answer":
        "404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/extend":
        "404       400       ok        403       404       ok",
    "POST api/v1/applications/<int:app_id>/later-date":
        "404       403       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/assign":
        "404       ok        ok        403       404       ok",
    "POST api/v1/applications/<int:app_id>/draft":
        "404       400       400       400       404       400",
    # No draft reply awaits the office head: the application awaits its fee.
    "POST api/v1/applications/<int:app_id>/return-draft":
        "404       403       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/reply":
        "404       400       400       400       404       400",
    # The application already awaits the fee of its notice: a second one is refused.
    "POST api/v1/applications/<int:app_id>/fees":
        "404       400       400       403       404       400",
    "POST api/v1/applications/<int:app_id>/fees/<int:fee_id>/payment":
        "404       ok        ok        403       404       ok",
    "POST api/v1/applications/<int:app_id>/fees/<int:fee_id>/waiver":
        "404       ok        ok        403       404       ok",
    "POST api/v1/applications/<int:app_id>/withdraw":
        "404       ok        ok        403       404       ok",
    "POST api/v1/applications/<int:app_id>/delivery":
        "404       400       400       403       404       400",
    "POST api/v1/letters":
        "400       400       400       400       400       400",
    "POST api/v1/letters/<int:letter_id>/triage":
        "404       403       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/assign":
        "404       403       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/return":
        "404       400       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/draft":
        "404       400       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/send-back":
        "404       403       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/approve":
        "404       403       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/chase":
        "404       403       400       403       404       400",
    # The county's mailbox handles the letter; unit_a only drafted the reply.
    "POST api/v1/letters/<int:letter_id>/rate":
        "404       403       ok        403       404       ok",
    "POST api/v1/letters/<int:letter_id>/reopen":
        "404       403       400       403       404       400",
    "POST api/v1/letters/<int:letter_id>/publish":
        "404       403       ok        403       404       ok",
    "POST api/v1/letters/<int:letter_id>/unpublish":
        "404       403       ok        403       404       ok",
    "POST api/v1/decisions":
        "403       403       ok        403       403       ok",
    "POST api/v1/decisions/<int:decision_id>/open":
        "404       403       400       404       404       400",
    "POST api/v1/decisions/<int:decision_id>/close":
        "404       403       400       404       404       400",
    "POST api/v1/decisions/<int:decision_id>/feedback":
        "404       403       400       404       404       400",
    "POST api/v1/decisions/<int:decision_id>/comments":
        "404       ok        ok        404       404       ok",
    "POST api/v1/decisions/comments/<int:comment_id>/moderate":
        "404       403       ok        404       404       ok",
    "POST api/v1/decisions/hearings":
        "403       403       ok        403       403       ok",
    "POST api/v1/decisions/hearings/<int:hearing_id>/record":
        "404       ok        ok        404       404       ok",
    "POST api/v1/services/items":
        "403       ok        ok        403       403       ok",
    "PATCH api/v1/services/items/<int:item_id>":
        "403       ok        ok        403       403       ok",
    "POST api/v1/services/cases":
        "403       403       403       403       403       403",
    "POST api/v1/services/cases/<case_number>/accept":
        "404       403       403       403       404       403",
    "POST api/v1/services/cases/<case_number>/reject":
        "404       403       403       403       404       403",
    "POST api/v1/services/cases/<case_number>/fee":
        "404       403       403       403       404       403",
    # Only window staff of the centre or of unit_a process cases: none of API_ROLES is one.
    "POST api/v1/services/cases/<case_number>/complete":
        "404       403       403       403       404       403",
    "POST api/v1/reports/drafts":
        "400       400       400       400       400       400",
    "PATCH api/v1/reports/drafts/<int:draft_id>/narrative":
        "404       400       400       403       404       400",
    "POST api/v1/reports/drafts/<int:draft_id>/review":
        "404       403       400       403       404       400",
    "POST api/v1/reports/drafts/<int:draft_id>/reopen":
        "404       403       ok        403       404       ok",
    "POST api/v1/reports/drafts/<int:draft_id>/publish":
        "404       403       400       403       404       400",
    "POST api/v1/records/disputes":
        "400       400       400       400       400       400",
    "POST api/v1/records/disputes/<int:case_id>/conclude":
        "404       ok        ok        403       404       ok",
    "PUT api/v1/records/figures/<code>/<int:year>/staff":
        "403       ok        ok        403       403       ok",
    "PUT api/v1/records/figures/<code>/<int:year>/spending":
        "403       ok        ok        403       403       ok",
    "PUT api/v1/records/figures/<code>/<int:year>/decisions/<kind>":
        "403       ok        ok        403       403       ok",
    "POST api/v1/records/rooms":
        "400       400       400       400       400       400",
    "POST api/v1/records/rooms/<int:room_id>/visits":
        "404       ok        ok        403       404       ok",
}

API_KNOWN_BUGS: dict[tuple[str, str], str] = {}
