"""Every error answers JSON in API.md's shape, with the right status."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from bookagent import errors
from bookagent.bootstrap import Services
from bookagent.web.app import create_app
from bookagent.web.errors import STATUS_BY_ERROR


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type.startswith("application/json")
    body = response.get_json()
    assert body["success"] is False
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["details"], list)
    assert "Traceback" not in body["error"]
    if code:
        assert body["code"] == code
    return dict(body)


def test_unknown_route_is_json_404(client: FlaskClient) -> None:
    assert_error(client.get("/api/nothing-here"), 404, "not_found")


def test_wrong_method_is_json_405(client: FlaskClient) -> None:
    response = client.delete("/api/health")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_wrong_content_type_is_415(client: FlaskClient) -> None:
    response = client.post("/api/books", data="title=x", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post("/api/books", data="{bad", content_type="application/json")
    body = assert_error(response, 400, "bad_request")
    assert "JSON" in body["error"]


def test_oversized_body_is_413(client: FlaskClient) -> None:
    big = '{"blurb": "' + "x" * (1024 * 1024 + 10) + '"}'
    assert_error(
        client.post("/api/books", data=big, content_type="application/json"),
        413,
        "payload_too_large",
    )


def test_validation_error_is_422_with_fields(client: FlaskClient) -> None:
    body = assert_error(client.post("/api/books", json={"title": 5}), 422, "invalid_input")
    assert any(d["field"] == "title" for d in body["details"])


@pytest.fixture
def raising_client(services: Services) -> FlaskClient:
    """An app with one extra route that raises whatever error the test names."""
    app = create_app(services=services)
    raised: dict[str, BaseException] = {}

    @app.get("/api/_raise")
    def _raise() -> Any:
        raise raised["error"]

    client = app.test_client()
    client.raised = raised  # type: ignore[attr-defined]
    return client


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (errors.NotFoundError("No book with id x."), 404, "not_found"),
        (errors.ConflictError("Post is not pending."), 409, "conflict"),
        (
            errors.InvalidInputError.for_field("count_per_platform", "must be ≤ 50"),
            422,
            "invalid_input",
        ),
        (errors.AuthenticationError(), 401, "unauthorized"),
        (errors.PermissionDeniedError(), 403, "forbidden"),
        (
            errors.BudgetExceededError(extra={"budget_status": {"spent_usd": 5}}),
            429,
            "budget_exceeded",
        ),
        (errors.ServiceUnavailableError("The broker is down."), 503, "service_unavailable"),
        (errors.OperationTimeoutError(30), 504, "timeout"),
        (errors.ProviderUnavailable("OpenAI did not answer."), 502, "provider_unavailable"),
        (RuntimeError("secret-password in a stack"), 500, "internal_error"),
    ],
)
def test_each_error_maps_to_its_status(
    raising_client: FlaskClient, error: BaseException, status: int, code: str
) -> None:
    raising_client.raised["error"] = error  # type: ignore[attr-defined]
    body = assert_error(raising_client.get("/api/_raise"), status, code)
    assert "secret-password" not in body["error"]
    if status == 504:
        assert body["error"] == "Operation timed out after 30 seconds"
        assert body["timeout_s"] == 30
    if status == 422:
        assert body["details"] == [{"field": "count_per_platform", "message": "must be ≤ 50"}]
    if status == 429:
        assert body["budget_status"] == {"spent_usd": 5}


def test_every_mapped_error_class_has_a_status() -> None:
    assert set(STATUS_BY_ERROR.values()) >= {401, 403, 404, 409, 422, 429, 502, 503, 504}


def test_success_bodies_carry_success_and_an_offset_timestamp(client: FlaskClient) -> None:
    body = client.get("/api/health").get_json()
    assert body["success"] is True
    assert body["timestamp"].endswith("+00:00")


def test_openapi_document_lists_the_routes(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/books",
        "/api/books/{book_id}",
        "/api/health",
        "/api/task-status/{task_id}",
        "/api/tasks/revoke/{task_id}",
    ):
        assert path in spec["paths"]
    assert client.get("/api/swagger").status_code in (200, 308)


def test_nul_characters_are_refused_before_they_reach_the_database(client: FlaskClient) -> None:
    # PostgreSQL text cannot hold NUL: without this check these were 500s.
    body = assert_error(
        client.post("/api/books", data='{"title": "a\\u0000b"}', content_type="application/json"),
        422,
        "invalid_input",
    )
    assert "NUL" in body["error"]
    assert_error(client.get("/api/posts?user_id=a%00b"), 422, "invalid_input")
    assert_error(client.get("/api/task-status/a%00b"), 422, "invalid_input")


def test_a_database_outage_gives_health_503_and_other_routes_503(make_settings: Any) -> None:
    from bookagent.bootstrap import build_services

    services = build_services(
        make_settings(db={"url": "postgresql+psycopg://nobody@127.0.0.1:9/x"}), start_queue=False
    )
    try:
        client = create_app(services=services).test_client()
        health = client.get("/api/health")
        assert health.status_code == 503 and health.get_json()["status"] == "unhealthy"
        assert health.get_json()["services"]["database"]["ok"] is False
        assert_error(client.get("/api/books"), 503, "service_unavailable")
    finally:
        services.close(grace_s=0)
