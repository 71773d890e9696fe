"""The Bluesky publisher: an app-password session, then `com.atproto.repo.createRecord`.

The session (`createSession`) is cached; when the PDS answers `ExpiredToken` it is renewed with
`refreshSession`, or replaced by a new session when that fails too, and the call is made again.
Each post is written under a record key derived from our idempotency key (see `record_key`), so a
retry of the same post names the same record and cannot duplicate it: the PDS refuses the second
create (today with a 500, in newer versions with `RecordAlreadyExists`), and `getRecord` then
shows the post is there. Links and hashtags become facets at UTF-8 byte offsets (`richtext`).

A post's images are uploaded first, each with `com.atproto.repo.uploadBlob` (the raw bytes, with
the image's Content-Type), which answers a blob reference; the thread's first post then embeds
them (`app.bsky.embed.images`: up to 4, each with its `alt` text and `aspectRatio`). A post with
no image but a link gets an external link card (`app.bsky.embed.external`) on the post that holds
the link. A tracked link (`request.link_targets`, see `domain.link_tracking`) keeps its text,
and its facet and card point at the tracked address. The card's `title` is the link's host and
its `description` is empty: a card's real title and description would have to be fetched from
the page. This publisher does not fetch them, because it must not make requests to arbitrary
hosts.

An upload posts nothing, so its failures are those of a read (a 5xx or a lost answer is
ProviderUnavailable, safe to retry). Blobs are kept for a retry (`uploads.UploadCache`) for five
minutes only, because a PDS deletes a blob that no record references "within a time window (eg,
minutes)". If the PDS no longer holds a kept blob, it refuses the record with `BlobNotFound`
before writing anything, and the images are uploaded again, once. Uploading again is always
harmless: a blob is addressed by its content (the same bytes give the same CID), and the record
key still makes the post once.
https://docs.bsky.app/docs/api/com-atproto-repo-create-record
https://docs.bsky.app/docs/api/com-atproto-repo-upload-blob and https://atproto.com/specs/blob
https://docs.bsky.app/docs/advanced-guides/posts#images-embeds and #website-card-embeds
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from typing import Any

import httpx

from bookagent.domain.ports import CheckResult
from bookagent.domain.ports import PublisherCapabilities
from bookagent.domain.ports import PublishMedia
from bookagent.domain.ports import PublishRequest
from bookagent.domain.ports import PublishResult
from bookagent.errors import ConfigurationError
from bookagent.errors import ProviderError
from bookagent.errors import ProviderRejected
from bookagent.platforms.threads import split_thread
from bookagent.publishers.richtext import LINK_FEATURE
from bookagent.publishers.richtext import build_facets
from bookagent.publishers.richtext import link_target
from bookagent.publishers.richtext import record_key
from bookagent.publishers.transport import Redactor
from bookagent.publishers.transport import build_client
from bookagent.publishers.transport import json_object
from bookagent.publishers.transport import raise_for_status
from bookagent.publishers.transport import response_excerpt
from bookagent.publishers.transport import send
from bookagent.publishers.transport import vendor_error_text
from bookagent.publishers.uploads import UploadCache

logger = logging.getLogger(__name__)

POST_COLLECTION = "app.bsky.feed.post"
CREATE_SESSION = "/xrpc/com.atproto.server.createSession"
REFRESH_SESSION = "/xrpc/com.atproto.server.refreshSession"
CREATE_RECORD = "/xrpc/com.atproto.repo.createRecord"
GET_RECORD = "/xrpc/com.atproto.repo.getRecord"
GET_POSTS = "/xrpc/app.bsky.feed.getPosts"
UPLOAD_BLOB = "/xrpc/com.atproto.repo.uploadBlob"
EMBED_IMAGES = "app.bsky.embed.images"
EMBED_EXTERNAL = "app.bsky.embed.external"
# A PDS deletes a blob no record references "within a time window (eg, minutes)".
BLOB_MAX_AGE_S = 5 * 60.0
_STALE_TOKEN_ERRORS = {"ExpiredToken", "InvalidToken"}
_EXISTS_ERRORS = {"RecordAlreadyExists", "AlreadyExists"}


@dataclass(frozen=True)
class _Created:
    """A post record on the PDS: its strong reference (uri and cid, what a reply names) and the
    publish result it makes."""

    ref: Mapping[str, str]
    result: PublishResult


@dataclass(frozen=True)
class _Embed:
    """What one post of a thread embeds (its images, or a link card), and which post it is."""

    index: int
    value: Mapping[str, Any]


class _BlobsGone(ProviderRejected):
    """The PDS no longer holds an image we uploaded; it refused the record before writing it."""


@dataclass(frozen=True)
class _Session:
    access_jwt: str
    refresh_jwt: str
    did: str
    handle: str
    made_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class BlueskyPublisher:
    """Posts to one Bluesky (atproto) account with an app password."""

    name: str = "bluesky"

    def __init__(
        self,
        service: str,
        handle: str,
        app_password: str,
        timeout_s: float = 15.0,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if not service.strip() or not handle.strip() or not app_password.strip():
            raise ConfigurationError("The bluesky publisher needs a service, handle and password.")
        self.service = service.strip().rstrip("/")
        self.handle = handle.strip().lstrip("@")
        self.account = f"bluesky:{self.handle}"
        self._password = app_password.strip()
        self._session: _Session | None = None
        self._lock = asyncio.Lock()
        # image → blob reference, kept for a retry (not by alt text: a blob is only the bytes)
        self._uploads: UploadCache[dict[str, Any]] = UploadCache(max_age_s=BLOB_MAX_AGE_S)
        self._redact = Redactor([self._password])
        self._client = build_client(base_url=self.service, timeout_s=timeout_s, transport=transport)

    def limits(self) -> Mapping[str, Any]:
        """The lexicon's limits (300 graphemes, 3000 bytes) are already the platform rules."""
        return {}

    async def refresh_limits(self) -> Mapping[str, Any]:
        """Nothing to fetch: the configured limits apply."""
        return self.limits()

    def capabilities(self) -> PublisherCapabilities:
        """Deterministic record keys make a retry safe, and getRecord shows what went out."""
        return PublisherCapabilities(idempotency_key=True, lookup=True, metrics=True)

    async def publish(self, request: PublishRequest, idempotency_key: str) -> PublishResult:
        """Create the post under the record key of `idempotency_key` (or find it already there).

        A thread's posts are created in turn, each a reply to the one before under a record key
        of its own (`_thread_keys`), so a retry finds the posts that went out and goes on from
        the first that did not. The result is the thread's first post. The images (uploaded
        before any post is made) go with the first post.
        """
        posts = split_thread(request.content)
        try:
            return await self._publish_thread(request, posts, idempotency_key)
        except _BlobsGone:
            # Kept too long: the PDS deleted a blob we kept, and refused the record before it
            # wrote anything. Upload the images again (once) and make the same records.
            logger.info("bluesky blobs gone, uploading again post_id=%s", request.post_id)
            for item in request.media:
                self._uploads.discard(self.account, item.key)
            return await self._publish_thread(request, posts, idempotency_key)

    async def _publish_thread(
        self, request: PublishRequest, posts: tuple[str, ...], idempotency_key: str
    ) -> PublishResult:
        """Upload the images, then create the thread's posts in turn (see `publish`)."""
        embed = await self._embed(request, posts)
        first: _Created | None = None
        parent: _Created | None = None
        keys = _thread_keys(idempotency_key, len(posts))
        for index, (text, rkey) in enumerate(zip(posts, keys, strict=True)):
            reply = None
            if first is not None and parent is not None:
                reply = {"root": first.ref, "parent": parent.ref}
            own = embed.value if embed is not None and embed.index == index else None
            parent = await self._create(request, text, rkey, reply, own)
            first = first or parent
        assert first is not None  # a text splits into at least one post
        return first.result

    async def _embed(self, request: PublishRequest, posts: tuple[str, ...]) -> _Embed | None:
        """The thread's images (for its first post), else a card for its first link, else None."""
        if request.media:
            images = []
            for index, item in enumerate(request.media, start=1):
                image: dict[str, Any] = {
                    "image": await self._blob(request.post_id, index, item),
                    "alt": item.alt_text,
                }
                if item.width > 0 and item.height > 0:
                    image["aspectRatio"] = {"width": item.width, "height": item.height}
                images.append(image)
            return _Embed(0, {"$type": EMBED_IMAGES, "images": images})
        for index, text in enumerate(posts):
            for facet in build_facets(text, request.link_targets):
                for feature in facet["features"]:
                    if feature.get("$type") == LINK_FEATURE:
                        return _Embed(index, _link_card(str(feature["uri"])))
        if not request.links:
            return None
        first = request.links[0]
        return _Embed(0, _link_card(link_target(first, first, request.link_targets)))

    async def _blob(self, post_id: str, index: int, item: PublishMedia) -> dict[str, Any]:
        """The blob reference of one image: uploaded now, or kept from a recent attempt."""
        kept = self._uploads.get(self.account, item.key)
        if kept is not None:
            return kept
        response = await self._call(
            "POST",
            UPLOAD_BLOB,
            effect=False,  # an upload posts nothing: its failures are safe to retry
            content=item.data,
            headers={"content-type": item.mime},
        )
        raise_for_status(response, vendor=self.name, redact=self._redact, effect=False)
        blob = json_object(response, vendor=self.name).get("blob")
        ref = blob.get("ref") if isinstance(blob, dict) else None
        if not isinstance(blob, dict) or not isinstance(ref, dict) or not ref.get("$link"):
            raise ProviderRejected("bluesky: the uploadBlob answer has no blob reference")
        self._uploads.put(self.account, item.key, blob)
        logger.info(
            "bluesky uploaded image post_id=%s index=%s cid=%s", post_id, index, ref["$link"]
        )
        return blob

    async def find_published(
        self, request: PublishRequest, idempotency_key: str
    ) -> PublishResult | None:
        """`getRecord` at this key's record key (a thread's last post's): the post (a thread's
        first), or None when it is absent."""
        keys = _thread_keys(idempotency_key, len(split_thread(request.content)))
        if len(keys) > 1 and await self._find(keys[-1]) is None:
            return None  # the thread did not go out whole: a retry completes it
        found = await self._find(keys[0])
        return found.result if found is not None else None

    async def _create(
        self,
        request: PublishRequest,
        text: str,
        rkey: str,
        reply: Mapping[str, Mapping[str, str]] | None,
        embed: Mapping[str, Any] | None = None,
    ) -> _Created:
        """One post record at `rkey` (a reply when `reply` names its root and parent, with
        `embed` when given), or the record already there."""
        session = await self._current_session()
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": text,
            "createdAt": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }
        facets = build_facets(text, request.link_targets)
        if facets:
            record["facets"] = facets
        language = request.metadata.get("language")
        if isinstance(language, str) and language:
            record["langs"] = [language]  # the lexicon takes BCP 47 tags, at most 3
        if reply is not None:
            record["reply"] = reply
        if embed is not None:
            record["embed"] = embed
        body = {"repo": session.did, "collection": POST_COLLECTION, "rkey": rkey, "record": record}
        response = await self._call("POST", CREATE_RECORD, effect=True, json=body)
        if response.is_success:
            return self._created(json_object(response, vendor=self.name), rkey, response)
        if _is_conflict(response) or response.status_code >= 500:
            existing = await self._existing(rkey)
            if existing is not None:
                logger.info("bluesky post already there post_id=%s rkey=%s", request.post_id, rkey)
                return existing
        if response.status_code == 400 and _xrpc_error(response) == "BlobNotFound":
            raise _BlobsGone(f"bluesky: {vendor_error_text(response, self._redact)}")
        raise_for_status(response, vendor=self.name, redact=self._redact, effect=True)
        raise ProviderRejected(f"bluesky: HTTP {response.status_code} without a record")

    async def check(self) -> CheckResult:
        """Create a fresh session: proves the handle and app password."""
        try:
            async with self._lock:
                self._session = await self._create_session()
        except ProviderError as exc:
            return CheckResult(ok=False, message=exc.message)
        return CheckResult(
            ok=True,
            message=f"Signed in to {self.service} as @{self._session.handle}.",
            session_made_at=self._session.made_at,
        )

    async def metrics(self, remote_id: str) -> Mapping[str, int] | None:
        """Likes, reposts, replies and quotes from `app.bsky.feed.getPosts` (via the PDS)."""
        response = await self._call("GET", GET_POSTS, effect=False, params={"uris": remote_id})
        raise_for_status(response, vendor=self.name, redact=self._redact, effect=False)
        posts = json_object(response, vendor=self.name).get("posts") or []
        if not posts or not isinstance(posts[0], dict):
            return None
        post = posts[0]
        return {
            key: int(post.get(field) or 0)
            for key, field in (
                ("likes", "likeCount"),
                ("reposts", "repostCount"),
                ("replies", "replyCount"),
                ("quotes", "quoteCount"),
            )
        }

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def _existing(self, rkey: str) -> _Created | None:
        try:
            return await self._find(rkey)
        except ProviderError:
            return None  # the caller reports the create's own error instead

    async def _find(self, rkey: str) -> _Created | None:
        session = await self._current_session()
        params = {"repo": session.did, "collection": POST_COLLECTION, "rkey": rkey}
        response = await self._call("GET", GET_RECORD, effect=False, params=params)
        if response.status_code in (400, 404) and _xrpc_error(response) in (
            "RecordNotFound",
            "NotFound",
        ):
            return None
        if response.status_code == 404:
            return None
        raise_for_status(response, vendor=self.name, redact=self._redact, effect=False)
        return self._created(json_object(response, vendor=self.name), rkey, response)

    def _created(self, answer: Mapping[str, Any], rkey: str, response: httpx.Response) -> _Created:
        """The record that `answer` (of createRecord or getRecord) names, as a reply's strong
        reference and as the publish result."""
        uri, cid = str(answer.get("uri") or ""), answer.get("cid")
        handle = self._session.handle if self._session else self.handle
        if not uri.startswith("at://"):
            raise ProviderRejected("bluesky: the answer has no record uri")
        result = PublishResult(
            remote_id=uri,
            url=f"https://bsky.app/profile/{handle}/post/{uri.rsplit('/', 1)[-1] or rkey}",
            status_code=response.status_code,
            response_excerpt=response_excerpt(response, self._redact),
        )
        return _Created({"uri": uri, "cid": str(cid or "")}, result)

    async def _call(self, method: str, path: str, *, effect: bool, **kwargs: Any) -> httpx.Response:
        """An authenticated call; a stale token is renewed once and the call repeated."""
        session = await self._current_session()
        response = await self._send(method, path, session.access_jwt, effect=effect, **kwargs)
        if response.status_code in (400, 401) and _xrpc_error(response) in _STALE_TOKEN_ERRORS:
            # The PDS refused the token before acting, so repeating the call is safe.
            session = await self._renew(session)
            response = await self._send(method, path, session.access_jwt, effect=effect, **kwargs)
        return response

    async def _send(
        self, method: str, path: str, token: str, *, effect: bool, **kwargs: Any
    ) -> httpx.Response:
        headers = {**kwargs.pop("headers", {}), "authorization": f"Bearer {token}"}
        return await send(
            self._client,
            method,
            path,
            vendor=self.name,
            redact=self._redact,
            effect=effect,
            headers=headers,
            **kwargs,
        )

    async def _current_session(self) -> _Session:
        async with self._lock:
            if self._session is None:
                self._session = await self._create_session()
            return self._session

    async def _renew(self, stale: _Session) -> _Session:
        async with self._lock:
            if self._session is not None and self._session is not stale:
                return self._session  # another call renewed it meanwhile
            try:
                self._session = await self._refresh_session(stale)
            except ProviderRejected:
                self._session = await self._create_session()
            return self._session

    async def _create_session(self) -> _Session:
        response = await send(
            self._client,
            "POST",
            CREATE_SESSION,
            vendor=self.name,
            redact=self._redact,
            effect=False,
            json={"identifier": self.handle, "password": self._password},
        )
        raise_for_status(response, vendor=self.name, redact=self._redact, effect=False)
        session = self._session_from(response)
        logger.info("bluesky session created account=%s did=%s", self.account, session.did)
        return session

    async def _refresh_session(self, stale: _Session) -> _Session:
        response = await self._send("POST", REFRESH_SESSION, stale.refresh_jwt, effect=False)
        raise_for_status(response, vendor=self.name, redact=self._redact, effect=False)
        return self._session_from(response)

    def _session_from(self, response: httpx.Response) -> _Session:
        body = json_object(response, vendor=self.name)
        access, refresh = body.get("accessJwt"), body.get("refreshJwt")
        did = body.get("did")
        if not (isinstance(access, str) and isinstance(refresh, str) and isinstance(did, str)):
            raise ProviderRejected("bluesky: the session answer lacks accessJwt, refreshJwt or did")
        self._redact.add(access, refresh)
        handle = body.get("handle")
        return _Session(access, refresh, did, handle if isinstance(handle, str) else self.handle)


def _thread_keys(idempotency_key: str, count: int) -> list[str]:
    """The record keys of a post's `count` posts: the first is the key's own record key (as for
    a post that is not a thread), the others are derived from it and their place."""
    keys = [f"{idempotency_key}/{index}" if index else idempotency_key for index in range(count)]
    return [record_key(key) for key in keys]


def _link_card(uri: str) -> dict[str, Any]:
    """An external link card for `uri`, titled with its host (see the module doc: the page's own
    title and description are not fetched)."""
    try:
        host = httpx.URL(uri).host
    except httpx.InvalidURL:
        host = ""
    external = {"uri": uri, "title": host.removeprefix("www.") or uri, "description": ""}
    return {"$type": EMBED_EXTERNAL, "external": external}


def _xrpc_error(response: httpx.Response) -> str | None:
    """The XRPC error name (`{"error": "ExpiredToken", "message": ...}`), if any."""
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, str) else None


def _is_conflict(response: httpx.Response) -> bool:
    if response.status_code == 409 or _xrpc_error(response) in _EXISTS_ERRORS:
        return True
    return response.status_code == 400 and "already exists" in response.text.lower()
