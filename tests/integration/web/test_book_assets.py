"""The book's cover and author photo: upload (decoded safely, cleaned of metadata, re-encoded),
list, serve and delete, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image

from bookagent.bootstrap import Services
from bookagent.domain.assets import MAX_ASSET_BYTES
from bookagent.domain.identity import create_token
from bookagent.settings import Settings
from tests.conftest import SettingsFactory
from tests.integration.web.upload_images import image_bytes
from tests.integration.web.upload_images import png_declaring
from tests.integration.web.upload_images import upload

GPS_IFD = 0x8825
ORIENTATION = 0x0112


@pytest.fixture
def settings(make_settings: SettingsFactory, database_url: str) -> Settings:
    return make_settings(db={"url": database_url})


@pytest.fixture
def book_id(client: FlaskClient, book_payload: dict[str, Any]) -> str:
    created = client.post("/api/books", json=book_payload)
    assert created.status_code == 201, created.get_json()
    return str(created.get_json()["book"]["id"])


def stored(services: Services, answer: Any) -> bytes:
    return services.media.get(answer.get_json()["asset"]["key"])


def field_of(answer: Any) -> list[str]:
    return [detail["field"] for detail in answer.get_json()["details"]]


@pytest.mark.parametrize(
    ("fmt", "mode", "mime"),
    [
        ("PNG", "RGB", "image/png"),
        ("PNG", "RGBA", "image/png"),
        ("JPEG", "RGB", "image/jpeg"),
        ("WEBP", "RGB", "image/jpeg"),  # a WebP photo becomes JPEG ...
        ("WEBP", "RGBA", "image/png"),  # ... and one with transparency PNG
    ],
)
def test_each_format_is_stored_re_encoded_and_served(
    client: FlaskClient, services: Services, book_id: str, fmt: str, mode: str, mime: str
) -> None:
    answer = upload(client, book_id, image_bytes(fmt, (60, 90), mode), filename="x.bin")
    assert answer.status_code == 201, answer.get_json()
    asset = answer.get_json()["asset"]
    assert (asset["kind"], asset["mime"], asset["width"], asset["height"]) == (
        "cover",
        mime,
        60,
        90,
    )
    assert asset["url"] == f"/api/books/{book_id}/assets/cover"
    assert answer.headers["Location"] == asset["url"]
    data = stored(services, answer)
    assert asset["size"] == len(data)
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == mime.split("/")[1].upper().replace("JPG", "JPEG")
        assert image.size == (60, 90)
        assert image.mode == ("RGBA" if mode == "RGBA" else "RGB")
    served = client.get(asset["url"])
    assert served.status_code == 200
    assert served.mimetype == mime
    assert served.data == data
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["ETag"] == f'"{asset["key"]}"'
    again = client.get(asset["url"], headers={"If-None-Match": served.headers["ETag"]})
    assert again.status_code == 304


def test_exif_and_other_metadata_are_stripped_and_the_photo_turned_upright(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[ORIENTATION] = 6  # stored on its side: turn 90° clockwise to show
    exif.get_ifd(GPS_IFD)[2] = (52.0, 31.0, 12.0)  # GPSLatitude
    photo = image_bytes("JPEG", (80, 40), exif=exif.tobytes(), comment=b"taken at home")
    with Image.open(io.BytesIO(photo)) as original:
        assert original.getexif()[ORIENTATION] == 6 and b"PhoneMaker" in photo
    answer = upload(client, book_id, photo, kind="author_photo", filename="me.jpg")
    assert answer.status_code == 201, answer.get_json()
    data = stored(services, answer)
    assert b"Exif" not in data and b"PhoneMaker" not in data and b"taken at home" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info and "comment" not in image.info
        assert "icc_profile" not in image.info
        assert image.size == (40, 80)  # upright
    assert (answer.get_json()["asset"]["width"], answer.get_json()["asset"]["height"]) == (40, 80)


def test_png_text_chunks_are_stripped(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Someone private")
    answer = upload(client, book_id, image_bytes("PNG", pnginfo=info))
    assert answer.status_code == 201, answer.get_json()
    assert b"Someone private" not in stored(services, answer)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"just some text, not a picture", "must be a PNG, JPEG or WebP image"),
        (image_bytes("GIF", mode="P"), "must be a PNG, JPEG or WebP image"),
        (image_bytes("BMP"), "must be a PNG, JPEG or WebP image"),
        (image_bytes("PNG", (200, 200))[:300], "could not be decoded as an image"),
        (image_bytes("JPEG", (200, 200))[:400], "could not be decoded as an image"),
        (png_declaring(8000, 6000), "must be at most 40 megapixels"),  # 48 MP: our limit
        (png_declaring(100_000, 100_000), "must be at most 40 megapixels"),  # Pillow's too
        (image_bytes("PNG", (8, 100)), "must be at least 16 pixels on each side"),
    ],
    ids=["empty", "text", "gif", "bmp", "truncated-png", "truncated-jpeg", "48mp", "bomb", "tiny"],
)
def test_what_is_not_a_usable_image_is_refused_naming_the_file(
    client: FlaskClient, book_id: str, data: bytes, message: str
) -> None:
    answer = upload(client, book_id, data, filename="cover.png")
    assert answer.status_code == 422, answer.get_json()
    body = answer.get_json()
    assert body["details"] == [{"field": "file", "message": message}]
    assert client.get(f"/api/books/{book_id}/assets").get_json()["assets"] == []


def test_a_file_over_the_limit_is_413_and_so_is_a_body_over_the_routes_limit(
    client: FlaskClient, book_id: str
) -> None:
    just_over = upload(client, book_id, b"\x89PNG" + b"0" * MAX_ASSET_BYTES)
    assert just_over.status_code == 413
    assert just_over.get_json()["details"] == [
        {"field": "file", "message": f"must be at most {MAX_ASSET_BYTES:,} bytes"}
    ]
    far_over = upload(client, book_id, b"0" * (MAX_ASSET_BYTES + 200_000))
    assert far_over.status_code == 413
    assert far_over.get_json()["code"] == "payload_too_large"
    # The upload's larger limit is its own: a JSON route keeps the app's (1 MiB here).
    big_json = client.patch(f"/api/books/{book_id}", json={"blurb": "x" * (2 * 1024 * 1024)})
    assert big_json.status_code == 413


def test_kind_and_file_are_required_and_checked(client: FlaskClient, book_id: str) -> None:
    png = image_bytes("PNG")
    assert field_of(upload(client, book_id, png, kind=None)) == ["kind"]
    assert field_of(upload(client, book_id, png, kind="poster")) == ["kind"]
    no_file = client.post(
        f"/api/books/{book_id}/assets", data={"kind": "cover"}, content_type="multipart/form-data"
    )
    assert no_file.status_code == 422 and field_of(no_file) == ["file"]
    not_a_file = client.post(
        f"/api/books/{book_id}/assets",
        data={"kind": "cover", "file": "a string"},
        content_type="multipart/form-data",
    )
    assert not_a_file.status_code == 422 and field_of(not_a_file) == ["file"]
    as_json = client.post(f"/api/books/{book_id}/assets", json={"kind": "cover"})
    assert as_json.status_code == 422 and field_of(as_json) == ["kind", "file"]  # a form's
    assert client.get(f"/api/books/{book_id}/assets/poster").status_code == 422


def test_only_the_upload_route_takes_a_form(client: FlaskClient, book_id: str) -> None:
    form = client.post(
        "/api/books",
        data={"title": "T", "file": (io.BytesIO(b"x"), "x.png")},
        content_type="multipart/form-data",
    )
    assert form.status_code == 415


def test_an_upload_replaces_the_asset_of_its_kind_and_delete_forgets_it(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    first = upload(client, book_id, image_bytes("PNG", (60, 90)))
    photo = upload(client, book_id, image_bytes("JPEG", (50, 50)), kind="author_photo")
    second = upload(client, book_id, image_bytes("JPEG", (120, 180)))
    assert first.status_code == photo.status_code == second.status_code == 201
    listed = client.get(f"/api/books/{book_id}/assets").get_json()
    assert listed["count"] == 2
    assert [a["kind"] for a in listed["assets"]] == ["cover", "author_photo"]
    cover = listed["assets"][0]
    assert cover == second.get_json()["asset"]
    assert (cover["mime"], cover["width"]) == ("image/jpeg", 120)
    assert client.get(cover["url"]).data == stored(services, second)

    deleted = client.delete(f"/api/books/{book_id}/assets/cover")
    assert deleted.status_code == 200
    assert deleted.get_json()["deleted"] is True
    assert client.get(f"/api/books/{book_id}/assets/cover").status_code == 404
    assert client.delete(f"/api/books/{book_id}/assets/cover").status_code == 404
    assert [a["kind"] for a in client.get(f"/api/books/{book_id}/assets").get_json()["assets"]] == [
        "author_photo"
    ]
    # The bytes stay in the store: a post that used the old cover still has its image.
    assert services.media.get(first.get_json()["asset"]["key"])


def test_an_unknown_book_is_404(client: FlaskClient) -> None:
    assert upload(client, "nope", image_bytes("PNG")).status_code == 404
    assert client.get("/api/books/nope/assets").status_code == 404
    assert client.get("/api/books/nope/assets/cover").status_code == 404
    assert client.delete("/api/books/nope/assets/cover").status_code == 404


def test_another_users_book_is_404_and_its_owner_and_an_admin_reach_it(
    client: FlaskClient, services: Services, book_payload: dict[str, Any]
) -> None:
    with services.db.session() as session:
        _, alice = create_token(session, user_id="alice", is_admin=False)
        _, bob = create_token(session, user_id="bob", is_admin=False)
        _, admin = create_token(session, user_id=None, is_admin=True)
    as_alice = {"Authorization": f"Bearer {alice}"}
    as_bob = {"Authorization": f"Bearer {bob}"}
    created = client.post("/api/books", json={**book_payload, "user_id": None}, headers=as_alice)
    book_id = created.get_json()["book"]["id"]
    assert upload(client, book_id, image_bytes("PNG"), headers=as_alice).status_code == 201
    png = image_bytes("PNG", (30, 30))
    assert upload(client, book_id, png, headers=as_bob).status_code == 404
    assert client.get(f"/api/books/{book_id}/assets", headers=as_bob).status_code == 404
    assert client.get(f"/api/books/{book_id}/assets/cover", headers=as_bob).status_code == 404
    assert client.delete(f"/api/books/{book_id}/assets/cover", headers=as_bob).status_code == 404
    assert client.get(f"/api/books/{book_id}/assets/cover").status_code == 401
    assert upload(client, book_id, png).status_code == 401
    admin_sees = client.get(
        f"/api/books/{book_id}/assets/cover", headers={"Authorization": f"Bearer {admin}"}
    )
    assert admin_sees.status_code == 200
    mine = client.get(f"/api/books/{book_id}/assets", headers=as_alice).get_json()
    assert mine["count"] == 1 and mine["assets"][0]["width"] == 60


def test_damaged_images_answer_201_or_422_never_500(client: FlaskClient, book_id: str) -> None:
    import random

    exif = Image.Exif()
    exif[ORIENTATION] = 6
    exif.get_ifd(GPS_IFD)[2] = (52.0, 31.0, 12.0)
    originals = [
        image_bytes("JPEG", (64, 48), exif=exif.tobytes()),
        image_bytes("PNG", (64, 48), "RGBA"),
        image_bytes("WEBP", (64, 48)),
    ]
    chance = random.Random(20261207)
    statuses = set()
    for _ in range(60):
        data = bytearray(chance.choice(originals))
        for _ in range(chance.randint(1, 6)):
            data[chance.randrange(len(data))] = chance.randrange(256)
        answer = upload(client, book_id, bytes(data))
        assert answer.status_code in (201, 422), answer.get_json()
        statuses.add(answer.status_code)
    assert statuses == {201, 422}


def test_an_image_is_kept_at_most_4096_pixels_on_its_longer_side(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    wide = Image.new("RGB", (5000, 300), (30, 60, 90))
    out = io.BytesIO()
    wide.save(out, "PNG")
    answer = upload(client, book_id, out.getvalue())
    assert answer.status_code == 201, answer.get_json()
    asset = answer.get_json()["asset"]
    assert (asset["width"], asset["height"]) == (4096, 246)
    with Image.open(io.BytesIO(stored(services, answer))) as image:
        assert image.size == (4096, 246)


def test_a_colour_profile_is_applied_and_not_kept(
    client: FlaskClient, services: Services, book_id: str
) -> None:
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    tagged = image_bytes("JPEG", (40, 40), icc_profile=srgb)
    with Image.open(io.BytesIO(tagged)) as original:
        assert original.info.get("icc_profile")
        before = original.convert("RGB").getpixel((20, 20))
    answer = upload(client, book_id, tagged)
    assert answer.status_code == 201, answer.get_json()
    with Image.open(io.BytesIO(stored(services, answer))) as image:
        assert "icc_profile" not in image.info
        after = image.convert("RGB").getpixel((20, 20))
    assert isinstance(before, tuple) and isinstance(after, tuple)
    assert max(abs(a - b) for a, b in zip(before, after, strict=True)) <= 6
