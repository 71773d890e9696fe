"""`HttpClient`: the commands' one client: over HTTP to a running `bookagent serve`, or (local
mode, `bookagent.cli.local_app`) to the same Flask app built in this process.

Every failure becomes one `ClientError` line: the API's `{"error": ...}` sentence, or why the
server could not be reached. Timeouts are explicit; the slow routes get longer ones.
"""

from __future__ import annotations

import tempfile
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal
from urllib.parse import quote

import httpx

from bookagent import __version__
from bookagent.cli.client import JSON
from bookagent.cli.client import ClientError
from bookagent.cli.client import GenerateRequest
from bookagent.cli.client import PostQuery
from bookagent.cli.client import Target

if TYPE_CHECKING:
    from bookagent.cli.local_app import LocalApp

CONNECT_TIMEOUT_S = 5.0
# A little over the longest route timeout of API.md (60 s, starting the agent).
DEFAULT_TIMEOUT_S = 70.0
# A synchronous generate-posts answer may take the whole `generate_posts_s` (300 s).
GENERATE_TIMEOUT_S = 320.0


class HttpClient:
    """Calls the JSON API with httpx (a bearer token when given); every method returns API.md's
    JSON body."""

    def __init__(
        self,
        base_url: str,
        token: str | None,
        transport: httpx.BaseTransport | None = None,
        *,
        local: LocalApp | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        #: True in local mode: a task queued on the thread pool then runs inside this process,
        #: so the command must wait for it before it exits.
        self.is_local = local is not None
        #: Where the client works, for messages: the server URL, or the local database.
        self.where = "the local database" if local is not None else self.base_url
        self._local = local
        self._has_token = bool(token)
        headers = {"Accept": "application/json", "User-Agent": f"bookagent-cli/{__version__}"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            self._http = httpx.Client(
                base_url=self.base_url,
                headers=headers,
                timeout=httpx.Timeout(DEFAULT_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
                transport=transport,
            )
        except (httpx.InvalidURL, ValueError) as exc:
            raise ClientError(f"--url {base_url!r} is not a valid URL: {exc}") from None

    # -- the API -------------------------------------------------------------------------------

    def list_books(self, target: Target) -> JSON:
        return self._json("GET", "/api/books", params={"user_id": target.user_id})

    def get_book(self, book_id: str) -> JSON:
        return self._json("GET", f"/api/books/{book_id}")

    def create_book(self, fields: JSON) -> JSON:
        return self._json("POST", "/api/books", body=fields)

    def replace_book(self, book_id: str, fields: JSON) -> JSON:
        return self._json("PUT", f"/api/books/{book_id}", body=fields)

    def generate_posts(self, target: Target, request: GenerateRequest) -> JSON:
        body = {
            **_ref(target),
            "platforms": list(request.platforms),
            "count_per_platform": request.count_per_platform,
            "post_types": list(request.post_types) if request.post_types else None,
            "provider": request.provider,
            "async": request.run_async,
        }
        return self._json("POST", "/api/generate-posts", body=body, timeout_s=GENERATE_TIMEOUT_S)

    def task_status(self, task_id: str) -> JSON:
        return self._json("GET", f"/api/task-status/{task_id}")

    def active_tasks(self, target: Target) -> JSON:
        return self._json("GET", "/api/tasks/active", params={"user_id": target.user_id})

    def revoke_task(self, task_id: str, *, terminate: bool) -> JSON:
        return self._json("POST", f"/api/tasks/revoke/{task_id}", body={"terminate": terminate})

    def task_stats(self) -> JSON:
        return self._json("GET", "/api/tasks/stats")

    def list_posts(self, target: Target, query: PostQuery) -> JSON:
        params = {
            **_ref(target),
            "status": query.status,
            "platform": query.platform,
            "limit": query.limit,
        }
        return self._json("GET", "/api/posts", params=params)

    def get_post(self, post_id: str) -> JSON:
        return self._json("GET", f"/api/posts/{quote(post_id, safe='')}")

    def post_metrics(self, post_id: str) -> JSON:
        return self._json("GET", f"/api/posts/{quote(post_id, safe='')}/metrics")

    def import_metrics(self, csv_text: str) -> JSON:
        """The import's answer: `{imported, posts}`, or the 422 body itself (its `errors` list
        each bad row), for the command to show."""
        return self._json("POST", "/api/metrics/import", body={"csv": csv_text}, answers=(422,))

    def approve_post(self, target: Target, post_id: str, scheduled_time: datetime | None) -> JSON:
        body = {
            "post_id": post_id,
            "user_id": target.user_id,
            "scheduled_time": scheduled_time.isoformat() if scheduled_time else None,
        }
        return self._json("POST", "/api/approve-post", body=body)

    def set_evergreen(self, post_id: str, evergreen: bool) -> JSON:
        method = "PUT" if evergreen else "DELETE"
        return self._json(method, f"/api/posts/{quote(post_id, safe='')}/evergreen")

    def reject_post(self, target: Target, post_id: str, reason: str | None) -> JSON:
        body = {"post_id": post_id, "user_id": target.user_id, "reason": reason}
        return self._json("POST", "/api/reject-post", body=body)

    def autonomous(self, target: Target, action: Literal["start", "stop"]) -> JSON:
        return self._json("POST", f"/api/autonomous/{action}", body=_ref(target))

    def autonomous_status(self, target: Target) -> JSON:
        return self._json("GET", "/api/autonomous/status", params=_ref(target))

    def queue_weekly_report(self, target: Target, week_start: date | None) -> JSON:
        body = {**_ref(target), "week_start": week_start.isoformat() if week_start else None}
        return self._json("POST", "/api/reports/weekly", body=body)

    def report_location(self, report_id: str) -> str:
        """Where a person can read the report: its URL, or (local mode) a saved copy's path."""
        if self._local is not None:
            return str(self._save_report(report_id, self._local.reports_dir))
        return f"{self.base_url}/api/reports/{report_id}.html"

    def report_for_browser(self, report_id: str) -> str:
        """A URL a browser can open without our token: the page itself, or a saved copy."""
        if self._local is not None:
            return self._save_report(report_id, self._local.reports_dir).as_uri()
        if not self._has_token:
            return self.report_location(report_id)
        # A browser cannot send our bearer token, so it gets a saved copy of the page instead.
        folder = Path(tempfile.gettempdir()) / "bookagent-reports"
        return self._save_report(report_id, folder).as_uri()

    def close(self) -> None:
        """Release connections (and, in local mode, stop the task queue)."""
        self._http.close()
        if self._local is not None:
            self._local.close()

    def _save_report(self, report_id: str, folder: Path) -> Path:
        """Save the report's HTML page as `folder/<id>.html`; return the file's path."""
        response = self._send("GET", f"/api/reports/{report_id}.html")
        folder.mkdir(parents=True, exist_ok=True)
        path = (folder / f"{report_id}.html").resolve()
        path.write_text(response.text, encoding="utf-8")
        return path

    # -- transport -----------------------------------------------------------------------------

    def _json(
        self,
        method: str,
        path: str,
        *,
        body: JSON | None = None,
        params: dict[str, Any] | None = None,
        timeout_s: float | None = None,
        answers: tuple[int, ...] = (),
    ) -> JSON:
        """The JSON body; an error status raises ClientError, except those in `answers`."""
        response = self._send(
            method, path, body=body, params=params, timeout_s=timeout_s, answers=answers
        )
        try:
            data = response.json()
        except ValueError:
            raise ClientError(f"{method} {path}: the server did not answer JSON") from None
        if not isinstance(data, dict):
            raise ClientError(f"{method} {path}: the server answered {type(data).__name__}")
        return data

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: JSON | None = None,
        params: dict[str, Any] | None = None,
        timeout_s: float | None = None,
        answers: tuple[int, ...] = (),
    ) -> httpx.Response:
        timeout: Any = (
            httpx.USE_CLIENT_DEFAULT
            if timeout_s is None
            else httpx.Timeout(timeout_s, connect=CONNECT_TIMEOUT_S)
        )
        try:
            response = self._http.request(
                method,
                path,
                json=_drop_none(body) if body is not None else None,
                params=_drop_none(params) if params else None,
                timeout=timeout,
            )
        except httpx.ConnectError:
            raise ClientError(f"cannot reach {self.where}: is `bookagent serve` running?") from None
        except httpx.TimeoutException as exc:
            raise ClientError(
                f"{self.where} did not answer in time ({type(exc).__name__})"
            ) from None
        except httpx.HTTPError as exc:
            raise ClientError(f"request to {self.where} failed: {exc}") from None
        if response.is_error and response.status_code not in answers:
            raise ClientError(_error_line(response))
        return response


def _ref(target: Target) -> JSON:
    return {"user_id": target.user_id, "book_id": target.book_id}


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _error_line(response: httpx.Response) -> str:
    """API.md's `error` sentence (and a hint for 401), or the status when the body is not ours."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        message = str(body["error"])
    else:
        message = f"HTTP {response.status_code} {response.reason_phrase} from {response.url}"
    if response.status_code == 401:
        message += " (pass --token or set BOOKAGENT_TOKEN)"
    return " ".join(message.split())
