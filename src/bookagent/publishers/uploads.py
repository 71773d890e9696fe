"""What a publisher remembers of the images it uploaded, so a retry need not upload them again.

Every network takes a post's images in two steps: upload each image (which creates no post), then
create the post naming the uploads. A retry of a publish whose create failed (or whose answer was
lost) may reuse the uploads of the attempt before: `UploadCache` keeps, per publisher instance,
the remote id (or Bluesky blob) of each image by `(account, store key, variant)`, where the
variant is what else the upload is tied to: on Mastodon and X the post and the alt text (a
Mastodon image can be attached to one status only, so an upload serves its own post's retries
and no other post, even one being published at the same time); none on Bluesky, where a blob is
only its bytes and any number of records may reference it. It is small and bounded
(least recently used first out) and forgets an entry after its age limit: the networks drop
uploads that no post names (Mastodon deletes unattached media after a day; a Bluesky PDS deletes a
blob no record references "within a time window (eg, minutes)"; an X media id expires after the
upload's `expires_after_secs`), so an old entry might name nothing any more. Thirty minutes is the
default; a publisher may keep an entry for less (`put(..., max_age_s=...)`).

Losing the cache (a new process, a crash) only costs a second upload: it never makes a second
post. The post itself is made once by each publisher's own rule (Mastodon's Idempotency-Key,
Bluesky's record key, X's unknown outcome left unconfirmed), and the first attempt's uploads are
then orphans that no post names, which each network cleans up by itself.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic
from typing import TypeVar

T = TypeVar("T")

DEFAULT_MAX_ENTRIES = 256
DEFAULT_MAX_AGE_S = 30 * 60.0


class UploadCache(Generic[T]):
    """Recent uploads by `(account, store key, variant)`; bounded in size and in age."""

    def __init__(
        self,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_age_s: float = DEFAULT_MAX_AGE_S,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_entries = max(1, max_entries)
        self._max_age_s = max_age_s
        self._clock = clock
        # (account, key, variant) -> (value, the clock's time after which it is forgotten)
        self._entries: OrderedDict[tuple[str, str, str], tuple[T, float]] = OrderedDict()

    def get(self, account: str, key: str, variant: str = "") -> T | None:
        """The upload kept for this image, or None (never kept, or older than `max_age_s`)."""
        entry = (account, key, variant)
        found = self._entries.get(entry)
        if found is None:
            return None
        value, expires_at = found
        if self._clock() > expires_at:
            del self._entries[entry]
            return None
        self._entries.move_to_end(entry)
        return value

    def put(
        self,
        account: str,
        key: str,
        value: T,
        variant: str = "",
        *,
        max_age_s: float | None = None,
    ) -> None:
        """Remember an upload for `max_age_s` (at most the cache's own limit); the least recently
        used entry goes when the cache is full."""
        entry = (account, key, variant)
        age_s = self._max_age_s if max_age_s is None else min(max_age_s, self._max_age_s)
        self._entries[entry] = (value, self._clock() + age_s)
        self._entries.move_to_end(entry)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def discard(self, account: str, key: str, variant: str = "") -> None:
        """Forget an upload (a post now holds it, and the network lets no second post take it)."""
        self._entries.pop((account, key, variant), None)

    def __len__(self) -> int:
        return len(self._entries)
