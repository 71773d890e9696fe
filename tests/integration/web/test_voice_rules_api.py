"""`rules.formality`, and the voice choices stated in plain words, over HTTP and on the book page:
stored, shown, enforced on an edit; recognised in the tone and guidelines; a bad value is a 422."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.integration.web.test_book_inferred_rules import FORM
from tests.integration.web.test_book_inferred_rules import post_form


def measure(client: FlaskClient, book_id: str, content: str) -> dict[str, Any]:
    body = {"platform": "mastodon", "book_id": book_id, "content": content}
    return dict(client.post("/api/posts/measure", json=body).get_json())


def test_a_formal_voice_is_stored_and_enforced(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book_payload["rules"] = {"formality": "formal"}
    created = client.post("/api/books", json=book_payload)
    assert created.status_code == 201, created.get_json()
    book = created.get_json()["book"]
    assert book["rules"]["formality"] == "formal"

    answer = measure(client, book["id"], "Don't miss the lighthouse keeper. #BookTok")
    assert answer["violations"] == [
        {
            "code": "formality",
            "message": "“Don't”: the author's rules ask for a formal voice; write “Do not”.",
        }
    ]
    fine = measure(client, book["id"], "Do not miss the lighthouse keeper. #BookTok")
    assert fine["ok"] is True, fine


def test_a_casual_voice_refuses_nothing(client: FlaskClient, book_payload: dict[str, Any]) -> None:
    book_payload["rules"] = {"formality": "casual"}
    book = client.post("/api/books", json=book_payload).get_json()["book"]
    assert measure(client, book["id"], "Don't miss it, it's out soon. #BookTok")["ok"] is True


def test_an_unknown_formality_is_refused(client: FlaskClient, book_payload: dict[str, Any]) -> None:
    book_payload["rules"] = {"formality": "stiff"}
    answer = client.post("/api/books", json=book_payload)
    assert answer.status_code == 422
    assert "rules.formality" in str(answer.get_json())


def test_choices_in_the_tone_and_guidelines_join_the_rules(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book_payload.update(
        tone="Quiet. Keep it formal.",
        content_guidelines="Write in the first person. Use a CW for grief and loss.",
    )
    book = client.post("/api/books", json=book_payload).get_json()["book"]
    assert (
        book["rules"]["formality"],
        book["rules"]["person"],
        book["rules"]["content_warning"],
    ) == ("formal", "i", "grief and loss")
    assert [(r["rule"], r["value"], r["from"]) for r in book["inferred_rules"]] == [
        ("formality", "formal", "Keep it formal"),
        ("person", "i", "Write in the first person"),
        ("content_warning", "grief and loss", "Use a CW for grief and loss"),
    ]
    # The author's own choice is never replaced by words that state another.
    book_payload.update(title="Another", rules={"person": "we"})
    other = client.post("/api/books", json=book_payload).get_json()["book"]
    assert other["rules"]["person"] == "we"
    assert "person" not in [r["rule"] for r in other["inferred_rules"]]


def test_a_choice_the_author_removed_stays_removed_while_the_words_remain(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    book_payload.update(tone="Keep it formal.", content_guidelines="CW: grief")
    book = client.post("/api/books", json=book_payload).get_json()["book"]
    assert (book["rules"]["formality"], book["rules"]["content_warning"]) == ("formal", "grief")
    rules = {**book["rules"], "formality": None, "content_warning": None}
    changed = client.patch(f"/api/books/{book['id']}", json={"rules": rules, "price": "2.99 USD"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["book"]["rules"] == rules
    assert changed.get_json()["book"]["inferred_rules"] == []


def test_the_book_page_shows_and_saves_the_voice_choices(client: FlaskClient) -> None:
    form = {
        **FORM,
        "tone": "Quiet. Keep it formal.",
        "content_guidelines": "Use a CW for grief and loss.",
    }
    assert post_form(client, form).status_code == 302
    page = client.get("/book").get_data(as_text=True)
    assert "now enforced: a formal voice, without contractions; the content warning" in page
    assert '<option value="formal" selected>' in page
    assert 'name="rules.content_warning" type="text" maxlength="100" value="grief and loss"' in page
    assert 'id="recognised-rules-formality"' in page
    assert 'id="recognised-rules-content_warning"' in page
    assert "“grief and loss”: you wrote “Use a CW for grief and loss”." in page

    edit = {**form, "rules.formality": "casual", "rules.content_warning": " spoilers "}
    assert post_form(client, edit).status_code == 302
    saved = client.get("/api/books").get_json()["books"][0]["rules"]
    assert (saved["formality"], saved["content_warning"]) == ("casual", "spoilers")
    cleared = {**edit, "rules.content_warning": ""}
    assert post_form(client, cleared).status_code == 302
    assert client.get("/api/books").get_json()["books"][0]["rules"]["content_warning"] is None

    too_long = post_form(client, {**edit, "rules.content_warning": "x" * 101})
    assert too_long.status_code == 422
    assert 'id="error-rules-content_warning"' in too_long.get_data(as_text=True)


def test_a_level_in_letters_ignorecase_matches_is_read_not_a_crash(
    client: FlaskClient, book_payload: dict[str, Any]
) -> None:
    """ "İnformal" and "ınformal" match the level pattern (IGNORECASE) but casefold to neither
    "informal" nor any level: saving the profile once raised a KeyError (a 500)."""
    for tone in ("Keep it İnformal.", "Keep it ınformal."):
        book_payload.update(title=f"The book {tone}", tone=tone)
        created = client.post("/api/books", json=book_payload)
        assert created.status_code == 201, created.get_json()
        assert created.get_json()["book"]["rules"]["formality"] == "casual"
