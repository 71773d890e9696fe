"""Link attribution: UTM tags on a post's book links, and which visits of a short link count.

Pure (no I/O): `bookagent.domain.short_links` reads the book and its settings, makes the short
links and counts their clicks; this module decides what each link becomes.

- **What is tagged.** Only the book's own links: a link of a post is tracked when it is one of
  the profile's `links` (amazon, audible, landing_page and any other named link), compared
  normalised (`link_key`: scheme, case of the host, a leading `www.`, a default port, a final `/`
  and percent-encoding aside). Any other address in a post, and a book link the author lists in
  `untracked`, is left exactly as written. Links are the post's `http(s)://` links; a bare
  domain ("example.com/book") is text the platform may or may not link, and is not touched.
- **The tags** (`tag_url`): `utm_source` the post's platform (`twitter`, `mastodon`, ...),
  `utm_medium=social`, `utm_campaign` the book's title as a slug (`campaign_slug`: "The Quiet
  Hours" → `the-quiet-hours`) and `utm_content` the post's id, appended after the link's own
  query, whose parameters, order and encoding stay as they were, and before its fragment. A link
  that already carries any `utm_` parameter is never tagged: the author chose its tags.
- **Where the tracked address goes** (`track`): X and Mastodon count every URL as 23
  characters, so the text's link is replaced; Bluesky counts the visible text, so the text is
  kept and the link's facet and link card point at the tagged address (the same host, so the
  app shows no "misleading link" warning), except that a short link (another host) replaces the
  text when the post still fits, and is otherwise not used there. Facebook, Threads and LinkedIn
  get the replacement only when the post still fits its platform's limit, else that link stays
  as it was. Instagram's and Pinterest's text links are not clickable, so they are left alone; a
  pin's destination (`pin.link`) is tagged (never a short link: Pinterest may block a link that
  redirects, help.pinterest.com/en/articles/blocked-links-and-websites).
- **Short links** (optional, per book): a tracked link becomes `<public_url>/l/<code>`, which
  answers 302 to the tagged address and counts one click, unless the visitor is a bot
  (`is_bot`). A click stores its time and nothing else.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from typing import Annotated
from typing import Any
from urllib.parse import quote
from urllib.parse import unquote
from urllib.parse import unquote_plus
from urllib.parse import urlsplit

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StringConstraints
from pydantic import field_validator

from bookagent.domain.ports import PublishRequest
from bookagent.errors import InvalidInputError
from bookagent.platforms.bluesky_facets import detect_facets
from bookagent.platforms.measure import extract_urls
from bookagent.platforms.rules import PlatformRules
from bookagent.platforms.threads import post_size

#: `utm_medium` of every tagged link.
MEDIUM = "social"
#: The longest campaign slug; a longer title is cut at a word.
MAX_CAMPAIGN_CHARS = 60
#: The slug of a title that has no letter or digit at all.
FALLBACK_CAMPAIGN = "book"
#: The links every profile names, set or not (`BookLinks`); an author may list them as untracked.
KNOWN_LINKS = ("amazon", "audible", "landing_page")
#: At most this many link names in `untracked` (a book has at most 20 links).
MAX_UNTRACKED = 20
#: Where the tracked link replaces the link in the text only if the post still fits; on X and
#: Mastodon (every URL counts a fixed length) it always does.
FACET_PLATFORMS = frozenset({"bluesky"})
#: Where a pin's destination link is kept (a Pinterest post's `metadata`).
PIN_KEY = "pin"
#: The short links' path: `<public_url>/l/<code>`.
SHORT_LINK_PATH = "/l/"

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SLUG_ASCII = re.compile(r"[^a-z0-9]+")
_SLUG_WORDS = re.compile(r"[\W_]+")

# Visitors that are not a reader following the link: link-preview fetchers, crawlers and
# programs. Matched case-insensitively anywhere in the User-Agent; an empty one is a program too.
# "bot" covers Twitterbot, Slackbot, Discordbot, TelegramBot, LinkedInBot, Googlebot, bingbot,
# Applebot, Pinterestbot, GPTBot and their like (a phone model "CUBOT" aside).
BOT_MARKERS: tuple[str, ...] = (
    "bot",
    "crawl",
    "spider",
    "slurp",
    "facebookexternalhit",
    "facebookcatalog",
    "meta-externalagent",
    "whatsapp",
    "cardyb",  # Bluesky's link-card fetcher
    "mastodon/",  # a Mastodon server fetching a link preview ("http.rb/5.1 (Mastodon/4.2; ...)")
    "pleroma",
    "akkoma",
    "misskey",
    "friendica",
    "slack-imgproxy",
    "skypeuripreview",
    "iframely",
    "embedly",
    "preview",
    "headlesschrome",
    "lighthouse",
    "curl/",
    "wget/",
    "python-requests",
    "python-urllib",
    "python-httpx",
    "aiohttp",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww-perl",
    "httpclient",
    "node-fetch",
    "axios/",
)
_BOT = re.compile(
    "|".join("(?<!cu)bot" if marker == "bot" else re.escape(marker) for marker in BOT_MARKERS),
    re.IGNORECASE,
)

LinkName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class LinkTracking(BaseModel):
    """How a book's links are tracked (`AgentSettings.link_tracking`)."""

    model_config = ConfigDict(extra="ignore")

    #: Tag the book's links with UTM parameters.
    utm: bool = True
    #: Send the book's links through bookagent's own short links (`/l/<code>`), which count
    #: clicks; needs the server's public address (`BOOKAGENT_WEB__PUBLIC_URL`).
    short_links: bool = False
    #: Names of the book's links (`amazon`, `landing_page`, ...) never tagged nor shortened.
    untracked: list[LinkName] = Field(default_factory=list, max_length=MAX_UNTRACKED)

    @field_validator("untracked")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


@dataclass(frozen=True)
class LinkPlan:
    """What one of a post's book links becomes.

    `url` is the link as the post holds it, `name` the book link it is. `tagged` is where it
    leads: the link with UTM tags, or `url` itself when tags are off or it carries its own.
    `short` is the short link that leads to `tagged`, when short links are on; `in_text` is
    False for a pin's destination, which never takes one.
    """

    url: str
    name: str
    tagged: str
    short: str | None = None
    in_text: bool = True


def campaign_slug(title: str) -> str:
    """The book's title as `utm_campaign`: lower case, words joined by `-`, accents dropped
    ("Café Noir" → `cafe-noir`), at most 60 characters. A title without Latin letters keeps its
    own (`静かな時間`); one with no letter or digit at all is `book`."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_ASCII.sub("-", folded.lower()).strip("-")
    if not slug:
        slug = _SLUG_WORDS.sub("-", unicodedata.normalize("NFKC", title).casefold()).strip("-")
    if len(slug) > MAX_CAMPAIGN_CHARS:
        cut = slug[:MAX_CAMPAIGN_CHARS]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug.strip("-") or FALLBACK_CAMPAIGN


def has_utm(url: str) -> bool:
    """Whether the URL's query holds any `utm_` parameter (in any case, encoded or not)."""
    query = url.partition("#")[0].partition("?")[2]
    for pair in re.split(r"[&;]", query):
        name = unquote_plus(pair.partition("=")[0]).strip().lower()
        if name.startswith("utm_"):
            return True
    return False


def utm_parameters(*, platform: str, campaign: str, post_id: str) -> str:
    """The tags `tag_url` adds, as a query string."""
    values = (
        ("utm_source", platform),
        ("utm_medium", MEDIUM),
        ("utm_campaign", campaign),
        ("utm_content", post_id),
    )
    return "&".join(f"{name}={quote(value, safe='-._~')}" for name, value in values)


def tag_url(url: str, *, platform: str, campaign: str, post_id: str) -> str:
    """`url` with `utm_source=<platform>&utm_medium=social&utm_campaign=<campaign>&
    utm_content=<post_id>` appended to its query.

    Everything else stays as written, byte for byte: the scheme, host (an IDN as given), port
    and path, every query parameter in its order and encoding, and the fragment, after the new
    parameters. A URL that already has a `utm_` parameter is returned unchanged.
    """
    if has_utm(url):
        return url
    base, hash_mark, fragment = url.partition("#")
    tags = utm_parameters(platform=platform, campaign=campaign, post_id=post_id)
    separator = "?"
    if "?" in base:
        separator = "" if base.endswith(("?", "&")) else "&"
    return f"{base}{separator}{tags}{hash_mark}{fragment}"


def link_key(url: str) -> tuple[str, int | None, str, str] | None:
    """What two addresses of one link have in common: the host (lower case, IDNA, without a
    leading `www.` or a final dot), the port unless it is the scheme's default, the path without
    a final `/` and the query, both percent-decoded. None for anything but an http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    with contextlib.suppress(UnicodeError):  # else compared as written (lower case)
        host = host.encode("idna").decode("ascii")
    host = host.rstrip(".").removeprefix("www.")
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    path = unquote(parts.path).rstrip("/") or "/"
    return host, port, path, unquote(parts.query)


def book_link_names(links: Mapping[str, Any]) -> dict[tuple[str, int | None, str, str], str]:
    """The book's set links by `link_key`, each naming its link (the first name of a URL given
    twice)."""
    names: dict[tuple[str, int | None, str, str], str] = {}
    for name, url in links.items():
        key = link_key(url) if isinstance(url, str) and url else None
        if key is not None:
            names.setdefault(key, name)
    return names


def check_untracked(tracking: LinkTracking, links: Mapping[str, Any]) -> None:
    """InvalidInputError naming `link_tracking.untracked` for a name that is not one of the
    book's links (the three every profile names, set or not, and its other named links)."""
    known = list(dict.fromkeys((*KNOWN_LINKS, *links)))
    unknown = [name for name in tracking.untracked if name not in known]
    if unknown:
        raise InvalidInputError.for_field(
            "link_tracking.untracked",
            f"{', '.join(unknown)} {'is not a link' if len(unknown) == 1 else 'are not links'} "
            f"of this book; name any of {', '.join(known)}",
        )


def check_short_links(tracking: LinkTracking, public_url: str | None) -> None:
    """InvalidInputError naming `link_tracking.short_links` when short links are on and the
    server has no public address for them to start with."""
    if tracking.short_links and not (public_url or "").strip():
        raise InvalidInputError.for_field(
            "link_tracking.short_links",
            "needs the address readers reach this server by: set BOOKAGENT_WEB__PUBLIC_URL "
            "(https://books.example.com), or leave short links off and keep UTM tags",
        )


def short_url(public_url: str, code: str) -> str:
    """The short link of `code` under the server's public address."""
    return f"{public_url.strip().rstrip('/')}{SHORT_LINK_PATH}{code}"


def pin_link(request: PublishRequest) -> str | None:
    """A pin's destination link, if the request is a pin with one."""
    pin = request.metadata.get(PIN_KEY)
    link = pin.get("link") if isinstance(pin, Mapping) else None
    return link if isinstance(link, str) and link else None


def plan_links(
    request: PublishRequest,
    *,
    book_links: Mapping[str, Any],
    title: str,
    tracking: LinkTracking,
    links_clickable: bool,
) -> list[LinkPlan]:
    """The post's book links that are tracked, in the post's order: its text's links (when its
    platform makes them clickable) and a pin's destination. Empty when nothing is tracked: no
    book link, every one untracked, or tags and short links both off."""
    if not (tracking.utm or tracking.short_links):
        return []
    names = book_link_names(book_links)
    untracked = set(tracking.untracked)
    campaign = campaign_slug(title)
    plans: list[LinkPlan] = []
    candidates = [(url, True) for url in request.links] if links_clickable else []
    pin = pin_link(request)
    if pin is not None:
        candidates.append((pin, False))
    for url, in_text in dict.fromkeys(candidates):
        key = link_key(url)
        name = names.get(key) if key is not None else None
        if name is None or name in untracked:
            continue
        tagged = url
        if tracking.utm:
            tagged = tag_url(
                url, platform=request.platform, campaign=campaign, post_id=request.post_id
            )
        if tagged == url and not (in_text and tracking.short_links):
            continue  # nothing would change: no tags (its own, or off) and no short link
        plans.append(LinkPlan(url=url, name=name, tagged=tagged, in_text=in_text))
    return plans


def replace_link(text: str, old: str, new: str) -> str:
    """`text` with each link that is exactly `old` (as `extract_urls` finds the links, so a
    longer link that starts with it is not touched) written as `new`."""
    if old not in text:
        return text
    pieces: list[str] = []
    position = 0
    for url in extract_urls(text):
        start = text.find(url, position)
        if start < 0:
            continue
        end = start + len(url)
        pieces += [text[position:start], new if url == old else url]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def linked_whole(rules: PlatformRules, text: str, url: str) -> bool:
    """Whether the platform links `url` in `text` whole (as Bluesky's app detects links, or as
    twitter-text finds them elsewhere), so no part of a tracked link is left as plain text."""
    if rules.name in FACET_PLATFORMS:
        return any(f.kind == "link" and f.value == url for f in detect_facets(text))
    return url in extract_urls(text)


def still_fits(rules: PlatformRules, before: str, after: str) -> bool:
    """Whether `after` (the text with a link replaced) is within the platform's limits, or no
    longer than `before` where `before` was over them already (each post of a thread on its
    own)."""
    old, new = post_size(rules, before), post_size(rules, after)
    if len(old.lengths) != len(new.lengths):
        return False
    for was, now in zip(old.lengths, new.lengths, strict=True):
        if now > max(rules.max_length, was):
            return False
    if rules.max_bytes is not None and old.sizes is not None and new.sizes is not None:
        for was, now in zip(old.sizes, new.sizes, strict=True):
            if now > max(rules.max_bytes, was):
                return False
    return True


def track(
    request: PublishRequest, plans: Sequence[LinkPlan], rules: PlatformRules
) -> PublishRequest:
    """The request as it is sent, with its tracked links (see the module doc for where each
    platform takes them). `content_hash` is the approved text's, so the idempotency key and the
    ledger are those of the post as approved."""
    if not plans:
        return request
    content = request.content
    replaced: dict[str, str] = {}
    targets: dict[str, str] = {}
    pin = pin_link(request)
    pin_target: str | None = None
    for plan in plans:
        if not plan.in_text:
            pin_target = plan.tagged
            continue
        if rules.name in FACET_PLATFORMS:
            if plan.short is not None:
                changed = replace_link(content, plan.url, plan.short)
                if still_fits(rules, content, changed) and linked_whole(rules, changed, plan.short):
                    content, replaced[plan.url] = changed, plan.short
                    continue
            if plan.tagged != plan.url:
                targets[plan.url] = plan.tagged
            continue
        for candidate in (plan.short, plan.tagged):
            if candidate is None or candidate == plan.url:
                continue
            changed = replace_link(content, plan.url, candidate)
            if still_fits(rules, content, changed) and linked_whole(rules, changed, candidate):
                content, replaced[plan.url] = changed, candidate
                break
    metadata: Mapping[str, Any] = request.metadata
    if pin_target is not None and pin_target != pin:
        pin_fields = dict(request.metadata[PIN_KEY])
        pin_fields["link"] = pin_target
        metadata = {**request.metadata, PIN_KEY: pin_fields}
    if not replaced and not targets and metadata is request.metadata:
        return request
    return replace(
        request,
        content=content,
        links=tuple(replaced.get(url, url) for url in request.links),
        metadata=metadata,
        link_targets={**request.link_targets, **targets},
    )


def is_bot(user_agent: str | None) -> bool:
    """Whether a visit with this User-Agent is a program rather than a reader (`BOT_MARKERS`;
    an empty or missing User-Agent is a program)."""
    agent = (user_agent or "").strip()
    return not agent or _BOT.search(agent) is not None


def shortened(
    plans: Iterable[LinkPlan], codes: Callable[[list[str]], Mapping[str, str]], public_url: str
) -> list[LinkPlan]:
    """`plans` with the short link of each link in the text; `codes` gives the code of each
    destination (made once per post and destination, so a retry sends the same text)."""
    plans = list(plans)
    wanted = list(dict.fromkeys(plan.tagged for plan in plans if plan.in_text))
    if not wanted:
        return plans
    by_target = codes(wanted)
    return [
        replace(plan, short=short_url(public_url, by_target[plan.tagged]))
        if plan.in_text and plan.tagged in by_target
        else plan
        for plan in plans
    ]
