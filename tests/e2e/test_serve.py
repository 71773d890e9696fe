"""The real server: `bookagent serve` (gunicorn) and `python main.py` on the embedded defaults."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.processes import BIN
from tests.support.processes import base_env
from tests.support.processes import running
from tests.support.processes import wait_for_http
from tests.support.services import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> str:
    data = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = base_env(data, TASK_BACKEND="thread", PORT=str(port))
    with running([str(BIN / "bookagent"), "serve"], env, data / "serve.log") as proc:
        wait_for_http(f"http://127.0.0.1:{port}/api/health", proc=proc)
        yield f"http://127.0.0.1:{port}"


def test_health_answers_on_the_embedded_defaults(server: str) -> None:
    body = httpx.get(f"{server}/api/health").json()
    assert body["status"] == "healthy"
    assert body["services"]["database"] == {"ok": True, "backend": "sqlite"}
    assert body["task_queue_status"]["type"] == "thread_pool"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("POST", "/api/books", {"content": "x=1", "headers": {"Content-Type": "text/plain"}}, 415),
        (
            "POST",
            "/api/books",
            {"content": "{oops", "headers": {"Content-Type": "application/json"}},
            400,
        ),
        (
            "POST",
            "/api/books",
            {
                "content": "[" + "1," * 600_000 + "1]",
                "headers": {"Content-Type": "application/json"},
            },
            413,
        ),
        ("PUT", "/api/health", {}, 405),
        ("GET", "/api/nowhere", {}, 404),
        ("POST", "/api/books", {"json": {"title": ""}}, 422),
    ],
)
def test_errors_from_the_real_server_are_json(
    server: str, method: str, path: str, kwargs: dict[str, object], status: int
) -> None:
    response = httpx.request(method, f"{server}{path}", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["success"] is False


def test_serve_refuses_an_open_address_without_a_token(tmp_path: Path) -> None:
    env = base_env(tmp_path, TASK_BACKEND="thread")
    result = subprocess.run(
        [str(BIN / "bookagent"), "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Refusing to listen on 0.0.0.0" in result.stderr
    assert "Traceback" not in result.stderr


def test_python_main_py_starts_the_service(tmp_path: Path) -> None:
    port = free_port()
    env = base_env(tmp_path, TASK_BACKEND="thread", PORT=str(port))
    with running(
        [sys.executable, str(ROOT / "main.py")], env, tmp_path / "main.log", cwd=ROOT
    ) as proc:
        response = wait_for_http(f"http://127.0.0.1:{port}/api/health", proc=proc)
        assert response.status_code == 200
