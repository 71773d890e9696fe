"""A loopback HTTP server that speaks the OpenAI and Anthropic APIs, for testing the LLM writers.

It listens on 127.0.0.1 on a free port and answers `POST /v1/chat/completions` and
`POST /v1/messages` with bodies shaped like the vendors' documented responses and errors, so the
writers run through the real SDKs (their retries, timeouts and error classes included). It can
be told to be slow, to answer 429 (with `retry-after`) or 5xx a number of times first, to demand
an API key, and what to reply; it records every request it gets.
"""

from __future__ import annotations

import itertools
import json
import socketserver
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

DEFAULT_REPLY = "What would you keep if the sea took everything else? #BookTok"
OPENAI_PATH = "/v1/chat/completions"
ANTHROPIC_PATH = "/v1/messages"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it; header names are lower-case."""

    method: str
    path: str
    headers: Mapping[str, str]
    body: dict[str, Any]

    @property
    def api_key(self) -> str | None:
        """The key the client presented: `x-api-key`, or a bearer token (both SDKs now send one)."""
        authorization = self.headers.get("authorization", "")
        if authorization.startswith("Bearer "):
            return authorization.removeprefix("Bearer ")
        return self.headers.get("x-api-key")

    @property
    def prompt_text(self) -> str:
        """The system prompt and every message's text, joined: what the model was told."""
        parts: list[str] = []
        system = self.body.get("system")
        if isinstance(system, str):
            parts.append(system)
        for message in self.body.get("messages", []):
            content = message.get("content")
            if isinstance(content, str):
                parts.append(content)
            elif isinstance(content, list):
                parts += [block.get("text", "") for block in content if isinstance(block, dict)]
        return "\n".join(parts)


Reply = str | Callable[[RecordedRequest], str]


class FakeLLMServer:
    """The fake vendor. Its knobs are plain attributes, so a test may change them mid-way."""

    def __init__(
        self,
        *,
        reply: Reply = DEFAULT_REPLY,
        latency_s: float = 0.0,
        rate_limited: int = 0,
        retry_after: str | None = "0",
        server_errors: int = 0,
        server_error_status: int = 500,
        api_key: str | None = None,
        model: str | None = None,
        input_tokens: int = 250,
        output_tokens: int = 40,
    ) -> None:
        self.reply = reply
        self.latency_s = latency_s
        self.rate_limited = rate_limited
        self.retry_after = retry_after
        self.server_errors = server_errors
        self.server_error_status = server_error_status
        self.api_key = api_key
        self.model = model
        self.input_tokens = input_tokens
        self.output_tokens = output_tokens
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`: the Anthropic SDK's base_url."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def openai_base_url(self) -> str:
        """The OpenAI SDK's base_url, which includes the `/v1` prefix."""
        return f"{self.url}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the requests received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def start(self) -> FakeLLMServer:
        """Start serving on a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Wake slow handlers, stop serving, and wait for every handler thread to finish."""
        self._stopping.set()
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()  # joins the handler threads (block_on_close)

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _handle(self, request: RecordedRequest) -> tuple[int, dict[str, str], dict[str, Any]]:
        """Decide the answer to one request: status, extra headers and JSON body."""
        with self._lock:
            self._requests.append(request)
            number = next(self._ids)
        vendor = _vendor_for(request.path)
        if vendor is None:
            return 404, {}, {"error": {"message": f"Unknown path {request.path}"}}
        if self.latency_s and self._stopping.wait(self.latency_s):
            return 503, {}, _error_body(vendor, 503)  # shutting down; the client is gone anyway
        if self.api_key is not None and request.api_key != self.api_key:
            return 401, {}, _error_body(vendor, 401)
        with self._lock:
            if self.rate_limited > 0:
                self.rate_limited -= 1
                headers = {"retry-after": self.retry_after} if self.retry_after is not None else {}
                return 429, headers, _error_body(vendor, 429)
            if self.server_errors > 0:
                self.server_errors -= 1
                return self.server_error_status, {}, _error_body(vendor, self.server_error_status)
        text = self.reply(request) if callable(self.reply) else self.reply
        model = self.model or str(request.body.get("model", "unknown-model"))
        build = openai_chat_completion if vendor == "openai" else anthropic_message
        usage = {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens}
        return 200, {}, build(text, model=model, number=number, **usage)


def openai_chat_completion(
    text: str, *, model: str, number: int = 1, input_tokens: int = 250, output_tokens: int = 40
) -> dict[str, Any]:
    """A chat completion body: https://platform.openai.com/docs/api-reference/chat/object."""
    return {
        "id": f"chatcmpl-fake{number:06d}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": input_tokens,
            "completion_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
        },
        "system_fingerprint": "fp_fake",
    }


def anthropic_message(
    text: str, *, model: str, number: int = 1, input_tokens: int = 250, output_tokens: int = 40
) -> dict[str, Any]:
    """A Messages API body: https://docs.anthropic.com/en/api/messages."""
    return {
        "id": f"msg_fake{number:06d}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": text}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": output_tokens},
    }


@contextmanager
def fake_llm_servers() -> Iterator[Callable[..., FakeLLMServer]]:
    """Yield a function that starts a FakeLLMServer; every server started is stopped on exit."""
    servers: list[FakeLLMServer] = []

    def start(**config: Any) -> FakeLLMServer:
        server = FakeLLMServer(**config).start()
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


# Error bodies as the vendors document them:
# https://platform.openai.com/docs/guides/error-codes and https://docs.anthropic.com/en/api/errors
_OPENAI_ERRORS: Mapping[int, tuple[str, str | None, str]] = {
    401: (
        "invalid_request_error",
        "invalid_api_key",
        "Incorrect API key provided: {key}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
    ),
    429: (
        "requests",
        "rate_limit_exceeded",
        "Rate limit reached for requests. Please try again in 1s.",
    ),
    500: (
        "server_error",
        None,
        "The server had an error while processing your request. Sorry about that!",
    ),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}
_ANTHROPIC_ERRORS: Mapping[int, tuple[str, str]] = {
    401: ("authentication_error", "invalid x-api-key"),
    429: ("rate_limit_error", "Number of requests has exceeded your rate limit."),
    500: ("api_error", "Internal server error"),
    503: ("api_error", "Service unavailable"),
    529: ("overloaded_error", "Overloaded"),
}


def _error_body(vendor: str, status: int) -> dict[str, Any]:
    if vendor == "openai":
        kind, code, message = _OPENAI_ERRORS.get(status, ("server_error", None, "Error"))
        # The real API echoes a masked key; the writer must not pass even that on.
        masked = message.replace("{key}", "sk-wron***************3456")
        return {"error": {"message": masked, "type": kind, "param": None, "code": code}}
    kind, message = _ANTHROPIC_ERRORS.get(status, ("api_error", "Error"))
    return {
        "type": "error",
        "error": {"type": kind, "message": message},
        "request_id": "req_fake",
    }


def _vendor_for(path: str) -> str | None:
    if path == OPENAI_PATH:
        return "openai"
    if path == ANTHROPIC_PATH:
        return "anthropic"
    return None


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() waits for in-flight handlers: no thread outlives a test
    request_queue_size = 64  # a burst of concurrent connects must not overflow the backlog
    fake: FakeLLMServer

    def server_bind(self) -> None:
        # HTTPServer.server_bind would resolve the host's FQDN, which can stall without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out has closed its socket; writing to it fails, which is expected.
        pass


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # HTTP/1.0: one request per connection, so no handler thread idles on a kept-alive socket.
    protocol_version = "HTTP/1.0"

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        request = RecordedRequest(
            method="POST",
            path=self.path.split("?", 1)[0],
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        status, headers, payload = self.server.fake._handle(request)
        headers = {
            "x-request-id" if "chat" in request.path else "request-id": "req_fake",
            **headers,
        }
        data = json.dumps(payload).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout), which some tests provoke on purpose

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean
