"""Rules written in a book's tone and guidelines join its `rules` when it is saved, on SQLite and
on the real PostgreSQL: added, never removed, not brought back once the author removed them,
listed in `inferred_rules`, and enforced by the gate. The dashboard's form edits them."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from bookagent.settings import Settings
from tests.conftest import SettingsFactory
from tests.integration.dashboard.conftest import csrf_from

TONE = "Quiet and wry. No emoji, no exclamation marks."
GUIDELINES = "Never say bestselling or unputdownable. Don't compare it to Gone Girl."
RECOGNISED = [
    {"rule": "no_emoji", "value": True, "from": "No emoji"},
    {"rule": "no_exclamation", "value": True, "from": "no exclamation marks"},
    {
        "rule": "banned_phrases",
        "value": "bestselling",
        "from": "Never say bestselling or unputdownable",
    },
    {
        "rule": "banned_phrases",
        "value": "unputdownable",
        "from": "Never say bestselling or unputdownable",
    },
    {"rule": "banned_comparisons", "value": "Gone Girl", "from": "Don't compare it to Gone Girl"},
]


@pytest.fixture
def settings(make_settings: SettingsFactory, database_url: str) -> Settings:
    return make_settings(db={"url": database_url})


def create(client: FlaskClient, payload: dict[str, Any], **changes: Any) -> dict[str, Any]:
    answer = client.post("/api/books", json={**payload, **changes})
    assert answer.status_code == 201, answer.get_json()
    return dict(answer.get_json()["book"])


def fetch(client: FlaskClient, book_id: str) -> dict[str, Any]:
    return dict(client.get(f"/api/books/{book_id}").get_json()["book"])


def patch(client: FlaskClient, book_id: str, **changes: Any) -> dict[str, Any]:
    answer = client.patch(f"/api/books/{book_id}", json=changes)
    assert answer.status_code == 200, answer.get_json()
    return dict(answer.get_json()["book"])


def test_create_adds_the_rules_the_tone_and_guidelines_state(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book = create(client, book_payload, tone=TONE, content_guidelines=GUIDELINES)
    assert book["rules"] == {
        "no_emoji": True,
        "no_exclamation": True,
        "no_comparisons": False,
        "banned_phrases": ["bestselling", "unputdownable"],
        "banned_comparisons": ["Gone Girl"],
        "spoilers": [],
        "required_words": {"pre_launch": [], "launch_week": [], "post_launch": []},
        "person": None,
        "formality": None,
        "content_warning": None,
    }
    assert book["inferred_rules"] == RECOGNISED
    assert fetch(client, book["id"]) == book
    listed = client.get("/api/books").get_json()["books"]
    assert listed[0]["inferred_rules"] == RECOGNISED


def test_words_that_state_no_rule_add_nothing(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book = create(
        client,
        book_payload,
        tone="Playful. Use emoji sparingly; exclamation marks are fine.",
        content_guidelines="No spoilers. No emoji on LinkedIn. Never say bestselling unless true.",
    )
    assert book["inferred_rules"] == []
    assert book["rules"]["no_emoji"] is False
    assert book["rules"]["banned_phrases"] == []


def test_the_authors_own_rules_are_kept_and_not_repeated(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    rules = {
        "no_emoji": True,
        "banned_phrases": ["Bestselling", "epic"],
        "required_words": {"pre_launch": ["pre-order"]},
    }
    book = create(client, book_payload, tone=TONE, content_guidelines=GUIDELINES, rules=rules)
    assert book["rules"]["banned_phrases"] == ["Bestselling", "epic", "unputdownable"]
    assert book["rules"]["required_words"]["pre_launch"] == ["pre-order"]
    # Only what was added is listed: the author had no emoji and "Bestselling" already.
    assert [(r["rule"], r["value"]) for r in book["inferred_rules"]] == [
        ("no_exclamation", True),
        ("banned_phrases", "unputdownable"),
        ("banned_comparisons", "Gone Girl"),
    ]


def test_a_removed_rule_stays_removed_while_the_tone_still_says_it(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book = create(client, book_payload, tone=TONE, content_guidelines=GUIDELINES)
    rules = {**book["rules"], "no_emoji": False, "banned_phrases": ["bestselling"]}
    put = client.put(f"/api/books/{book['id']}", json={**book, "rules": rules})
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["book"]["rules"] == rules
    # Saves that do not change the tone or guidelines, and ones that change other words of
    # them, bring nothing back.
    assert patch(client, book["id"], price="2.99 USD")["rules"] == rules
    again = patch(client, book["id"], tone=TONE + " Short sentences.", rules=rules)
    assert again["rules"] == rules
    assert [(r["rule"], r["value"]) for r in again["inferred_rules"]] == [
        ("no_exclamation", True),
        ("banned_phrases", "bestselling"),
        ("banned_comparisons", "Gone Girl"),
    ]
    assert fetch(client, book["id"])["rules"] == rules


def test_an_update_adds_what_the_new_words_state(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book = create(client, book_payload, tone="Warm.", content_guidelines=None)
    assert book["inferred_rules"] == []
    changed = patch(client, book["id"], content_guidelines="Banned words: cozy, heartwarming.")
    assert changed["rules"]["banned_phrases"] == ["cozy", "heartwarming"]
    assert changed["inferred_rules"] == [
        {"rule": "banned_phrases", "value": v, "from": "Banned words: cozy, heartwarming"}
        for v in ("cozy", "heartwarming")
    ]
    # Adding a second statement keeps the first one's mark.
    more = patch(client, book["id"], tone="Warm. No emoji.")
    assert [(r["rule"], r["value"]) for r in more["inferred_rules"]] == [
        ("banned_phrases", "cozy"),
        ("banned_phrases", "heartwarming"),
        ("no_emoji", True),
    ]


def test_words_taken_out_of_the_text_leave_the_rule_but_lose_its_mark(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book = create(client, book_payload, tone=TONE, content_guidelines=GUIDELINES)
    changed = patch(client, book["id"], tone="Quiet and wry.", content_guidelines=None)
    assert changed["rules"] == book["rules"]  # never removed
    assert changed["inferred_rules"] == []


def test_inferred_rules_cannot_be_written_by_a_client(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    forged = [{"rule": "no_emoji", "value": True, "from": "forged"}]
    book = create(client, book_payload, inferred_rules=forged)
    assert book["inferred_rules"] == []
    assert patch(client, book["id"], inferred_rules=forged)["inferred_rules"] == []
    answer = client.patch(
        f"/api/books/{book['id']}", json={"rules": {"inferred": forged, "no_emoji": False}}
    )
    assert answer.status_code == 422


def test_the_gate_enforces_a_recognised_rule(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book = create(client, book_payload, tone=TONE, content_guidelines=GUIDELINES)
    text = "A quiet novel, like Gone Girl by the sea 📚"
    answer = client.post(
        "/api/posts/measure", json={"content": text, "platform": "mastodon", "book_id": book["id"]}
    )
    assert answer.status_code == 200, answer.get_json()
    codes = {v["code"] for v in answer.get_json()["violations"]}
    assert {"emoji", "banned_comparison"} <= codes
    plain = create(client, book_payload, title="Another Book", tone="Warm.")
    answer = client.post(
        "/api/posts/measure", json={"content": text, "platform": "mastodon", "book_id": plain["id"]}
    )
    codes = {v["code"] for v in answer.get_json()["violations"]}
    assert not codes & {"emoji", "banned_comparison"}


def test_terms_stay_within_the_limits_of_the_rules_field(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    full = [f"phrase {i}" for i in range(50)]
    book = create(
        client,
        book_payload,
        content_guidelines="Banned words: " + ", ".join(f"word{i}" for i in range(70)) + ".",
        rules={"banned_phrases": full[:45]},
    )
    assert book["rules"]["banned_phrases"] == full[:45] + [f"word{i}" for i in range(5)]
    assert len(book["inferred_rules"]) == 5
    long_term = "x" * 201
    other = create(client, book_payload, title="Other", tone=f'Never say "{long_term}".')
    assert other["rules"]["banned_phrases"] == [] and other["inferred_rules"] == []


# -- the dashboard's book page ------------------------------------------------------------------

FORM = {
    "user_id": "alice",
    "title": "The Lighthouse Keeper",
    "author": "A. Writer",
    "genre": "literary fiction",
    "blurb": "A keeper of a remote lighthouse finds a message in a bottle.",
    "tone": TONE,
    "content_guidelines": GUIDELINES,
    "timezone": "Europe/Berlin",
    "human_in_loop": "on",
}


def post_form(client: FlaskClient, form: dict[str, str]) -> Any:
    return client.post("/book", data={**form, "csrf_token": csrf_from(client, "/book")})


def test_the_book_page_shows_the_recognised_rules_and_saves_the_authors_changes(
    client: FlaskClient,
) -> None:
    created = post_form(client, FORM)
    assert created.status_code == 302, created.get_data(as_text=True)
    page = client.get("/book").get_data(as_text=True)
    assert "Rules the gate enforces" in page
    assert "Rules recognised in your tone and guidelines, now enforced: no emoji;" in page
    assert 'id="rules-no_emoji" name="rules.no_emoji" type="checkbox" checked' in page
    assert 'aria-describedby="recognised-rules-no_emoji"' in page
    assert "you wrote “Never say bestselling or unputdownable”" in page
    assert ">bestselling\nunputdownable</textarea>" in page
    book = client.get("/api/books").get_json()["books"][0]

    # The author unticks no emoji, keeps one phrase and adds required words; the tone is as it was.
    edit = {
        **FORM,
        "rules.no_exclamation": "on",
        "rules.banned_phrases": "bestselling\nepic",
        "rules.banned_comparisons": "Gone Girl",
        "rules.required_words.pre_launch": "pre-order\npreorder",
    }
    assert post_form(client, edit).status_code == 302
    saved = client.get("/api/books").get_json()["books"][0]
    assert saved["id"] == book["id"]
    assert saved["rules"] == {
        "no_emoji": False,
        "no_exclamation": True,
        "no_comparisons": False,
        "banned_phrases": ["bestselling", "epic"],
        "banned_comparisons": ["Gone Girl"],
        "spoilers": [],
        "required_words": {
            "pre_launch": ["pre-order", "preorder"],
            "launch_week": [],
            "post_launch": [],
        },
        "person": None,
        "formality": None,
        "content_warning": None,
    }
    page = client.get("/book").get_data(as_text=True)
    assert 'name="rules.no_emoji" type="checkbox">' in page  # shown unticked
    assert 'id="recognised-rules-no_emoji"' not in page
    assert "now enforced" not in page  # nothing new was recognised


def test_the_book_page_keeps_the_awards_and_events_it_does_not_show(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    awards = ["Edgar Award nominee 2026"]
    events = [{"date": "2027-03-10", "name": "Signing at Powell's"}]
    book = create(client, book_payload, awards=awards, events=events)
    form = {**FORM, "title": "Renamed", "tone": "", "content_guidelines": ""}
    assert post_form(client, form).status_code == 302
    saved = fetch(client, book["id"])
    assert saved["title"] == "Renamed"
    assert (saved["awards"], saved["events"]) == (awards, events)


def test_a_bad_rule_line_is_shown_next_to_its_field(client: FlaskClient) -> None:
    assert post_form(client, FORM).status_code == 302
    answer = post_form(client, {**FORM, "rules.spoilers": "the twin\n" + "x" * 201})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'id="error-rules-spoilers"' in page and "line 2:" in page
    assert 'href="#rules-spoilers"' in page
    assert client.get("/api/books").get_json()["books"][0]["rules"]["spoilers"] == []
