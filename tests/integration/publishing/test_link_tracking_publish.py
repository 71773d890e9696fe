"""Tracked links at publish time, through the ledger to the loopback platforms (on SQLite and on
PostgreSQL, whose claim is one statement): UTM tags in the text on Mastodon and X, in the facet
on Bluesky, short links made once per post and destination so a retry sends the same text, the
webhook's text and pin link, the author's opt-outs, and the stored post left as approved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from bookagent.bootstrap import Services
from bookagent.bootstrap import build_services
from bookagent.db.models import Post
from bookagent.db.models import PublicationAttempt
from bookagent.db.models import ShortLink
from bookagent.domain.publishing import idempotency_key
from bookagent.tasks.publishing import publish_one
from tests.conftest import SettingsFactory
from tests.fakes.social_server import BLUESKY_HANDLE
from tests.fakes.social_server import BLUESKY_PASSWORD
from tests.fakes.social_server import MASTODON_TOKEN
from tests.fakes.social_server import WEBHOOK_PATH
from tests.fakes.social_server import WEBHOOK_SECRET
from tests.fakes.social_server import X_TOKEN
from tests.fakes.social_server import FakeSocialServer
from tests.support.link_posts import AMAZON
from tests.support.link_posts import FOREIGN
from tests.support.link_posts import LANDING
from tests.support.link_posts import due_post
from tests.support.link_posts import seed_book
from tests.support.link_posts import set_tracking

PUBLIC_URL = "https://books.example.com"
STATUSES = "/api/v1/statuses"
TWEETS = "/2/tweets"
CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"
TEXT = f"The sea keeps what it is given. Buy it: {AMAZON} (or see {FOREIGN}) #BookTok"


@pytest.fixture
def server() -> Iterator[FakeSocialServer]:
    with FakeSocialServer() as fake:
        yield fake


def build(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer, **web: Any
) -> Services:
    publishers = {
        "mastodon_base_url": server.url,
        "mastodon_access_token": MASTODON_TOKEN,
        "bluesky_service": server.url,
        "bluesky_handle": BLUESKY_HANDLE,
        "bluesky_app_password": BLUESKY_PASSWORD,
        "x_base_url": server.url,
        "x_user_token": X_TOKEN,
        "webhook_url": server.url + WEBHOOK_PATH,
        "webhook_secret": WEBHOOK_SECRET,
        "timeout_s": 2.0,
        "retry_backoff_s": 0,
    }
    settings = make_settings(
        db={"url": database_url}, publishers=publishers, web={"public_url": PUBLIC_URL, **web}
    )
    return build_services(settings, start_queue=False)


@pytest.fixture
def services(
    make_settings: SettingsFactory, database_url: str, server: FakeSocialServer
) -> Iterator[Services]:
    built = build(make_settings, database_url, server)
    yield built
    built.close(grace_s=0)


def tags(platform: str, post_id: str) -> dict[str, str]:
    return {
        "utm_source": platform,
        "utm_medium": "social",
        "utm_campaign": "the-lighthouse-keeper",
        "utm_content": post_id,
    }


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def stored(services: Services, post_id: str) -> Post:
    with services.db.session() as session:
        post = session.get(Post, post_id)
        assert post is not None
        session.expunge(post)
        return post


def short_links_of(services: Services, post_id: str) -> dict[str, str]:
    with services.db.session() as session:
        rows = session.execute(
            select(ShortLink.url, ShortLink.code).where(ShortLink.post_id == post_id)
        )
        return {url: code for url, code in rows}


@pytest.mark.parametrize("platform", ["mastodon", "twitter"])
def test_mastodon_and_x_send_the_tagged_link_in_the_text(
    services: Services, server: FakeSocialServer, platform: str
) -> None:
    book_id = seed_book(services)
    post_id = due_post(services, book_id, platform, TEXT)
    assert publish_one(services, post_id) == "published"
    path, field = (STATUSES, "status") if platform == "mastodon" else (TWEETS, "text")
    [sent] = server.requests_to(path)
    tagged = f"{AMAZON}&" + "&".join(f"{k}={v}" for k, v in tags(platform, post_id).items())
    assert sent.body[field] == TEXT.replace(AMAZON, tagged)
    # the retailer's own parameters first, in their order, then the tags
    assert query_of(tagged) == [
        ("tag", "lighthouse-20"),
        ("th", "1"),
        *tags(platform, post_id).items(),
    ]
    assert FOREIGN in sent.body[field]  # not the book's link: untouched
    # the post keeps the text it was approved with, and its key
    post = stored(services, post_id)
    assert post.status == "published" and post.content == TEXT and post.links == [AMAZON, FOREIGN]
    with services.db.session() as session:
        [key] = session.scalars(
            select(PublicationAttempt.idempotency_key).where(PublicationAttempt.post_id == post_id)
        )
    assert key == idempotency_key(post)


def test_bluesky_keeps_its_text_and_its_facet_and_card_point_at_the_tagged_link(
    services: Services, server: FakeSocialServer
) -> None:
    book_id = seed_book(services)
    text = f"Out now: {AMAZON} #BookTok"
    post_id = due_post(services, book_id, "bluesky", text)
    assert publish_one(services, post_id) == "published"
    [sent] = server.requests_to(CREATE_RECORD)
    record = sent.body["record"]
    assert record["text"] == text
    [link] = [
        feature["uri"]
        for facet in record["facets"]
        for feature in facet["features"]
        if feature["$type"] == "app.bsky.richtext.facet#link"
    ]
    assert link.startswith(f"{AMAZON}&") and dict(query_of(link)) == {
        "tag": "lighthouse-20",
        "th": "1",
        **tags("bluesky", post_id),
    }
    assert record["embed"]["external"]["uri"] == link
    assert record["embed"]["external"]["title"] == "amazon.com"


def test_a_short_link_goes_out_and_a_retry_sends_the_same_text(
    services: Services, server: FakeSocialServer
) -> None:
    book_id = seed_book(services)
    set_tracking(services, book_id, short_links=True)
    post_id = due_post(services, book_id, "mastodon", f"Buy it: {AMAZON} or {LANDING}")
    server.inject("server_error", path=STATUSES)  # the answer is lost: sent again, same key
    assert publish_one(services, post_id) == "retry"
    assert publish_one(services, post_id) == "published"
    first, second = server.requests_to(STATUSES)
    assert first.body["status"] == second.body["status"]
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    links = short_links_of(services, post_id)
    assert len(links) == 2  # one per destination, made once
    amazon = next(url for url in links if url.startswith(AMAZON))
    landing = next(url for url in links if url.startswith(LANDING))
    assert dict(query_of(amazon)) == {
        "tag": "lighthouse-20",
        "th": "1",
        **tags("mastodon", post_id),
    }
    assert first.body["status"] == (
        f"Buy it: {PUBLIC_URL}/l/{links[amazon]} or {PUBLIC_URL}/l/{links[landing]}"
    )
    assert all(len(code) == 8 and code.isalnum() for code in links.values())


def test_bluesky_takes_the_short_link_in_its_text(
    services: Services, server: FakeSocialServer
) -> None:
    book_id = seed_book(services)
    set_tracking(services, book_id, short_links=True)
    post_id = due_post(services, book_id, "bluesky", f"Out now: {AMAZON}")
    assert publish_one(services, post_id) == "published"
    [code] = short_links_of(services, post_id).values()
    record = server.requests_to(CREATE_RECORD)[0].body["record"]
    short = f"{PUBLIC_URL}/l/{code}"
    assert record["text"] == f"Out now: {short}"
    assert record["facets"][0]["features"][0]["uri"] == short  # the text is the link: no warning


def test_the_webhook_carries_the_tracked_text_and_pin_link(
    services: Services, server: FakeSocialServer
) -> None:
    book_id = seed_book(services)
    post_id = due_post(services, book_id, "facebook", f"Buy it: {LANDING}")
    pin = {"title": "The Lighthouse Keeper", "description": "A quiet novel", "link": AMAZON}
    pin_id = due_post(services, book_id, "pinterest", "A quiet novel #BookTok", pin=pin)
    assert publish_one(services, post_id) == "published"
    assert publish_one(services, pin_id) == "published"
    facebook, pinterest = server.hooks
    assert facebook["post"]["content"] == f"Buy it: {LANDING}?" + "&".join(
        f"{k}={v}" for k, v in tags("facebook", post_id).items()
    )
    assert facebook["post"]["links"] == [facebook["post"]["content"].removeprefix("Buy it: ")]
    assert facebook["post"]["link_targets"] == {}
    assert facebook["post"]["content_hash"] == stored(services, post_id).content_hash
    link = pinterest["post"]["pin"]["link"]
    assert dict(query_of(link)) == {"tag": "lighthouse-20", "th": "1", **tags("pinterest", pin_id)}
    assert stored(services, pin_id).generation_metadata["pin"]["link"] == AMAZON


def test_the_author_turns_tracking_off_per_link(
    services: Services, server: FakeSocialServer
) -> None:
    book_id = seed_book(services)
    set_tracking(services, book_id, untracked=["amazon"])
    text = f"Buy it: {AMAZON} or {LANDING}"
    post_id = due_post(services, book_id, "mastodon", text)
    assert publish_one(services, post_id) == "published"
    [sent] = server.requests_to(STATUSES)
    assert sent.body["status"].startswith(f"Buy it: {AMAZON} or {LANDING}?utm_source=mastodon&")
    set_tracking(services, book_id, utm=False)
    other = due_post(services, book_id, "mastodon", f"Again: {AMAZON} or {LANDING}")
    assert publish_one(services, other) == "published"
    assert server.requests_to(STATUSES)[1].body["status"] == f"Again: {AMAZON} or {LANDING}"
    assert short_links_of(services, post_id) == {} == short_links_of(services, other)


def test_short_links_without_a_public_address_fall_back_to_tags(
    make_settings: SettingsFactory,
    database_url: str,
    server: FakeSocialServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    services = build(make_settings, database_url, server, public_url=None)
    try:
        book_id = seed_book(services)
        set_tracking(services, book_id, short_links=True)
        post_id = due_post(services, book_id, "mastodon", f"Buy it: {LANDING}")
        assert publish_one(services, post_id) == "published"
        [sent] = server.requests_to(STATUSES)
        assert sent.body["status"].startswith(f"Buy it: {LANDING}?utm_source=mastodon&")
        assert short_links_of(services, post_id) == {}
        assert "BOOKAGENT_WEB__PUBLIC_URL is unset" in caplog.text
    finally:
        services.close(grace_s=0)


def test_a_post_without_links_goes_out_as_it_is(
    services: Services, server: FakeSocialServer
) -> None:
    book_id = seed_book(services)
    post_id = due_post(services, book_id, "twitter", "No link here #BookTok")
    assert publish_one(services, post_id) == "published"
    assert server.requests_to(TWEETS)[0].body["text"] == "No link here #BookTok"
