"""Shared fixtures: settings, real databases (SQLite and PostgreSQL), services, app and client."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine
from sqlalchemy import text

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.db import migrate
from bookagent.db.base import Base
from bookagent.settings import Settings
from bookagent.web.app import create_app
from tests.support.services import postgres_database

SettingsFactory = Callable[..., Settings]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (faster than migrating every time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrate.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A migrated PostgreSQL database of its own for this session."""
    with postgres_database() as url:
        migrate.upgrade(url)
        yield url


def truncate_all(url: str) -> None:
    """Empty every table (PostgreSQL), so each test starts clean."""
    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE TABLE {names} CASCADE"))
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    """A fresh migrated SQLite database for this test."""
    path = tmp_path / "bookagent.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def postgres_url(pg_url: str) -> str:
    """The session's PostgreSQL database, emptied for this test."""
    truncate_all(pg_url)
    return pg_url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test that uses this runs twice: on SQLite and on the real PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def make_settings(tmp_path: Path, sqlite_url: str) -> SettingsFactory:
    """Build Settings for a test: thread pool, SQLite, template writer unless overridden."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "data_dir": tmp_path / "data",
            "db": {"url": sqlite_url},
            "queue": {"backend": "thread", "thread_pool_max_workers": 4, "stats_cache_s": 0},
            "writers": {"default": "template"},
            "web": {"auth_cache_s": 0},
            # No prune task appears in the tests' task lists unless a test asks for one.
            "retention": {
                "task_rows_days": 0,
                "daily_runs_days": 0,
                "scheduler_outages_days": 0,
                "link_clicks_days": 0,
            },
            "admin_token": None,
        }
        for key, value in overrides.items():
            if isinstance(value, dict) and isinstance(values.get(key), dict):
                values[key] = {**values[key], **value}
            else:
                values[key] = value
        return Settings(**values)

    return make


@pytest.fixture
def settings(make_settings: SettingsFactory) -> Settings:
    """Default test settings."""
    return make_settings()


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """Started services for the test's settings; shut down afterwards."""
    built = build_services(settings)
    yield built
    built.close(grace_s=5)


@pytest.fixture
def app(services: Services) -> Any:
    """The Flask app on the test's services."""
    application = create_app(services=services)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app: Any) -> FlaskClient:
    """A test client for the app."""
    test_client: FlaskClient = app.test_client()
    return test_client


BOOK = {
    "user_id": "alice",
    "title": "The Lighthouse Keeper",
    "author": "A. Writer",
    "genre": "literary fiction",
    "blurb": "A keeper of a remote lighthouse finds a message in a bottle from her late husband.",
    "target_audience": "readers of quiet, character-driven fiction",
    "key_themes": ["grief", "the sea"],
    "tone": "warm, wry",
    "links": {
        "amazon": "https://www.amazon.com/dp/B000000000",
        "audible": None,
        "landing_page": "https://example.com/lighthouse",
    },
    "launch_date": "2027-03-01",
    "price": "4.99 USD",
    "quotes": ["The sea keeps what it is given, and returns what it must."],
    "reviews": [{"text": "A luminous, aching novel.", "source": "Book Review Weekly"}],
    "hashtags": ["#BookTok", "LiteraryFiction"],
    "timezone": "Europe/Berlin",
}


@pytest.fixture
def book_payload() -> dict[str, Any]:
    """A complete, valid book profile (a fresh copy for each test)."""
    import copy

    return copy.deepcopy(BOOK)
