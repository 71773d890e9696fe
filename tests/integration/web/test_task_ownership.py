"""A user sees and revokes only their own tasks; an admin sees and revokes all."""

from __future__ import annotations

from flask.testing import FlaskClient

from bookagent.bootstrap import Services
from bookagent.domain.identity import create_token
from tests.support.polling import wait_until


def token(services: Services, user: str | None, admin: bool = False) -> dict[str, str]:
    with services.db.session() as session:
        _, secret = create_token(session, user_id=user, is_admin=admin)
    return {"Authorization": f"Bearer {secret}"}


def test_tasks_are_scoped_to_their_user(client: FlaskClient, services: Services) -> None:
    alice, bob, admin = (
        token(services, "alice"),
        token(services, "bob"),
        token(services, None, True),
    )
    assert client.post("/api/tasks/diagnostics", json={}, headers=alice).status_code == 403
    queue = services.require_queue()
    alices = queue.submit(
        "bookagent.run_diagnostics", {"steps": 100, "step_seconds": 0.05}, user_id="alice"
    )
    assert client.get(f"/api/task-status/{alices}", headers=alice).status_code == 200
    assert client.get(f"/api/task-status/{alices}", headers=bob).status_code == 404
    assert client.post(f"/api/tasks/revoke/{alices}", json={}, headers=bob).status_code == 404
    assert client.get("/api/tasks/active", headers=bob).get_json()["count"] == 0
    assert client.get("/api/tasks/active?user_id=alice", headers=bob).status_code == 403
    wait_until(
        lambda: client.get("/api/tasks/active", headers=alice).get_json()["count"] == 1,
        5,
        what="alice's active task",
    )
    assert client.get("/api/tasks/active", headers=admin).get_json()["count"] == 1
    revoked = client.post(f"/api/tasks/revoke/{alices}", json={"terminate": True}, headers=admin)
    assert revoked.status_code == 200
    diag = client.post(
        "/api/tasks/diagnostics", json={"steps": 1, "step_seconds": 0}, headers=admin
    )
    assert diag.status_code == 202
