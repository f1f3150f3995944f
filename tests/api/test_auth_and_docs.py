"""API authentication, /me, the OpenAPI schema and docs, and the health check."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from gongkai.accounts.actions import create_api_token, revoke_api_token, set_user_active
from gongkai.accounts.models import ApiToken


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["message"], str) and body["message"]
    return body


# --- tokens ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    ["Bearer gk_wrong", "Bearer ", "Token gk_abc", "Basic dXNlcjpwYXNz", "gk_abc", "Bearer  "],
)
def test_a_wrong_or_malformed_token_is_a_401_with_a_message(world, api, header):
    assert_json_error(api.get("/organisations", header=header), 401)
    assert_json_error(api.get("/me", header=header), 401)


def test_a_revoked_token_is_a_401(world, api):
    token, raw = create_api_token(actor=world.clerk_a, name="x")
    assert api.get("/me", token=raw).status_code == 200
    revoke_api_token(actor=world.clerk_a, token=token)
    body = assert_json_error(api.get("/me", token=raw), 401)
    assert "revoked" in body["message"]


def test_an_expired_token_is_a_401(world, api):
    _, raw = create_api_token(actor=world.clerk_a, name="x", expires_at=timezone.now() + timedelta(hours=1))
    assert api.get("/me", token=raw).status_code == 200
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(hours=2)):
        assert_json_error(api.get("/me", token=raw), 401)


def test_the_token_of_a_deactivated_account_is_a_401(world, api):
    _, raw = create_api_token(actor=world.clerk_a, name="x")
    set_user_active(actor=world.county_admin, user=world.clerk_a, active=False, reason="离职")
    assert_json_error(api.get("/me", token=raw), 401)


def test_a_token_differing_in_one_character_is_refused(world, api):
    _, raw = create_api_token(actor=world.clerk_a, name="x")
    tampered = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert_json_error(api.get("/me", token=tampered), 401)


def test_using_a_token_records_when_it_was_last_used(world, api):
    token, raw = create_api_token(actor=world.clerk_a, name="x")
    assert token.last_used_at is None
    api.get("/me", token=raw)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_read_only_token_cannot_patch(world, api, token):
    response = api.patch(
        f"/organisations/{world.unit_a.pk}", {"name": "x"}, token=token("county_admin", "read")
    )
    assert_json_error(response, 403)
    world.unit_a.refresh_from_db()
    assert world.unit_a.name == "攸县财政局"


# --- /me -------------------------------------------------------------------------------------------


def test_me_with_a_token_returns_the_users_roles(world, api, token):
    response = api.get("/me", token=token("county_admin", "write"))
    assert response.status_code == 200
    data = response.json()
    assert data["username"] == "county_admin" and data["kind"] == "staff" and data["token_scope"] == "write"
    assert data["roles"] == [
        {
            "organisation_id": world.county.pk,
            "organisation": "攸县人民政府",
            "role": "admin",
            "covers_subunits": True,
        }
    ]


def test_me_for_a_clerk(world, api, token):
    data = api.get("/me", token=token("clerk_a")).json()
    assert data["token_scope"] == "read"
    assert data["roles"] == [
        {
            "organisation_id": world.unit_a.pk,
            "organisation": "攸县财政局",
            "role": "clerk",
            "covers_subunits": False,
        }
    ]


def test_me_with_a_browser_session(world, api, client):
    client.force_login(world.reviewer)
    data = api.get("/me").json()
    assert data["username"] == "reviewer" and data["token_scope"] is None
    assert [r["role"] for r in data["roles"]] == ["reviewer"]


def test_me_without_credentials_is_a_401(world, api):
    assert_json_error(api.get("/me"), 401)


# --- schema and docs --------------------------------------------------------------------------------


def test_the_openapi_schema_loads(db, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Gongkai API"
    for path in ("/api/v1/organisations", "/api/v1/workdays/add", "/api/v1/me"):
        assert path in schema["paths"], path
    assert any(s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values())


def test_the_schema_names_what_the_shared_authentication_and_validation_answer(db, client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "Message" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            assert "401" in answers, (method, path)  # a wrong token, on every operation
            if method == "get":
                assert {} in operation["security"], path  # reads work without a token
            else:
                assert "403" in answers and {} not in operation["security"], (method, path)  # read-only token
            assert "422" in answers, (method, path)  # malformed input


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/api/v1/items/-5"), ("get", "/api/v1/nothing/here"), ("get", "/api/v1/letters/1x%0A"),
     ("get", "/api/v1/reports/drafts/next"), ("post", "/api/v1/items/-5/publish")],
)  # fmt: skip
def test_a_path_naming_no_operation_is_a_json_404(db, method, path):
    from django.test import Client

    # Writes too, without the CSRF page: the API never reads the session cookie for a write.
    response = getattr(Client(enforce_csrf_checks=True), method)(path)
    assert assert_json_error(response, 404) == {"message": "Not found."}


def test_text_with_a_nul_character_is_a_422_on_every_database(world, api, token, client):
    """PostgreSQL cannot hold NUL (it was a 500 there); SQLite would have stored it."""
    raw = token("county_admin", "write")
    assert_json_error(api.get("/organisations", q="财政\x00"), 422)
    assert_json_error(client.get("/api/v1/services/cases/YX%00"), 422)
    before = ApiToken.objects.count(), world.county.children.count()
    body = {"kind": "department", "name": "审计局\x00", "code": "x", "parent_id": world.county.pk}
    assert_json_error(api.post("/organisations", body, token=raw), 422)
    assert (ApiToken.objects.count(), world.county.children.count()) == before
    # A backslash followed by u0000 is ordinary text.
    response = api.post("/organisations", {**body, "name": "审计局\\u0000"}, token=raw)
    assert response.status_code != 422, response.content


def test_the_docs_page_loads_and_uses_no_other_host(db, client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    body = response.content.decode()
    assert "cdn" not in body.lower()
    for attr in re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', body):
        assert not re.match(r"^(https?:)?//", attr), attr
    assert "http://" not in body and "https://" not in body
    assert "/api/v1/openapi.json" in body


def test_the_docs_page_has_no_inline_script_blocked_by_the_csp(db, client):
    body = client.get("/api/v1/docs").content.decode()
    for script in re.findall(r"<script([^>]*)>(.*?)</script>", body, re.S):
        attrs, content = script
        assert "src=" in attrs or 'type="application/json"' in attrs or not content.strip()


def test_the_docs_static_files_are_served_from_this_site(db, client):
    body = client.get("/api/v1/docs").content.decode()
    for src in re.findall(r'<script src="([^"]+)"', body):
        assert src.startswith("/static/")


# --- health -----------------------------------------------------------------------------------------


def test_healthz_reports_the_database(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["status"] == "ok" and data["database"] == "ok"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_reports_an_unreachable_database_as_503(db, client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=RuntimeError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_api_tokens_are_not_stored_in_clear(world):
    _, raw = create_api_token(actor=world.clerk_a, name="x")
    assert not ApiToken.objects.filter(key_hash=raw).exists()
    assert not ApiToken.objects.filter(prefix=raw).exists()
