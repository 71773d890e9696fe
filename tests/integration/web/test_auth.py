"""Bearer tokens: local mode, none, wrong, another user's, admin; and the open-listen refusal."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.domain.identity import create_token
from bookagent.domain.identity import hash_token
from bookagent.errors import ConfigurationError
from bookagent.web.exposure import check_listen_address
from bookagent.web.exposure import is_loopback


def make_token(services: Services, user_id: str | None, admin: bool = False) -> str:
    with services.db.session() as session:
        _, secret = create_token(session, user_id=user_id, is_admin=admin)
    return secret


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_local_mode_needs_no_token(client: FlaskClient, book_payload: dict[str, Any]) -> None:
    assert client.post("/api/books", json=book_payload).status_code == 201


def test_once_a_token_exists_requests_need_one(client: FlaskClient, services: Services) -> None:
    make_token(services, "alice")
    response = client.get("/api/books")
    assert response.status_code == 401
    assert response.get_json()["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/books", headers=bearer("wrong-token")).status_code == 401
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200


def test_tokens_are_stored_only_as_hashes(services: Services) -> None:
    token = make_token(services, "alice")
    assert len(token) >= 32
    from sqlalchemy import select

    from bookagent.db.models import ApiToken

    with services.db.session() as session:
        stored = list(session.scalars(select(ApiToken.token_hash)))
    assert stored == [hash_token(token)]


def test_user_token_reaches_only_its_own_books(
    client: FlaskClient, services: Services, book_payload: dict[str, Any]
) -> None:
    alice, bob = make_token(services, "alice"), make_token(services, "bob")
    created = client.post(
        "/api/books", json={**book_payload, "user_id": None}, headers=bearer(alice)
    )
    assert created.status_code == 201
    book_id = created.get_json()["book"]["id"]
    assert created.get_json()["book"]["user_id"] == "alice"

    assert client.get(f"/api/books/{book_id}", headers=bearer(bob)).status_code == 404
    assert client.delete(f"/api/books/{book_id}", headers=bearer(bob)).status_code == 404
    assert client.get("/api/books", headers=bearer(bob)).get_json()["count"] == 0
    forbidden = client.post("/api/books", json=book_payload, headers=bearer(bob))
    assert forbidden.status_code == 403
    assert client.get("/api/books?user_id=alice", headers=bearer(bob)).status_code == 403


def test_admin_token_reaches_everything(
    client: FlaskClient, services: Services, book_payload: dict[str, Any]
) -> None:
    alice, admin = make_token(services, "alice"), make_token(services, None, admin=True)
    book_id = client.post("/api/books", json=book_payload, headers=bearer(alice)).get_json()[
        "book"
    ]["id"]
    assert client.get(f"/api/books/{book_id}", headers=bearer(admin)).status_code == 200
    assert client.get("/api/books", headers=bearer(admin)).get_json()["count"] == 1


def test_bootstrap_admin_token_from_settings(
    make_settings: Any, book_payload: dict[str, Any]
) -> None:
    from bookagent.bootstrap import build_services
    from bookagent.web.app import create_app

    services = build_services(make_settings(admin_token="x" * 40))
    try:
        client = create_app(services=services).test_client()
        assert client.get("/api/books").status_code == 401
        assert client.get("/api/books", headers=bearer("x" * 40)).status_code == 200
    finally:
        services.close(grace_s=1)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_addresses(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com"])
def test_non_loopback_addresses(host: str) -> None:
    assert not is_loopback(host)


def test_refuses_to_listen_openly_without_a_token(services: Services) -> None:
    with pytest.raises(ConfigurationError, match=r"Refusing to listen on 0\.0\.0\.0"):
        check_listen_address("0.0.0.0", services.settings, services.db)
    check_listen_address("127.0.0.1", services.settings, services.db)
    make_token(services, None, admin=True)
    check_listen_address("0.0.0.0", services.settings, services.db)


def test_cors_allows_the_existing_client(client: FlaskClient) -> None:
    response = client.get("/api/health", headers={"Origin": "http://localhost:3000"})
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    other = client.get("/api/health", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_cross_site_browser_posts_are_refused_even_in_local_mode(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    evil = client.post("/api/books", json=book_payload, headers={"Origin": "http://evil.example"})
    assert evil.status_code == 403 and evil.get_json()["code"] == "cross_site"
    same = client.post("/api/books", json=book_payload, headers={"Origin": "http://localhost"})
    assert same.status_code == 201
    allowed = client.post(
        "/api/books",
        json={**book_payload, "title": "Two"},
        headers={"Origin": "http://localhost:3000"},
    )
    assert allowed.status_code == 201  # the existing React client's origin
    assert client.get("/api/books", headers={"Origin": "http://evil.example"}).status_code == 200


def test_auth_answers_are_reused_for_the_cache_time(make_settings: Any) -> None:
    import time

    from bookagent.bootstrap import build_services
    from bookagent.web.app import create_app

    services = build_services(make_settings(web={"auth_cache_s": 0.5}))
    try:
        client = create_app(services=services).test_client()
        assert client.get("/api/books").status_code == 200  # local mode, now cached
        token = make_token(services, "alice")
        make_token(services, "bob")  # so revoking alice's token below does not end auth
        assert client.get("/api/books").status_code == 200  # still within the cache time
        time.sleep(0.6)
        assert client.get("/api/books").status_code == 401
        assert client.get("/api/books", headers=bearer(token)).status_code == 200
        from bookagent.domain.identity import list_tokens
        from bookagent.domain.identity import revoke_token

        with services.db.session() as session:
            alices = next(t for t in list_tokens(session) if t.user_id == "alice")
            revoke_token(session, alices.id)
        time.sleep(0.6)
        assert client.get("/api/books", headers=bearer(token)).status_code == 401
    finally:
        services.close(grace_s=0)
