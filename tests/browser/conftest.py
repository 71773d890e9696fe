"""Browser tests: Playwright drives Debian's Chromium against a live `bookagent serve`.

Chromium must be at /usr/bin/chromium (`apt-get install chromium`); Playwright's own browser
download is not used. Outside CI a missing browser or Playwright skips these tests with the
reason; in CI (`CI=true`) it fails them. Screenshots of every step go to
`test-artifacts/screenshots/`; with `BOOKAGENT_UPDATE_DOCS_IMAGES=1` two of them are also copied
to `docs/images/`.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.processes import BIN
from tests.support.processes import base_env
from tests.support.processes import running
from tests.support.processes import wait_for_http
from tests.support.services import free_port

if TYPE_CHECKING:
    from playwright.sync_api import Browser
    from playwright.sync_api import BrowserContext
    from playwright.sync_api import ConsoleMessage
    from playwright.sync_api import Page
    from playwright.sync_api import Route

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DOCS_IMAGES = ROOT / "docs" / "images"
DOCS_IMAGE_MAX_BYTES = 300 * 1024
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _unavailable(reason: str) -> None:
    """Fail in CI, skip elsewhere: a browser test that cannot run must not pass silently in CI."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: browser tests must run)")
    pytest.skip(reason)


@dataclass
class LiveServer:
    """A running `bookagent serve`, its admin token, and an API client that uses the token."""

    url: str
    admin_token: str
    data_dir: Path
    api: httpx.Client


@dataclass
class Shots:
    """Numbered screenshots of every step, in test-artifacts/screenshots/."""

    directory: Path
    taken: list[Path] = field(default_factory=list)

    def take(self, page: Page, name: str, *, full_page: bool = True) -> Path:
        """Save a screenshot of `page` as `<nn>-<name>.png`."""
        path = self.directory / f"{len(self.taken) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        self.taken.append(path)
        return path


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """Debian's Chromium, or a skip (a failure in CI) saying how to install it."""
    if not CHROMIUM.exists():
        _unavailable(f"Chromium is not installed at {CHROMIUM}: apt-get install chromium")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium_path: Path) -> Iterator[Browser]:
    """One headless Chromium for the module (its event loop must end before other tests run)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed: pip install playwright")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """`bookagent serve` (two gunicorn workers) on a free port, with an admin token."""
    data = tmp_path_factory.mktemp("dashboard")
    port = free_port()
    token = secrets.token_urlsafe(32)
    env = base_env(
        data,
        TASK_BACKEND="thread",
        PORT=str(port),
        BOOKAGENT_ADMIN_TOKEN=token,
        BOOKAGENT_QUEUE__SCHEDULER_INTERVAL_S="3600",
    )
    url = f"http://127.0.0.1:{port}"
    with running([str(BIN / "bookagent"), "serve"], env, data / "serve.log") as proc:
        wait_for_http(f"{url}/api/health", proc=proc)
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as api:
            yield LiveServer(url=url, admin_token=token, data_dir=data, api=api)


@pytest.fixture(scope="session")
def shots() -> Shots:
    """Where this session's screenshots go (emptied first)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOTS.glob("*.png"):
        old.unlink()
    return Shots(SCREENSHOTS)


@pytest.fixture
def new_context(browser: Browser, server: LiveServer) -> Iterator[Callable[..., BrowserContext]]:
    """Make browser contexts that may reach only the live server; all are closed afterwards.

    Afterwards no page may have tried to reach the network, raised a script error, or broken
    the content security policy.
    """
    made: list[BrowserContext] = []
    origin = urlsplit(server.url).netloc
    offsite_requests: list[str] = []
    script_errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        # An HTTP error answer (401 on a bad sign-in, 422 on a bad form) is logged as a failed
        # resource load: that is the page working, not a script error.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            script_errors.append(message.text)

    def block_offsite(route: Route) -> None:
        if urlsplit(route.request.url).netloc == origin or route.request.url.startswith("data:"):
            route.continue_()
        else:
            offsite_requests.append(route.request.url)
            route.abort()

    def make(**options: Any) -> BrowserContext:
        options.setdefault("viewport", {"width": 1200, "height": 900})
        context = browser.new_context(base_url=server.url, **options)
        context.set_default_timeout(20_000)
        context.route("**/*", block_offsite)
        context.on("console", console)
        context.on("weberror", lambda error: script_errors.append(str(error.error)))
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()
    assert offsite_requests == [], f"pages tried to reach the network: {offsite_requests}"
    assert script_errors == [], f"script errors: {script_errors}"


def sign_in(page: Page, token: str) -> None:
    """Sign in through the form."""
    page.goto("/signin")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/signin" not in url)


@pytest.fixture
def signed_in(new_context: Callable[..., BrowserContext], server: LiveServer) -> Page:
    """A page of a signed-in browser (desktop size)."""
    page = new_context().new_page()
    sign_in(page, server.admin_token)
    return page


def copy_to_docs(screenshot: Path, name: str) -> None:
    """Copy a screenshot into docs/images when BOOKAGENT_UPDATE_DOCS_IMAGES=1 (kept small)."""
    size = screenshot.stat().st_size
    assert size < DOCS_IMAGE_MAX_BYTES, f"{screenshot.name} is {size} bytes: too big for the docs"
    if os.environ.get("BOOKAGENT_UPDATE_DOCS_IMAGES") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(screenshot, DOCS_IMAGES / name)
