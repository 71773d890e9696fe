"""The HTTP layer: the Flask app factory, the API blueprint and the one error map."""

from bookagent.web.app import create_app

__all__ = ["create_app"]
