"""Cold start: the API loads the vendor SDKs, matplotlib, twitter-text and Celery when first used.

Each check runs in a fresh interpreter, since this test session has long since imported them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.services import require_redis

#: Not needed to answer a first request: the LLM SDKs (a writer's first draft), matplotlib (a
#: report's first chart), twitter-text (the first post measured for X) and Celery (the Celery
#: backend only).
LAZY = ("openai", "anthropic", "matplotlib", "twitter_text", "celery", "kombu")

LOADED = "import json, sys; print(json.dumps(sorted(m for m in {lazy} if m in sys.modules)))"

SERVE_HEALTH = """
from bookagent.settings import load_settings
from bookagent.web.app import create_app
from bookagent.web.server import migrate_schema

settings = load_settings(
    data_dir={data_dir!r}, db={{"url": {url!r}}}, queue={{"backend": "thread"}}
)
migrate_schema(settings)
app = create_app(settings)
status = app.test_client().get("/api/health").status_code
app.extensions["bookagent"].close()
assert status == 200, status
"""


def loaded_after(code: str, lazy: tuple[str, ...] = LAZY) -> list[str]:
    """Which of `lazy` a fresh interpreter has imported after running `code`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOOKAGENT_", "CELERY_"))}
    env.pop("TASK_BACKEND", None)
    script = f"{code}\n{LOADED.format(lazy=lazy)}"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_importing_the_app_loads_no_vendor_sdk() -> None:
    assert loaded_after("import bookagent.web.app") == []


def test_the_thread_backend_answers_its_first_request_without_them(tmp_path: Path) -> None:
    code = SERVE_HEALTH.format(
        data_dir=str(tmp_path / "data"), url=f"sqlite:///{tmp_path / 'bookagent.db'}"
    )
    assert loaded_after(code) == []


def test_a_server_whose_schema_is_current_starts_without_alembic(tmp_path: Path) -> None:
    code = SERVE_HEALTH.format(
        data_dir=str(tmp_path / "data"), url=f"sqlite:///{tmp_path / 'bookagent.db'}"
    )
    loaded_after(code)  # creates the schema, with Alembic
    assert loaded_after(code, ("alembic", "mako")) == []


def test_the_lazy_modules_still_load_on_first_use() -> None:
    # The guard above would pass vacuously if a name were misspelled: each loads when used.
    code = (
        "from bookagent.platforms import measure\n"
        "assert measure('twitter', 'a 😀 https://example.com') == 28\n"
        "from bookagent.publishers import BlueskyPublisher\n"
        "from bookagent.reports.charts import render_charts\n"
        "from bookagent.writers.anthropic import AnthropicWriter\n"
        "from bookagent.writers.openai import OpenAIWriter\n"
        "from bookagent.queue.celery_app import make_celery\n"
    )
    assert loaded_after(code) == sorted(LAZY)


CELERY_QUEUE = """
from bookagent.bootstrap import build_services
from bookagent.settings import load_settings

settings = load_settings(
    data_dir={data_dir!r}, db={{"url": {url!r}}},
    queue={{"backend": "celery", "broker_url": {broker!r}}},
)
services = build_services(settings, start_queue=False)
queue = services.queue
queue.monitor.check_now()
assert queue.monitor.snapshot().broker_ok
queue.health()
import sys
before = sorted(m for m in ("celery", "kombu") if m in sys.modules)
assert before == [], before
assert queue.app.main  # the app, made on first use
services.close(grace_s=0)
"""


def test_the_celery_backend_loads_celery_when_it_first_needs_the_app(tmp_path: Path) -> None:
    code = CELERY_QUEUE.format(
        data_dir=str(tmp_path / "data"),
        url=f"sqlite:///{tmp_path / 'bookagent.db'}",
        broker=require_redis(),
    )
    assert loaded_after(code, ("celery", "kombu")) == ["celery", "kombu"]
