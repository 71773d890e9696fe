"""The compose files and Dockerfile, checked structurally (no Docker engine runs here)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bookagent.cli import cli
from bookagent.settings import LEGACY_ENV
from bookagent.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILES = ["docker-compose.dev.yml", "docker-compose.yml"]


def load(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / name).read_text()))


def command_of(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else list(command)


def known_variable(name: str) -> bool:
    """Whether Settings reads this variable (a legacy name or a BOOKAGENT_ path that exists)."""
    if name in LEGACY_ENV:
        return True
    if not name.startswith("BOOKAGENT_"):
        return False
    path = name[len("BOOKAGENT_") :].lower().split("__")
    model: Any = Settings
    for part in path:
        fields = getattr(model, "model_fields", {})
        if part not in fields:
            return False
        model = fields[part].annotation
    return True


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_services_and_their_commands_exist(name: str) -> None:
    services = load(name)["services"]
    assert {"redis", "postgres", "api", "worker", "beat", "flower"} <= set(services)
    runner = CliRunner()
    for service_name in ("api", "worker", "beat"):
        argv = command_of(services[service_name])
        if argv[:1] == ["python"]:
            assert (ROOT / argv[1]).exists(), argv
            continue
        assert argv[0] == "bookagent", argv
        result = runner.invoke(
            cli, [*argv[1:3], "--help"] if argv[1] == "db" else [argv[1], "--help"]
        )
        assert result.exit_code == 0, (argv, result.output)
        for option in [a.split("=")[0] for a in argv[2:] if a.startswith("--")]:
            assert option in result.output, (argv, option)


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_every_environment_variable_is_read_by_settings(name: str) -> None:
    services = load(name)["services"]
    for service_name in ("api", "worker", "beat"):
        env = services[service_name]["environment"]
        assert env["TASK_BACKEND"] == "celery"
        for variable in env:
            assert known_variable(variable), f"{name}:{service_name}: {variable} is not read"


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_health_checks_and_monitoring_profile(name: str) -> None:
    services = load(name)["services"]
    for service_name in ("redis", "postgres", "api"):
        assert "test" in services[service_name]["healthcheck"], service_name
    flower = services["flower"]
    assert flower["profiles"] == ["monitoring"]
    assert "5555:5555" in flower["ports"]
    assert any(arg.startswith("--basic-auth=") for arg in command_of(flower))
    assert services["api"]["depends_on"]["redis"] == {"condition": "service_healthy"}


def test_production_file_restarts_and_scales_workers() -> None:
    services = load("docker-compose.yml")["services"]
    for service_name in ("redis", "postgres", "api", "worker", "beat"):
        assert services[service_name]["restart"] == "unless-stopped", service_name
    worker = services["worker"]
    assert "container_name" not in worker and "ports" not in worker  # --scale worker=N works
    assert "healthcheck" in worker
    assert command_of(services["migrate"]) == ["bookagent", "db", "upgrade"]


def test_dockerfile_serves_the_package() -> None:
    text = (ROOT / "Dockerfile.dev").read_text()
    assert "pip install -c requirements.lock" in text
    assert 'CMD ["bookagent", "serve"' in text
    assert "HEALTHCHECK" in text


def test_known_variable_rejects_typos() -> None:
    assert known_variable("BOOKAGENT_QUEUE__BACKEND")
    assert not known_variable("BOOKAGENT_QUEUE__BAKEND")
    assert not known_variable("CELERY_BROKER")
