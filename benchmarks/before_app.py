"""Baselines served by gunicorn: the original "before" route, and a bare Flask app.

Nothing of bookagent is imported here.

`create_before_app()` models the design the original summary calls "before": a Flask route that
calls `asyncio.run()` on the generation and answers when every post is written. Each request
makes one OpenAI SDK call per post (`chat.completions.create` to the same OpenAI-compatible server
ours uses, `BENCH_OPENAI_BASE_URL`) and returns the texts. `BENCH_BEFORE_MODE` says how:

- `gather` (default): the calls of one request run at once under `asyncio.gather`, so a request
  lasts one LLM latency. This is the fastest a route that blocks on its work can be, so the
  figures measured against it are a lower bound of what the background design gains;
- `sequential`: one call after the other (a `for` loop of awaits), as a generation loop over
  platforms and counts does; a request lasts N latencies.

Each `asyncio.run()` builds its own event loop, so the SDK client (whose connection pool is bound
to a loop) is made inside it, with one SSL context made once per process (no per-request TLS set
up: the URL is plain HTTP on loopback); retries are off. The route does no validation, storage or
queueing: the baseline pays only for its LLM calls.

`create_bare_app()` is the bare Flask app of the footprint benchmark: one `/api/health` route.
`create_floor_app()` adds a `/api/generate-posts` that answers 202 at once without doing anything:
the floor of the concurrency benchmark's response times (the client, gunicorn and Flask alone).
`create_imports_app()` is the bare app after importing the modules `BENCH_IMPORT_MODULES` names:
the footprint benchmark passes the third-party modules our API server holds once it answers, so
its cold start is the floor our dependencies alone set.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import ssl
from typing import Any

from flask import Flask
from flask import jsonify
from flask import request
from flask.typing import ResponseReturnValue

MODES = ("gather", "sequential")


def create_bare_app() -> Flask:
    """The thinnest Flask app that answers a health check."""
    app = Flask(__name__)

    @app.get("/api/health")
    def health() -> ResponseReturnValue:
        return jsonify({"status": "healthy"})

    return app


def create_imports_app() -> Flask:
    """The bare app, after importing every module `BENCH_IMPORT_MODULES` names (comma-separated):
    a server that loads our third-party dependencies but runs no code of ours."""
    for name in filter(None, os.environ.get("BENCH_IMPORT_MODULES", "").split(",")):
        importlib.import_module(name)
    return create_bare_app()


def create_floor_app() -> Flask:
    """The bare app with a generate route that reads the body and answers 202 at once."""
    app = create_bare_app()

    @app.post("/api/generate-posts")
    def generate_posts() -> ResponseReturnValue:
        request.get_json(silent=True)
        return jsonify({"success": True, "task_id": os.urandom(16).hex()}), 202

    return app


def create_before_app() -> Flask:
    """The "before" design: `asyncio.run()` of the whole generation inside the request."""
    import httpx2
    import openai

    base_url = os.environ["BENCH_OPENAI_BASE_URL"]
    mode = os.environ.get("BENCH_BEFORE_MODE", "gather")
    if mode not in MODES:
        raise ValueError(f"BENCH_BEFORE_MODE must be one of {MODES}, not {mode!r}")
    ssl_context = ssl.create_default_context()
    app = create_bare_app()

    async def one_post(client: openai.AsyncOpenAI, platform: str, index: int) -> str:
        completion = await client.chat.completions.create(
            model="bench",
            messages=[
                {"role": "system", "content": "You write social media posts for a book."},
                {"role": "user", "content": f"Write post {index + 1} for {platform}."},
            ],
        )
        return completion.choices[0].message.content or ""

    async def generate(platforms: list[str], count: int) -> list[str]:
        slots = [(platform, i) for platform in platforms for i in range(count)]
        async with (
            httpx2.AsyncClient(verify=ssl_context, timeout=120.0) as http,
            openai.AsyncOpenAI(
                api_key="x", base_url=base_url, max_retries=0, http_client=http
            ) as client,
        ):
            if mode == "gather":
                return list(await asyncio.gather(*(one_post(client, p, i) for p, i in slots)))
            return [await one_post(client, p, i) for p, i in slots]

    @app.post("/api/generate-posts")
    def generate_posts() -> ResponseReturnValue:
        body: dict[str, Any] = request.get_json(silent=True) or {}
        platforms = list(body.get("platforms") or ["twitter", "facebook"])
        count = int(body.get("count_per_platform") or 1)
        posts = asyncio.run(generate(platforms, count))  # the blocking call of the "before" design
        return jsonify(
            {"success": True, "posts_generated": len(posts), "posts": posts, "pid": os.getpid()}
        )

    return app
