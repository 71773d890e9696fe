"""docs/API.md is the contract the code refers to: it names every route the OpenAPI document
lists, names no route the server does not have, and every document it points at is here."""

from __future__ import annotations

import re
from pathlib import Path

from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parents[3]
API_MD = ROOT / "docs" / "API.md"
# What the OpenAPI tooling serves about itself, not routes of the contract.
TOOLING = re.compile(r"^/api/(swagger|static|oauth2-redirect)")


def _shape(path: str) -> str:
    """A path with its parameters erased: /api/posts/{post_id} and /api/posts/<id> agree."""
    path = path.split("?", 1)[0]
    return re.sub(r"\{[^}]+\}|<[^>]+>", "<>", path)


def documented_paths() -> set[str]:
    text = API_MD.read_text()
    return {_shape(p) for p in re.findall(r"`(?:[A-Z]+ )?(/api/[^`\s]*)`", text)}


def test_every_route_of_the_openapi_document_is_in_api_md(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    served = {_shape(p) for p in spec["paths"] if not TOOLING.match(p)}
    assert sorted(served - documented_paths()) == []


def test_api_md_names_no_route_the_server_lacks(client: FlaskClient) -> None:
    spec = client.get("/api/openapi.json").get_json()
    served = {_shape(p) for p in spec["paths"]} | {"/api/openapi.json"}
    assert sorted(documented_paths() - served) == []


def test_every_document_the_docs_and_code_point_at_is_in_the_repository() -> None:
    names = {"API.md", "SECURITY.md", "ASYNC_GUIDE.md", "ARCHITECTURE.md", "PRODUCT.md"}
    sources = [*ROOT.glob("docs/*.md"), ROOT / "README.md", *ROOT.glob("src/**/*.py")]
    missing = set()
    for source in sources:
        for name in re.findall(r"\b([A-Z_]+\.md)\b", source.read_text()):
            if name in names and not (ROOT / "docs" / name).exists():
                missing.add(f"{source.relative_to(ROOT)} -> {name}")
    assert sorted(missing) == []
