"""CSRF on every state-changing request: a POST without the token is refused and changes nothing.

Pages: every URL pattern (but the API's) is posted to, without a CSRF token, by a client that
enforces CSRF checks and is signed in as a role the access matrix lets use it; the answer must be
Django's CSRF failure (403, "The form has expired") and no audit event may be written. Django's
CSRF middleware runs before any view, so this holds for every pattern that takes a POST, and the
test would catch a view marked ``csrf_exempt``.

API: the views are CSRF-exempt because they authenticate by bearer token, which a browser never
sends on its own. A browser session can still read, so a write carried by the session cookie alone
must not act (``gongkai.api.auth.ApiCredentials`` refuses it with 401); ninja's own cookie
authentications (``django_auth``, ``APIKeyCookie``) would check CSRF themselves (ninja 1.7,
``csrf=True`` by default), but the project does not use them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from gongkai.audit.models import AuditEvent
from tests.security import matrix
from tests.security.matrix import ROLES

PATTERNS = matrix.all_patterns()
PAGES = [p for p in PATTERNS if not p.route.startswith(("api/", *matrix.GROUPED))]
API_WRITES = [p for p in PATTERNS if p.methods and p.methods[0] != "GET"]
# Who posts: the first role of this order that the matrix lets use the page; else the administrator.
PREFERENCE = ("clerk_a", "reviewer", "admin", "supervisor", "window", "citizen", "anonymous", "clerk_b")
CSRF_FAILURE_EN = "The form has expired"


@pytest.fixture(scope="module")
def sworld(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Any]:
    yield from matrix.world_for_module(django_db_blocker, str(tmp_path_factory.mktemp("csrf-media")))


def allowed_role(pattern: Any) -> str:
    outcomes = dict(zip(ROLES, matrix.MATRIX[pattern.key].split(), strict=True))
    return next((role for role in PREFERENCE if outcomes[role] == "ok"), "admin")


def enforcing_client(world: Any, role: str) -> Client:
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    user = world.root if role == "root" else world.users[role]
    if user.is_authenticated:
        client.force_login(user)
    return client


@pytest.mark.parametrize("pattern", PAGES, ids=[p.key for p in PAGES])
def test_a_post_without_the_csrf_token_is_refused(sworld: Any, db: Any, pattern: Any) -> None:
    role = allowed_role(pattern)
    client = enforcing_client(sworld, role)
    url = matrix.url_for(pattern, sworld.params) + matrix.query(pattern)
    events = AuditEvent.objects.count()
    response = client.post(url, {"reason": "x", "text": "x"})
    assert response.status_code == 403, f"POST {url} as {role}: {response.status_code}"
    assert CSRF_FAILURE_EN in response.content.decode(), f"POST {url} as {role} was refused, but not for CSRF"
    assert AuditEvent.objects.count() == events


def test_the_same_post_with_the_token_reaches_the_view(sworld: Any, db: Any) -> None:
    """The control: with the page's token the refusal above goes away (here, an item's submission)."""
    client = enforcing_client(sworld, "clerk_a")
    url = f"/office/items/{sworld.params['item']}/"
    client.get(url)
    token = client.cookies["csrftoken"].value
    events = AuditEvent.objects.count()
    response = client.post(f"{url}submit/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and AuditEvent.objects.count() == events + 1


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/logout/", "/admin/auth/group/add/"])
def test_the_django_admin_refuses_a_post_without_the_csrf_token(sworld: Any, db: Any, path: str) -> None:
    response = enforcing_client(sworld, "root").post(path, {"name": "组", "username": "root"})
    assert response.status_code == 403 and CSRF_FAILURE_EN in response.content.decode()


@pytest.mark.parametrize("pattern", API_WRITES, ids=[p.key for p in API_WRITES])
def test_an_api_write_by_session_cookie_alone_does_not_act(sworld: Any, db: Any, pattern: Any) -> None:
    client = enforcing_client(sworld, "admin")
    url = matrix.url_for(pattern, sworld.params)
    events = AuditEvent.objects.count()
    response = getattr(client, pattern.methods[0].lower())(url, "{}", content_type="application/json")
    assert response.status_code == 401, f"{pattern.key}: {response.status_code}"
    assert AuditEvent.objects.count() == events


def test_an_api_write_by_token_needs_no_csrf_token(sworld: Any, db: Any) -> None:
    """Token authentication is what the exemption is for: the write goes through."""
    client = Client(enforce_csrf_checks=True)
    events = AuditEvent.objects.count()
    response = client.post(f"/api/v1/items/{sworld.params['item']}/submit", "{}", content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {sworld.tokens['clerk_a']}")  # fmt: skip
    assert response.status_code == 200 and AuditEvent.objects.count() == events + 1


def test_an_api_write_with_a_session_and_a_valid_csrf_token_still_needs_a_token(sworld: Any, db: Any) -> None:
    client = enforcing_client(sworld, "clerk_a")
    client.get(f"/office/items/{sworld.params['item']}/")
    token = client.cookies["csrftoken"].value
    events = AuditEvent.objects.count()
    response = client.post(f"/api/v1/items/{sworld.params['item']}/submit", "{}", content_type="application/json",
                           HTTP_X_CSRFTOKEN=token)  # fmt: skip
    assert response.status_code == 401 and AuditEvent.objects.count() == events


# --- login throttling: the office and portal logins are covered in tests/accounts and tests/portal ---


def test_the_admin_login_locks_like_the_office_login(sworld: Any, db: Any, settings: Any) -> None:
    from tests.factories import PASSWORD

    client = Client()
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post("/admin/login/", {"username": "root", "password": "wrong-password-1"})
    client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
