"""The compose files and Dockerfile, checked structurally (no Docker engine runs here)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
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
LOOPBACK = "127.0.0.1"
# Compose's interpolation: $$, $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}...
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
    r"|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>[^}]*))?\})"
)


def load(name: str) -> dict[str, Any]:
    return dict(yaml.safe_load((ROOT / name).read_text()))


def interpolate(text: str, env: Mapping[str, str]) -> str:
    """`text` expanded as Docker Compose would with `env`; ValueError if a required one is unset."""

    def expand(match: re.Match[str]) -> str:
        if match["escaped"]:
            return "$"
        name = match["bare"] or match["name"]
        value, op, arg = env.get(name), match["op"] or "", match["arg"] or ""
        missing = value is None or (op.startswith(":") and value == "")
        if op.endswith("-"):
            return arg if missing else str(value)
        if op.endswith("?"):
            if missing:
                raise ValueError(f"{name} is required: {arg}")
            return str(value)
        if op.endswith("+"):
            return "" if missing else arg
        return value or ""

    return _VARIABLE.sub(expand, text)


def published_ports(service: dict[str, Any], env: Mapping[str, str]) -> list[tuple[str, str]]:
    """Each published port as (host address, host port), from the short or the long syntax."""
    result = []
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            host_ip = interpolate(str(entry.get("host_ip", "")), env)
            result.append((host_ip, interpolate(str(entry.get("published", "")), env)))
            continue
        mapping = interpolate(str(entry), env).split("/")[0]  # drop a "/tcp" suffix
        if mapping.startswith("["):  # [ipv6]:host:container
            address, _, rest = mapping[1:].partition("]:")
            result.append((address, rest.split(":")[0]))
            continue
        parts = mapping.split(":")
        # "container" and "host:container" bind every interface, like "0.0.0.0:host:container".
        host_ip = parts[0] if len(parts) == 3 else ""
        result.append((host_ip, parts[-2] if len(parts) >= 2 else parts[0]))
    return result


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
    assert published_ports(flower, {}) == [(LOOPBACK, "5555")]
    assert any(arg.startswith("--basic-auth=") for arg in command_of(flower))
    assert services["api"]["depends_on"]["redis"] == {"condition": "service_healthy"}


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_every_published_port_binds_loopback_by_default(name: str) -> None:
    """Redis (no password), Postgres, Flower and the API are reachable only from this host unless
    the operator opts in: the API with API_BIND, Flower with FLOWER_BIND."""
    services = load(name)["services"]
    published = {
        service_name: published_ports(service, {})
        for service_name, service in services.items()
        if service.get("ports")
    }
    assert published, name
    for service_name, ports in published.items():
        for host_ip, _port in ports:
            assert host_ip == LOOPBACK, f"{name}:{service_name} publishes on {host_ip or 'all'}"
    for service_name, service in services.items():
        assert service.get("network_mode") != "host", f"{name}:{service_name} skips publishing"
    # Opening up is a deliberate, per-service choice.
    assert published_ports(services["api"], {"API_BIND": "0.0.0.0"}) == [("0.0.0.0", "5000")]
    assert published_ports(services["flower"], {"FLOWER_BIND": "0.0.0.0"}) == [("0.0.0.0", "5555")]
    for service_name in ("redis", "postgres"):
        for host_ip, _port in published_ports(services[service_name], {"API_BIND": "0.0.0.0"}):
            assert host_ip == LOOPBACK, f"{name}:{service_name}"


@pytest.mark.parametrize("name", COMPOSE_FILES)
def test_flower_always_needs_a_password(name: str) -> None:
    flower = load(name)["services"]["flower"]
    [auth] = [a for a in command_of(flower) if a.startswith("--basic-auth=")]
    with pytest.raises(ValueError, match="FLOWER_PASSWORD is required"):
        interpolate(auth, {})  # compose refuses to start without it
    with pytest.raises(ValueError, match="FLOWER_PASSWORD is required"):
        interpolate(auth, {"FLOWER_PASSWORD": ""})
    user, _, password = (
        interpolate(auth, {"FLOWER_PASSWORD": "s3cret"}).split("=", 1)[1].partition(":")
    )
    assert user and password == "s3cret"
    assert interpolate(auth, {"FLOWER_USER": "ops", "FLOWER_PASSWORD": "pw"}) == (
        "--basic-auth=ops:pw"
    )


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


def test_the_port_parser_reads_every_form() -> None:
    def ports(*entries: Any) -> list[tuple[str, str]]:
        return published_ports({"ports": list(entries)}, {"BIND": "10.0.0.1"})

    assert ports("5000", "8000:5000", "0.0.0.0:8001:5000/tcp") == [
        ("", "5000"),
        ("", "8000"),
        ("0.0.0.0", "8001"),
    ]
    assert ports("${BIND:-127.0.0.1}:1:2", "${NOPE:-127.0.0.1}:3:4", "[::1]:5:6") == [
        ("10.0.0.1", "1"),
        ("127.0.0.1", "3"),
        ("::1", "5"),
    ]
    assert ports({"target": 2, "published": "1", "host_ip": "127.0.0.1"}) == [("127.0.0.1", "1")]
    assert ports({"target": 2, "published": "1"}) == [("", "1")]
    assert interpolate("$$HOME ${BIND} $BIND ${X:+set}", {"BIND": "b"}) == "$HOME b b "


def test_known_variable_rejects_typos() -> None:
    assert known_variable("BOOKAGENT_QUEUE__BACKEND")
    assert not known_variable("BOOKAGENT_QUEUE__BAKEND")
    assert not known_variable("CELERY_BROKER")
