"""Fixtures for the dashboard: an app with auth on (an admin token), and sign-in helpers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.domain.identity import create_token
from bookagent.web.app import create_app

ADMIN_TOKEN = "dashboard-admin-token-" + "k" * 32
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@pytest.fixture
def auth_services(make_settings: Any) -> Iterator[Services]:
    """Services with a bootstrap admin token, so auth is on."""
    built = build_services(make_settings(admin_token=ADMIN_TOKEN))
    yield built
    built.close(grace_s=5)


@pytest.fixture
def auth_client(auth_services: Services) -> FlaskClient:
    """A test client of an app where auth is on."""
    app = create_app(services=auth_services)
    app.config["TESTING"] = True
    return app.test_client()


def csrf_from(client: FlaskClient, path: str = "/signin") -> str:
    """The CSRF token a page of the dashboard carries for this client's session."""
    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = _CSRF_META.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, token: str, next_path: str | None = None) -> Any:
    """Post the sign-in form with `token`."""
    form = {"token": token, "csrf_token": csrf_from(client)}
    if next_path is not None:
        form["next"] = next_path
    return client.post("/signin", data=form)


def make_token(services: Services, user_id: str | None, admin: bool = False) -> str:
    """A new API token's secret."""
    with services.db.session() as session:
        _, secret = create_token(session, user_id=user_id, is_admin=admin)
    return secret
