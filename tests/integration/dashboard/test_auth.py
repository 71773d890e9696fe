"""Dashboard sign-in, the session cookie, and CSRF on cookie-authenticated API calls."""

from __future__ import annotations

import base64
import json
import stat
import zlib
from typing import Any

import pytest
from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.domain.identity import revoke_token
from bookagent.web.app import create_app
from bookagent.web.auth import SECRET_KEY_FILE
from bookagent.web.auth import SESSION_COOKIE_NAME
from tests.integration.dashboard.conftest import ADMIN_TOKEN
from tests.integration.dashboard.conftest import csrf_from
from tests.integration.dashboard.conftest import make_token
from tests.integration.dashboard.conftest import sign_in

PAGES = ["/", "/book", "/generate", "/approvals", "/schedule", "/tasks", "/reports", "/reports/x"]


def session_data(client: FlaskClient) -> dict[str, Any]:
    """The (signed, not encrypted) payload of the session cookie."""
    cookie = client.get_cookie(SESSION_COOKIE_NAME)
    assert cookie is not None
    value = cookie.value
    compressed = value.startswith(".")
    payload = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    return dict(json.loads(zlib.decompress(raw) if compressed else raw))


@pytest.mark.parametrize("path", PAGES)
def test_pages_redirect_to_signin_without_a_session(auth_client: FlaskClient, path: str) -> None:
    response = auth_client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/signin?next=")


def test_signin_page_renders_when_auth_is_on(auth_client: FlaskClient) -> None:
    response = auth_client.get("/signin")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'type="password"' in page and 'name="csrf_token"' in page


def test_signin_with_a_bad_token_fails(auth_client: FlaskClient) -> None:
    response = sign_in(auth_client, "not-the-token")
    assert response.status_code == 401
    assert "That token is not valid" in response.get_data(as_text=True)
    assert auth_client.get("/").status_code == 302
    assert sign_in(auth_client, "").status_code == 401


def test_signin_with_the_admin_token_works_and_returns_to_the_page(
    auth_client: FlaskClient,
) -> None:
    response = sign_in(auth_client, ADMIN_TOKEN, next_path="/approvals")
    assert response.status_code == 302
    assert response.headers["Location"] == "/approvals"
    for path in PAGES[:-1]:
        assert auth_client.get(path).status_code == 200, path
    assert "Signed in as an admin" in auth_client.get("/").get_data(as_text=True)


def test_signin_refuses_a_next_address_on_another_site(auth_client: FlaskClient) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = sign_in(auth_client, ADMIN_TOKEN, next_path=target)
        assert response.headers["Location"] == "/", target


def test_signin_form_needs_its_csrf_token(auth_client: FlaskClient) -> None:
    response = auth_client.post("/signin", data={"token": ADMIN_TOKEN})
    assert response.status_code == 403
    assert auth_client.get("/").status_code == 302


def test_the_session_cookie_is_httponly_samesite_lax_and_holds_no_token(
    auth_client: FlaskClient,
) -> None:
    sign_in(auth_client, ADMIN_TOKEN)
    cookie = auth_client.get_cookie(SESSION_COOKIE_NAME)
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert not cookie.secure  # local development is plain http
    data = session_data(auth_client)
    assert set(data) - {"_permanent"} == {"sid", "csrf"}  # a session row's id; no caller
    assert ADMIN_TOKEN not in cookie.value and ADMIN_TOKEN not in json.dumps(data)


def test_a_user_token_signs_in_as_that_user(
    auth_client: FlaskClient, auth_services: Services, book_payload: dict[str, Any]
) -> None:
    token = make_token(auth_services, "alice")
    sign_in(auth_client, token)
    assert token not in json.dumps(session_data(auth_client))
    page = auth_client.get("/book").get_data(as_text=True)
    assert "Signed in as alice" in page
    assert 'name="user_id"' not in page  # the account is the token's


def test_cookie_authenticated_api_writes_need_the_csrf_header(
    auth_client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    sign_in(auth_client, ADMIN_TOKEN)
    refused = auth_client.post("/api/books", json=book_payload)
    assert refused.status_code == 403
    assert refused.get_json()["code"] == "csrf_failed"
    forged = auth_client.post("/api/books", json=book_payload, headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    token = csrf_from(auth_client, "/")
    created = auth_client.post("/api/books", json=book_payload, headers={"X-CSRF-Token": token})
    assert created.status_code == 201
    book_id = created.get_json()["book"]["id"]
    assert auth_client.get("/api/books").get_json()["count"] == 1  # reads need no token
    assert auth_client.delete(f"/api/books/{book_id}").status_code == 403
    deleted = auth_client.delete(f"/api/books/{book_id}", headers={"X-CSRF-Token": token})
    assert deleted.status_code == 200


def test_bearer_requests_are_judged_by_the_token_alone(
    auth_client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    bearer = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert auth_client.post("/api/books", json=book_payload, headers=bearer).status_code == 201
    sign_in(auth_client, ADMIN_TOKEN)
    wrong = auth_client.get("/api/books", headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 401  # a bad bearer token is not rescued by the cookie
    assert auth_client.get("/api/books", headers=bearer).status_code == 200


def test_without_a_session_the_api_still_answers_401(auth_client: FlaskClient) -> None:
    response = auth_client.get("/api/books")
    assert response.status_code == 401
    assert "Vary" not in response.headers or "Cookie" not in response.headers["Vary"]


def test_revoking_the_token_ends_its_sessions(
    auth_client: FlaskClient, auth_services: Services
) -> None:
    token = make_token(auth_services, "alice")
    sign_in(auth_client, token)
    assert auth_client.get("/").status_code == 200
    with auth_services.db.session() as session:
        from sqlalchemy import select

        from bookagent.db.models import ApiToken

        row_id = session.scalar(select(ApiToken.id).where(ApiToken.user_id == "alice"))
        assert row_id is not None
        revoke_token(session, row_id)
    assert auth_client.get("/").status_code == 302
    assert auth_client.get("/api/books").status_code == 401


def test_signing_out_ends_the_session(auth_client: FlaskClient) -> None:
    sign_in(auth_client, ADMIN_TOKEN)
    token = csrf_from(auth_client, "/")
    response = auth_client.post("/signout", data={"csrf_token": token})
    assert response.headers["Location"] == "/signin"
    assert auth_client.get("/").status_code == 302
    assert auth_client.get("/api/books").status_code == 401


def test_the_session_key_is_shared_and_private(make_settings: Any) -> None:
    settings = make_settings(admin_token=ADMIN_TOKEN)
    first, second = build_services(settings), build_services(settings)
    try:
        one, two = create_app(services=first), create_app(services=second)
        assert one.secret_key == two.secret_key  # two workers accept each other's cookies
        key_file = settings.data_dir / SECRET_KEY_FILE
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        client_one, client_two = one.test_client(), two.test_client()
        sign_in(client_one, ADMIN_TOKEN)
        cookie = client_one.get_cookie(SESSION_COOKIE_NAME)
        assert cookie is not None
        client_two.set_cookie(SESSION_COOKIE_NAME, cookie.value)
        assert client_two.get("/").status_code == 200
    finally:
        first.close(grace_s=1)
        second.close(grace_s=1)


def test_a_configured_secret_key_wins(make_settings: Any) -> None:
    settings = make_settings(web={"secret_key": "configured-secret-key-" + "s" * 20})
    services = build_services(settings)
    try:
        assert create_app(services=services).secret_key == "configured-secret-key-" + "s" * 20
        assert not (settings.data_dir / SECRET_KEY_FILE).exists()
    finally:
        services.close(grace_s=1)


def test_local_mode_needs_no_signin(client: FlaskClient) -> None:
    assert client.get("/").status_code == 200
    assert client.get("/signin").headers["Location"] == "/"
