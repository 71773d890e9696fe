"""Who can reach the server: decided by the address it listens on, never by what is in the
database at the moment.

- Listening on loopback only (127.0.0.1, ::1, localhost), with no token configured, is **local
  mode**: no one signs in, and every request must come from this machine (a peer address on
  loopback, and no proxy header naming another host). Anything else is refused with 403.
- Listening beyond loopback (0.0.0.0, a LAN address, ...) always requires a token: the server
  refuses to start without one (an admin token under 32 characters is refused too), and revoking
  the last token leaves a server that answers 401, never an open one.
- Whatever the address, the Host header must name one of the trusted hosts, which defeats DNS
  rebinding against a server on this machine. The check is Werkzeug's (what Flask's
  TRUSTED_HOSTS runs), plus IPv6 literals such as [::1], which Werkzeug's cannot match.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache

from flask import Request
from werkzeug.sansio.utils import host_is_trusted

from bookagent.db.session import Database
from bookagent.domain.identity import has_tokens
from bookagent.errors import ConfigurationError
from bookagent.settings import Settings

#: Shortest admin token accepted on a server that listens beyond loopback.
MIN_ADMIN_TOKEN_CHARS = 32

LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "127.0.0.1", "[::1]")
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")
#: A DNS name is at most 253 characters; with "[", "]" and ":65535" a Host header is shorter.
MAX_HOST_CHARS = 264
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")


@lru_cache(maxsize=256)
def is_loopback(host: str) -> bool:
    """Whether `host` names only this machine (127.0.0.0/8, ::1 or localhost)."""
    host = host.strip().strip("[]").lower()
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def listens_locally(settings: Settings) -> bool:
    """Whether the server listens on loopback only (`web.host`, which `serve` sets)."""
    return is_loopback(settings.web.host)


def trusted_hosts(settings: Settings) -> list[str] | None:
    """The Host names the server answers to (None: any). See `web.trusted_hosts`."""
    configured = settings.web.trusted_hosts
    if configured is not None:
        return None if "*" in configured else list(configured)
    hosts = list(LOOPBACK_NAMES)
    bound = settings.web.host.strip().strip("[]").lower()
    if bound not in WILDCARD_ADDRESSES:
        hosts.append(f"[{bound}]" if ":" in bound else bound)
    return sorted(set(hosts), key=hosts.index)


_IPV6_HOST = re.compile(r"\[([0-9a-f:.]+)\](?::[0-9]{1,5})?")


def is_trusted_host(host_header: str, trusted: list[str]) -> bool:
    """Whether a Host header ("name[:port]") names one of `trusted` (see `web.trusted_hosts`)."""
    if len(host_header) > MAX_HOST_CHARS:
        return False
    return _is_trusted_host(host_header, tuple(trusted))


@lru_cache(maxsize=1024)  # a server sees few Host values; Werkzeug's check IDNA-encodes each name
def _is_trusted_host(host_header: str, trusted: tuple[str, ...]) -> bool:
    host_header = host_header.strip().lower()
    literal = _IPV6_HOST.fullmatch(host_header)
    if literal is not None:
        wanted = _ipv6(literal.group(1))
        return wanted is not None and any(_ipv6(ref.strip("[]")) == wanted for ref in trusted)
    return host_is_trusted(host_header, [ref for ref in trusted if not ref.startswith("[")])


def _ipv6(text: str) -> ipaddress.IPv6Address | None:
    try:
        return ipaddress.IPv6Address(text)
    except ValueError:
        return None


def is_local_request(request: Request, *, behind_proxy: bool = False) -> bool:
    """Whether a request comes from this machine: a loopback peer, relaying no other host's
    request. A proxy on this machine adds X-Forwarded-For: unless `web.proxy_count` says to trust
    it (`behind_proxy`, and then the peer address is already the one the proxy reported), a
    request relayed for another host is not local."""
    if not is_loopback(request.remote_addr or ""):
        return False
    if behind_proxy:
        return True
    for header in PROXY_HEADERS:
        value = request.headers.get(header)
        if value is not None and not _names_only_loopback(value):
            return False
    return True


def _names_only_loopback(value: str) -> bool:
    for part in value.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if "=" in part:  # Forwarded: for=...; by=...; proto=...
            key, _, part = part.partition("=")
            if key.strip().lower() != "for":
                continue
            part = part.strip().strip('"')
        host = part
        if host.startswith("["):
            host = host[1 : host.find("]")] if "]" in host else host
        elif host.count(":") == 1:
            host = host.split(":", 1)[0]
        if not is_loopback(host):
            return False
    return True


def check_listen_address(host: str, settings: Settings, database: Database) -> None:
    """Refuse to listen beyond loopback without a token, or with a short admin token."""
    if is_loopback(host):
        return
    admin_token = settings.admin_token_value
    if admin_token:
        if len(admin_token) < MIN_ADMIN_TOKEN_CHARS:
            raise ConfigurationError(
                f"Refusing to listen on {host}: BOOKAGENT_ADMIN_TOKEN is {len(admin_token)} "
                f"characters; a server reachable beyond this machine needs one of at least "
                f"{MIN_ADMIN_TOKEN_CHARS} (for example: python -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')."
            )
        return
    with database.session() as session:
        if has_tokens(session):
            return
    raise ConfigurationError(
        f"Refusing to listen on {host}: no API token is configured, so anyone who can reach this "
        "address could use the service. Set BOOKAGENT_ADMIN_TOKEN, or create a token with "
        "'bookagent tokens create --admin', or listen on 127.0.0.1."
    )


def arrived_on(request: Request, bind: str) -> bool:
    """Whether a request came in through the listening socket bound to `bind` ("host:port").

    Read from the socket gunicorn accepted it on, never from the Host header a client writes.
    """
    client_socket = request.environ.get("gunicorn.socket")
    if client_socket is None:
        return False
    try:
        local_port = client_socket.getsockname()[1]
    except (OSError, IndexError, TypeError):
        return False
    return str(local_port) == bind.rpartition(":")[2]
