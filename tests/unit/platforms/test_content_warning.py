"""A Mastodon post's content warning: it takes its length from the text's room, and the preview
shows it in place of the text, as Mastodon does."""

from __future__ import annotations

from bookagent.domain.validation import check_draft
from bookagent.platforms import get_rules
from bookagent.platforms import preview
from bookagent.platforms.content_warning import rules_with_warning
from bookagent.platforms.content_warning import warning_length
from bookagent.platforms.content_warning import with_content_warning
from tests.adversarial.profiles import THRILLER

WARNING = "mentions of grief"  # 17 characters


def test_the_warning_takes_its_length_from_the_texts_room_on_mastodon_only() -> None:
    mastodon = get_rules("mastodon", {"mastodon": {"max_length": 1000}})
    assert warning_length(mastodon, WARNING) == 17
    assert rules_with_warning(mastodon, WARNING).max_length == 1000 - 17
    assert rules_with_warning(mastodon, None) is mastodon
    assert rules_with_warning(mastodon, "") is mastodon
    for platform in ("twitter", "bluesky", "facebook"):
        rules = get_rules(platform)
        assert rules_with_warning(rules, WARNING) is rules


def test_a_link_in_the_warning_counts_as_written_and_the_limit_stays_positive() -> None:
    mastodon = get_rules("mastodon")
    link = "https://example.com/a-very-long-path-indeed"
    assert warning_length(mastodon, link) == len(link)  # not the text's 23 per URL
    assert rules_with_warning(mastodon, "x" * 600).max_length == 1


def test_the_gate_counts_the_warning_with_the_text() -> None:
    mastodon = get_rules("mastodon")
    text = "A keeper of a remote lighthouse. #LiteraryFiction " + "word " * 88
    assert len(text) == 490
    assert check_draft(THRILLER, mastodon, text).codes.count("too_long") == 0
    limited = check_draft(THRILLER, rules_with_warning(mastodon, WARNING), text)
    assert "too_long" in limited.codes
    assert limited.limit == 500 - 17


def test_the_preview_shows_the_warning_and_folds_the_text() -> None:
    mastodon = get_rules("mastodon")
    text = "A keeper of a remote lighthouse. https://example.com/book #LiteraryFiction"
    plain = preview("mastodon", text, mastodon)
    shown = with_content_warning(plain, WARNING, mastodon)
    assert shown.content_warning == WARNING
    assert shown.shown == ()
    assert shown.folded == (*plain.shown, *plain.folded)
    assert shown.more_label == "Show more"
    assert (shown.length, shown.limit) == (plain.length + 17, 500)
    assert shown.link_card == plain.link_card
    assert shown.to_dict()["content_warning"] == WARNING
    assert plain.to_dict()["content_warning"] is None


def test_no_warning_or_another_platform_leaves_the_preview_as_it_is() -> None:
    plain = preview("mastodon", "Out now. #Books")
    assert with_content_warning(plain, None, get_rules("mastodon")) is plain
    bluesky = preview("bluesky", "Out now. #Books")
    assert with_content_warning(bluesky, WARNING, get_rules("bluesky")) is bluesky
