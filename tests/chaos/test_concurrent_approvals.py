"""Fifty clients approve the same post at the same instant, over real HTTP, against a live server:
the claim is a conditional update, so exactly one wins and the other 49 get 409."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.chaos.conftest import ADMIN_TOKEN
from tests.chaos.conftest import Api
from tests.chaos.conftest import ChaosServer
from tests.conftest import BOOK

CLIENTS = 50


def test_fifty_concurrent_approvals_of_one_post_have_exactly_one_winner(
    serve: Callable[..., ChaosServer],
    api_for: Callable[[str], Api],
    postgres_url: str,
    measure: Callable[..., None],
) -> None:
    # 2 processes x 8 threads (the defaults): the 50 requests really run in parallel.
    server = serve("api", postgres_url, TASK_BACKEND="thread")
    api = api_for(server.url)
    api.ok("POST", "/api/books", BOOK, expect=201)
    generated = api.ok(
        "POST",
        "/api/generate-posts",
        {"user_id": "alice", "platforms": ["twitter"], "count_per_platform": 1},
    )
    post_id = generated["posts"][0]["id"]

    barrier = threading.Barrier(CLIENTS)

    def approve(_: int) -> tuple[int, str]:
        # One connection per client, opened before the barrier, so the POSTs leave together.
        with httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}, timeout=30
        ) as client:
            client.get("/api/health")
            barrier.wait(timeout=30)
            response = client.post("/api/approve-post", json={"post_id": post_id})
            return response.status_code, response.json().get("code", "")

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(approve, range(CLIENTS)))

    codes = Counter(status for status, _ in answers)
    measure(approvals=CLIENTS, answered_200=codes[200], answered_409=codes[409], other=dict(codes))
    assert codes == Counter({200: 1, 409: CLIENTS - 1}), f"status codes: {dict(codes)}"
    assert {code for status, code in answers if status == 409} == {"conflict"}
    post = api.ok("GET", f"/api/posts/{post_id}")["post"]
    assert post["status"] == "scheduled" and post["approved_at"], post
