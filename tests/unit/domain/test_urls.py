"""`HttpUrlStr`: the one validator of every URL a caller gives (http and https only)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import TypeAdapter
from pydantic import ValidationError

from bookagent.domain.books import BookFields
from bookagent.domain.books import BookLinks
from bookagent.domain.urls import MAX_URL_LENGTH
from bookagent.domain.urls import HttpUrlStr
from bookagent.domain.urls import OptionalHttpUrlStr
from bookagent.domain.urls import http_url_problem
from bookagent.domain.urls import is_http_url

URL = TypeAdapter(HttpUrlStr)
OPTIONAL_URL = TypeAdapter(OptionalHttpUrlStr)

REFUSED = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "JavaScript:alert(document.cookie)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "ftp://ftp.example.com/book.pdf",
    "mailto:author@example.com",
    "//evil.example",
    "//evil.example/path",
    "/relative/path",
    "example.com",
    "www.example.com/book",
    "http://",
    "https://",
    "http:///path",
    "http://:80/",
    "http://user@/",
    "https:example.com",
    "http:/example.com",
    "http:\\\\evil.example",
    "https://example.com\\@evil.example",
    "https://exa mple.com",
    "https://example.com/a b",
    "https://example.com/\x00",
    "https://example.com/\x7f",
    "https://example.com/\u200b",
    "https://example.com/\u202e",
    "https://example.com:99999/",
    "https://example.com:port/",
    "not a url",
    "https://example.com/" + "a" * MAX_URL_LENGTH,
]

ACCEPTED = [
    "http://example.com",
    "https://example.com",
    "https://example.com/",
    "HTTPS://Example.COM/Path",
    "https://www.amazon.com/dp/B000000000?tag=x&ref=y#reviews",
    "https://user:pw@example.com:8443/p",
    "http://127.0.0.1:5000/x",
    "https://[::1]/x",
    "https://bücher.example/straße",
    "https://example.com/%20encoded",
]


@pytest.mark.parametrize("url", REFUSED)
def test_anything_but_an_absolute_http_url_with_a_host_is_refused(url: str) -> None:
    with pytest.raises(ValidationError) as raised:
        URL.validate_python(url)
    [error] = raised.value.errors()
    assert error["type"] in ("http_url", "string_too_long")
    assert "must" in error["msg"]
    assert not is_http_url(url)


@pytest.mark.parametrize("url", ACCEPTED)
def test_http_and_https_urls_are_accepted_and_kept_as_given(url: str) -> None:
    assert URL.validate_python(url) == url
    assert http_url_problem(url) is None
    assert is_http_url(url)


def test_surrounding_whitespace_is_trimmed_and_nothing_else_changes() -> None:
    assert URL.validate_python("  https://Example.com  \n") == "https://Example.com"


def test_the_length_limit_is_2048_characters() -> None:
    longest = "https://example.com/" + "a" * (MAX_URL_LENGTH - len("https://example.com/"))
    assert URL.validate_python(longest) == longest
    with pytest.raises(ValidationError):
        URL.validate_python(longest + "a")


def test_an_optional_url_treats_blank_as_none() -> None:
    assert OPTIONAL_URL.validate_python(None) is None
    assert OPTIONAL_URL.validate_python("") is None
    assert OPTIONAL_URL.validate_python("   ") is None
    assert OPTIONAL_URL.validate_python("https://example.com") == "https://example.com"
    with pytest.raises(ValidationError):
        OPTIONAL_URL.validate_python("javascript:alert(1)")


def test_the_error_says_what_is_wrong() -> None:
    assert "https://" in (http_url_problem("javascript:alert(1)") or "")
    assert "host" in (http_url_problem("http://") or "")
    assert "spaces" in (http_url_problem("https://a b") or "")
    assert "2048" in (http_url_problem("https://example.com/" + "a" * 3000) or "")


@pytest.mark.parametrize("value", [None, 42, b"https://example.com", ["https://example.com"]])
def test_is_http_url_is_false_for_anything_but_a_string(value: Any) -> None:
    assert not is_http_url(value)


def book(**changes: Any) -> dict[str, Any]:
    return {"title": "T", "author": "A", "genre": "g", "blurb": "b", **changes}


@pytest.mark.parametrize(
    ("changes", "location"),
    [
        ({"links": {"amazon": "javascript:alert(1)"}}, ("links", "amazon")),
        ({"links": {"audible": "data:text/html,x"}}, ("links", "audible")),
        ({"links": {"landing_page": "//evil.example"}}, ("links", "landing_page")),
        ({"links": {"website": "JAVASCRIPT:alert(1)"}}, ("links", "website")),
        ({"links": {"bookshop": "http://"}}, ("links", "bookshop")),
        ({"cover_image_url": "ftp://example.com/cover.jpg"}, ("cover_image_url",)),
    ],
)
def test_every_url_of_a_book_profile_is_validated(
    changes: dict[str, Any], location: tuple[str, ...]
) -> None:
    with pytest.raises(ValidationError) as raised:
        BookFields.model_validate(book(**changes))
    assert [error["loc"] for error in raised.value.errors()] == [location]


def test_a_book_profile_keeps_its_urls_as_given() -> None:
    fields = BookFields.model_validate(
        book(
            links={"amazon": "https://a.example", "kobo": "", "website": " http://w.example/x "},
            cover_image_url="https://img.example/c.jpg",
        )
    )
    assert fields.links.as_dict() == {
        "amazon": "https://a.example",
        "audible": None,
        "landing_page": None,
        "kobo": None,
        "website": "http://w.example/x",
    }
    assert fields.cover_image_url == "https://img.example/c.jpg"


def test_extra_links_must_be_strings() -> None:
    with pytest.raises(ValidationError):
        BookLinks.model_validate({"website": {"href": "https://example.com"}})
