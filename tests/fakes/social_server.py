"""A loopback HTTP server that speaks Mastodon, Bluesky (XRPC), X API v2 and a signed webhook.

It listens on 127.0.0.1 on a free port, answers with bodies and headers shaped like each vendor's
documentation, records every request, and keeps what was created, so a test can ask the server
itself how many posts exist. It honours Mastodon's Idempotency-Key (same key, same status) and
refuses a Bluesky create at an existing record key; the webhook endpoint checks the HMAC
signature and timestamp with the shared secret, as a real receiver would.

Images go the way each API takes them, and the server refuses what the API would refuse:
Mastodon's `POST /api/v2/media` (multipart `file` and `description`) answers 202 and
`GET /api/v1/media/:id` answers 206 until the image is processed, then 200; a status's
`media_ids` must exist, be processed, belong to the caller and be attached to no other status.
Bluesky's `uploadBlob` takes an image of at most 1,000,000 bytes (else `BlobTooLarge` or
`InvalidMimeType`) and answers a content-addressed blob; a record's `app.bsky.embed.images` must
name uploaded blobs (else `BlobNotFound`), with `alt` and a valid `aspectRatio`. X's
`POST /2/media/upload` (JSON, base64 `media`) answers a media id, `POST /2/media/metadata` sets
its alt text, and a post's `media.media_ids` must exist. X's `GET /2/tweets/:id` answers a post's
`public_metrics` (a test sets them in `x_public_metrics`) when `tweet.fields` asks for them.

Faults are queued with `inject(kind, times=..., path=...)` and hit the next matching requests:
`rate_limit` (429 with the vendor's reset headers), `server_error` (500/503), `stall` (handle
the request, so the post exists, then answer nothing until past the client's timeout) and `drop`
(handle it, then close the socket without an answer).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import socketserver
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl
from urllib.parse import urlsplit

MASTODON_TOKEN = "mastodon-secret-token"
BLUESKY_HANDLE = "author.bsky.social"
BLUESKY_PASSWORD = "abcd-efgh-ijkl-mnop"
BLUESKY_DID = "did:plc:fakeauthor4bookagent0000"
X_TOKEN = "x-secret-user-token"
_ISO_639 = re.compile(r"[a-z]{2,3}")
# A well-formed BCP 47 tag, as atproto's "language" format checks it (RFC 5646's grammar,
# without the private-use and grandfathered forms).
_BCP_47 = re.compile(
    r"[a-zA-Z]{2,3}(?:-[a-zA-Z]{4})?(?:-(?:[a-zA-Z]{2}|[0-9]{3}))?"
    r"(?:-(?:[a-zA-Z0-9]{5,8}|[0-9][a-zA-Z0-9]{3}))*"
)
WEBHOOK_SECRET = "whsec-shared-secret"
WEBHOOK_PATH = "/hook"
VENDORS = ("mastodon", "bluesky", "x", "webhook")
BLUESKY_MAX_BLOB_BYTES = 1_000_000  # app.bsky.embed.images#image: blob maxSize
X_MAX_IMAGE_BYTES = 5 * 1024 * 1024
# X's public_metrics of a post nobody has seen yet.
_X_NO_METRICS = {
    "retweet_count": 0,
    "reply_count": 0,
    "like_count": 0,
    "quote_count": 0,
    "bookmark_count": 0,
    "impression_count": 0,
}


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received; header names are lower-case, `body` is the parsed JSON or form."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    raw: bytes
    body: Any

    @property
    def bearer(self) -> str | None:
        """The bearer token presented, if any."""
        value = self.headers.get("authorization", "")
        return value.removeprefix("Bearer ") if value.startswith("Bearer ") else None


@dataclass
class _Fault:
    kind: str
    times: int
    path: str | None
    status: int
    after: int = 0  # matching requests let through before the fault applies


@dataclass
class _Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    action: str | None = None  # "stall" or "drop": withhold this answer


def vendor_of(path: str) -> str | None:
    """Which vendor a path belongs to."""
    if path.startswith("/api/"):
        return "mastodon"
    if path.startswith("/xrpc/"):
        return "bluesky"
    if path.startswith("/2/"):
        return "x"
    return "webhook" if path == WEBHOOK_PATH else None


class FakeSocialServer:
    """The fake vendors. Knobs are plain attributes; a test may change them mid-way."""

    def __init__(
        self,
        *,
        mastodon_max_characters: int | None = 500,
        mastodon_url_length: int = 23,
        bluesky_conflict_status: int = 409,
        rate_limit_reset_s: int = 30,
        stall_s: float = 5.0,
        webhook_tolerance_s: int = 300,
        webhook_reply: Any = None,
        mastodon_media_async: bool = True,
        mastodon_media_pending_polls: int = 1,
    ) -> None:
        self.mastodon_max_characters = mastodon_max_characters
        self.mastodon_url_length = mastodon_url_length
        self.bluesky_conflict_status = bluesky_conflict_status  # 409 (newer PDS) or 500 (today)
        self.rate_limit_reset_s = rate_limit_reset_s
        self.stall_s = stall_s
        self.webhook_tolerance_s = webhook_tolerance_s
        self.webhook_reply = webhook_reply
        # Mastodon: answer an upload 202 (processing) and a poll 206 this many times before 200.
        self.mastodon_media_async = mastodon_media_async
        self.mastodon_media_pending_polls = mastodon_media_pending_polls
        self.mastodon_media: dict[str, dict[str, Any]] = {}  # id -> attachment and its state
        self.bluesky_blobs: dict[str, dict[str, Any]] = {}  # CID -> {mimeType, size}
        self.x_media: dict[str, dict[str, Any]] = {}  # media id -> {mime, size, alt_text}
        self.mastodon_statuses: dict[str, dict[str, Any]] = {}
        self.mastodon_keys: dict[str, str] = {}
        self.bluesky_records: dict[str, dict[str, Any]] = {}  # rkey -> {uri, cid, value}
        self.tweets: dict[str, dict[str, Any]] = {}
        # X: a post's public_metrics, by post id (a post not listed here has only zeros).
        self.x_public_metrics: dict[str, dict[str, int]] = {}
        self.hooks: list[dict[str, Any]] = []
        self._access: set[str] = set()
        self._refresh: set[str] = set()
        self._expired: set[str] = set()
        self._faults: list[_Fault] = []
        self._requests: list[RecordedRequest] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`: every vendor's base URL."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of the requests received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The requests received for one path."""
        return [request for request in self.requests if request.path == path]

    def created(self, vendor: str) -> int:
        """How many posts the server holds for a vendor (its own count, not the client's)."""
        with self._lock:
            return {
                "mastodon": len(self.mastodon_statuses),
                "bluesky": len(self.bluesky_records),
                "x": len(self.tweets),
                "webhook": len(self.hooks),
            }[vendor]

    def inject(
        self,
        kind: str,
        *,
        times: int = 1,
        path: str | None = None,
        status: int | None = None,
        after: int = 0,
    ) -> None:
        """Make the next `times` requests (to `path`, or any) fail as `kind`, once `after` of
        them have been answered normally."""
        if kind not in ("rate_limit", "server_error", "stall", "drop"):
            raise ValueError(f"unknown fault {kind!r}")
        default = 429 if kind == "rate_limit" else 500
        with self._lock:
            self._faults.append(_Fault(kind, times, path, status or default, after))

    def forget_bluesky_blobs(self) -> None:
        """Delete every uploaded blob, as a PDS does with blobs no record took in time."""
        with self._lock:
            self.bluesky_blobs.clear()

    def expire_bluesky_sessions(self, *, refresh_too: bool = False) -> None:
        """Expire every access token (and refresh token): the next call gets `ExpiredToken`."""
        with self._lock:
            self._expired |= self._access
            self._access.clear()
            if refresh_too:
                self._expired |= self._refresh
                self._refresh.clear()

    def start(self) -> FakeSocialServer:
        """Start serving on a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Wake stalled handlers, stop serving, and wait for every handler thread to finish."""
        self._stopping.set()
        if self._thread.is_alive():
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()  # joins the handler threads (block_on_close)

    def __enter__(self) -> FakeSocialServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def wait_stalled(self) -> None:
        """Block a handler thread as a stalled server would (woken early by `stop`)."""
        self._stopping.wait(self.stall_s)

    def handle(self, request: RecordedRequest) -> _Reply:
        """Record the request, apply a queued fault, else answer as the vendor would."""
        with self._lock:
            self._requests.append(request)
            fault = self._take_fault(request.path)
        vendor = vendor_of(request.path)
        if fault is not None and fault.kind == "rate_limit":
            return self._rate_limited(vendor)
        if fault is not None and fault.kind == "server_error":
            return _Reply(fault.status, _error(vendor, fault.status))
        routes = {"mastodon": self._mastodon, "bluesky": self._bluesky, "x": self._x}
        reply = routes[vendor](request) if vendor in routes else None
        if vendor == "webhook":
            reply = self._webhook(request)
        if reply is None:
            reply = _Reply(404, {"error": f"Not found: {request.path}"})
        if fault is not None:
            reply.action = fault.kind  # handled (the post exists), but the answer never comes
        return reply

    def _take_fault(self, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.path in (None, path) and fault.after > 0:
                fault.after -= 1
                return None
            if fault.path in (None, path):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _rate_limited(self, vendor: str | None) -> _Reply:
        reset = int(time.time()) + self.rate_limit_reset_s
        headers = {
            "mastodon": {
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": datetime.fromtimestamp(reset, UTC)
                .isoformat(timespec="microseconds")
                .replace("+00:00", "Z"),
            },
            "bluesky": {
                "ratelimit-limit": "3000",
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(reset),
                "ratelimit-policy": "3000;w=300",
            },
            "x": {
                "x-rate-limit-limit": "17",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(reset),
            },
        }.get(vendor or "", {"Retry-After": str(self.rate_limit_reset_s)})
        return _Reply(429, _error(vendor, 429), headers)

    # Mastodon: https://docs.joinmastodon.org/methods/statuses/ and /entities/Status/
    def _mastodon(self, request: RecordedRequest) -> _Reply | None:
        if request.path == "/api/v2/instance":
            statuses = {"max_media_attachments": 4}
            if self.mastodon_max_characters is not None:
                statuses["max_characters"] = self.mastodon_max_characters
                statuses["characters_reserved_per_url"] = self.mastodon_url_length
            return _Reply(200, _mastodon_instance(self.url, statuses))
        if request.bearer != MASTODON_TOKEN:
            return _Reply(401, {"error": "The access token is invalid"})
        if request.path == "/api/v1/accounts/verify_credentials":
            return _Reply(200, _mastodon_account(self.url))
        if request.method == "POST" and request.path == "/api/v1/statuses":
            return self._mastodon_create(request)
        if request.method == "POST" and request.path == "/api/v2/media":
            return self._mastodon_upload(request)
        if request.method == "GET" and request.path.startswith("/api/v1/media/"):
            return self._mastodon_media_get(request.path.rsplit("/", 1)[-1])
        if request.method == "GET" and request.path.startswith("/api/v1/statuses/"):
            with self._lock:
                status = self.mastodon_statuses.get(request.path.rsplit("/", 1)[-1])
            return _Reply(200, status) if status else _Reply(404, {"error": "Record not found"})
        return None

    def _mastodon_create(self, request: RecordedRequest) -> _Reply:
        text = str(request.body.get("status") or "")
        warning = str(request.body.get("spoiler_text") or "")
        limit = self.mastodon_max_characters or 500
        if not text.strip():
            return _Reply(422, {"error": "Validation failed: Text can't be blank"})
        # Mastodon counts the content warning with the text (StatusLengthValidator).
        if len(warning + text) > limit:
            return _Reply(
                422, {"error": f"Validation failed: Text character limit of {limit} exceeded"}
            )
        language = request.body.get("language")
        # Mastodon takes an ISO 639 code (LanguageValidator: `en`, not `en-GB` or `English`).
        if language is not None and not _ISO_639.fullmatch(str(language)):
            return _Reply(422, {"error": "Validation failed: Language is not a valid language"})
        key = request.headers.get("idempotency-key")
        media_ids = request.body.get("media_ids") or []
        with self._lock:
            # Mastodon answers a repeated key before it looks at the rest (PostStatusService).
            if key and key in self.mastodon_keys:
                return _Reply(200, self.mastodon_statuses[self.mastodon_keys[key]])
            refusal = self._mastodon_media_refusal(media_ids, request.bearer)
            if refusal is not None:
                return _Reply(422, {"error": f"Validation failed: {refusal}"})
            status_id = str(113_000_000_000_000_000 + next(self._ids))
            status = _mastodon_status(self.url, status_id, text, request.body.get("visibility"))
            status.update(spoiler_text=warning, sensitive=bool(warning), language=language)
            for media_id in media_ids:
                self.mastodon_media[media_id]["status_id"] = status_id
            status["media_attachments"] = [
                self.mastodon_media[media_id]["attachment"] for media_id in media_ids
            ]
            self.mastodon_statuses[status_id] = status
            if key:
                self.mastodon_keys[key] = status_id
        return _Reply(200, status)

    def _mastodon_media_refusal(self, media_ids: Any, bearer: str | None) -> str | None:
        """Why Mastodon would refuse these `media_ids` on a new status, or None (under the lock)."""
        if not isinstance(media_ids, list) or not all(isinstance(i, str) for i in media_ids):
            return "media_ids must be a list of ids"
        if len(media_ids) > 4:
            return "Cannot attach more than 4 files"
        if len(set(media_ids)) != len(media_ids):
            return "Cannot attach the same file twice"
        for media_id in media_ids:
            media = self.mastodon_media.get(media_id)
            if media is None or media["owner"] != bearer:
                return f"Media {media_id} not found"
            if media["pending_polls"] > 0 or media["attachment"]["url"] is None:
                return "Cannot attach files that have not finished processing. Try again later"
            if media["status_id"] is not None:
                return f"Media {media_id} is already attached to another status"
        return None

    def _mastodon_upload(self, request: RecordedRequest) -> _Reply:
        """`POST /api/v2/media`: https://docs.joinmastodon.org/methods/media/#v2."""
        upload = request.body.get("file")
        if not isinstance(upload, dict) or not str(upload.get("content_type")).startswith("image/"):
            return _Reply(422, {"error": "Validation failed: File content type is invalid"})
        description = request.body.get("description")
        if isinstance(description, str) and len(description) > 1500:
            return _Reply(422, {"error": "Validation failed: Description is too long"})
        media_id = str(113_500_000_000_000_000 + next(self._ids))
        attachment = {
            "id": media_id,
            "type": "image",
            "url": None,
            "preview_url": f"{self.url}/media/small/{media_id}.png",
            "remote_url": None,
            "description": description if isinstance(description, str) else None,
            "blurhash": "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}",
            "meta": {"size_bytes": len(upload["data"])},
        }
        pending = self.mastodon_media_pending_polls if self.mastodon_media_async else 0
        with self._lock:
            self.mastodon_media[media_id] = {
                "attachment": attachment,
                "owner": request.bearer,
                "pending_polls": pending,
                "status_id": None,
                "data": upload["data"],
            }
            if not self.mastodon_media_async:
                attachment["url"] = f"{self.url}/media/original/{media_id}.png"
                return _Reply(200, dict(attachment))
        return _Reply(202, dict(attachment))

    def _mastodon_media_get(self, media_id: str) -> _Reply:
        """`GET /api/v1/media/:id`: 206 while processing, 200 once done."""
        with self._lock:
            media = self.mastodon_media.get(media_id)
            if media is None:
                return _Reply(404, {"error": "Record not found"})
            if media["pending_polls"] > 0:
                media["pending_polls"] -= 1
                return _Reply(206, dict(media["attachment"]))
            media["attachment"]["url"] = f"{self.url}/media/original/{media_id}.png"
            return _Reply(200, dict(media["attachment"]))

    # Bluesky: https://docs.bsky.app/docs/api/com-atproto-repo-create-record
    def _bluesky(self, request: RecordedRequest) -> _Reply | None:
        method = request.path.removeprefix("/xrpc/")
        if method == "com.atproto.server.createSession":
            body = request.body
            if body.get("identifier") not in (BLUESKY_HANDLE, BLUESKY_DID) or (
                body.get("password") != BLUESKY_PASSWORD
            ):
                return _xrpc(401, "AuthenticationRequired", "Invalid identifier or password")
            return _Reply(200, self._new_session())
        if method == "com.atproto.server.refreshSession":
            with self._lock:
                valid = request.bearer in self._refresh
                if valid:
                    self._refresh.discard(str(request.bearer))
            if not valid:
                return _xrpc(400, "ExpiredToken", "Token has expired")
            return _Reply(200, self._new_session())
        with self._lock:
            token_ok = request.bearer in self._access
            expired = request.bearer in self._expired
        if not token_ok:
            if expired:
                return _xrpc(400, "ExpiredToken", "Token has expired")
            return _xrpc(401, "AuthenticationRequired", "Invalid token")
        if method == "com.atproto.repo.createRecord":
            return self._bluesky_create(request)
        if method == "com.atproto.repo.uploadBlob":
            return self._bluesky_upload(request)
        if method == "com.atproto.repo.getRecord":
            with self._lock:
                record = self.bluesky_records.get(request.query.get("rkey", ""))
            if record is None or request.query.get("repo") not in (BLUESKY_DID, BLUESKY_HANDLE):
                return _xrpc(400, "RecordNotFound", "Could not locate record")
            return _Reply(200, record)
        if method == "app.bsky.feed.getPosts":
            uri = request.query.get("uris")
            with self._lock:
                found = [r for r in self.bluesky_records.values() if r["uri"] == uri]
            counts = {"likeCount": 4, "repostCount": 3, "replyCount": 2, "quoteCount": 1}
            posts = [
                {"uri": r["uri"], "cid": r["cid"], "record": r["value"], **counts} for r in found
            ]
            return _Reply(200, {"posts": posts})
        return None

    def _new_session(self) -> dict[str, Any]:
        number = next(self._ids)
        access, refresh = f"eyJ.access.{number}", f"eyJ.refresh.{number}"
        with self._lock:
            self._access.add(access)
            self._refresh.add(refresh)
        return {
            "did": BLUESKY_DID,
            "handle": BLUESKY_HANDLE,
            "accessJwt": access,
            "refreshJwt": refresh,
            "active": True,
        }

    def _bluesky_create(self, request: RecordedRequest) -> _Reply:
        body, record = request.body, request.body.get("record") or {}
        if body.get("repo") != BLUESKY_DID or record.get("$type") != "app.bsky.feed.post":
            return _xrpc(400, "InvalidRequest", "Invalid repo or record type")
        text = str(record.get("text", ""))
        size = len(text.encode())
        for facet in record.get("facets", []):
            index = facet["index"]
            if not 0 <= index["byteStart"] < index["byteEnd"] <= size:
                return _xrpc(400, "InvalidRequest", "Invalid facet index")
        langs = record.get("langs")
        # app.bsky.feed.post: langs is an array of at most 3 BCP 47 tags (format "language").
        if langs is not None and not (
            isinstance(langs, list)
            and len(langs) <= 3
            and all(isinstance(t, str) and _BCP_47.fullmatch(t) for t in langs)
        ):
            return _xrpc(400, "InvalidRequest", "Invalid app.bsky.feed.post record: langs")
        reply = record.get("reply")
        if reply is not None and not self._bluesky_reply_ok(reply):
            return _xrpc(400, "InvalidRequest", "Invalid app.bsky.feed.post record: reply")
        if "embed" in record:
            refusal = self._bluesky_embed_refusal(record["embed"])
            if refusal is not None:
                return refusal
        rkey = str(body.get("rkey") or f"3l{next(self._ids):011d}")
        uri = f"at://{BLUESKY_DID}/app.bsky.feed.post/{rkey}"
        with self._lock:
            if rkey in self.bluesky_records:
                status = self.bluesky_conflict_status
                if status == 409:
                    return _xrpc(409, "RecordAlreadyExists", "Record already exists")
                return _Reply(status, _error("bluesky", status))
            cid = "bafyrei" + hashlib.sha256(request.raw).hexdigest()[:52]
            self.bluesky_records[rkey] = {"uri": uri, "cid": cid, "value": record}
        commit = {"cid": cid, "rev": rkey}
        return _Reply(200, {"uri": uri, "cid": cid, "commit": commit, "validationStatus": "valid"})

    def _bluesky_upload(self, request: RecordedRequest) -> _Reply:
        """`com.atproto.repo.uploadBlob`: the raw bytes, typed by Content-Type."""
        mime = request.headers.get("content-type", "").split(";")[0].strip()
        if not mime.startswith("image/"):
            return _xrpc(400, "InvalidMimeType", f"Wrong type of file: {mime or 'none'}")
        if len(request.raw) > BLUESKY_MAX_BLOB_BYTES:
            return _xrpc(
                400,
                "BlobTooLarge",
                f"This file is too large. It is {len(request.raw)} bytes, the maximum is "
                f"{BLUESKY_MAX_BLOB_BYTES}",
            )
        cid = bluesky_cid(request.raw)
        with self._lock:
            self.bluesky_blobs[cid] = {"mimeType": mime, "size": len(request.raw)}
        blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(request.raw)}
        return _Reply(200, {"blob": blob})

    def _bluesky_embed_refusal(self, embed: Any) -> _Reply | None:
        """What the PDS answers to an embed it refuses (lexicon, and the blobs it holds)."""
        kind = embed.get("$type") if isinstance(embed, dict) else None
        if kind == "app.bsky.embed.external":
            external = embed.get("external")
            if not isinstance(external, dict) or not all(
                isinstance(external.get(name), str) for name in ("uri", "title", "description")
            ):
                return _xrpc(400, "InvalidRequest", "Invalid app.bsky.embed.external")
            if not external["uri"].startswith(("http://", "https://")):
                return _xrpc(400, "InvalidRequest", "external/uri must be a valid uri")
            return None
        if kind != "app.bsky.embed.images":
            return _xrpc(400, "InvalidRequest", "Invalid app.bsky.feed.post record: embed")
        images = embed.get("images")
        if not isinstance(images, list) or not 1 <= len(images) <= 4:
            return _xrpc(400, "InvalidRequest", "embed/images must have 1 to 4 elements")
        for image in images:
            if not isinstance(image, dict) or not isinstance(image.get("alt"), str):
                return _xrpc(400, "InvalidRequest", "embed/images/alt must be a string")
            ratio = image.get("aspectRatio")
            if ratio is not None and not (
                isinstance(ratio, dict)
                and all(
                    isinstance(ratio.get(n), int) and ratio[n] >= 1 for n in ("width", "height")
                )
            ):
                return _xrpc(400, "InvalidRequest", "embed/images/aspectRatio is invalid")
            blob = image.get("image")
            ref = blob.get("ref") if isinstance(blob, dict) else None
            cid = ref.get("$link") if isinstance(ref, dict) else None
            if not isinstance(blob, dict) or blob.get("$type") != "blob" or not cid:
                return _xrpc(400, "InvalidRequest", "embed/images/image should be a blob ref")
            with self._lock:
                held = self.bluesky_blobs.get(cid)
            if held is None:
                return _xrpc(400, "BlobNotFound", f"Could not find blob: {cid}")
            if blob.get("mimeType") != held["mimeType"] or blob.get("size") != held["size"]:
                return _xrpc(400, "InvalidRequest", "embed/images/image does not match its blob")
        return None

    def _bluesky_reply_ok(self, reply: Any) -> bool:
        """A reply's root and parent are strong references (uri and cid) to records held here
        (the lexicon checks the shape; the check that they exist catches a broken thread)."""
        if not isinstance(reply, dict):
            return False
        with self._lock:
            held = {(r["uri"], r["cid"]) for r in self.bluesky_records.values()}
        refs = [reply.get("root"), reply.get("parent")]
        return all(
            isinstance(ref, dict) and (ref.get("uri"), ref.get("cid")) in held for ref in refs
        )

    # X: https://docs.x.com/x-api/posts/creation-of-a-post
    def _x(self, request: RecordedRequest) -> _Reply | None:
        if request.bearer != X_TOKEN:
            return _Reply(401, _error("x", 401))
        if request.method == "GET" and request.path == "/2/users/me":
            user = {"id": "2244994945", "name": "A. Author", "username": "author"}
            return _Reply(200, {"data": user})
        if request.method == "POST" and request.path == "/2/media/upload":
            return self._x_upload(request)
        if request.method == "POST" and request.path == "/2/media/metadata":
            return self._x_metadata(request)
        if request.method == "GET" and request.path.startswith("/2/tweets/"):
            return self._x_lookup(request, request.path.removeprefix("/2/tweets/"))
        if request.method == "POST" and request.path == "/2/tweets":
            text = str(request.body.get("text") or "")
            reply = request.body.get("reply") or {}
            media = request.body.get("media")
            media_ids = media.get("media_ids") if isinstance(media, dict) else None
            with self._lock:
                parent = reply.get("in_reply_to_tweet_id") if isinstance(reply, dict) else None
                if reply and parent not in self.tweets:
                    detail = "You attempted to reply to a Tweet that is deleted or not visible."
                    return _Reply(403, _problem(403, "Forbidden", detail))
                if media is not None and not (
                    isinstance(media_ids, list)
                    and 1 <= len(media_ids) <= 4
                    and all(media_id in self.x_media for media_id in media_ids)
                ):
                    return _Reply(
                        400, _problem(400, "Invalid Request", "Your media IDs are invalid.")
                    )
                if any(tweet["text"] == text for tweet in self.tweets.values()):
                    detail = "You are not allowed to create a Tweet with duplicate content."
                    return _Reply(403, _problem(403, "Forbidden", detail))
                tweet_id = str(1_880_000_000_000_000_000 + next(self._ids))
                tweet: dict[str, Any] = {
                    "id": tweet_id,
                    "text": text,
                    "edit_history_tweet_ids": [tweet_id],
                }
                if parent is not None:
                    tweet["in_reply_to_tweet_id"] = parent
                if media_ids:
                    tweet["attachments"] = {"media_keys": [f"3_{i}" for i in media_ids]}
                self.tweets[tweet_id] = tweet
                return _Reply(201, {"data": tweet})
        return None

    def _x_lookup(self, request: RecordedRequest, tweet_id: str) -> _Reply:
        """`GET /2/tweets/:id`: https://docs.x.com/x-api/posts/lookup/quickstart. The post with
        the fields asked for (`tweet.fields=public_metrics`); an unknown id answers as X does,
        200 with a resource-not-found problem and no `data`."""
        with self._lock:
            tweet = self.tweets.get(tweet_id)
            counts = {**_X_NO_METRICS, **self.x_public_metrics.get(tweet_id, {})}
        if tweet is None:
            problem = {
                "value": tweet_id,
                "detail": f"Could not find tweet with id: [{tweet_id}].",
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "id",
                "resource_id": tweet_id,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            }
            return _Reply(200, {"errors": [problem]})
        data = dict(tweet)
        if "public_metrics" in request.query.get("tweet.fields", "").split(","):
            data["public_metrics"] = counts
        return _Reply(200, {"data": data})

    def _x_upload(self, request: RecordedRequest) -> _Reply:
        """`POST /2/media/upload`, one-shot: https://docs.x.com/x-api/media/upload-media."""
        body = request.body
        if body.get("media_category") != "tweet_image":
            return _Reply(400, _problem(400, "Invalid Request", "media_category is invalid"))
        mime = body.get("media_type")
        if not isinstance(mime, str) or not mime.startswith("image/"):
            return _Reply(400, _problem(400, "Invalid Request", "media_type is invalid"))
        try:
            data = base64.b64decode(str(body.get("media") or ""), validate=True)
        except ValueError:
            return _Reply(400, _problem(400, "Invalid Request", "media is not base64"))
        if not data or len(data) > X_MAX_IMAGE_BYTES:
            return _Reply(400, _problem(400, "Invalid Request", "media size is invalid"))
        media_id = str(1_890_000_000_000_000_000 + next(self._ids))
        with self._lock:
            self.x_media[media_id] = {"mime": mime, "size": len(data), "alt_text": None}
        answer = {
            "id": media_id,
            "media_key": f"3_{media_id}",
            "size": len(data),
            "expires_after_secs": 86400,
        }
        return _Reply(200, {"data": answer})

    def _x_metadata(self, request: RecordedRequest) -> _Reply:
        """`POST /2/media/metadata`: https://docs.x.com/x-api/media/create-media-metadata."""
        media_id = request.body.get("id")
        metadata = request.body.get("metadata")
        alt = metadata.get("alt_text") if isinstance(metadata, dict) else None
        text = alt.get("text") if isinstance(alt, dict) else None
        if not isinstance(text, str) or len(text) > 1000:
            return _Reply(400, _problem(400, "Invalid Request", "alt_text.text is invalid"))
        with self._lock:
            media = self.x_media.get(str(media_id))
            if media is None:
                return _Reply(400, _problem(400, "Invalid Request", "media id not found"))
            media["alt_text"] = text
        data = {"id": str(media_id), "associated_metadata": {"alt_text": {"text": text}}}
        return _Reply(200, {"data": data})

    # The webhook receiver: checks the signature the way bookagent's docs tell receivers to.
    def _webhook(self, request: RecordedRequest) -> _Reply:
        timestamp = request.headers.get("x-bookagent-timestamp", "")
        signature = request.headers.get("x-bookagent-signature", "")
        signed = timestamp.encode() + b"." + request.raw
        expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), signed, "sha256").hexdigest()
        age_s = abs(time.time() - int(timestamp)) if timestamp.isdigit() else float("inf")
        fresh = age_s <= self.webhook_tolerance_s
        if not (fresh and hmac.compare_digest(expected, signature)):
            return _Reply(401, {"error": "invalid signature"})
        if request.body.get("event") == "ping":
            return _Reply(200, {"ok": True})
        with self._lock:
            self.hooks.append(request.body)
            number = len(self.hooks)
        reply = (
            self.webhook_reply
            if self.webhook_reply is not None
            else {"id": f"hook-{number}", "url": f"https://hooks.example.test/posts/{number}"}
        )
        return _Reply(200, reply)


def bluesky_cid(data: bytes) -> str:
    """A blob's CID as the PDS makes it: CIDv1, raw codec, SHA-256, base32 (`b` prefix)."""
    digest = b"\x01\x55\x12\x20" + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(digest).decode("ascii").lower().rstrip("=")


def _error(vendor: str | None, status: int) -> Any:
    """An error body as each vendor documents it."""
    phrase = {
        401: "Unauthorized",
        429: "Too Many Requests",
        500: "Internal Server Error",
        503: "Service Unavailable",
    }.get(status, "Error")
    if vendor == "bluesky":
        name = {429: "RateLimitExceeded", 401: "AuthenticationRequired"}.get(
            status, "InternalServerError"
        )
        return {"error": name, "message": phrase}
    if vendor == "x":
        return _problem(status, phrase, phrase)
    return {"error": phrase}


def _xrpc(status: int, error: str, message: str) -> _Reply:
    """An XRPC error answer: https://atproto.com/specs/xrpc#error-responses."""
    return _Reply(status, {"error": error, "message": message})


def _problem(status: int, title: str, detail: str) -> dict[str, Any]:
    """An X API v2 problem body: https://docs.x.com/x-api/fundamentals/response-codes-and-errors."""
    return {"title": title, "detail": detail, "type": "about:blank", "status": status}


def _mastodon_account(base: str) -> dict[str, Any]:
    return {
        "id": "109000000000000001",
        "username": "author",
        "acct": "author",
        "display_name": "A. Author",
        "url": f"{base}/@author",
        "followers_count": 12,
    }


def _mastodon_status(base: str, status_id: str, text: str, visibility: Any) -> dict[str, Any]:
    return {
        "id": status_id,
        "created_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "in_reply_to_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": visibility or "public",
        "language": "en",
        "uri": f"{base}/users/author/statuses/{status_id}",
        "url": f"{base}/@author/{status_id}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "content": f"<p>{text}</p>",
        "account": _mastodon_account(base),
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": None,
    }


def _mastodon_instance(base: str, statuses: Mapping[str, int]) -> dict[str, Any]:
    return {
        "domain": urlsplit(base).netloc,
        "title": "Fake Mastodon",
        "version": "4.3.0",
        "source_url": "https://github.com/mastodon/mastodon",
        "languages": ["en"],
        "configuration": {
            "urls": {"streaming": base.replace("http", "ws")},
            "accounts": {"max_featured_tags": 10},
            "statuses": dict(statuses),
            "media_attachments": {"image_size_limit": 16777216},
            "polls": {"max_options": 4},
        },
        "registrations": {"enabled": False},
        "contact": {"email": "admin@example.test"},
        "rules": [],
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() waits for in-flight handlers: no thread outlives a test
    request_queue_size = 64
    fake: FakeSocialServer

    def server_bind(self) -> None:
        # HTTPServer.server_bind would resolve the host's FQDN, which can stall without DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up has closed its socket; writing to it fails, as expected


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: no handler idles on keep-alive

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        request = RecordedRequest(
            method=method,
            path=parts.path,
            query=dict(parse_qsl(parts.query)),
            headers={name.lower(): value for name, value in self.headers.items()},
            raw=raw,
            body=_parse_body(raw, self.headers.get("content-type", "")),
        )
        reply = self.server.fake.handle(request)
        if reply.action == "stall":
            self.server.fake.wait_stalled()
            return
        if reply.action == "drop":
            self.close_connection = True
            return  # the socket closes with no status line: the client sees a dropped connection
        data = json.dumps(reply.body).encode("utf-8")
        try:
            self.send_response(reply.status)
            self.send_header("content-type", "application/json; charset=utf-8")
            self.send_header("content-length", str(len(data)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean


def _parse_body(raw: bytes, content_type: str) -> Any:
    if "application/x-www-form-urlencoded" in content_type:
        return dict(parse_qsl(raw.decode("utf-8")))
    if content_type.startswith("multipart/form-data"):
        return _parse_multipart(raw, content_type)
    if content_type.startswith("image/"):
        return {}  # the bytes are `RecordedRequest.raw`
    try:
        body = json.loads(raw or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {"_raw": raw.decode("utf-8", "replace")}
    return body if isinstance(body, dict) else {"_json": body}


def _parse_multipart(raw: bytes, content_type: str) -> dict[str, Any]:
    """A multipart/form-data body: a text field as its string, a file as `{filename,
    content_type, data}`."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=policy.HTTP).parsebytes(head + raw)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            fields[str(name)] = data.decode("utf-8")
        else:
            fields[str(name)] = {
                "filename": filename,
                "content_type": part.get_content_type(),
                "data": data,
            }
    return fields
