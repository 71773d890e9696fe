"""`/metrics`: Prometheus text with requests by route, tasks by name and state, queue depth."""

from __future__ import annotations

from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families

from tests.support.polling import wait_until


def samples(client: FlaskClient) -> dict[str, list[tuple[dict[str, str], float]]]:
    text = client.get("/metrics").get_data(as_text=True)
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def test_metrics_count_requests_tasks_and_queue_depth(client: FlaskClient) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    client.get("/api/health")
    task_id = client.post(
        "/api/tasks/diagnostics", json={"steps": 1, "step_seconds": 0}
    ).get_json()["task_id"]
    wait_until(
        lambda: client.get(f"/api/task-status/{task_id}").get_json()["status"] == "SUCCESS", 10
    )
    found = samples(client)
    requests = found["bookagent_http_requests_total"]
    assert any(
        labels["route"] == "/api/health" and labels["status"] == "200" and value >= 1
        for labels, value in requests
    )
    assert "bookagent_http_request_duration_seconds_bucket" in found
    tasks = {(labels["name"], labels["state"]): value for labels, value in found["bookagent_tasks"]}
    assert tasks[("bookagent.run_diagnostics", "SUCCESS")] == 1
    depth = {labels["backend"] for labels, _ in found["bookagent_queue_depth"]}
    assert depth == {"celery", "thread_pool"}
