"""Which links a post may carry: the book's own, by host.

A draft's link passes when its host is the host of one of the profile's links, exactly (a
leading `www.` aside): `https://www.amazon.com/dp/OTHER` passes for a book that links to
`https://www.amazon.com/dp/B0SALT`, while `amaz0n-login.example`, `amazon.com.evil.example` or a
`bit.ly` link does not, unless the author put that host in the profile. A link shortener gets a
reason of its own, since it hides where a reader lands.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Iterator
from urllib.parse import urlsplit

from bookagent.platforms.pattern_starts import matches_at
from bookagent.platforms.pattern_starts import places_of
from bookagent.platforms.pattern_starts import starts_before

#: Common link shorteners (a link through one is foreign unless the profile holds that host).
SHORTENERS = frozenset(
    {
        "bit.ly", "buff.ly", "cutt.ly", "goo.gl", "is.gd", "ow.ly", "rb.gy", "rebrand.ly",
        "shorturl.at", "t.co", "t.ly", "tiny.cc", "tinyurl.com", "lnkd.in", "amzn.to",
        "dlvr.it", "s.id", "v.gd",
    }
)  # fmt: skip


#: A link written with its scheme, whatever its top-level domain: twitter-text (which finds the
#: bare domains) knows only the delegated ones, and would let `http://amaz0n-login.example` by.
_WITH_SCHEME = re.compile(r"\b(?:https?|ftp)://[^\s<>\"'“”‘’«»]+", re.IGNORECASE)


#: A bare domain under a special-use or reserved top-level domain (RFC 2606, RFC 6761 and the
#: like), which twitter-text does not know either: `amaz0n-login.example`, `shop.test`.
_SPECIAL_TLDS = (
    "example", "test", "invalid", "localhost", "local", "onion", "internal", "lan", "home",
    "corp", "intranet", "arpa",
)  # fmt: skip
_SPECIAL_USE = re.compile(
    r"(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    rf"(?:{'|'.join(_SPECIAL_TLDS)})"
    r"(?![\w-])(?:/[^\s<>\"'“”‘’«»]*)?",
    re.IGNORECASE,
)


#: What every match of `_SPECIAL_USE` holds: a dot before a special-use top-level domain. A
#: pattern with a literal start, which `re` skips ahead to; `_SPECIAL_USE` tries every place.
_SPECIAL_HINT = re.compile(rf"\.(?:{'|'.join(_SPECIAL_TLDS)})", re.IGNORECASE)


def with_scheme(text: str) -> list[str]:
    """The links in `text` written with a scheme, or under a special-use top-level domain,
    trailing punctuation dropped."""
    found = [m.group() for m in _scheme_links(text)]
    if _SPECIAL_HINT.search(text):
        found += [m.group() for m in _SPECIAL_USE.finditer(text)]
    return [link.rstrip(".,;:!?)]}") for link in found]


def _scheme_links(text: str) -> Iterator[re.Match[str]]:
    """`_WITH_SCHEME.finditer(text)`, tried only 3 to 5 characters before each "://" (where a
    scheme of its starts: ftp, http, https, in any case, one character a letter)."""
    return matches_at(_WITH_SCHEME, text, starts_before(places_of(text, ("://",)), 5, 3))


def host_of(url: str) -> str:
    """The lowercase host of a URL or bare domain, without a leading `www.` or a final dot;
    empty if there is none."""
    try:
        host = urlsplit(url if "://" in url else f"//{url}").hostname or ""
    except ValueError:  # an unbalanced IPv6 bracket, say: no host to trust
        return ""
    return host.rstrip(".").removeprefix("www.")


def userinfo_reason(url: str) -> str | None:
    """Why a link with a user name or password in it may not be in a post (`user@host` is
    how a look-alike hides the real host), or None."""
    try:
        parts = urlsplit(url if "://" in url else f"//{url}")
    except ValueError:
        return None
    if parts.username is None and parts.password is None:
        return None
    shown = url if len(url) <= 60 else url[:59] + "…"
    return f"Link {shown} carries a user name or password; use the book's own link as it is."


def link_hosts(urls: Iterable[str]) -> frozenset[str]:
    """The hosts a post's links may have: those of the profile's links."""
    return frozenset(host for host in map(host_of, urls) if host)


def foreign_link_reason(url: str, allowed: frozenset[str]) -> str | None:
    """Why `url` may not be in a post, or None if its host is one of `allowed`."""
    host = host_of(url)
    if host and host in allowed:
        return None
    shown = url if len(url) <= 60 else url[:59] + "…"
    if host in SHORTENERS:
        return (
            f"Link {shown} goes through a link shortener, which hides where readers land; "
            "use the book's own links."
        )
    mine = ", ".join(sorted(allowed)) or "none yet: add them to the book's profile"
    return f"Link {shown} is not one of the book's links (their sites: {mine})."
