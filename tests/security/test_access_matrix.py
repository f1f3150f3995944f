"""Every URL pattern × every role gets the answer the access matrix (``matrix.MATRIX``) states.

One world (``matrix.build_world``: objects of unit_a made through the actions) is built once for
the module inside a transaction that is rolled back at the end; each test runs in a savepoint of
it, so an owner's POST that changes something is undone before the next test. Pages are asked
with GET; a pattern that answers GET with 405 is sent an empty POST (CSRF checks off, as in the
test client). API patterns are called with their own method and an empty JSON body, with each
staff role's read-write token, the citizen's session (citizens have no tokens), or nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from gongkai.audit.models import AuditEvent
from tests.security import matrix, matrix_api
from tests.security.matrix import ROLES

PATTERNS = matrix.all_patterns()
CHECKED = [p for p in PATTERNS if not p.route.startswith(matrix.GROUPED)]
API_READS = [p for p in CHECKED if p.methods == ("GET",)]


@pytest.fixture(scope="module")
def sworld(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Any]:
    yield from matrix.world_for_module(django_db_blocker, str(tmp_path_factory.mktemp("security-media")))


def test_every_url_pattern_has_an_entry() -> None:
    missing = [p.key for p in PATTERNS if p.key not in matrix.MATRIX and not p.route.startswith(matrix.GROUPED)]
    assert not missing, "URL patterns without an entry in tests/security/matrix_table.py MATRIX:\n" + "\n".join(missing)


def test_every_entry_names_a_pattern() -> None:
    keys = {p.key for p in PATTERNS}
    stale = [key for key in matrix.MATRIX if key not in keys and key not in matrix.OPTIONAL]
    assert not stale, f"entries of MATRIX without a URL pattern: {stale}"


def test_every_entry_states_every_role() -> None:
    bad = {key: row for key, row in matrix.MATRIX.items() if len(row.split()) != len(ROLES)}
    assert not bad, bad
    unknown = {c for row in matrix.MATRIX.values() for c in row.split()} - set(matrix.OUTCOMES)
    assert not unknown, unknown


def _cases() -> list[Any]:
    cases = []
    for pattern in CHECKED:
        row = matrix.MATRIX.get(pattern.key)
        for i, role in enumerate(ROLES):
            expected = row.split()[i] if row else "missing"
            marks = [pytest.mark.xfail(strict=True, reason=matrix.KNOWN_BUGS[(pattern.key, role)])] if (
                (pattern.key, role) in matrix.KNOWN_BUGS) else []  # fmt: skip
            cases.append(pytest.param(pattern, role, expected, id=f"{pattern.key} {role}", marks=marks))
    return cases


@pytest.mark.parametrize(("pattern", "role", "expected"), _cases())
def test_access(sworld: Any, db: Any, pattern: Any, role: str, expected: str) -> None:
    assert expected != "missing", f"no MATRIX entry for {pattern.key}"
    if pattern.methods:
        client, headers = matrix.api_client_for(sworld, role)
    else:
        client, headers = matrix.client_for(sworld, role), {}
    events = AuditEvent.objects.count()
    response, method = matrix.request(sworld, pattern, client, headers)
    outcome = matrix.outcome(pattern, response)
    assert outcome == expected, f"{method.upper()} {matrix.url_for(pattern, sworld.params)} as {role}: " + (
        f"{response.status_code} {response.get('Location', '')}"
    )
    if outcome not in ("ok", "elsewhere"):
        assert AuditEvent.objects.count() == events, "a refused request changed something"


@pytest.mark.parametrize("pattern", API_READS, ids=[p.key for p in API_READS])
@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("anonymous", "citizen")])
def test_api_reads_answer_the_same_by_session_as_by_token(sworld: Any, db: Any, pattern: Any, role: str) -> None:
    """The browser session of a staff user reaches exactly what that user's token reaches."""
    by_token, _ = matrix.request(sworld, pattern, *matrix.api_client_for(sworld, role))
    by_session, _ = matrix.request(sworld, pattern, matrix.client_for(sworld, role))
    assert by_session.status_code == by_token.status_code


@pytest.mark.parametrize("role", [*ROLES, "root"])
@pytest.mark.parametrize("path", matrix.ADMIN_SAMPLES)
def test_django_admin_is_for_platform_administrators_only(sworld: Any, db: Any, path: str, role: str) -> None:
    response = matrix.client_for(sworld, role).get(path)
    if role == "root":
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and "/admin/login/" in response["Location"], response.status_code


def test_the_admin_login_is_the_office_login_which_throttles(sworld: Any, db: Any) -> None:
    """Staff of the county are not Django staff; whoever opens the admin's login is sent to the
    office's, which counts failed attempts (tests/security/test_csrf.py)."""
    response = matrix.client_for(sworld, "admin").get("/admin/login/?next=/admin/auth/group/")
    assert response.status_code == 302
    assert response["Location"].startswith("/office/login/") and "next=/admin/auth/group/" in response["Location"]
    assert not sworld.users["admin"].is_staff and sworld.root.is_superuser


def test_uploads_are_not_served_from_media_without_a_check(sworld: Any, db: Any) -> None:
    """No URL serves MEDIA_ROOT directly, not even in development: a draft's attachment is not public."""
    from gongkai.disclosure.models import Attachment

    assert not any(p.route.startswith(("^media/", "media/")) for p in PATTERNS)
    path = Attachment.objects.get(pk=sworld.params["attachment"]).file.name
    assert Client().get(f"/media/{path}").status_code == 404


def _readable_by_outsiders() -> list[Any]:
    cases = []
    for pattern in CHECKED:
        row = matrix.MATRIX.get(pattern.key, "")
        outcomes = dict(zip(ROLES, row.split(), strict=False))
        for role in ("clerk_b", "window"):
            if outcomes.get(role) == "ok" and pattern.methods in ((), ("GET",)):
                cases.append(pytest.param(pattern, role, id=f"{pattern.key} {role}"))
    return cases


@pytest.mark.parametrize(("pattern", "role"), _readable_by_outsiders())
def test_what_an_outsider_may_open_shows_nothing_private_of_unit_a(
    sworld: Any, db: Any, pattern: Any, role: str
) -> None:
    """Lists, exports, feeds and searches open to another unit's clerk or the township's window
    staff name none of unit_a's unpublished records nor the personal data in them."""
    if pattern.methods:
        client, headers = matrix.api_client_for(sworld, role)
    else:
        client, headers = matrix.client_for(sworld, role), {}
    url = matrix.url_for(pattern, sworld.params) + matrix.query(pattern)
    response = client.get(url, **headers)
    if response.status_code != 200:
        return
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    leaked = [marker for marker in matrix.private_markers(sworld) if marker in text]
    assert not leaked, f"GET {url} as {role} shows {leaked}"


@pytest.mark.parametrize(("path", "marker"), [("/office/items/", "draft_title"), ("/office/applications/", "app_case"),
                                              ("/office/services/cases/", "case_number"),
                                              ("/office/records/disputes/", "dispute_reference")])  # fmt: skip
def test_the_owner_unit_sees_those_records(sworld: Any, db: Any, path: str, marker: str) -> None:
    """The control of the test above: the markers are on these pages for unit_a's clerk."""
    text = matrix.client_for(sworld, "clerk_a").get(path).content.decode()
    assert sworld.params[marker] in text


API_WRITES = [p for p in CHECKED if p.methods and p.methods[0] != "GET"]


def _api_body_cases() -> list[Any]:
    cases = []
    for pattern in API_WRITES:
        row = matrix_api.API_BODY_MATRIX.get(pattern.key)
        for i, role in enumerate(matrix_api.API_ROLES):
            expected = row.split()[i] if row else "missing"
            bug = matrix_api.API_KNOWN_BUGS.get((pattern.key, role))
            marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
            cases.append(pytest.param(pattern, role, expected, id=f"{pattern.key} {role}", marks=marks))
    return cases


def test_every_api_write_has_an_entry_with_a_body() -> None:
    missing = [p.key for p in API_WRITES if p.key not in matrix_api.API_BODY_MATRIX]
    assert not missing, missing


@pytest.mark.parametrize(("pattern", "role", "expected"), _api_body_cases())
def test_api_write_with_a_valid_body(sworld: Any, db: Any, pattern: Any, role: str, expected: str) -> None:
    import json

    client, headers = matrix.api_client_for(sworld, role)
    url = matrix.url_for(pattern, sworld.params)
    events = AuditEvent.objects.count()
    body = json.dumps(matrix_api.api_body(pattern, sworld.params))
    response = getattr(client, pattern.methods[0].lower())(url, body, content_type="application/json", **headers)
    outcome = matrix.outcome(pattern, response)
    assert outcome == expected, f"{pattern.key} as {role}: {response.status_code} {response.content[:200]!r}"
    if outcome != "ok":
        assert AuditEvent.objects.count() == events, "a refused request changed something"
