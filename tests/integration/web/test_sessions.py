"""Sessions for API calls that carry no cookie."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_api_calls_without_cookies_get_no_session_cookie(client: FlaskClient) -> None:
    response = client.get("/api/tasks/active")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    other = client.get("/api/tasks/active", headers={"Cookie": "unrelated=1"})
    assert other.status_code == 200
    assert "Set-Cookie" not in other.headers
