"""Link attribution, pure: UTM tags that never break a URL nor touch one with its own tags, which
links are the book's, where each platform takes the tracked link, and which visits are bots."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlencode
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bookagent.domain.link_tracking import LinkPlan
from bookagent.domain.link_tracking import LinkTracking
from bookagent.domain.link_tracking import campaign_slug
from bookagent.domain.link_tracking import check_short_links
from bookagent.domain.link_tracking import check_untracked
from bookagent.domain.link_tracking import has_utm
from bookagent.domain.link_tracking import is_bot
from bookagent.domain.link_tracking import link_key
from bookagent.domain.link_tracking import plan_links
from bookagent.domain.link_tracking import replace_link
from bookagent.domain.link_tracking import tag_url
from bookagent.domain.link_tracking import track
from bookagent.domain.ports import PublishRequest
from bookagent.errors import InvalidInputError
from bookagent.platforms.hashtags import post_entities
from bookagent.platforms.measure import extract_urls
from bookagent.platforms.measure import measure
from bookagent.platforms.rules import get_rules

TAGS = "utm_source=twitter&utm_medium=social&utm_campaign=the-quiet-hours&utm_content=p1"
AMAZON = "https://www.amazon.com/dp/B0SALT1234?tag=quiet-20&th=1"
LANDING = "https://quiet-hours.com/"
BOOK_LINKS: dict[str, Any] = {"amazon": AMAZON, "audible": None, "landing_page": LANDING}
SHORT = "https://books.example.com/l/Ab3dE6gH"


def tag(url: str) -> str:
    return tag_url(url, platform="twitter", campaign="the-quiet-hours", post_id="p1")


# --- tag_url ------------------------------------------------------------------------------------

TAG_TABLE = [
    # (url, tagged)
    ("https://example.com/book", f"https://example.com/book?{TAGS}"),
    # no path: nothing is added to it, the query starts right after the host
    ("https://example.com", f"https://example.com?{TAGS}"),
    # the query's parameters, their order and their encoding stay as written
    ("https://shop.com/b?tag=x%20y&a=1", f"https://shop.com/b?tag=x%20y&a=1&{TAGS}"),
    ("https://shop.com/b?q=a+b&q=c&flag", f"https://shop.com/b?q=a+b&q=c&flag&{TAGS}"),
    ("https://shop.com/b?a=&b=%2F%3F", f"https://shop.com/b?a=&b=%2F%3F&{TAGS}"),
    # an empty query, or one ending with a separator, gets no second separator
    ("https://shop.com/b?", f"https://shop.com/b?{TAGS}"),
    ("https://shop.com/b?a=1&", f"https://shop.com/b?a=1&{TAGS}"),
    # the fragment stays last, and a `?` inside it is the fragment's
    ("https://shop.com/b#reviews", f"https://shop.com/b?{TAGS}#reviews"),
    ("https://shop.com/b?a=1#/route?x=2", f"https://shop.com/b?a=1&{TAGS}#/route?x=2"),
    # an IDN host, a port, a path that is percent-encoded: as written
    ("https://bücher.de:8443/b%C3%BCcher/1", f"https://bücher.de:8443/b%C3%BCcher/1?{TAGS}"),
    ("http://127.0.0.1:5000/x", f"http://127.0.0.1:5000/x?{TAGS}"),
]


@pytest.mark.parametrize(("url", "tagged"), TAG_TABLE)
def test_tags_are_appended_and_nothing_else_changes(url: str, tagged: str) -> None:
    assert tag(url) == tagged


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.com/b?utm_source=newsletter",
        "https://shop.com/b?a=1&utm_campaign=spring#x",
        "https://shop.com/b?UTM_Medium=email",
        "https://shop.com/b?%75tm_source=x",  # an encoded `u`
        "https://shop.com/b?utm_id",  # a bare utm_ key
        "https://shop.com/b?a=1;utm_term=x",  # `;` separators
    ],
)
def test_a_link_with_any_utm_parameter_is_never_tagged(url: str) -> None:
    assert has_utm(url)
    assert tag(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "https://shop.com/b?ref=utm_source",  # utm_ in a value, not a key
        "https://shop.com/b#utm_source=x",  # in the fragment: not a query parameter
        "https://shop.com/utm_source/b",
    ],
)
def test_utm_elsewhere_than_a_query_key_is_not_a_tag(url: str) -> None:
    assert not has_utm(url)
    assert tag(url) != url


def test_values_are_percent_encoded() -> None:
    tagged = tag_url(
        "https://shop.com/b", platform="bluesky", campaign="静かな時間", post_id="a&b=c"
    )
    query = dict(parse_qsl(urlsplit(tagged).query))
    assert query["utm_campaign"] == "静かな時間" and query["utm_content"] == "a&b=c"
    assert tagged.isascii()


_KEY = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-", min_size=1, max_size=8).filter(
    lambda key: not key.lower().startswith("utm_")
)
_VALUE = st.text(max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    path=st.sampled_from(["", "/", "/dp/B0", "/a/b.html", "/%E2%82%AC"]),
    pairs=st.lists(st.tuples(_KEY, _VALUE), max_size=5),
    fragment=st.sampled_from(["", "#top", "#/x?y=1"]),
)
def test_tagging_never_breaks_a_query(
    path: str, pairs: list[tuple[str, str]], fragment: str
) -> None:
    query = urlencode(pairs)
    url = f"https://shop.example.com{path}{'?' + query if query else ''}{fragment}"
    tagged = tag(url)
    parts, before = urlsplit(tagged), urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path, parts.fragment) == (
        before.scheme,
        before.netloc,
        before.path,
        before.fragment,
    )
    kept = parse_qsl(parts.query, keep_blank_values=True)
    assert kept[: len(pairs)] == parse_qsl(before.query, keep_blank_values=True)
    assert kept[len(pairs) :] == parse_qsl(TAGS)
    assert parts.query.startswith(before.query)
    assert tag(tagged) == tagged  # tagged once only


# --- the campaign ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("The Quiet Hours", "the-quiet-hours"),
        ("Café Noir: A Novel!", "cafe-noir-a-novel"),
        ("  Ünter   den Linden  ", "unter-den-linden"),
        ("1984", "1984"),
        ("静かな時間", "静かな時間"),
        ("!!!", "book"),
        ("A" * 40 + " " + "B" * 40, "a" * 40),  # cut at a word, at most 60 characters
    ],
)
def test_the_campaign_is_a_slug_of_the_title(title: str, slug: str) -> None:
    assert campaign_slug(title) == slug


# --- which links are the book's ---------------------------------------------------------------


def test_a_book_link_matches_whatever_its_trivial_spelling() -> None:
    key = link_key("https://www.amazon.com/dp/B0SALT1234?tag=quiet-20&th=1")
    for same in (
        "http://amazon.com/dp/B0SALT1234?tag=quiet-20&th=1",
        "https://WWW.Amazon.com:443/dp/B0SALT1234/?tag=quiet-20&th=1",
        "https://www.amazon.com/dp/B0SALT1234?tag=quiet-20&th=1#reviews",
    ):
        assert link_key(same) == key
    for other in (
        "https://www.amazon.com/dp/B0SALT1234",  # another query
        "https://www.amazon.com/dp/B0OTHER",
        "https://www.amazon.com:8443/dp/B0SALT1234?tag=quiet-20&th=1",
        "https://amazon.com.evil.example/dp/B0SALT1234?tag=quiet-20&th=1",
    ):
        assert link_key(other) != key
    assert link_key("https://bücher.de/x") == link_key("https://xn--bcher-kva.de/x/")
    assert link_key("ftp://example.com/x") is None and link_key("not a url") is None


def request(platform: str, content: str, **fields: Any) -> PublishRequest:
    tags, links = post_entities(platform, content)
    return PublishRequest(
        post_id="p1",
        book_id="b1",
        platform=platform,
        content=content,
        content_hash="h",
        hashtags=tags,
        links=links,
        **fields,
    )


def plans_for(req: PublishRequest, **tracking: Any) -> list[LinkPlan]:
    return plan_links(
        req,
        book_links=BOOK_LINKS,
        title="The Quiet Hours",
        tracking=LinkTracking(**tracking),
        links_clickable=get_rules(req.platform).links_clickable,
    )


def test_only_the_books_own_links_are_tracked() -> None:
    foreign = "https://en.wikipedia.org/wiki/Lighthouse"
    req = request("twitter", f"Buy it {AMAZON} or read {foreign} and {LANDING}")
    plans = plans_for(req)
    assert [(p.name, p.url) for p in plans] == [("amazon", AMAZON), ("landing_page", LANDING)]
    assert plans[0].tagged == f"{AMAZON}&{TAGS}"
    assert plans[1].tagged == f"{LANDING}?{TAGS}"


def test_an_untracked_link_and_tags_turned_off_are_left_alone() -> None:
    req = request("twitter", f"Buy it {AMAZON} or {LANDING}")
    assert [p.name for p in plans_for(req, untracked=["amazon"])] == ["landing_page"]
    assert plans_for(req, utm=False) == []
    assert plans_for(req, untracked=["amazon", "landing_page"], short_links=True) == []
    # short links without tags: the link is shortened as it is
    [plan, _] = plans_for(req, utm=False, short_links=True)
    assert plan.tagged == AMAZON


def test_a_link_with_its_own_tags_is_not_tagged_but_may_be_shortened() -> None:
    own = "https://quiet-hours.com/?utm_source=author"
    links = {**BOOK_LINKS, "landing_page": own}
    req = request("twitter", f"Read more {own}")
    tracking = LinkTracking()
    assert (
        plan_links(req, book_links=links, title="T", tracking=tracking, links_clickable=True) == []
    )
    [plan] = plan_links(
        req,
        book_links=links,
        title="T",
        tracking=LinkTracking(short_links=True),
        links_clickable=True,
    )
    assert plan.tagged == own


# --- where each platform takes it --------------------------------------------------------------


def tracked(req: PublishRequest, rules_name: str | None = None, **overrides: Any) -> PublishRequest:
    name = rules_name or req.platform
    rules = get_rules(name, {name: overrides}) if overrides else get_rules(name)
    return track(req, plans_for(req), rules)


@pytest.mark.parametrize("platform", ["twitter", "mastodon"])
def test_x_and_mastodon_get_the_tagged_link_in_the_text(platform: str) -> None:
    text = f"The sea keeps what it is given. {AMAZON} #BookTok"
    req = request(platform, text)
    out = tracked(req)
    assert (
        out.content
        == f"The sea keeps what it is given. {AMAZON}&{TAGS.replace('twitter', platform)} #BookTok"
    )
    assert out.links == (f"{AMAZON}&{TAGS.replace('twitter', platform)}",)
    assert out.link_targets == {}
    assert measure(platform, out.content) == measure(platform, text)  # a URL counts 23
    assert out.content_hash == req.content_hash and out.post_id == req.post_id


def test_a_full_x_post_still_gets_its_tag() -> None:
    filler = "word " * 51  # 255 characters + a URL (23) = 278
    req = request("twitter", f"{filler}{AMAZON}")
    assert measure("twitter", req.content) == 278
    out = tracked(req)
    assert out.content.endswith(TAGS) and measure("twitter", out.content) == 278


def test_bluesky_keeps_the_text_and_points_the_facet_at_the_tagged_link() -> None:
    req = request("bluesky", f"Out now: {AMAZON}")
    out = tracked(req)
    assert out.content == req.content and out.links == req.links
    assert out.link_targets == {AMAZON: f"{AMAZON}&{TAGS.replace('twitter', 'bluesky')}"}


def test_bluesky_takes_a_short_link_in_its_text_only_when_the_post_still_fits() -> None:
    req = request("bluesky", f"Out now: {AMAZON}")
    plans = plans_for(req, short_links=True)
    plans = [LinkPlan(p.url, p.name, p.tagged, SHORT) for p in plans]
    out = track(req, plans, get_rules("bluesky"))
    assert out.content == f"Out now: {SHORT}" and out.links == (SHORT,) and not out.link_targets
    # a post that the short link would push over 300 graphemes keeps its text and gets the tags
    filler = "x" * (300 - len(" https://a.co"))
    long_req = request("bluesky", f"{filler} https://a.co")
    long_plans = [
        LinkPlan("https://a.co", "landing_page", "https://a.co?utm_source=bluesky", SHORT)
    ]
    out = track(long_req, long_plans, get_rules("bluesky"))
    assert out.content == long_req.content
    assert out.link_targets == {"https://a.co": "https://a.co?utm_source=bluesky"}


def test_another_platform_gets_the_tag_only_if_the_post_still_fits() -> None:
    text = f"Buy it: {LANDING}"
    req = request("linkedin", text)
    assert tracked(req).content == f"Buy it: {LANDING}?{TAGS.replace('twitter', 'linkedin')}"
    # a LinkedIn limit just above the text: the tagged link would not fit, so it stays as it is
    tight = tracked(req, max_length=len(text) + 5)
    assert tight.content == text and tight is req


def test_a_short_link_is_preferred_where_it_fits_and_tags_where_it_does_not() -> None:
    text = f"Buy it: {AMAZON}"
    req = request("facebook", text)
    plans = [LinkPlan(p.url, p.name, p.tagged, SHORT) for p in plans_for(req, short_links=True)]
    assert track(req, plans, get_rules("facebook")).content == f"Buy it: {SHORT}"


def test_instagram_text_links_are_not_clickable_and_are_left_alone() -> None:
    req = request("instagram", f"Link in bio. {AMAZON}")
    assert tracked(req) is req


def test_a_pins_destination_is_tagged_and_never_shortened() -> None:
    pin = {"title": "The Quiet Hours", "description": "A thriller", "link": AMAZON}
    req = request("pinterest", "A thriller for long nights #BookTok", metadata={"pin": pin})
    plans = plans_for(req, short_links=True)
    assert [(p.url, p.in_text) for p in plans] == [(AMAZON, False)]
    out = track(req, plans, get_rules("pinterest"))
    assert out.metadata["pin"] == {
        **pin,
        "link": f"{AMAZON}&{TAGS.replace('twitter', 'pinterest')}",
    }
    assert req.metadata["pin"]["link"] == AMAZON  # the request itself is not changed
    assert out.content == req.content


def test_a_thread_is_measured_post_by_post() -> None:
    text = f"First part.\n\n---\n\nSecond part: {LANDING}"
    req = request("twitter", text)
    out = tracked(req)
    assert out.content == f"First part.\n\n---\n\nSecond part: {LANDING}?{TAGS}"


def test_only_the_exact_link_is_replaced() -> None:
    text = "See https://a.com/b and https://a.com/b/c. Or (https://a.com/b)."
    assert (
        replace_link(text, "https://a.com/b", "https://a.com/b?x=1")
        == "See https://a.com/b?x=1 and https://a.com/b/c. Or (https://a.com/b?x=1)."
    )
    assert extract_urls(replace_link(text, "https://a.com/b", SHORT)).count(SHORT) == 2


# --- settings ----------------------------------------------------------------------------------


def test_an_unknown_link_name_is_refused_naming_the_field() -> None:
    check_untracked(LinkTracking(untracked=["amazon", "audible"]), BOOK_LINKS)
    check_untracked(LinkTracking(untracked=["bookshop"]), {**BOOK_LINKS, "bookshop": None})
    with pytest.raises(InvalidInputError) as caught:
        check_untracked(LinkTracking(untracked=["kobo", "amazon"]), BOOK_LINKS)
    [detail] = caught.value.details
    assert detail.field == "link_tracking.untracked"
    assert detail.message.startswith("kobo is not a link of this book")


def test_short_links_need_a_public_address() -> None:
    check_short_links(LinkTracking(short_links=True), "https://books.example.com")
    check_short_links(LinkTracking(), None)
    with pytest.raises(InvalidInputError) as caught:
        check_short_links(LinkTracking(short_links=True), "  ")
    assert caught.value.details[0].field == "link_tracking.short_links"
    assert "BOOKAGENT_WEB__PUBLIC_URL" in caught.value.message


def test_untracked_names_are_kept_once() -> None:
    assert LinkTracking(untracked=["amazon", " amazon "]).untracked == ["amazon"]


# --- bots ----------------------------------------------------------------------------------------

BOTS = [
    "",
    "Twitterbot/1.0",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Slack-ImgProxy (+https://api.slack.com/robots)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "TelegramBot (like TwitterBot)",
    "WhatsApp/2.23.20.0 A",
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)",
    "http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/) Bot",
    "http.rb/5.1.1 (Mastodon/4.2.0; +https://mastodon.social/)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)",
    "Mozilla/5.0 (Linux) AppleWebKit/537.36 HeadlessChrome/120.0 Safari/537.36",
    "curl/8.4.0",
    "Wget/1.21",
    "python-requests/2.31.0",
    "Iframely/1.3.1 (+https://iframely.com/docs/about)",
]
PEOPLE = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Linux; Android 9; CUBOT X20 PRO) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Mobile Safari/537.36",
    # X's in-app browser and Mastodon's Android app open the page for a reader
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 Twitter for iPhone/10.21",
]


@pytest.mark.parametrize("agent", BOTS)
def test_bots_and_programs_are_not_readers(agent: str) -> None:
    assert is_bot(agent)


@pytest.mark.parametrize("agent", PEOPLE)
def test_browsers_are_readers(agent: str) -> None:
    assert not is_bot(agent)
