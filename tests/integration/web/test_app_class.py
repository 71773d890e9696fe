"""The app class's per-function memory of `ensure_sync`, and sessions for cookie-less calls."""

from __future__ import annotations

import gc
from typing import Any

from flask import after_this_request
from flask.testing import FlaskClient


def test_hooks_are_remembered_and_per_request_callbacks_are_not(app: Any) -> None:
    calls: list[str] = []

    @app.get("/probe-after-this-request")
    def probe() -> str:
        @after_this_request
        def tag(response: Any) -> Any:  # a new closure on every request
            calls.append("tagged")
            response.headers["X-Probe"] = "1"
            return response

        return "ok"

    client = app.test_client()
    for _ in range(5):
        response = client.get("/probe-after-this-request")
        assert response.headers["X-Probe"] == "1"
    assert calls == ["tagged"] * 5
    gc.collect()
    remembered = list(app._plain.keys())
    endpoint = next(
        r.endpoint for r in app.url_map.iter_rules() if r.rule == "/probe-after-this-request"
    )
    assert app.view_functions[endpoint] in remembered  # the view is looked up once...
    assert not [f for f in remembered if f.__name__ == "tag"]  # ...its callbacks died with it


def test_api_calls_without_cookies_get_no_session_cookie(client: FlaskClient) -> None:
    response = client.get("/api/tasks/active")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    other = client.get("/api/tasks/active", headers={"Cookie": "unrelated=1"})
    assert other.status_code == 200
    assert "Set-Cookie" not in other.headers
