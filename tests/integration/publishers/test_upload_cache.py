"""UploadCache: what a publisher keeps of its uploads is bounded in size and in age."""

from __future__ import annotations

from bookagent.publishers.uploads import UploadCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_upload_is_kept_per_account_key_and_variant_until_its_age_limit() -> None:
    clock = Clock()
    cache: UploadCache[str] = UploadCache(max_age_s=1800, clock=clock)
    cache.put("mastodon:a", "k.png", "m1", "alt")
    assert cache.get("mastodon:a", "k.png", "alt") == "m1"
    assert cache.get("mastodon:b", "k.png", "alt") is None  # another account
    assert cache.get("mastodon:a", "k.png", "other alt") is None  # another upload
    clock.now += 1800
    assert cache.get("mastodon:a", "k.png", "alt") == "m1"
    clock.now += 1
    assert cache.get("mastodon:a", "k.png", "alt") is None
    assert len(cache) == 0


def test_an_entry_may_be_kept_for_less_but_never_for_more() -> None:
    clock = Clock()
    cache: UploadCache[str] = UploadCache(max_age_s=60, clock=clock)
    cache.put("x:a", "short.png", "m1", max_age_s=10)
    cache.put("x:a", "long.png", "m2", max_age_s=86400)
    clock.now += 11
    assert cache.get("x:a", "short.png") is None
    assert cache.get("x:a", "long.png") == "m2"
    clock.now += 50
    assert cache.get("x:a", "long.png") is None


def test_the_least_recently_used_entry_goes_when_full_and_discard_forgets() -> None:
    cache: UploadCache[int] = UploadCache(max_entries=2)
    cache.put("a", "1.png", 1)
    cache.put("a", "2.png", 2)
    assert cache.get("a", "1.png") == 1  # used: 2.png is now the oldest
    cache.put("a", "3.png", 3)
    assert (cache.get("a", "1.png"), cache.get("a", "2.png"), cache.get("a", "3.png")) == (
        1,
        None,
        3,
    )
    cache.discard("a", "1.png")
    cache.discard("a", "missing.png")
    assert cache.get("a", "1.png") is None and len(cache) == 1
