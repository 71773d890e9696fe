"""The adversarial corpus end to end: the OpenAI writer against a loopback server, through
`POST /api/generate-posts`, counting what lands in the database.

Each case gets a book of its own (so one case's posts are never another's recent posts), its
`recent` texts stored first on its platform and its `elsewhere` texts on another one, each through
the same generation path; then the fake model answers the case's text and we count the posts of
that book and platform that were stored. A bad draft must store nothing; a legitimate one must be
stored word for word.

Generation has no scheduled day and never cross-posts, and the launch phase is the real today's,
so a case is skipped (and counted as skipped) when its verdict depends on what generation cannot
say: a legitimate draft with a scheduled day, a cross-post, or words required in another phase.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.db.models import Book
from bookagent.db.models import Post
from bookagent.domain.books import book_to_profile
from bookagent.domain.profile import BookProfile
from bookagent.domain.profile import launch_phase
from bookagent.web.app import create_app
from bookagent.writers.prompts import clean_reply
from tests.adversarial.cases import Case
from tests.adversarial.corpus import CORPUS
from tests.adversarial.profiles import PROFILES
from tests.adversarial.profiles import api_payload
from tests.adversarial.verdicts import Figures
from tests.adversarial.verdicts import Verdict
from tests.adversarial.verdicts import report
from tests.conftest import SettingsFactory
from tests.fakes.llm_server import FakeLLMServer

Harness = tuple[FlaskClient, Services, FakeLLMServer]


@pytest.fixture
def harness(make_settings: SettingsFactory) -> Iterator[Harness]:
    """The app on the OpenAI writer, pointed at a loopback fake; one draft written at a time."""
    with FakeLLMServer() as server:
        settings = make_settings(
            writers={
                "default": "openai",
                "openai_base_url": server.openai_base_url,
                "concurrency": 1,
                "max_retries": 0,
                "timeout_s": 10,
            },
            web={"rate_limits_enabled": False},
        )
        services = build_services(settings)
        try:
            yield create_app(services=services).test_client(), services, server
        finally:
            services.close(grace_s=5)


def skip_reason(case: Case, today: date) -> str:
    """Why generation cannot give `case` its verdict, or "" when it can."""
    if case.cross_posted:
        return "cross-posts: generation never cross-posts"
    if case.scheduled_on is not None and not case.is_bad:
        return "legitimate drafts with a scheduled day: generation has none"
    if phase_changes_verdict(case, today):
        return "drafts whose verdict the launch phase of today changes"
    if clean_reply(case.text) != case.text:
        return "drafts the writer's reply cleaning changes"
    return ""


def phase_changes_verdict(case: Case, today: date) -> bool:
    """Whether the words required in today's launch phase change the verdict of `case`.

    Only the required words depend on the phase: a draft that has the thriller's "pre-order"
    passes in every phase, one without it only after launch.
    """
    book = case.book
    words = book.rules.required_words.get(launch_phase(book.launch_date, today), ())
    has_word = not words or any(w.casefold() in case.text.casefold() for w in words)
    if case.is_bad:
        return "missing_required_word" in case.expect and has_word
    return not has_word


def other_platform(case: Case) -> str:
    """Where a case's `elsewhere` texts are stored first."""
    return "mastodon" if case.platform == "twitter" else "twitter"


def create_book(client: FlaskClient, book: BookProfile) -> str:
    response = client.post("/api/books", json=api_payload(book))
    assert response.status_code == 201, response.get_json()
    return str(response.get_json()["book"]["id"])


def generate(
    client: FlaskClient, server: FakeLLMServer, book_id: str, platform: str, text: str
) -> dict[str, Any]:
    """One draft on `platform`, which the fake model writes as `text`."""
    server.reply = text
    response = client.post(
        "/api/generate-posts",
        json={"user_id": "alice", "book_id": book_id, "platforms": [platform],
              "count_per_platform": 1},
    )  # fmt: skip
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def stored_posts(services: Services, book_id: str, platform: str) -> list[tuple[str, str]]:
    """(id, content) of the book's posts on `platform`, from the database."""
    with services.db.session() as session:
        rows = session.execute(
            select(Post.id, Post.content).where(Post.book_id == book_id, Post.platform == platform)
        )
        return [(str(i), str(c)) for i, c in rows]


def judge(harness: Harness, case: Case) -> Verdict:
    """Run `case` through generation and see whether its draft was stored."""
    client, services, server = harness
    book_id = create_book(client, case.book)
    seeds = [(case.platform, t) for t in case.recent]
    # A text already seeded on the case's platform cannot be stored again on another one by
    # generation (that would be a cross-post, which generation never makes): it is seeded once.
    seeds += [(other_platform(case), t) for t in case.elsewhere if t not in case.recent]
    for platform, text in seeds:
        before = len(stored_posts(services, book_id, platform))
        generate(client, server, book_id, platform, text)
        if len(stored_posts(services, book_id, platform)) == before:
            return Verdict(case, passed=False, error=f"seed not stored on {platform}: {text!r}")
    before_ids = {i for i, _ in stored_posts(services, book_id, case.platform)}
    body = generate(client, server, book_id, case.platform, case.text)
    new = [c for i, c in stored_posts(services, book_id, case.platform) if i not in before_ids]
    if new and new != [case.text]:
        return Verdict(case, passed=False, error=f"stored a changed text: {new!r}")
    violations = [v for r in body["rejected"] for v in r["violations"]]
    return Verdict(
        case,
        passed=bool(new),
        codes=tuple(v["code"] for v in violations),
        messages=tuple(v["message"] for v in violations),
    )


def test_stored_profiles_match_the_corpus_profiles(harness: Harness) -> None:
    client, services, _ = harness
    for book in PROFILES.values():
        book_id = create_book(client, book)
        with services.db.session() as session:
            row = session.scalar(select(Book).where(Book.id == book_id))
            assert row is not None
            stored = book_to_profile(row)
        assert stored.link_urls() == book.link_urls()  # the API adds the unset known links
        assert replace(stored, id=book.id, user_id=book.user_id, links=book.links) == book


def test_generation_stores_no_invented_claim_and_keeps_legitimate_drafts(
    harness: Harness, capsys: pytest.CaptureFixture[str]
) -> None:
    today = datetime.now(UTC).date()  # the profiles' timezone, whose today generation uses
    verdicts = []
    for case in CORPUS:
        reason = skip_reason(case, today)
        verdicts.append(Verdict(case, False, skipped=reason) if reason else judge(harness, case))
    figures = Figures.of(verdicts)
    with capsys.disabled():
        title = f"adversarial corpus, end to end through generation (today {today})"
        print("\n" + report(title, verdicts, stored_word="stored"))
    assert figures.bad + figures.legit >= 300, "too many cases skipped to mean anything"
    assert not figures.problems(), "; ".join(figures.problems())
